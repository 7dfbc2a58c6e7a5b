#include "ingest.hpp"

#include <fmt/format.h>

namespace herald::daemon {
namespace {

using std::chrono::floor;
using std::chrono::seconds;

std::optional<store::Time> to_store_time(std::optional<fetcher::TimePoint> time) {
    if (!time) return std::nullopt;
    return floor<seconds>(*time);
}

std::optional<fetcher::Seconds> feed_ttl(const FetchResult& result) {
    if (!result.parsed || !*result.parsed) return std::nullopt;
    const parser::FeedInfo& info = (*result.parsed)->feed;
    if (info.ttl && *info.ttl > 0) return fetcher::Seconds{*info.ttl * 60};
    if (info.update_period) return floor<seconds>(*info.update_period);
    return std::nullopt;
}

std::optional<std::string> non_empty(const std::string& text) {
    if (text.empty()) return std::nullopt;
    return text;
}

}  // namespace

fetcher::PollPolicy poll_policy(const config::FetchConfig& fetch) {
    return fetcher::PollPolicy{fetch.min_interval, fetch.default_interval, fetch.max_interval};
}

fetcher::FetcherOptions fetcher_options(const config::FetchConfig& fetch) {
    fetcher::FetcherOptions options;
    options.user_agent = fetch.user_agent;
    options.concurrency = static_cast<std::size_t>(fetch.concurrency);
    options.per_host = static_cast<std::size_t>(fetch.per_host);
    options.timeout = fetch.timeout;
    options.connect_timeout = std::min(fetch.timeout, options.connect_timeout);
    options.low_speed_time = std::min(fetch.timeout, options.low_speed_time);
    options.max_body = static_cast<std::size_t>(fetch.max_body);
    return options;
}

fetcher::FetchRequest make_request(const store::FeedRecord& feed) {
    fetcher::FetchRequest request;
    request.token = static_cast<std::uint64_t>(feed.id);
    request.url = feed.url;
    request.etag = feed.fetch.etag.value_or("");
    request.last_modified = feed.fetch.last_modified.value_or("");
    request.allow_file = true;
    return request;
}

std::string error_text(const FetchResult& result) {
    const fetcher::FetchOutcome& outcome = result.outcome;
    switch (outcome.kind) {
        case fetcher::OutcomeKind::kOk:
            if (result.parsed && !*result.parsed) {
                return "not a feed: " + (*result.parsed).error().message;
            }
            return "";
        case fetcher::OutcomeKind::kNotModified:
        case fetcher::OutcomeKind::kGone:
            return "";
        case fetcher::OutcomeKind::kRateLimited:
            return outcome.error.message.empty()
                       ? fmt::format("HTTP {}: rate limited", outcome.http_status)
                       : outcome.error.message;
        case fetcher::OutcomeKind::kError:
            if (!outcome.error.message.empty()) return outcome.error.message;
            return outcome.http_status != 0 ? fmt::format("HTTP {}", outcome.http_status)
                                            : std::string{fetcher::to_string(outcome.error.kind)};
    }
    return "unknown failure";
}

store::FeedOutcome make_outcome(const store::FeedRecord& feed, FetchResult& result,
                                const fetcher::PollPolicy& policy,
                                std::chrono::system_clock::time_point now, std::uint64_t random,
                                Memory& memory) {
    const fetcher::FetchOutcome& outcome = result.outcome;
    std::string error = error_text(result);
    const bool is_ok = outcome.kind == fetcher::OutcomeKind::kOk && error.empty();

    fetcher::PollFacts facts;
    facts.feed_ttl = feed_ttl(result);
    facts.parse_failed = outcome.kind == fetcher::OutcomeKind::kOk && !error.empty();
    facts.changed = is_ok && result.body_hash != memory.body_hash;

    fetcher::ScheduleState state;
    state.interval = feed.interval;
    state.consecutive_errors = static_cast<std::uint32_t>(std::max(feed.fetch.error_count, 0));
    state.unchanged_polls = memory.unchanged_polls;
    state.redirect_candidate = feed.fetch.redirect_candidate.value_or("");
    fetcher::Decision decision = fetcher::next_poll(policy, state, outcome, now, facts, random);
    memory.unchanged_polls = decision.state.unchanged_polls;
    if (is_ok) memory.body_hash = result.body_hash;

    store::FeedOutcome out;
    out.feed_id = feed.id;
    out.at = now;
    store::FetchState& fetch = out.fetch;
    fetch = feed.fetch;
    if (outcome.is_success()) {
        // Validators only change on a response that worked; failures keep the old ones.
        fetch.etag = non_empty(outcome.etag);
        fetch.last_modified = non_empty(outcome.last_modified);
    }
    fetch.last_polled = floor<seconds>(now);
    fetch.next_poll =
        decision.gone ? std::nullopt : std::optional{floor<seconds>(decision.next_poll)};
    fetch.retry_after = to_store_time(outcome.retry_after);
    fetch.last_status =
        outcome.http_status != 0 ? std::optional{outcome.http_status} : std::nullopt;
    fetch.last_error = error.empty() ? std::nullopt : std::optional{error};
    fetch.error_count = static_cast<int>(decision.state.consecutive_errors);
    fetch.redirect_candidate = non_empty(decision.state.redirect_candidate);

    if (decision.gone || outcome.kind == fetcher::OutcomeKind::kGone) {
        out.gone = true;
    } else if (!error.empty()) {
        out.error = error;
    } else if (is_ok) {
        out.parsed = std::move(**result.parsed);
    }
    out.new_url = decision.new_url;
    return out;
}

std::vector<store::FeedSpec> feed_specs(const std::vector<config::FeedConfig>& feeds) {
    std::vector<store::FeedSpec> specs;
    specs.reserve(feeds.size());
    for (const auto& feed : feeds) {
        specs.push_back(store::FeedSpec{feed.url, feed.name, feed.interval, feed.tags});
    }
    return specs;
}

}  // namespace herald::daemon
