#pragma once
// From one fetch (and parse) result to the store's FeedOutcome: the scheduling decision, the
// validators to keep, and the error text. Pure: time and randomness are parameters, so
// ingest_test covers it without sockets or threads.
#include <cstdint>
#include <string>

#include <herald/config.hpp>
#include <herald/fetcher.hpp>
#include <herald/store.hpp>

#include "pipeline.hpp"

namespace herald::daemon {

struct Memory {  // what the daemon remembers of a feed between polls (not stored)
    std::uint32_t unchanged_polls = 0;
    std::size_t body_hash = 0;
};

[[nodiscard]] fetcher::PollPolicy poll_policy(const config::FetchConfig& fetch);

// The request for a feed: its URL and validators; file:// allowed (owner-written URLs only
// ever reach the store: config or CLI).
[[nodiscard]] fetcher::FetchRequest make_request(const store::FeedRecord& feed);

[[nodiscard]] store::FeedOutcome make_outcome(const store::FeedRecord& feed, FetchResult& result,
                                              const fetcher::PollPolicy& policy,
                                              std::chrono::system_clock::time_point now,
                                              std::uint64_t random, Memory& memory);

// The text of a feed.error for a failed poll ("" when the poll worked).
[[nodiscard]] std::string error_text(const FetchResult& result);

[[nodiscard]] std::vector<store::FeedSpec> feed_specs(const std::vector<config::FeedConfig>& feeds);
[[nodiscard]] fetcher::FetcherOptions fetcher_options(const config::FetchConfig& fetch);

}  // namespace herald::daemon
