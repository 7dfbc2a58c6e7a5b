// Tests for next_poll / startup_spread: pure functions, so no clock and no sleeps.
#include <gtest/gtest.h>

#include <herald/fetcher.hpp>

namespace herald::fetcher {
namespace {

using namespace std::chrono_literals;

const TimePoint kNow = Clock::from_time_t(1'700'000'000);
const PollPolicy kPolicy{5min, 1h, 24h};

FetchOutcome outcome_of(OutcomeKind kind) {
    FetchOutcome outcome;
    outcome.kind = kind;
    outcome.http_status = kind == OutcomeKind::kNotModified ? 304 : 200;
    if (kind == OutcomeKind::kError) outcome.error = {ErrorKind::kHttp, "HTTP 500"};
    return outcome;
}

// The delay without jitter (random = 0 adds none).
Milliseconds delay_of(const Decision& decision) {
    return std::chrono::duration_cast<Milliseconds>(decision.next_poll - kNow);
}

TEST(Scheduler, BaseIntervalIsClamped) {
    EXPECT_EQ(base_interval(kPolicy, std::nullopt), 1h);
    EXPECT_EQ(base_interval(kPolicy, 15min), 15min);
    EXPECT_EQ(base_interval(kPolicy, 1s), 5min);
    EXPECT_EQ(base_interval(kPolicy, 48h), 24h);
}

TEST(Scheduler, SuccessPollsAtTheInterval) {
    ScheduleState state;
    state.interval = 15min;
    const auto decision = next_poll(kPolicy, state, outcome_of(OutcomeKind::kOk), kNow, {}, 0);
    EXPECT_EQ(delay_of(decision), 15min);
    EXPECT_EQ(decision.reason, DelayReason::kInterval);
    EXPECT_FALSE(decision.gone);
    EXPECT_FALSE(decision.new_url);
}

TEST(Scheduler, JitterIsSmallPositiveAndDeterministic) {
    ScheduleState state;
    state.interval = 1h;
    const auto outcome = outcome_of(OutcomeKind::kOk);
    const auto a = next_poll(kPolicy, state, outcome, kNow, {}, 123456789);
    const auto b = next_poll(kPolicy, state, outcome, kNow, {}, 123456789);
    const auto c = next_poll(kPolicy, state, outcome, kNow, {}, 987654321);
    EXPECT_EQ(a.next_poll, b.next_poll);
    EXPECT_NE(a.next_poll, c.next_poll);
    for (const auto& decision : {a, c}) {
        EXPECT_GE(delay_of(decision), 1h);
        EXPECT_LE(delay_of(decision), 66min);
    }
}

TEST(Scheduler, ErrorsBackOffDoublingUpToMaxAndResetOnSuccess) {
    ScheduleState state;
    state.interval = 1h;
    const auto error = outcome_of(OutcomeKind::kError);
    const Milliseconds expected[] = {1h, 2h, 4h, 8h, 16h, 24h, 24h};
    for (const auto want : expected) {
        const auto decision = next_poll(kPolicy, state, error, kNow, {}, 0);
        EXPECT_EQ(delay_of(decision), want);
        EXPECT_EQ(decision.reason, DelayReason::kBackoff);
        state = decision.state;
    }
    EXPECT_EQ(state.consecutive_errors, 7u);
    const auto recovered = next_poll(kPolicy, state, outcome_of(OutcomeKind::kOk), kNow, {}, 0);
    EXPECT_EQ(recovered.state.consecutive_errors, 0u);
    EXPECT_EQ(delay_of(recovered), 1h);
    const auto again = next_poll(kPolicy, recovered.state, error, kNow, {}, 0);
    EXPECT_EQ(delay_of(again), 1h);
}

TEST(Scheduler, BackoffJitterNeverShortensTheDelay) {
    ScheduleState state;
    state.consecutive_errors = 2;
    const auto decision =
        next_poll(kPolicy, state, outcome_of(OutcomeKind::kError), kNow, {}, 0xdeadbeefcafe);
    EXPECT_GE(delay_of(decision), 4h);
    EXPECT_LE(delay_of(decision), 4h + 24min);
}

TEST(Scheduler, UnparsableBodyCountsAsError) {
    PollFacts facts;
    facts.parse_failed = true;
    const auto decision = next_poll(kPolicy, {}, outcome_of(OutcomeKind::kOk), kNow, facts, 0);
    EXPECT_EQ(decision.state.consecutive_errors, 1u);
    EXPECT_EQ(decision.reason, DelayReason::kBackoff);
}

TEST(Scheduler, RetryAfterIsHonoured) {
    auto limited = outcome_of(OutcomeKind::kRateLimited);
    limited.http_status = 429;
    limited.retry_after = kNow + 3h;
    ScheduleState state;
    state.interval = 10min;
    const auto decision = next_poll(kPolicy, state, limited, kNow, {}, 0);
    EXPECT_EQ(decision.next_poll, kNow + 3h);
    EXPECT_EQ(decision.reason, DelayReason::kRetryAfter);
    EXPECT_EQ(decision.state.consecutive_errors, 1u);
}

TEST(Scheduler, RetryAfterIsCappedAtOneDayEvenPastMaxInterval) {
    auto limited = outcome_of(OutcomeKind::kRateLimited);
    limited.retry_after = kNow + 72h;
    const PollPolicy tight{1s, 1min, 1h};
    const auto decision = next_poll(tight, {}, limited, kNow, {}, 0);
    EXPECT_EQ(decision.next_poll, kNow + 24h);
}

TEST(Scheduler, ShortRetryAfterDoesNotUndercutBackoff) {
    auto limited = outcome_of(OutcomeKind::kRateLimited);
    limited.retry_after = kNow + 1min;
    ScheduleState state;
    state.interval = 1h;
    const auto decision = next_poll(kPolicy, state, limited, kNow, {}, 0);
    EXPECT_EQ(delay_of(decision), 1h);
}

TEST(Scheduler, CacheLifetimeStretchesTheIntervalUpToMax) {
    ScheduleState state;
    state.interval = 15min;
    auto outcome = outcome_of(OutcomeKind::kOk);
    outcome.cache_lifetime = 2h;
    const auto decision = next_poll(kPolicy, state, outcome, kNow, {}, 0xffff);
    EXPECT_GE(delay_of(decision), 2h);
    EXPECT_EQ(decision.reason, DelayReason::kServerAsked);
    outcome.cache_lifetime = 48h;
    EXPECT_EQ(delay_of(next_poll(kPolicy, state, outcome, kNow, {}, 0)), 24h);
    // A shorter lifetime never shortens the feed's own interval.
    outcome.cache_lifetime = 1min;
    EXPECT_EQ(delay_of(next_poll(kPolicy, state, outcome, kNow, {}, 0)), 15min);
}

TEST(Scheduler, FeedTtlStretchesTheInterval) {
    ScheduleState state;
    state.interval = 15min;
    PollFacts facts;
    facts.feed_ttl = 3h;
    const auto decision = next_poll(kPolicy, state, outcome_of(OutcomeKind::kOk), kNow, facts, 7);
    EXPECT_GE(delay_of(decision), 3h);
    EXPECT_EQ(decision.reason, DelayReason::kServerAsked);
}

TEST(Scheduler, GoneStopsPolling) {
    auto gone = outcome_of(OutcomeKind::kGone);
    gone.http_status = 410;
    const auto decision = next_poll(kPolicy, {}, gone, kNow, {}, 0);
    EXPECT_TRUE(decision.gone);
    EXPECT_EQ(decision.next_poll, TimePoint::max());
    EXPECT_EQ(decision.reason, DelayReason::kGone);
}

TEST(Scheduler, PermanentRedirectMovesFeedAfterTwoConsecutivePolls) {
    auto moved = outcome_of(OutcomeKind::kOk);
    moved.permanent_redirect = "https://new.example/feed";
    const auto first = next_poll(kPolicy, {}, moved, kNow, {}, 0);
    EXPECT_FALSE(first.new_url);
    EXPECT_EQ(first.state.redirect_candidate, "https://new.example/feed");
    const auto second = next_poll(kPolicy, first.state, moved, kNow, {}, 0);
    ASSERT_TRUE(second.new_url);
    EXPECT_EQ(*second.new_url, "https://new.example/feed");
    EXPECT_TRUE(second.state.redirect_candidate.empty());
}

TEST(Scheduler, InterruptedRedirectDoesNotMoveFeed) {
    auto moved = outcome_of(OutcomeKind::kOk);
    moved.permanent_redirect = "https://new.example/feed";
    const auto first = next_poll(kPolicy, {}, moved, kNow, {}, 0);
    const auto plain = next_poll(kPolicy, first.state, outcome_of(OutcomeKind::kOk), kNow, {}, 0);
    EXPECT_TRUE(plain.state.redirect_candidate.empty());
    const auto third = next_poll(kPolicy, plain.state, moved, kNow, {}, 0);
    EXPECT_FALSE(third.new_url);
    // A different target restarts the count.
    auto elsewhere = moved;
    elsewhere.permanent_redirect = "https://other.example/feed";
    const auto fourth = next_poll(kPolicy, third.state, elsewhere, kNow, {}, 0);
    EXPECT_FALSE(fourth.new_url);
}

TEST(Scheduler, RedirectToFailingTargetIsNotAdopted) {
    auto moved = outcome_of(OutcomeKind::kOk);
    moved.permanent_redirect = "https://new.example/feed";
    const auto first = next_poll(kPolicy, {}, moved, kNow, {}, 0);
    auto failed = outcome_of(OutcomeKind::kError);
    failed.permanent_redirect = moved.permanent_redirect;
    const auto second = next_poll(kPolicy, first.state, failed, kNow, {}, 0);
    EXPECT_FALSE(second.new_url);
}

TEST(Scheduler, QuietFeedsDriftTowardMaxAndBusyOnesBack) {
    ScheduleState state;  // default interval: adaptive
    const auto not_modified = outcome_of(OutcomeKind::kNotModified);
    Milliseconds previous{0};
    for (int poll = 0; poll < 60; ++poll) {
        const auto decision = next_poll(kPolicy, state, not_modified, kNow, {}, 0);
        EXPECT_GE(delay_of(decision), previous);
        previous = delay_of(decision);
        state = decision.state;
    }
    EXPECT_EQ(previous, 24h);
    for (int poll = 0; poll < 12; ++poll) {
        state = next_poll(kPolicy, state, outcome_of(OutcomeKind::kOk), kNow, {}, 0).state;
    }
    EXPECT_EQ(delay_of(next_poll(kPolicy, state, outcome_of(OutcomeKind::kOk), kNow, {}, 0)), 1h);
}

TEST(Scheduler, ConfiguredIntervalIsNotStretched) {
    ScheduleState state;
    state.interval = 30min;
    state.unchanged_polls = 500;
    const auto decision =
        next_poll(kPolicy, state, outcome_of(OutcomeKind::kNotModified), kNow, {}, 0);
    EXPECT_EQ(delay_of(decision), 30min);
}

TEST(Scheduler, NamesItsReasons) {
    EXPECT_EQ(to_string(DelayReason::kRetryAfter), "retry_after");
    EXPECT_EQ(to_string(DelayReason::kBackoff), "backoff");
    EXPECT_EQ(to_string(ErrorKind::kTooLarge), "too_large");
    EXPECT_EQ(to_string(OutcomeKind::kNotModified), "not_modified");
}

TEST(Scheduler, StartupSpreadsOverdueFeedsOverTheWindow) {
    EXPECT_EQ(startup_spread(kNow + 1h, kNow, 60s, 12345), kNow + 1h);
    const auto spread = startup_spread(kNow - 5h, kNow, 60s, 30'500);
    EXPECT_EQ(spread, kNow + 30'500ms);
    for (std::uint64_t random : {0ull, 59'999ull, 60'000ull, ~0ull}) {
        const auto at = startup_spread(kNow - 1s, kNow, 60s, random);
        EXPECT_GE(at, kNow);
        EXPECT_LT(at, kNow + 60s);
    }
    EXPECT_EQ(startup_spread(kNow - 1s, kNow, 0s, 99), kNow);
}

}  // namespace
}  // namespace herald::fetcher
