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
//
// Memory: what the pipeline holds is bounded by bytes, not only by a count of feeds. Bodies
// fetched and not yet taken by the main thread (raw, then parsed) count with their body size;
// requests still in transfer count at twice the mean body size seen so far (the body and
// libcurl's receive buffer). room() tells the main thread how many more requests fit
// kByteBudget, so a slow store slows the fetching instead of piling feeds up (the peak RSS
// goal of `heraldd --once` over 10,000 ~100 KB feeds).
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
    std::size_t held_bytes = 0;  // counted against the byte budget until take_results()
};

class Pipeline {
public:
    // Bodies, receive buffers and parsed feeds in the pipeline at once (an estimate: a parsed
    // feed is about the size of its body). 6 MiB (~30 parsed feeds of 100 KB) keeps a
    // store-bound run fed: the store takes milliseconds per feed, fetch and parse much less;
    // `heraldd --once` over 10,000 fresh feeds kept its main thread as busy as with 16 MiB
    // (93% of the wall time) at 50 instead of 71 MiB peak RSS (bench/e2e.sh).
    static constexpr std::size_t kByteBudget = std::size_t{6} << 20;

    Pipeline(const fetcher::CurlGlobal& curl, fetcher::FetcherOptions options,
             std::size_t parse_workers, const WakeFd& wake);
    ~Pipeline();
    Pipeline(const Pipeline&) = delete;
    Pipeline& operator=(const Pipeline&) = delete;

    void submit(std::vector<fetcher::FetchRequest> requests);
    [[nodiscard]] std::vector<FetchResult> take_results();
    // How many more requests fit the byte budget now (at least 1 when nothing is held, so a
    // feed bigger than the budget still goes through, alone).
    [[nodiscard]] std::size_t room() const;
    // Stops new transfers, abandons running ones, lets parse workers finish what they hold.
    void stop();

private:
    void fetch_loop(const std::stop_token& stop, fetcher::Fetcher& fetcher);
    void parse_loop(const std::stop_token& stop);
    void push_result(FetchResult result);
    void count_fetched(std::size_t body_bytes);  // with mutex_ held

    const WakeFd& wake_;
    mutable std::mutex mutex_;
    std::condition_variable_any parse_ready_;
    std::vector<fetcher::FetchRequest> requests_;  // guarded by mutex_
    std::deque<fetcher::FetchOutcome> bodies_;     // guarded by mutex_: waiting for a parser
    std::vector<FetchResult> results_;             // guarded by mutex_
    // Made on the calling thread (so its start-up failure throws there), then used by the
    // fetch thread only; wakeup() is its one thread-safe call.
    fetcher::Fetcher fetcher_;
    bool fetching_ = false;  // guarded by mutex_
    // Guarded by mutex_: requests submitted and not yet back from the fetcher, bytes of bodies
    // back and not yet taken, and the bodies' sizes so far (for the mean).
    std::size_t transferring_ = 0;
    std::size_t held_bytes_ = 0;
    std::size_t fetched_count_ = 0;
    std::size_t fetched_bytes_ = 0;
    std::vector<std::jthread> parsers_;
    std::jthread fetch_thread_;  // last: started after everything it uses exists
};

}  // namespace herald::daemon
