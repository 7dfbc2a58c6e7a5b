#include "ingest.hpp"

#include <gtest/gtest.h>

namespace herald::daemon {
namespace {

using namespace std::chrono_literals;

store::FeedRecord feed_record() {
    store::FeedRecord feed;
    feed.id = 7;
    feed.name = "seven";
    feed.url = "https://example.org/feed.xml";
    feed.fetch.etag = "\"old\"";
    feed.fetch.last_modified = "Mon, 01 Jan 2024 00:00:00 GMT";
    return feed;
}

FetchResult ok_result() {
    FetchResult result;
    result.feed_id = 7;
    result.outcome.token = 7;
    result.outcome.kind = fetcher::OutcomeKind::kOk;
    result.outcome.http_status = 200;
    result.outcome.etag = "\"new\"";
    result.outcome.last_modified = "Tue, 02 Jan 2024 00:00:00 GMT";
    parser::ParsedFeed parsed;
    parser::Item item;
    item.id = "a";
    item.title = "A";
    parsed.items.push_back(item);
    result.parsed = parsed;
    result.body_hash = 42;
    return result;
}

class Ingest : public ::testing::Test {
protected:
    fetcher::PollPolicy policy_{60s, 300s, 3600s};
    std::chrono::system_clock::time_point now_ =
        std::chrono::sys_days{std::chrono::year{2026} / 11 / 25} + 20h;
    Memory memory_;
};

TEST_F(Ingest, SuccessStoresItemsAndNewValidators) {
    auto result = ok_result();
    auto outcome = make_outcome(feed_record(), result, policy_, now_, 1, memory_);
    EXPECT_EQ(outcome.feed_id, 7);
    ASSERT_TRUE(outcome.parsed.has_value());
    EXPECT_EQ(outcome.parsed->items.size(), 1u);
    EXPECT_FALSE(outcome.error.has_value());
    EXPECT_FALSE(outcome.gone);
    EXPECT_EQ(outcome.fetch.etag, "\"new\"");
    EXPECT_EQ(outcome.fetch.last_modified, "Tue, 02 Jan 2024 00:00:00 GMT");
    EXPECT_EQ(outcome.fetch.last_status, 200);
    EXPECT_EQ(outcome.fetch.error_count, 0);
    ASSERT_TRUE(outcome.fetch.next_poll.has_value());
    EXPECT_GE(*outcome.fetch.next_poll, std::chrono::floor<std::chrono::seconds>(now_ + 60s));
    EXPECT_EQ(outcome.fetch.last_polled, std::chrono::floor<std::chrono::seconds>(now_));
    EXPECT_EQ(memory_.body_hash, 42u);
}

TEST_F(Ingest, NotModifiedKeepsValidatorsAndStoresNothing) {
    FetchResult result;
    result.feed_id = 7;
    result.outcome.kind = fetcher::OutcomeKind::kNotModified;
    result.outcome.http_status = 304;
    result.outcome.etag = "\"old\"";
    result.outcome.last_modified = "Mon, 01 Jan 2024 00:00:00 GMT";
    auto outcome = make_outcome(feed_record(), result, policy_, now_, 1, memory_);
    EXPECT_FALSE(outcome.parsed.has_value());
    EXPECT_FALSE(outcome.error.has_value());
    EXPECT_EQ(outcome.fetch.etag, "\"old\"");
    EXPECT_EQ(outcome.fetch.last_status, 304);
}

TEST_F(Ingest, HttpErrorBacksOffAndKeepsOldValidators) {
    FetchResult result;
    result.outcome.kind = fetcher::OutcomeKind::kError;
    result.outcome.http_status = 500;
    result.outcome.error = {fetcher::ErrorKind::kHttp, ""};
    auto feed = feed_record();
    feed.fetch.error_count = 2;
    auto outcome = make_outcome(feed, result, policy_, now_, 1, memory_);
    ASSERT_TRUE(outcome.error.has_value());
    EXPECT_EQ(*outcome.error, "HTTP 500");
    EXPECT_EQ(outcome.fetch.last_error, "HTTP 500");
    EXPECT_EQ(outcome.fetch.error_count, 3);
    EXPECT_EQ(outcome.fetch.etag, "\"old\"");
    EXPECT_FALSE(outcome.parsed.has_value());
    // Backoff: later than a plain interval would be.
    EXPECT_GT(*outcome.fetch.next_poll, std::chrono::floor<std::chrono::seconds>(now_ + 300s));
}

TEST_F(Ingest, UnparsableBodyIsAnError) {
    auto result = ok_result();
    result.parsed =
        tl::unexpected(parser::ParseError{parser::ParseErrorKind::kNotAFeed, "an HTML page"});
    auto outcome = make_outcome(feed_record(), result, policy_, now_, 1, memory_);
    ASSERT_TRUE(outcome.error.has_value());
    EXPECT_EQ(*outcome.error, "not a feed: an HTML page");
    EXPECT_FALSE(outcome.parsed.has_value());
    EXPECT_EQ(memory_.body_hash, 0u);  // a broken body is not remembered as "seen"
}

TEST_F(Ingest, GoneStopsPolling) {
    FetchResult result;
    result.outcome.kind = fetcher::OutcomeKind::kGone;
    result.outcome.http_status = 410;
    auto outcome = make_outcome(feed_record(), result, policy_, now_, 1, memory_);
    EXPECT_TRUE(outcome.gone);
    EXPECT_FALSE(outcome.error.has_value());
    EXPECT_FALSE(outcome.fetch.next_poll.has_value());
}

TEST_F(Ingest, RateLimitedKeepsRetryAfter) {
    FetchResult result;
    result.outcome.kind = fetcher::OutcomeKind::kRateLimited;
    result.outcome.http_status = 429;
    result.outcome.retry_after = now_ + 600s;
    auto outcome = make_outcome(feed_record(), result, policy_, now_, 1, memory_);
    ASSERT_TRUE(outcome.error.has_value());
    EXPECT_NE(outcome.error->find("429"), std::string::npos);
    EXPECT_EQ(outcome.fetch.retry_after, std::chrono::floor<std::chrono::seconds>(now_ + 600s));
    EXPECT_GE(*outcome.fetch.next_poll, std::chrono::floor<std::chrono::seconds>(now_ + 600s));
}

TEST(Request, CarriesValidatorsAndAllowsOwnerFiles) {
    auto request = make_request(feed_record());
    EXPECT_EQ(request.token, 7u);
    EXPECT_EQ(request.url, "https://example.org/feed.xml");
    EXPECT_EQ(request.etag, "\"old\"");
    EXPECT_EQ(request.last_modified, "Mon, 01 Jan 2024 00:00:00 GMT");
    EXPECT_TRUE(request.allow_file);
}

TEST(Options, FromConfig) {
    config::FetchConfig fetch;
    fetch.user_agent = "herald/x";
    fetch.concurrency = 5;
    fetch.per_host = 1;
    fetch.timeout = 2s;
    fetch.max_body = 1000;
    auto options = fetcher_options(fetch);
    EXPECT_EQ(options.user_agent, "herald/x");
    EXPECT_EQ(options.concurrency, 5u);
    EXPECT_EQ(options.per_host, 1u);
    EXPECT_EQ(options.timeout, 2s);
    EXPECT_LE(options.connect_timeout, 2s);
    EXPECT_EQ(options.max_body, 1000u);
    auto specs =
        feed_specs({config::FeedConfig{"https://a.org/", "a", std::chrono::seconds{90}, {"t"}, 3}});
    ASSERT_EQ(specs.size(), 1u);
    EXPECT_EQ(specs[0].name, "a");
    EXPECT_EQ(specs[0].interval, 90s);
    EXPECT_EQ(specs[0].tags, std::vector<std::string>{"t"});
}

}  // namespace
}  // namespace herald::daemon
