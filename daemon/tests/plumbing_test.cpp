// The daemon's process plumbing with real fds and sockets: lock file, wake fd, control socket.
#include <filesystem>
#include <random>

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq_addon.hpp>

#include "sockets.hpp"
#include "system.hpp"

namespace herald::daemon {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class TempDir {
public:
    TempDir() : path_(fs::path{"/tmp"} / ("hdu-" + std::to_string(std::random_device{}()))) {
        fs::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

TEST(LockFile, SecondLockNamesTheHolder) {
    TempDir dir;
    LockFile first(dir.path());
    try {
        LockFile second(dir.path());
        FAIL() << "second lock succeeded";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string{e.what()}.find("pid " + std::to_string(::getpid())),
                  std::string::npos)
            << e.what();
    }
}

TEST(LockFile, ReleasedOnDestruction) {
    TempDir dir;
    { LockFile first(dir.path()); }
    EXPECT_NO_THROW(LockFile again(dir.path()));
}

TEST(WakeFd, NotifyMakesItReadable) {
    WakeFd wake;
    std::vector<zmq::pollitem_t> items{{nullptr, wake.fd(), ZMQ_POLLIN, 0}};
    EXPECT_EQ(zmq::poll(items, 0ms), 0);
    wake.notify();
    wake.notify();
    EXPECT_EQ(zmq::poll(items, 1000ms), 1);
    wake.drain();
    items[0].revents = 0;
    EXPECT_EQ(zmq::poll(items, 0ms), 0);
}

TEST(Time, MillisecondsUtc) {
    auto time = std::chrono::sys_days{std::chrono::year{2026} / 11 / 25} + 20h + 15min + 1s + 23ms;
    EXPECT_EQ(format_time_ms(time), "2026-11-25T20:15:01.023Z");
}

class Control : public ::testing::Test {
protected:
    std::string exchange(zmq::socket_t& client, const std::string& request) {
        client.send(zmq::buffer(request), zmq::send_flags::none);
        // The server answers from this thread: serve until the reply is there (bounded).
        for (int i = 0; i < 200; ++i) {
            std::vector<zmq::pollitem_t> items{{server_.socket().handle(), 0, ZMQ_POLLIN, 0}};
            zmq::poll(items, 10ms);
            server_.serve([&](const nlohmann::json& r) {
                ++handled_;
                return nlohmann::json{{"ok", true}, {"echo", r["op"]}}.dump();
            });
            zmq::message_t reply;
            if (client.recv(reply, zmq::recv_flags::dontwait)) return reply.to_string();
        }
        return "(no reply)";
    }

    TempDir dir_;
    zmq::context_t context_;
    std::string endpoint_ = "ipc://" + (dir_.path() / "control").string();
    ControlSocket server_{context_, endpoint_};
    int handled_ = 0;
};

TEST_F(Control, AnswersRequestsAndRefusesGarbage) {
    zmq::socket_t client(context_, zmq::socket_type::req);
    client.set(zmq::sockopt::linger, 0);
    client.connect(endpoint_);
    EXPECT_EQ(exchange(client, R"({"op":"status"})"), R"({"echo":"status","ok":true})");
    for (const std::string& bad :
         std::vector<std::string>{"nope", "{}", R"({"op":1})", "[]", std::string(70'000, ' ')}) {
        auto reply = nlohmann::json::parse(exchange(client, bad), nullptr, false);
        ASSERT_FALSE(reply.is_discarded());
        EXPECT_EQ(reply["ok"], false);
        EXPECT_TRUE(reply["error"].is_string());
    }
    EXPECT_EQ(handled_, 1);
}

TEST_F(Control, DealerWithoutDelimiterGetsReplyToo) {
    zmq::socket_t client(context_, zmq::socket_type::dealer);
    client.set(zmq::sockopt::linger, 0);
    client.connect(endpoint_);
    EXPECT_EQ(exchange(client, R"({"op":"replay"})"), R"({"echo":"replay","ok":true})");
}

TEST_F(Control, SocketFileIsOwnerAndGroupOnly) {
    auto perms = fs::status(dir_.path() / "control").permissions();
    EXPECT_EQ(perms & fs::perms::others_all, fs::perms::none);
    EXPECT_NE(perms & fs::perms::owner_write, fs::perms::none);
}

TEST(Publisher, SendsTopicAndPayload) {
    TempDir dir;
    zmq::context_t context;
    std::string endpoint = "ipc://" + (dir.path() / "events").string();
    Publisher publisher(context, {endpoint});
    zmq::socket_t subscriber(context, zmq::socket_type::sub);
    subscriber.set(zmq::sockopt::subscribe, "item.");
    subscriber.set(zmq::sockopt::rcvtimeo, 50);
    subscriber.connect(endpoint);
    // PUB drops until the subscription has arrived; publish until one gets through (bounded).
    std::vector<zmq::message_t> frames;
    for (int i = 0; i < 200 && frames.empty(); ++i) {
        publisher.publish("heartbeat/", "{}");  // filtered out by the subscription
        publisher.publish("item.new/a/", R"({"seq":1})");
        (void)zmq::recv_multipart(subscriber, std::back_inserter(frames));
    }
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(frames[0].to_string(), "item.new/a/");
    EXPECT_EQ(frames[1].to_string(), R"({"seq":1})");
}

TEST(Publisher, UnbindableEndpointThrowsNamingIt) {
    zmq::context_t context;
    try {
        Publisher publisher(context, {"tcp://256.1.1.1:1"});
        FAIL() << "bound an impossible endpoint";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string{e.what()}.find("tcp://256.1.1.1:1"), std::string::npos);
    }
}

}  // namespace
}  // namespace herald::daemon
