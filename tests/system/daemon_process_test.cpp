// heraldd as a process: lock, signals, bad configs, systemd notification, --once, control
// robustness.
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <regex>

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon_harness.hpp"

namespace herald::test {
namespace {

using namespace std::chrono_literals;

class DaemonProcess : public ::testing::Test {
protected:
    zmq::context_t context_;
    DaemonHome home_;
};

TEST_F(DaemonProcess, SecondDaemonIsRefusedNamingTheHolder) {
    Process first = home_.start_ready(context_);
    Process second = home_.start();
    auto code = second.wait(5s);
    ASSERT_TRUE(code.has_value());
    EXPECT_NE(*code, 0);
    EXPECT_NE(second.last_stderr_line().find("pid " + std::to_string(first.pid())),
              std::string::npos)
        << second.stderr_text();
    EXPECT_TRUE(first.running());
}

TEST_F(DaemonProcess, SigtermAndSigintExitZeroQuickly) {
    for (int sig : {SIGTERM, SIGINT}) {
        Process daemon = home_.start_ready(context_);
        auto started = std::chrono::steady_clock::now();
        ASSERT_TRUE(daemon.signal(sig));
        EXPECT_EQ(daemon.wait(5s), 0) << daemon.stderr_text();
        EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
    }
}

TEST_F(DaemonProcess, BadConfigsNameKeyAndLine) {
    struct Case {
        std::string extra;
        std::string key;
    };
    const Case cases[] = {
        {"[store]\nkeep_itms = 3\n", "store.keep_itms"},
        {"[store]\nsearch = \"soon\"\n", "store.search"},
        {"[daemon]\n", ""},  // duplicate table: a TOML error with a line
        {"[[feed]]\nurl = \"gopher://x\"\n", "feed[0].url"},
    };
    for (const Case& c : cases) {
        home_.write_config({}, c.extra);
        Process daemon = home_.start();
        auto code = daemon.wait(5s);
        ASSERT_TRUE(code.has_value());
        EXPECT_NE(*code, 0);
        std::string last = daemon.last_stderr_line();
        EXPECT_NE(last.find(home_.config_file().string() + ":"), std::string::npos) << last;
        EXPECT_TRUE(std::regex_search(last, std::regex{R"(herald\.toml:\d+:)"})) << last;
        if (!c.key.empty()) {
            EXPECT_NE(last.find(c.key), std::string::npos) << last;
        }
    }
}

TEST_F(DaemonProcess, SighupReloadsAndRefusesBrokenConfig) {
    home_.write_feed("first", {{"f-1", "one", "x"}});
    home_.write_config({"first"});
    Subscriber subscriber(context_, home_.events_endpoint());
    Process daemon = home_.start_ready(context_);
    ASSERT_TRUE(subscriber.wait_heartbeat(5s).has_value());

    // A broken config is refused, the daemon keeps running on the old one.
    home_.write_config({"first"}, "[store]\nkeep_items = \"two\"\n");
    ASSERT_TRUE(daemon.signal(SIGHUP));
    ASSERT_TRUE(wait_until(
        [&] { return daemon.stderr_text().find("store.keep_items") != std::string::npos; }, 5s))
        << daemon.stderr_text();
    EXPECT_TRUE(daemon.running());

    // A good one adds a feed, whose items then arrive.
    home_.write_feed("second", {{"s-1", "two", "y"}});
    home_.write_config({"first", "second"});
    ASSERT_TRUE(daemon.signal(SIGHUP));
    std::vector<ReceivedEvent> events;
    ASSERT_TRUE(subscriber.collect(
        events,
        [](const auto& all) {
            for (const auto& e : all) {
                if (e.topic == "item.new/second/") return true;
            }
            return false;
        },
        10s))
        << daemon.stderr_text();
    auto status = control_request(context_, home_.control_endpoint(), R"({"op":"status"})");
    ASSERT_TRUE(status.has_value());
    EXPECT_EQ((*status)["feeds"], 2);
}

TEST_F(DaemonProcess, ControlAnswersGarbageWithErrors) {
    Process daemon = home_.start_ready(context_);
    const std::string huge = R"({"op":"status","pad":")" + std::string(200'000, 'x') + "\"}";
    for (const std::string& request :
         {std::string{"not json"}, std::string{"[1,2]"}, std::string{R"({"op":42})"},
          std::string{R"({"op":"dance"})"}, std::string{R"({"op":"replay","after":"x"})"},
          std::string{R"({"op":"replay","limit":0})"},
          std::string{R"({"op":"refresh","feed":"nope"})"}, std::string{"\xff\xfe"}, huge}) {
        auto reply = control_request(context_, home_.control_endpoint(), request);
        ASSERT_TRUE(reply.has_value()) << request.substr(0, 40);
        EXPECT_EQ((*reply)["ok"], false) << request.substr(0, 40);
        EXPECT_TRUE((*reply)["error"].is_string());
    }
    auto status = control_request(context_, home_.control_endpoint(), R"({"op":"status"})");
    ASSERT_TRUE(status.has_value());
    EXPECT_EQ((*status)["ok"], true);
    EXPECT_EQ((*status)["pid"], daemon.pid());
}

TEST_F(DaemonProcess, OncePrintsSummaryAndExitsZero) {
    home_.write_feed("a", {{"a-1", "one", "x"}, {"a-2", "two", "y"}});
    home_.write_feed("b", {{"b-1", "three", "z"}});
    home_.write_config({"a", "b", "missing"});
    Process once = home_.start({}, {"--once"});
    ASSERT_EQ(once.wait(20s), 0) << once.stderr_text();
    std::string out = once.stdout_text();
    EXPECT_NE(out.find("polled 3 feeds"), std::string::npos) << out;
    EXPECT_NE(out.find("2 ok"), std::string::npos) << out;
    EXPECT_NE(out.find("1 errors"), std::string::npos) << out;
    EXPECT_NE(out.find("3 new items"), std::string::npos) << out;
    Process again = home_.start({}, {"--once"});
    ASSERT_EQ(again.wait(20s), 0) << again.stderr_text();
    EXPECT_NE(again.stdout_text().find("0 new items"), std::string::npos) << again.stdout_text();
}

// A small tmpfs mounted over a directory for the life of the object (needs root; tests skip
// without it).
class SmallDisk {
public:
    explicit SmallDisk(const std::filesystem::path& dir) : dir_(dir) {
        std::filesystem::create_directories(dir_);
        const std::string command =
            "mount -t tmpfs -o size=1m tmpfs '" + dir_.string() + "' 2>/dev/null";
        mounted_ = std::system(command.c_str()) == 0;
    }
    ~SmallDisk() {
        if (mounted_) (void)std::system(("umount '" + dir_.string() + "'").c_str());
    }
    SmallDisk(const SmallDisk&) = delete;
    SmallDisk& operator=(const SmallDisk&) = delete;
    [[nodiscard]] bool mounted() const { return mounted_; }

private:
    std::filesystem::path dir_;
    bool mounted_ = false;
};

// Regression: --once on a full disk logged the store error but exited 0 ("ran"); the contract
// wants non-zero when the store cannot be written, with the file named.
TEST_F(DaemonProcess, OnceOnAFullDiskExitsNonZeroNamingTheFile) {
    SmallDisk disk(home_.path() / "state");
    if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs (not root?)";
    std::vector<herald::test::TestItem> items;
    for (int i = 0; i < 150; ++i) {
        std::string body;
        for (int word = 0; word < 400; ++word) body += "w" + std::to_string(i * 1000 + word) + " ";
        items.push_back({"big-" + std::to_string(i), "item " + std::to_string(i), body});
    }
    home_.write_feed("big", items);
    home_.write_config({"big"});
    Process once = home_.start({}, {"--once"});
    EXPECT_NE(once.wait(20s), 0) << once.stdout_text();
    const std::string err = once.stderr_text();
    EXPECT_NE(err.find("could not be stored"), std::string::npos) << err;
    EXPECT_NE(err.find("herald.db"), std::string::npos) << err;
}

// A datagram socket standing in for systemd's notify socket.
class NotifySocket {
public:
    explicit NotifySocket(const std::filesystem::path& path) : path_(path) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
        // The sockets API takes sockaddr*.
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
            throw std::runtime_error("cannot bind notify socket");
        }
    }
    ~NotifySocket() { ::close(fd_); }
    NotifySocket(const NotifySocket&) = delete;
    NotifySocket& operator=(const NotifySocket&) = delete;

    // Reads every datagram waiting now.
    void drain(std::vector<std::string>& into) const {
        char buffer[4096];
        while (true) {
            ssize_t got = ::recv(fd_, buffer, sizeof buffer, MSG_DONTWAIT);
            if (got <= 0) return;
            into.emplace_back(buffer, static_cast<std::size_t>(got));
        }
    }
    bool wait_for(std::vector<std::string>& into, const std::string& prefix, std::size_t count,
                  std::chrono::milliseconds timeout) const {
        return wait_until(
            [&] {
                drain(into);
                std::size_t seen = 0;
                for (const auto& message : into) seen += message.starts_with(prefix) ? 1 : 0;
                return seen >= count;
            },
            timeout);
    }

