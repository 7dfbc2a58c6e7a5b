#pragma once
// Shared pieces of the heraldd system tests: a test home (config, feeds, sockets in a temp
// dir), a running heraldd, a ZeroMQ subscriber and a control client. Everything is real:
// processes, ipc sockets, files. Waits are bounded and condition-based.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "process.hpp"

namespace herald::test {

struct TestItem {
    std::string guid;
    std::string title;
    std::string body;
};

// An RSS 2.0 document with `items` (newest last in the vector, written newest first).
std::string rss_document(const std::string& title, const std::vector<TestItem>& items);

struct ReceivedEvent {
    std::string topic;
    std::string payload;  // raw bytes as received
    nlohmann::json json;
};

// A SUB socket on the daemon's publish endpoint, subscribed to everything.
class Subscriber {
public:
    Subscriber(zmq::context_t& context, const std::string& endpoint);
    // Receives whatever arrives within `timeout` (returns early after `max` messages).
    std::vector<ReceivedEvent> receive(std::chrono::milliseconds timeout, std::size_t max = 100000);
    // Collects messages until `done(all so far)` is true or the timeout passes.
    template <typename Done>
    bool collect(std::vector<ReceivedEvent>& into, Done&& done, std::chrono::milliseconds timeout) {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        while (!done(into)) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left <= std::chrono::milliseconds{0}) return false;
            for (auto& event : receive(std::min(left, std::chrono::milliseconds{100}))) {
                into.push_back(std::move(event));
            }
        }
        return true;
    }
    // Waits for a heartbeat (proves the connection is up); returns it.
    std::optional<ReceivedEvent> wait_heartbeat(std::chrono::milliseconds timeout);

private:
    zmq::socket_t socket_;
};

// One request on a fresh REQ socket; nullopt on timeout (never hangs).
std::optional<nlohmann::json> control_request(
    zmq::context_t& context, const std::string& endpoint, const std::string& request,
    std::chrono::milliseconds timeout = std::chrono::milliseconds{3000});

// A directory with feeds/, state/, the sockets and herald.toml.
class DaemonHome {
public:
    DaemonHome();
    [[nodiscard]] const std::filesystem::path& path() const { return dir_.path(); }
    [[nodiscard]] std::string events_endpoint() const;
    [[nodiscard]] std::string control_endpoint() const;
    [[nodiscard]] std::filesystem::path config_file() const { return dir_ / "herald.toml"; }
    [[nodiscard]] std::filesystem::path feed_file(const std::string& name) const;

    // Writes herald.toml with the given feeds (file:// feeds of feed_file(name), or URLs as
    // given when they contain "://") and extra TOML appended.
    void write_config(const std::vector<std::string>& feeds, const std::string& extra = "");
    // Writes a feed file atomically (temp + rename), so the daemon never reads half of it.
    void write_feed(const std::string& name, const std::vector<TestItem>& items) const;

    Process start(ProcessOptions options = {}, std::vector<std::string> extra_args = {}) const;
    // Starts heraldd and waits until its control socket answers `status`.
    Process start_ready(zmq::context_t& context, ProcessOptions options = {}) const;

private:
    TempDir dir_;
};

// The item.new / item.updated events among `events`.
std::vector<const ReceivedEvent*> item_events(const std::vector<ReceivedEvent>& events,
                                              const std::string& kind);

// The seqs of all non-heartbeat events, in arrival order.
std::vector<std::int64_t> seqs_of(const std::vector<ReceivedEvent>& events);

// The path of the heraldd under test.
std::filesystem::path heraldd_path();

}  // namespace herald::test
