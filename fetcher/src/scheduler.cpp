// The scheduler: pure functions from (policy, state, outcome, now, random) to a decision.
// Tested without clocks or sleeps in scheduler_test.cpp.
#include <algorithm>
#include <cmath>
#include <limits>

#include <herald/fetcher.hpp>

namespace herald::fetcher {
namespace {

using std::chrono::duration_cast;

// Each poll that finds nothing new stretches a feed's interval by this factor (up to
// max_interval): 33 quiet polls take a 1 h feed to a day.
constexpr double kQuietStretch = 1.1;
constexpr std::uint32_t kMaxCounted = 1000;  // counters saturate here
constexpr int kMaxDoublings = 30;

Milliseconds ceiling_of(const PollPolicy& policy) {
    return std::max(policy.max_interval, policy.min_interval);
}

// `value` plus up to 10% (from `random`); when that passes `ceiling`, minus instead, but never
// below `floor`. Spreads feeds of one host so they do not align.
Milliseconds jittered(Milliseconds value, Milliseconds floor, Milliseconds ceiling,
                      std::uint64_t random) {
    const auto span =
        static_cast<std::uint64_t>(std::max<Milliseconds::rep>(0, value.count() / 10));
    const Milliseconds jitter{static_cast<Milliseconds::rep>(span == 0 ? 0 : random % (span + 1))};
    if (value + jitter <= ceiling) return value + jitter;
    return std::max(floor, std::min(value, ceiling) - jitter);
}

Milliseconds scaled(Seconds base, double factor, Milliseconds ceiling) {
    const double millis = static_cast<double>(duration_cast<Milliseconds>(base).count()) * factor;
    if (!(millis < static_cast<double>(ceiling.count()))) return ceiling;
    return Milliseconds{static_cast<Milliseconds::rep>(millis)};
}

std::uint32_t saturating_increment(std::uint32_t value) {
    return std::min(value + 1, kMaxCounted);
}

void track_redirect(const FetchOutcome& outcome, Decision& decision) {
    auto& candidate = decision.state.redirect_candidate;
    if (!outcome.permanent_redirect) {
        candidate.clear();  // the move must be seen on consecutive polls
        return;
    }
    // A move whose target fails is not adopted yet; the next poll decides.
    if (!outcome.is_success()) return;
    if (candidate == *outcome.permanent_redirect) {
        decision.new_url = *outcome.permanent_redirect;
        candidate.clear();
    } else {
        candidate = *outcome.permanent_redirect;
    }
}

void back_off(const PollPolicy& policy, const FetchOutcome& outcome, TimePoint now,
              std::uint64_t random, Decision& decision) {
    auto& state = decision.state;
    state.consecutive_errors = saturating_increment(state.consecutive_errors);
    const int doublings =
        static_cast<int>(std::min<std::uint32_t>(state.consecutive_errors - 1, kMaxDoublings));
    const auto ceiling = ceiling_of(policy);
    const auto backoff =
        scaled(base_interval(policy, state.interval), std::ldexp(1.0, doublings), ceiling);
    auto delay = jittered(backoff, backoff, ceiling, random);
    decision.reason = DelayReason::kBackoff;
    if (outcome.retry_after) {
        // Honoured even past max_interval (it is capped at a day): the server said so.
        const auto until = std::min(*outcome.retry_after, now + kMaxServerDelay);
        const auto wait = duration_cast<Milliseconds>(until - now);
        if (wait > delay) {
            delay = wait;
            decision.reason = DelayReason::kRetryAfter;
        }
    }
    decision.next_poll = now + delay;
    decision.delay = duration_cast<Seconds>(delay);
}

void on_success(const PollPolicy& policy, const FetchOutcome& outcome, TimePoint now,
                const PollFacts& facts, std::uint64_t random, Decision& decision) {
    auto& state = decision.state;
    state.consecutive_errors = 0;
    const bool changed = outcome.kind == OutcomeKind::kOk && facts.changed;
    state.unchanged_polls =
        changed ? state.unchanged_polls / 2 : saturating_increment(state.unchanged_polls);
    const auto ceiling = ceiling_of(policy);
    const Seconds base = base_interval(policy, state.interval);
    // Adaptive stretching only for feeds on the default interval: a configured interval is
    // the owner's explicit wish.
    const double stretch =
        state.interval
            ? 1.0
            : std::pow(kQuietStretch, std::min<std::uint32_t>(state.unchanged_polls, 200));
    const Milliseconds adaptive = scaled(base, stretch, ceiling);

    // Never sooner than the server asks (Cache-Control, Expires, ttl), still capped.
    const Seconds asked =
        std::max(outcome.cache_lifetime.value_or(Seconds{0}), facts.feed_ttl.value_or(Seconds{0}));
    const Milliseconds floor = std::min<Milliseconds>(std::max<Milliseconds>(base, asked), ceiling);
    const Milliseconds interval = std::max(adaptive, floor);
    decision.reason = floor > adaptive ? DelayReason::kServerAsked : DelayReason::kInterval;
    const auto delay = jittered(interval, floor, ceiling, random);
    decision.next_poll = now + delay;
    decision.delay = duration_cast<Seconds>(delay);
}

}  // namespace

Seconds base_interval(const PollPolicy& policy, std::optional<Seconds> configured) noexcept {
    return std::clamp(configured.value_or(policy.default_interval), policy.min_interval,
                      std::max(policy.min_interval, policy.max_interval));
}

Decision next_poll(const PollPolicy& policy, const ScheduleState& state,
                   const FetchOutcome& outcome, TimePoint now, const PollFacts& facts,
                   std::uint64_t random) {
    Decision decision;
    decision.state = state;
    track_redirect(outcome, decision);
    if (outcome.kind == OutcomeKind::kGone) {
        decision.gone = true;
        decision.reason = DelayReason::kGone;
        decision.next_poll = TimePoint::max();
        return decision;
    }
    const bool failed =
        !outcome.is_success() || (outcome.kind == OutcomeKind::kOk && facts.parse_failed);
    if (failed) {
        back_off(policy, outcome, now, random, decision);
    } else {
        on_success(policy, outcome, now, facts, random, decision);
    }
    return decision;
}

TimePoint startup_spread(TimePoint due, TimePoint now, Seconds window,
                         std::uint64_t random) noexcept {
    if (due > now) return due;
    const auto span = duration_cast<Milliseconds>(window).count();
    if (span <= 0) return now;
    return now +
           Milliseconds{static_cast<Milliseconds::rep>(random % static_cast<std::uint64_t>(span))};
}

}  // namespace herald::fetcher
