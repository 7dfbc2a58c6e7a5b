// CURVE on heraldd's tcp:// endpoints (127.0.0.1): listed client keys get events and control
// answers; an unknown key or no key gets nothing; ipc:// stays plain. Real heraldd, real
// sockets; handshake failures are waited for through ZeroMQ's socket monitor, not by sleeping.
#include <algorithm>
#include <csignal>
#include <cstring>
#include <fstream>

#include <gtest/gtest.h>
#include <zmq.h>

#include <herald/client.hpp>
#include <herald/config.hpp>

#include "daemon_harness.hpp"

namespace herald::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

client::CurveKeyPair keypair() {
    auto pair = client::make_curve_keypair();
    EXPECT_TRUE(pair.has_value());
    return pair.value_or(client::CurveKeyPair{});
}

// A SUB on `endpoint` (subscribed to everything), optionally a CURVE client, with a monitor
// that reports handshake outcomes.
class WatchedSubscriber {
public:
    WatchedSubscriber(zmq::context_t& context, const std::string& endpoint,
                      const std::optional<client::CurveKeys>& keys)
        : socket_(context, zmq::socket_type::sub), monitor_(context, zmq::socket_type::pair) {
        static int serial = 0;
        const std::string monitor_endpoint =
            "inproc://curve-test-monitor-" + std::to_string(++serial);
        socket_.set(zmq::sockopt::linger, 0);
        socket_.set(zmq::sockopt::subscribe, "");
        if (keys) {
            socket_.set(zmq::sockopt::curve_serverkey, keys->server_public);
            socket_.set(zmq::sockopt::curve_publickey, keys->public_key);
            socket_.set(zmq::sockopt::curve_secretkey, keys->secret_key);
        }
        constexpr int kEvents = ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
                                ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                                ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL;
        EXPECT_EQ(zmq_socket_monitor(socket_.handle(), monitor_endpoint.c_str(), kEvents), 0);
        monitor_.connect(monitor_endpoint);
        socket_.connect(endpoint);
    }

    // Waits for a handshake outcome: true when it failed, false when it succeeded, nullopt on
    // timeout.
    std::optional<bool> handshake_failed(std::chrono::milliseconds timeout) {
        std::vector<zmq::pollitem_t> items{{monitor_.handle(), 0, ZMQ_POLLIN, 0}};
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            if (zmq::poll(items, 100ms) <= 0) continue;
            zmq::message_t event;
            zmq::message_t address;
            if (!monitor_.recv(event) || !monitor_.recv(address)) continue;
            std::uint16_t kind = 0;
            std::memcpy(&kind, event.data(), sizeof kind);
            return kind != ZMQ_EVENT_HANDSHAKE_SUCCEEDED;
        }
        return std::nullopt;
    }

    // Messages (topic frames) received within `timeout`.
    std::vector<std::string> receive(std::chrono::milliseconds timeout) {
        std::vector<std::string> topics;
        std::vector<zmq::pollitem_t> items{{socket_.handle(), 0, ZMQ_POLLIN, 0}};
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline && topics.size() < 10000) {
            if (zmq::poll(items, 20ms) <= 0) continue;
            zmq::message_t topic;
            zmq::message_t payload;
            if (!socket_.recv(topic, zmq::recv_flags::dontwait)) continue;
            if (topic.more()) (void)socket_.recv(payload);
            topics.push_back(topic.to_string());
        }
        return topics;
    }

private:
    zmq::socket_t socket_;
    zmq::socket_t monitor_;
};

class DaemonCurve : public ::testing::Test {
protected:
    DaemonCurve()
        : server_(keypair()),
          client_(keypair()),
          stranger_(keypair()),
          publish_("tcp://127.0.0.1:" + std::to_string(free_tcp_port())),
          control_("tcp://127.0.0.1:" + std::to_string(free_tcp_port())) {}

    void write_config(const std::string& curve_lines) {
        std::string text = "[daemon]\nstate_dir = \"" + (home_.path() / "state").string() + "\"\n";
        text += "publish = [\"" + publish_ + "\", \"" + home_.events_endpoint() + "\"]\n";
        text += "control = \"" + control_ + "\"\n";
        text += "heartbeat = \"100ms\"\n" + curve_lines;
        text += "[fetch]\nmin_interval = \"1s\"\ndefault_interval = \"1h\"\n";
        text += "[[feed]]\nname = \"local\"\nurl = \"file://" + home_.feed_file("local").string() +
                "\"\n";
        std::ofstream(home_.config_file()) << text;
    }