private:
    std::filesystem::path path_;
    int fd_ = -1;
};

TEST_F(DaemonProcess, NotifiesSystemd) {
    NotifySocket notify(home_.path() / "notify");
    ProcessOptions options;
    options.env = {{"NOTIFY_SOCKET", (home_.path() / "notify").string()},
                   {"WATCHDOG_USEC", "400000"}};
    Process daemon = home_.start(options);
    // start() drops NOTIFY_SOCKET from the inherited environment; options.env puts ours back.
    std::vector<std::string> messages;
    ASSERT_TRUE(notify.wait_for(messages, "READY=1", 1, 10s)) << daemon.stderr_text();
    ASSERT_TRUE(notify.wait_for(messages, "WATCHDOG=1", 3, 5s));
    ASSERT_TRUE(notify.wait_for(messages, "STATUS=", 1, 5s));
    ASSERT_TRUE(daemon.signal(SIGHUP));
    ASSERT_TRUE(notify.wait_for(messages, "RELOADING=1", 1, 5s));
    ASSERT_TRUE(notify.wait_for(messages, "READY=1", 2, 5s));
    ASSERT_TRUE(daemon.signal(SIGTERM));
    ASSERT_TRUE(notify.wait_for(messages, "STOPPING=1", 1, 5s));
    EXPECT_EQ(daemon.wait(5s), 0);
    auto status = std::find_if(messages.begin(), messages.end(),
                               [](const auto& m) { return m.starts_with("STATUS="); });
    EXPECT_NE(status->find("last seq"), std::string::npos) << *status;
}

TEST_F(DaemonProcess, IpcSocketsAreOwnerAndGroupOnly) {
    Process daemon = home_.start_ready(context_);
    for (const char* name : {"events", "control"}) {
        auto perms = std::filesystem::status(home_.path() / name).permissions();
        EXPECT_EQ(perms & std::filesystem::perms::others_all, std::filesystem::perms::none) << name;
    }
}

}  // namespace
}  // namespace herald::test
