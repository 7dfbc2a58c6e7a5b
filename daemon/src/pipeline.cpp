#include "pipeline.hpp"

#include <algorithm>
#include <functional>
#include <limits>
#include <string_view>

namespace herald::daemon {
namespace {

constexpr std::size_t kFirstGuess = std::size_t{64} << 10;  // feeds run ~10-100 KB

}  // namespace

Pipeline::Pipeline(const fetcher::CurlGlobal& curl, fetcher::FetcherOptions options,
                   std::size_t parse_workers, const WakeFd& wake)
    : wake_(wake), fetcher_(curl, std::move(options)) {
    for (std::size_t i = 0; i < std::max<std::size_t>(parse_workers, 1); ++i) {
        parsers_.emplace_back([this](const std::stop_token& stop) { parse_loop(stop); });
    }
    fetching_ = true;
    fetch_thread_ =
        std::jthread([this](const std::stop_token& stop) { fetch_loop(stop, fetcher_); });
}

Pipeline::~Pipeline() {
    stop();
}

void Pipeline::stop() {
    if (fetch_thread_.joinable()) {
        fetch_thread_.request_stop();
        fetcher_.wakeup();
        fetch_thread_.join();
    }
    for (auto& parser : parsers_) parser.request_stop();
    parse_ready_.notify_all();
    parsers_.clear();  // joins
}

void Pipeline::submit(std::vector<fetcher::FetchRequest> requests) {
    if (requests.empty()) return;
    std::lock_guard lock(mutex_);
    transferring_ += requests.size();
    for (auto& request : requests) requests_.push_back(std::move(request));
    if (fetching_) fetcher_.wakeup();
}

std::vector<FetchResult> Pipeline::take_results() {
    std::lock_guard lock(mutex_);
    for (const auto& result : results_) held_bytes_ -= std::min(held_bytes_, result.held_bytes);
    return std::exchange(results_, {});
}

std::size_t Pipeline::room() const {
    std::lock_guard lock(mutex_);
    // The mean over every response (a 304 is 0 bytes): an all-304 run is limited by count only.
    // Before the first response a feed is taken to be kFirstGuess, so the first burst of
    // transfers also fits the budget.
    const std::size_t mean = fetched_count_ == 0 ? kFirstGuess : fetched_bytes_ / fetched_count_;
    // A transfer holds its body and libcurl's receive buffer (up to 128 KiB, filled as fast as
    // the body arrives): twice the mean.
    const std::size_t expected = held_bytes_ + transferring_ * 2 * mean;
    if (expected >= kByteBudget) return transferring_ == 0 && held_bytes_ == 0 ? 1 : 0;
    if (mean == 0) return std::numeric_limits<std::size_t>::max();
    return std::max<std::size_t>((kByteBudget - expected) / (2 * mean), 1);
}

void Pipeline::count_fetched(std::size_t body_bytes) {
    transferring_ -= std::min<std::size_t>(transferring_, 1);
    held_bytes_ += body_bytes;
    ++fetched_count_;
    fetched_bytes_ += body_bytes;
}

void Pipeline::push_result(FetchResult result) {
    {
        std::lock_guard lock(mutex_);
        results_.push_back(std::move(result));
    }
    wake_.notify();
}

void Pipeline::fetch_loop(const std::stop_token& stop, fetcher::Fetcher& fetcher) {
    while (!stop.stop_requested()) {
        std::vector<fetcher::FetchRequest> requests;
        {
            std::lock_guard lock(mutex_);
            requests.swap(requests_);
        }
        for (auto& request : requests) fetcher.submit(std::move(request));
        // Bounded wait: submit() and stop() also wake it early.
        for (auto& outcome : fetcher.poll(std::chrono::milliseconds{500})) {
            if (outcome.kind == fetcher::OutcomeKind::kOk) {
                {
                    std::lock_guard lock(mutex_);
                    count_fetched(outcome.body.size());
                    bodies_.push_back(std::move(outcome));
                }
                parse_ready_.notify_one();
            } else {
                FetchResult result;
                result.feed_id = static_cast<std::int64_t>(outcome.token);
                result.outcome = std::move(outcome);
                {
                    std::lock_guard lock(mutex_);
                    count_fetched(0);
                }
                push_result(std::move(result));
            }
        }
    }
    std::lock_guard lock(mutex_);
    fetching_ = false;
}

void Pipeline::parse_loop(const std::stop_token& stop) {
    while (true) {
        fetcher::FetchOutcome outcome;
        {
            std::unique_lock lock(mutex_);
            // Bodies already fetched are still parsed after stop (their results may be stored).
            parse_ready_.wait(lock, stop, [&] { return !bodies_.empty(); });
            if (bodies_.empty()) return;
            outcome = std::move(bodies_.front());
            bodies_.pop_front();
        }
        FetchResult result;
        result.feed_id = static_cast<std::int64_t>(outcome.token);
        auto started = std::chrono::steady_clock::now();
        try {
            parser::ParseOptions options;
            options.content_type = outcome.content_type;
            options.base_url = outcome.final_url;
            result.parsed = parser::parse(outcome.body, options);
        } catch (const std::exception& e) {
            // The parser returns values; anything thrown (bad_alloc) fails this feed only.
            result.parsed = tl::unexpected(parser::ParseError{
                parser::ParseErrorKind::kNotAFeed, std::string{"parser failed: "} + e.what()});
        }
        result.parse_time = std::chrono::steady_clock::now() - started;
        result.body_hash = std::hash<std::string_view>{}(outcome.body);
        result.held_bytes = outcome.body.size();
        outcome.body = std::string{};  // release the memory before the result waits in a queue
        result.outcome = std::move(outcome);
        push_result(std::move(result));
    }
}

}  // namespace herald::daemon