    void write_good_config() {
        std::ofstream(home_.path() / "clients.keys") << "# admitted subscribers\n"
                                                     << client_.public_key << "\n";
        write_config("curve_secret_key = \"" + server_.secret_key +
                     "\"\ncurve_clients = \"clients.keys\"\n");
    }

    [[nodiscard]] client::CurveKeys keys_of(const client::CurveKeyPair& pair) const {
        return client::CurveKeys{server_.public_key, pair.public_key, pair.secret_key};
    }

    client::ControlClient control(std::optional<client::CurveKeys> keys) {
        return client::ControlClient(control_, 1000ms, std::move(keys));
    }

    Process start_ready() {
        Process daemon = home_.start();
        auto admitted = control(keys_of(client_));
        EXPECT_TRUE(wait_until(
            [&] { return !daemon.running() || admitted.request(R"({"op":"status"})").has_value(); },
            10s))
            << daemon.stderr_text();
        return daemon;
    }

    zmq::context_t context_;
    DaemonHome home_;
    client::CurveKeyPair server_;
    client::CurveKeyPair client_;
    client::CurveKeyPair stranger_;
    std::string publish_;
    std::string control_;
};

TEST_F(DaemonCurve, OnlyListedKeysGetEventsAndControlOverTcpIpcStaysPlain) {
    home_.write_feed("local", {{"a", "A", "1"}});
    write_good_config();
    Process daemon = start_ready();
    ASSERT_TRUE(daemon.running()) << daemon.stderr_text();

    WatchedSubscriber admitted(context_, publish_, keys_of(client_));
    WatchedSubscriber stranger(context_, publish_, keys_of(stranger_));
    WatchedSubscriber keyless(context_, publish_, std::nullopt);
    Subscriber local(context_, home_.events_endpoint());  // ipc, no keys
    EXPECT_EQ(admitted.handshake_failed(5s), std::optional<bool>{false});
    EXPECT_EQ(stranger.handshake_failed(5s), std::optional<bool>{true});
    EXPECT_EQ(keyless.handshake_failed(5s), std::optional<bool>{true});

    // New items: the admitted subscriber and the ipc one get them.
    home_.write_feed("local", {{"a", "A", "1"}, {"b", "B", "2"}});
    auto refreshed = control(keys_of(client_)).request(R"({"op":"refresh"})");
    ASSERT_TRUE(refreshed.has_value()) << refreshed.error().message;
    std::vector<std::string> topics;
    ASSERT_TRUE(wait_until(
        [&] {
            for (auto& topic : admitted.receive(50ms)) topics.push_back(topic);
            return std::count(topics.begin(), topics.end(), "item.new/local/") >= 1 &&
                   std::count(topics.begin(), topics.end(), "heartbeat/") >= 1;
        },
        10s))
        << daemon.stderr_text();
    std::vector<ReceivedEvent> local_events;
    EXPECT_TRUE(local.collect(
        local_events,
        [](const auto& all) {
            return std::any_of(all.begin(), all.end(),
                               [](const auto& e) { return e.topic == "item.new/local/"; });
        },
        10s));
    // Within the same time (heartbeats every 100 ms), the others got nothing at all.
    EXPECT_EQ(stranger.receive(300ms), std::vector<std::string>{});
    EXPECT_EQ(keyless.receive(10ms), std::vector<std::string>{});

    // Control: the listed key is answered; an unknown key and no key time out.
    EXPECT_TRUE(control(keys_of(client_)).request(R"({"op":"status"})").has_value());
    auto unknown = control(keys_of(stranger_)).request(R"({"op":"status"})");
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(unknown.error().kind, client::ClientErrorKind::kTimeout);
    auto plain = control(std::nullopt).request(R"({"op":"status"})");
    ASSERT_FALSE(plain.has_value());
    EXPECT_EQ(plain.error().kind, client::ClientErrorKind::kTimeout);
    EXPECT_NE(daemon.stderr_text().find("CURVE: refused a client"), std::string::npos);

    ASSERT_TRUE(daemon.signal(SIGTERM));
    EXPECT_EQ(daemon.wait(5s), 0);
}

