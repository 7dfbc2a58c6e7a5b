#pragma once
// Daemon: wires config, store, pipeline (fetch + parse threads), ZeroMQ sockets, signals and
// systemd notification. It owns every part and does none of their work.
//
// Threads: the main thread (run / run_once) owns the store (the single writer), the sockets,
// the signalfd and the notifier. Fetching and parsing run in the Pipeline's threads and come
// back by value. An outcome is applied to the store (several feeds per transaction) and only
// then are the events the store returns published, in seq order.
//
// Errors: the constructor throws std::runtime_error for start-up failures (lock held, store
// unopenable, endpoint unbindable); main reports them. Afterwards nothing escapes: a failing
// feed is a feed.error and a backoff, a failing store write is logged and retried.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json_fwd.hpp>
#include <spdlog/logger.h>
#include <zmq.hpp>

#include <herald/config.hpp>
#include <herald/fetcher.hpp>
#include <herald/store.hpp>

#include "curve.hpp"
#include "ingest.hpp"
#include "metrics.hpp"
#include "pipeline.hpp"
#include "sockets.hpp"
#include "system.hpp"

namespace herald::daemon {

using TraceFile = std::unique_ptr<std::FILE, int (*)(std::FILE*)>;

struct DaemonOptions {
    std::optional<std::filesystem::path> config_path;  // --config, reused by reload
    std::filesystem::path examples_dir;  // feeds of the built-in config (offline demo)
    std::size_t parse_workers = 2;
};

struct OnceSummary {
    std::int64_t feeds = 0;
    std::int64_t ok = 0;  // 200 (and file reads)
    std::int64_t not_modified = 0;
    std::int64_t errors = 0;
    std::int64_t new_items = 0;
    std::int64_t updated_items = 0;
    double seconds = 0;
    std::chrono::nanoseconds parse_time{0};
    std::chrono::nanoseconds store_time{0};
    // Feed outcomes the store refused (disk full, read-only, corrupt): --once then fails.
    std::int64_t unstored = 0;
    std::string store_error;

    [[nodiscard]] std::string line() const;
};

class Daemon {
public:
    Daemon(config::Config config, DaemonOptions options, const fetcher::CurlGlobal& curl,
           std::shared_ptr<spdlog::logger> logger, bool once);
    ~Daemon();
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    // Runs until SIGTERM/SIGINT; returns the exit status.
    int run();
    // Polls every enabled feed once, stores and publishes; the summary of what happened.
    OnceSummary run_once();

private:
    using SteadyTime = std::chrono::steady_clock::time_point;

    // feeds and results
    void sync_config_feeds();
    void scan(bool all_enabled);
    void submit(std::vector<store::FeedRecord> feeds);
    void handle_results();
    void commit_pending();
    void publish(const std::vector<store::Event>& events);
    void prune();

    // loop plumbing
    void handle_signals();
    void on_timers(SteadyTime now);
    [[nodiscard]] std::chrono::milliseconds poll_timeout(SteadyTime now) const;
    void wait_for_work(std::chrono::milliseconds timeout);
    void update_status();
    void heartbeat();
    // metrics (daemon_control.cpp)
    // The store's gauges come from `status` (read once by the caller; null: unknown, shown as 0).
    [[nodiscard]] std::string metrics_text(const store::StoreStatus* status);
    void write_metrics();

    // control (daemon_control.cpp)
    std::string handle_request(const nlohmann::json& request);
    std::string op_status();
    std::string op_refresh(const nlohmann::json& request);
    std::string op_replay(const nlohmann::json& request);
    std::optional<config::ConfigError> reload();

    config::Config config_;
    DaemonOptions options_;
    std::shared_ptr<spdlog::logger> logger_;
    fetcher::PollPolicy policy_;
    std::unique_ptr<LockFile> lock_;
    Signals signals_;
    std::optional<store::Store> store_;
    zmq::context_t context_;
    std::unique_ptr<ZapHandler> zap_;  // before the sockets: CURVE handshakes need it bound
    std::unique_ptr<Publisher> publisher_;
    std::unique_ptr<ControlSocket> control_;
    WakeFd wake_;
    Notifier notifier_;
    std::unique_ptr<Pipeline> pipeline_;  // last: its threads use wake_

    std::unordered_map<std::int64_t, store::FeedRecord> in_flight_;
    std::unordered_map<std::int64_t, Memory> memory_;
    std::vector<store::FeedOutcome> pending_;  // waiting for a store write (e.g. after kBusy)
    std::vector<store::FeedRecord> waiting_;   // --once: feeds not submitted yet
    std::size_t max_in_flight_ = 128;
    std::mt19937_64 random_;
    std::int64_t last_seq_ = 0;  // the last seq published
    std::int64_t feeds_version_ = -1;
    bool stopping_ = false;
    bool scan_now_ = true;
    OnceSummary summary_;
    Metrics metrics_;
    std::chrono::system_clock::time_point started_at_;
    TraceFile commit_trace_;  // HERALD_COMMIT_TRACE, opened once at start; null when unset

    SteadyTime next_heartbeat_{};
    SteadyTime next_version_check_{};
    SteadyTime next_scan_{};
    SteadyTime next_status_{};
    SteadyTime next_prune_{};
    SteadyTime next_metrics_{};
};

}  // namespace herald::daemon
