#pragma once
// Pipeline: the fetch thread and the parse workers, so neither transfers nor parsing ever run
// on the main loop (which owns the store and the sockets).
//
//   main ──submit──▶ fetch thread (one Fetcher, curl multi) ──200 bodies──▶ parse workers
//     ▲                         │ 304 / errors                                   │
//     └──── wake fd ◀── results queue ◀────────────────────────────────────────┘
//
// Work crosses threads by value through mutex-guarded queues. submit/take_results/stop are
// called by the main thread only; the wake fd tells it results are waiting. Destruction
// stops and joins every thread (transfers still running are abandoned: nothing of theirs was
// stored, so the feeds stay due).
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <stop_token>
#include <thread>
#include <vector>

#include <herald/fetcher.hpp>
#include <herald/parser.hpp>

#include "system.hpp"

namespace herald::daemon {

struct FetchResult {
    std::int64_t feed_id = 0;
    fetcher::FetchOutcome outcome;  // body released once parsed
    std::optional<tl::expected<parser::ParsedFeed, parser::ParseError>> parsed;  // only for kOk
    std::size_t body_hash = 0;  // of the body, to tell "unchanged" apart cheaply
    std::chrono::nanoseconds parse_time{0};
};

class Pipeline {
public:
    Pipeline(const fetcher::CurlGlobal& curl, fetcher::FetcherOptions options,
             std::size_t parse_workers, const WakeFd& wake);
    ~Pipeline();
    Pipeline(const Pipeline&) = delete;
    Pipeline& operator=(const Pipeline&) = delete;

    void submit(std::vector<fetcher::FetchRequest> requests);
    [[nodiscard]] std::vector<FetchResult> take_results();
    // Stops new transfers, abandons running ones, lets parse workers finish what they hold.
    void stop();

private:
    void fetch_loop(const std::stop_token& stop, fetcher::Fetcher& fetcher);
    void parse_loop(const std::stop_token& stop);
    void push_result(FetchResult result);

    const WakeFd& wake_;
    std::mutex mutex_;
    std::condition_variable_any parse_ready_;
    std::vector<fetcher::FetchRequest> requests_;  // guarded by mutex_
    std::deque<fetcher::FetchOutcome> bodies_;     // guarded by mutex_: waiting for a parser
    std::vector<FetchResult> results_;             // guarded by mutex_
    // Made on the calling thread (so its start-up failure throws there), then used by the
    // fetch thread only; wakeup() is its one thread-safe call.
    fetcher::Fetcher fetcher_;
    bool fetching_ = false;  // guarded by mutex_
    std::vector<std::jthread> parsers_;
    std::jthread fetch_thread_;  // last: started after everything it uses exists
};

}  // namespace herald::daemon
