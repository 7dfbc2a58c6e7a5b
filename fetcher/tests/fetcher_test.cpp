// The fetcher against the project's fault-injecting HTTP server on 127.0.0.1: requests sent,
// responses read, and every failure mode turned into an outcome value.
#include <algorithm>
#include <fstream>
#include <thread>

#include <sys/resource.h>

#include "fetch_helpers.hpp"
#include "process.hpp"

namespace herald::fetcher::testing {
namespace {

using test::ContentEncoding;
using test::Response;

const std::string kFeed = "<rss version=\"2.0\"><channel><title>t</title></channel></rss>";

TEST_F(FetcherTest, FetchesBodyAndReturnsTheToken) {
    server_.set("/feed.xml", Response::ok(kFeed)
                                 .header("ETag", "\"v1\"")
                                 .header("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT"));
    Fetcher fetcher(curl_, test_options());
    const auto outcome = fetch(fetcher, request_for(server_.url("/feed.xml"), 42));
    EXPECT_EQ(outcome.kind, OutcomeKind::kOk);
    EXPECT_EQ(outcome.token, 42u);
    EXPECT_EQ(outcome.http_status, 200);
    EXPECT_EQ(outcome.body, kFeed);
    EXPECT_EQ(outcome.content_type, "application/rss+xml");
    EXPECT_EQ(outcome.etag, "\"v1\"");
    EXPECT_EQ(outcome.last_modified, "Wed, 21 Oct 2015 07:28:00 GMT");
    EXPECT_EQ(outcome.final_url, server_.url("/feed.xml"));
    EXPECT_FALSE(outcome.permanent_redirect);
    EXPECT_EQ(outcome.error.kind, ErrorKind::kNone);
    EXPECT_EQ(outcome.timings.body_bytes, kFeed.size());
    EXPECT_GT(outcome.timings.wire_bytes, kFeed.size());  // headers too
    EXPECT_EQ(fetcher.in_flight(), 0u);
}

TEST_F(FetcherTest, SendsHeraldUserAgentAndNoCookieOrReferer) {
    server_.set("/feed.xml", Response::ok(kFeed).header("Set-Cookie", "session=abc; Path=/"));
    server_.set("/hop", Response::redirect(302, "/feed.xml"));
    Fetcher fetcher(curl_, test_options());
    EXPECT_EQ(fetch(fetcher, request_for(server_.url("/feed.xml"))).kind, OutcomeKind::kOk);
    EXPECT_EQ(fetch(fetcher, request_for(server_.url("/hop"))).kind, OutcomeKind::kOk);
    const auto requests = server_.requests();
    ASSERT_EQ(requests.size(), 3u);
    for (const auto& request : requests) {
        EXPECT_NE(request.header("User-Agent").value_or("").find("herald"), std::string::npos);
        EXPECT_FALSE(request.header("Cookie")) << request.target;
        EXPECT_FALSE(request.header("Referer")) << request.target;
        EXPECT_NE(request.header("Accept-Encoding").value_or("").find("gzip"), std::string::npos);
    }
}

TEST_F(FetcherTest, UserAgentAlwaysNamesHerald) {
    server_.set("/feed.xml", Response::ok(kFeed));
    for (const std::string configured : {"", "MyReader/2.0", "Herald-Fork/1"}) {
        auto options = test_options();
        options.user_agent = configured;
        Fetcher fetcher(curl_, options);
        EXPECT_EQ(fetch(fetcher, request_for(server_.url("/feed.xml"))).kind, OutcomeKind::kOk);
    }
    const auto requests = server_.requests("/feed.xml");
    ASSERT_EQ(requests.size(), 3u);
    EXPECT_EQ(requests[0].header("User-Agent"), "herald");
    EXPECT_EQ(requests[1].header("User-Agent"), "MyReader/2.0 (herald)");
    EXPECT_EQ(requests[2].header("User-Agent"), "Herald-Fork/1");
}

TEST_F(FetcherTest, EchoesValidatorsByteForByte) {
    // Odd but legal bytes: a weak tag with spaces and UTF-8, a date in a non-standard form.
    const std::string etag = "W/\"v 1 \xc3\xa9\"";
    const std::string last_modified = "Wed,  21 Oct 2015 07:28:00 +0000";
    server_.set("/feed.xml", Response::not_modified());
    Fetcher fetcher(curl_, test_options());
    auto request = request_for(server_.url("/feed.xml"));
    request.etag = etag;
    request.last_modified = last_modified;
    const auto outcome = fetch(fetcher, request);
    EXPECT_EQ(outcome.kind, OutcomeKind::kNotModified);
    EXPECT_EQ(outcome.http_status, 304);
    EXPECT_TRUE(outcome.body.empty());
    const auto received = server_.requests("/feed.xml");
    ASSERT_EQ(received.size(), 1u);
    EXPECT_EQ(received[0].header("If-None-Match"), etag);
    EXPECT_EQ(received[0].header("If-Modified-Since"), last_modified);
    // No new validators on the 304: the request's stay.
    EXPECT_EQ(outcome.etag, etag);
    EXPECT_EQ(outcome.last_modified, last_modified);
}

TEST_F(FetcherTest, NoValidatorHeadersOnFirstPoll) {
    server_.set("/feed.xml", Response::ok(kFeed));
    Fetcher fetcher(curl_, test_options());
    EXPECT_EQ(fetch(fetcher, request_for(server_.url("/feed.xml"))).kind, OutcomeKind::kOk);
    const auto received = server_.requests("/feed.xml");
    ASSERT_EQ(received.size(), 1u);
    EXPECT_FALSE(received[0].header("If-None-Match"));
    EXPECT_FALSE(received[0].header("If-Modified-Since"));
}

TEST_F(FetcherTest, NotModifiedRefreshesValidators) {
    server_.set("/feed.xml", Response::not_modified().header("ETag", "\"v2\""));
    Fetcher fetcher(curl_, test_options());
    auto request = request_for(server_.url("/feed.xml"));
    request.etag = "\"v1\"";
    request.last_modified = "Wed, 21 Oct 2015 07:28:00 GMT";
    const auto outcome = fetch(fetcher, request);
    EXPECT_EQ(outcome.kind, OutcomeKind::kNotModified);
    EXPECT_EQ(outcome.etag, "\"v2\"");
    EXPECT_EQ(outcome.last_modified, "Wed, 21 Oct 2015 07:28:00 GMT");
}

TEST_F(FetcherTest, ConditionalServerRoundTrip) {
    // A server that answers 304 exactly when the validator it gave comes back.
    server_.handle("/feed.xml", [](const test::RecordedRequest& request) {
        if (request.header("If-None-Match") == "\"abc\"") return Response::not_modified();
        return Response::ok(kFeed).header("ETag", "\"abc\"");
    });
    Fetcher fetcher(curl_, test_options());
    const auto first = fetch(fetcher, request_for(server_.url("/feed.xml")));
    ASSERT_EQ(first.kind, OutcomeKind::kOk);
    auto again = request_for(server_.url("/feed.xml"));
    again.etag = first.etag;
    again.last_modified = first.last_modified;
    EXPECT_EQ(fetch(fetcher, again).kind, OutcomeKind::kNotModified);
}

TEST_F(FetcherTest, DecodesGzipAndDeflate) {
    const std::string big = [] {
        std::string text;
        for (int i = 0; i < 2000; ++i)
            text += "<item><title>entry " + std::to_string(i) + "</title></item>";
        return text;
    }();
    auto gzipped = Response::ok(big);
    gzipped.encoding = ContentEncoding::kGzip;
    auto deflated = Response::ok(big);
    deflated.encoding = ContentEncoding::kDeflate;
    server_.set("/gzip", gzipped);
    server_.set("/deflate", deflated);
    Fetcher fetcher(curl_, test_options());
    for (const char* path : {"/gzip", "/deflate"}) {
        const auto outcome = fetch(fetcher, request_for(server_.url(path)));
        EXPECT_EQ(outcome.kind, OutcomeKind::kOk) << path << ": " << outcome.error.message;
        EXPECT_EQ(outcome.body, big) << path;
        EXPECT_LT(outcome.timings.wire_bytes, big.size()) << path << " was not compressed";
    }
}

long peak_rss_kib() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

TEST_F(FetcherTest, GzipBombIsCutAtMaxBodyWithBoundedMemory) {
    constexpr std::size_t kBomb = std::size_t{64} << 20;
    auto bomb = Response::ok(test::gzip_bomb(kBomb)).header("Content-Encoding", "gzip");
    server_.set("/bomb", bomb);
    auto options = test_options();
    options.max_body = 1 << 20;
    Fetcher fetcher(curl_, options);
    const long before = peak_rss_kib();
    const auto outcome = fetch(fetcher, request_for(server_.url("/bomb")));
    EXPECT_EQ(outcome.kind, OutcomeKind::kError);
    EXPECT_EQ(outcome.error.kind, ErrorKind::kTooLarge) << outcome.error.message;
    EXPECT_TRUE(outcome.body.empty());
    // Inflating all of it would take 64 MiB more; the cap keeps the growth near 1 MiB.
    EXPECT_LT(peak_rss_kib() - before, 32 * 1024);
}

TEST_F(FetcherTest, EndlessBodyIsCutAtMaxBody) {
    auto endless = Response::ok("");
    endless.endless = true;
    server_.set("/endless", endless);
    auto options = test_options();
    options.max_body = std::size_t{256} * 1024;
    Fetcher fetcher(curl_, options);
    const auto outcome = fetch(fetcher, request_for(server_.url("/endless")));
    EXPECT_EQ(outcome.error.kind, ErrorKind::kTooLarge) << outcome.error.message;
    EXPECT_LE(outcome.timings.wire_bytes, 2u * 1024 * 1024);
}

TEST_F(FetcherTest, DeclaredLengthOverMaxBodyIsRefused) {
    server_.set("/big", Response::ok(std::string(std::size_t{300} * 1024, 'a')));
    auto options = test_options();
    options.max_body = std::size_t{100} * 1024;
    Fetcher fetcher(curl_, options);
    EXPECT_EQ(fetch(fetcher, request_for(server_.url("/big"))).error.kind, ErrorKind::kTooLarge);
}

TEST_F(FetcherTest, TrickleIsAbandonedAtTimeout) {
    auto trickle = Response::ok(std::string(10'000, 'x'));
    trickle.trickle_bytes = 10;
    trickle.trickle_every = 50ms;
    server_.set("/slow", trickle);
    auto options = test_options();
    options.timeout = 600ms;
    Fetcher fetcher(curl_, options);
    const auto started = std::chrono::steady_clock::now();
    const auto outcome = fetch(fetcher, request_for(server_.url("/slow")));
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(outcome.error.kind, ErrorKind::kTimeout) << outcome.error.message;
    EXPECT_GE(outcome.timings.total, 550ms);
    EXPECT_GE(took, 500ms);
    EXPECT_LT(took, 4s);
}

TEST_F(FetcherTest, SlowHeadersTimeOut) {
    auto slow = Response::ok(kFeed);
    slow.delay = 3s;
    server_.set("/slow", slow);
    auto options = test_options();
    options.timeout = 300ms;
    Fetcher fetcher(curl_, options);
    EXPECT_EQ(fetch(fetcher, request_for(server_.url("/slow"))).error.kind, ErrorKind::kTimeout);
}

TEST_F(FetcherTest, ConnectionClosedMidBodyIsAnError) {
    auto cut = Response::ok(std::string(10'000, 'x'));
    cut.close_after = 100;
    server_.set("/cut", cut);
    Fetcher fetcher(curl_, test_options());
    const auto outcome = fetch(fetcher, request_for(server_.url("/cut")));
    EXPECT_EQ(outcome.kind, OutcomeKind::kError);
    EXPECT_EQ(outcome.error.kind, ErrorKind::kProtocol) << outcome.error.message;
    EXPECT_TRUE(outcome.body.empty());
}

TEST_F(FetcherTest, StatusOutcomes) {
    server_.set("/gone", Response::with_status(410));
    server_.set("/missing", Response::with_status(404, "nope"));
    server_.set("/broken", Response::with_status(500));
    Fetcher fetcher(curl_, test_options());
    const auto gone = fetch(fetcher, request_for(server_.url("/gone")));
    EXPECT_EQ(gone.kind, OutcomeKind::kGone);
    EXPECT_EQ(gone.http_status, 410);
    const auto missing = fetch(fetcher, request_for(server_.url("/missing")));
    EXPECT_EQ(missing.kind, OutcomeKind::kError);
    EXPECT_EQ(missing.error.kind, ErrorKind::kHttp);
    EXPECT_EQ(missing.http_status, 404);
    EXPECT_TRUE(missing.body.empty());
    EXPECT_NE(missing.error.message.find("404"), std::string::npos);
    EXPECT_EQ(fetch(fetcher, request_for(server_.url("/broken"))).http_status, 500);
}

TEST_F(FetcherTest, ErrorPagesAreNotReadEvenWhenHugeOrEndless) {
    server_.set("/big404", Response::with_status(404, std::string(std::size_t{300} * 1024, 'e')));
    auto endless = Response::with_status(500);
    endless.endless = true;
    server_.set("/endless500", endless);
    auto options = test_options();
    options.max_body = std::size_t{100} * 1024;
    Fetcher fetcher(curl_, options);
    const auto big = fetch(fetcher, request_for(server_.url("/big404")));
    EXPECT_EQ(big.error.kind, ErrorKind::kHttp) << big.error.message;
    EXPECT_EQ(big.http_status, 404);
    const auto started = std::chrono::steady_clock::now();
    const auto endless_outcome = fetch(fetcher, request_for(server_.url("/endless500")));
    EXPECT_EQ(endless_outcome.error.kind, ErrorKind::kHttp) << endless_outcome.error.message;
    EXPECT_EQ(endless_outcome.http_status, 500);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);  // not read until the timeout
}

TEST_F(FetcherTest, RetryAfterInSecondsAndAsDate) {
    server_.set("/busy", Response::with_status(429).header("Retry-After", "120"));
    server_.set("/down",
                Response::with_status(503).header("Retry-After", "Fri, 31 Dec 2100 23:59:59 GMT"));
    server_.set("/plain503", Response::with_status(503));
    Fetcher fetcher(curl_, test_options());
    const auto before = Clock::now();
    const auto busy = fetch(fetcher, request_for(server_.url("/busy")));
    EXPECT_EQ(busy.kind, OutcomeKind::kRateLimited);
    ASSERT_TRUE(busy.retry_after);
    EXPECT_GE(*busy.retry_after, before + 120s);
    EXPECT_LE(*busy.retry_after, Clock::now() + 120s);
    const auto down = fetch(fetcher, request_for(server_.url("/down")));
    EXPECT_EQ(down.kind, OutcomeKind::kRateLimited);
    ASSERT_TRUE(down.retry_after);
    // A date far ahead is capped at one day.
    EXPECT_LE(*down.retry_after, Clock::now() + kMaxServerDelay);
    EXPECT_GE(*down.retry_after, before + kMaxServerDelay);
    const auto plain = fetch(fetcher, request_for(server_.url("/plain503")));
    EXPECT_EQ(plain.kind, OutcomeKind::kError);
    EXPECT_FALSE(plain.retry_after);
}

TEST_F(FetcherTest, CacheControlAndExpiresAreReported) {
    server_.set("/cached", Response::ok(kFeed).header("Cache-Control", "public, max-age=3600"));
    server_.set("/expires", Response::ok(kFeed)
                                .header("Date", "Wed, 21 Oct 2015 07:28:00 GMT")
                                .header("Expires", "Wed, 21 Oct 2015 09:28:00 GMT"));
    server_.set("/plain", Response::ok(kFeed));
    Fetcher fetcher(curl_, test_options());
    const auto cached = fetch(fetcher, request_for(server_.url("/cached")));
    EXPECT_EQ(cached.cache_lifetime, 3600s);
    // And the scheduler honours it: a 15-minute feed is not polled again within the hour.
    ScheduleState state;
    state.interval = 15min;
    const auto now = Clock::now();
    EXPECT_GE(next_poll(PollPolicy{}, state, cached, now, {}, 42).next_poll, now + 3600s);
    EXPECT_EQ(fetch(fetcher, request_for(server_.url("/expires"))).cache_lifetime, 7200s);
    EXPECT_FALSE(fetch(fetcher, request_for(server_.url("/plain"))).cache_lifetime);
}

}  // namespace
}  // namespace herald::fetcher::testing
