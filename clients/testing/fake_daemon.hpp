#pragma once
// FakeDaemon: the daemon's wire side only (PUB + ROUTER on ipc sockets in a temp dir), with an
// event log the test controls, so clients can be tested against real sockets without heraldd.
// Its own thread owns both sockets; the test thread talks to it through a locked outbox.
// XPUB instead of PUB so a test can wait until a subscriber really is subscribed.

#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace herald::client::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// Polls `condition` until it holds or `timeout` passes; returns its last value.
bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

// An event payload as the contract describes it.
[[nodiscard]] std::string make_payload(std::int64_t seq, const std::string& kind,
                                       const std::string& store, const std::string& feed,
                                       const std::string& title);

class FakeDaemon {
public:
    FakeDaemon(const std::filesystem::path& dir, std::string store);
    ~FakeDaemon();
    FakeDaemon(const FakeDaemon&) = delete;
    FakeDaemon& operator=(const FakeDaemon&) = delete;

    // Adds an event to the log (replayable) without publishing it; returns its seq.
    std::int64_t append(const std::string& kind, const std::string& feed, const std::string& title);
    // Publishes logged event `seq` live.
    void publish(std::int64_t seq);
    // append() then publish().
    std::int64_t emit(const std::string& kind, const std::string& feed, const std::string& title);
    void heartbeat();
    void publish_raw(std::string topic, std::string payload);
    // Retention: replays that start before `first_seq` fail as the daemon reports it.
    void prune_before(std::int64_t first_seq);

    [[nodiscard]] bool has_subscription(const std::string& prefix) const;
    [[nodiscard]] int replay_requests() const;
    [[nodiscard]] std::int64_t last_seq() const;

    std::string publish_endpoint;
    std::string control_endpoint;

private:
    void run(std::stop_token stop);
    std::string answer(const std::string& request);

    std::string store_;
    mutable std::mutex mutex_;
    std::vector<std::string> log_;  // payloads, seq = index + 1
    std::deque<std::pair<std::string, std::string>> outbox_;
    std::vector<std::string> subscriptions_;
    int replay_requests_ = 0;
    std::int64_t first_seq_ = 1;
    std::jthread thread_;
};

}  // namespace herald::client::testing