TEST_F(DaemonCurve, HeraldTailWithKeysFromTheEnvironmentReceivesOverTcp) {
    home_.write_feed("local", {{"a", "A", "1"}});
    write_good_config();
    Process daemon = start_ready();
    ASSERT_TRUE(daemon.running()) << daemon.stderr_text();
    const fs::path client_file = home_.path() / "client.key";
    std::ofstream(client_file) << "public-key = \"" << client_.public_key << "\"\nsecret-key = \""
                               << client_.secret_key << "\"\n";
    ProcessOptions options;
    options.env = {{"HERALD_CURVE_SERVER_KEY", server_.public_key},
                   {"HERALD_CURVE_KEY", client_file.string()}};
    options.unset_env = {"HERALD_CONFIG"};
    Process tail = Process::start(
        program_path("herald-tail"),
        {"--publish", publish_, "--control", control_, "--since", "0", "--json"}, options);
    EXPECT_TRUE(wait_until(
        [&] { return tail.stdout_text().find("\"guid\":\"a\"") != std::string::npos; }, 10s))
        << tail.stderr_text() << daemon.stderr_text();
    ASSERT_TRUE(tail.signal(SIGTERM));
    EXPECT_EQ(tail.wait(5s), 0);
}

TEST_F(DaemonCurve, MalformedKeysAreRefusedAtStartWithKeyAndLine) {
    home_.write_feed("local", {});
    std::ofstream(home_.path() / "clients.keys") << client_.public_key << "\nnot-a-key\n";
    write_config("curve_secret_key = \"" + server_.secret_key +
                 "\"\ncurve_clients = [\"clients.keys\"]\n");
    Process bad_list = home_.start();
    EXPECT_EQ(bad_list.wait(10s), 78);
    const std::string list_error = bad_list.last_stderr_line();
    EXPECT_NE(list_error.find("clients.keys:2"), std::string::npos) << list_error;
    EXPECT_NE(list_error.find("daemon.curve_clients"), std::string::npos) << list_error;

    write_config("curve_secret_key = \"" + server_.secret_key.substr(0, 39) + "~\"\n" +
                 "curve_clients = \"" + client_.public_key + "\"\n");
    Process bad_secret = home_.start();
    EXPECT_EQ(bad_secret.wait(10s), 78);
    const std::string secret_error = bad_secret.last_stderr_line();
    EXPECT_NE(secret_error.find("daemon.curve_secret_key"), std::string::npos) << secret_error;
    EXPECT_NE(secret_error.find("herald.toml:6"), std::string::npos) << secret_error;

    write_config("curve_clients = \"" + client_.public_key + "\"\n");
    Process no_secret = home_.start();
    EXPECT_EQ(no_secret.wait(10s), 78);
    EXPECT_NE(no_secret.last_stderr_line().find("curve_secret_key"), std::string::npos)
        << no_secret.last_stderr_line();
}

TEST_F(DaemonCurve, KeygenPrintsAKeyPairTheDaemonAndClientsRead) {
    ProcessOptions options;
    options.unset_env = {"HERALD_CONFIG"};
    Process keygen = Process::start(program_path("herald"), {"keygen"}, options);
    ASSERT_EQ(keygen.wait(10s), 0) << keygen.stderr_text();
    const fs::path file = home_.path() / "server.key";
    std::ofstream(file) << keygen.stdout_text();
    auto pair = config::read_curve_key_file(file, true);
    ASSERT_TRUE(pair.has_value()) << pair.error().to_string();
    EXPECT_TRUE(config::is_z85_key(pair->public_key));
    EXPECT_TRUE(config::is_z85_key(pair->secret_key));
    auto derived = client::curve_public_key(pair->secret_key);
    ASSERT_TRUE(derived.has_value());
    EXPECT_EQ(*derived, pair->public_key);
    // Two runs never give the same key.
    Process again = Process::start(program_path("herald"), {"keygen"}, options);
    ASSERT_EQ(again.wait(10s), 0);
    EXPECT_NE(again.stdout_text(), keygen.stdout_text());
}

}  // namespace
}  // namespace herald::test
