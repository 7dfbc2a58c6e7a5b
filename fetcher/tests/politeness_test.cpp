// The fetcher's rules about where it goes and how hard it pushes: redirects, schemes,
// file://, private addresses, per-host and global concurrency, connection reuse, queueing.
#include <algorithm>
#include <thread>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fetch_helpers.hpp"
#include "process.hpp"

namespace herald::fetcher::testing {
namespace {

using test::Response;

const std::string kFeed = "<rss version=\"2.0\"><channel><title>t</title></channel></rss>";

TEST_F(FetcherTest, PermanentRedirectIsFollowedAndReported) {
    server_.set("/old", Response::redirect(301, server_.url("/new")));
    server_.set("/new", Response::ok(kFeed));
    Fetcher fetcher(curl_, test_options());
    const auto outcome = fetch(fetcher, request_for(server_.url("/old")));
    EXPECT_EQ(outcome.kind, OutcomeKind::kOk);
    EXPECT_EQ(outcome.body, kFeed);
    EXPECT_EQ(outcome.final_url, server_.url("/new"));
    EXPECT_EQ(outcome.permanent_redirect, server_.url("/new"));
}

TEST_F(FetcherTest, RelativePermanentRedirectIsResolved) {
    server_.set("/feeds/old.xml", Response::redirect(308, "new.xml"));
    server_.set("/feeds/new.xml", Response::ok(kFeed));
    Fetcher fetcher(curl_, test_options());
    const auto outcome = fetch(fetcher, request_for(server_.url("/feeds/old.xml")));
    EXPECT_EQ(outcome.kind, OutcomeKind::kOk);
    EXPECT_EQ(outcome.permanent_redirect, server_.url("/feeds/new.xml"));
}

TEST_F(FetcherTest, TemporaryRedirectsAreNotPermanentMoves) {
    server_.set("/found", Response::redirect(302, "/temp-then-moved"));
    server_.set("/temp-then-moved", Response::redirect(301, "/final"));
    server_.set("/temporary", Response::redirect(307, "/final"));
    server_.set("/final", Response::ok(kFeed));
    Fetcher fetcher(curl_, test_options());
    for (const char* path : {"/found", "/temporary"}) {
        const auto outcome = fetch(fetcher, request_for(server_.url(path)));
        EXPECT_EQ(outcome.kind, OutcomeKind::kOk) << path;
        EXPECT_EQ(outcome.final_url, server_.url("/final")) << path;
        // Only a 301/308 on the first hop moves the feed itself.
        EXPECT_FALSE(outcome.permanent_redirect) << path;
    }
}

TEST_F(FetcherTest, AtMostFiveRedirects) {
    for (int hop = 0; hop < 6; ++hop) {
        server_.set("/hop" + std::to_string(hop),
                    Response::redirect(302, "/hop" + std::to_string(hop + 1)));
    }
    server_.set("/hop6", Response::ok(kFeed));
    Fetcher fetcher(curl_, test_options());
    EXPECT_EQ(fetch(fetcher, request_for(server_.url("/hop1"))).kind, OutcomeKind::kOk);
    const auto too_many = fetch(fetcher, request_for(server_.url("/hop0")));
    EXPECT_EQ(too_many.kind, OutcomeKind::kError);
    EXPECT_EQ(too_many.error.kind, ErrorKind::kTooManyRedirects) << too_many.error.message;
}

TEST_F(FetcherTest, RedirectsToOtherSchemesAreRefused) {
    test::TempDir dir("herald-fetch");
    const auto secret = dir.write("secret.xml", kFeed);
    server_.set("/to-file", Response::redirect(301, "file://" + secret.string()));
    server_.set("/to-ftp", Response::redirect(302, "ftp://127.0.0.1/feed.xml"));
    Fetcher fetcher(curl_, test_options());
    for (const char* path : {"/to-file", "/to-ftp"}) {
        auto request = request_for(server_.url(path));
        request.allow_file = true;  // even an owner-written URL cannot redirect to file:
        const auto outcome = fetch(fetcher, request);
        EXPECT_EQ(outcome.kind, OutcomeKind::kError) << path;
        EXPECT_EQ(outcome.error.kind, ErrorKind::kRefusedScheme) << path << outcome.error.message;
        EXPECT_TRUE(outcome.body.empty()) << path;
        EXPECT_FALSE(outcome.permanent_redirect) << path;
    }
}

TEST_F(FetcherTest, RefusedSchemesAndBadUrlsFailWithoutANetworkRequest) {
    Fetcher fetcher(curl_, test_options());
    auto ftp = request_for("ftp://127.0.0.1/feed.xml", 7);
    const auto refused = fetch(fetcher, ftp);
    EXPECT_EQ(refused.token, 7u);
    EXPECT_EQ(refused.error.kind, ErrorKind::kRefusedScheme);
    EXPECT_EQ(fetch(fetcher, request_for("not a url")).error.kind, ErrorKind::kInvalidUrl);
    EXPECT_EQ(server_.request_count(), 0u);
}

TEST_F(FetcherTest, FileUrlsOnlyWhenAllowed) {
    test::TempDir dir("herald-fetch");
    const auto path = dir.write("local.xml", kFeed);
    const std::string url = "file://" + path.string();
    Fetcher fetcher(curl_, test_options());
    const auto refused = fetch(fetcher, request_for(url));
    EXPECT_EQ(refused.error.kind, ErrorKind::kRefusedScheme);
    EXPECT_TRUE(refused.body.empty());

    auto allowed = request_for(url);
    allowed.allow_file = true;
    const auto read = fetch(fetcher, allowed);
    EXPECT_EQ(read.kind, OutcomeKind::kOk) << read.error.message;
    EXPECT_EQ(read.body, kFeed);

    auto missing = request_for("file://" + (dir / "missing.xml").string());
    missing.allow_file = true;
    EXPECT_EQ(fetch(fetcher, missing).error.kind, ErrorKind::kFile);
}

TEST_F(FetcherTest, FileUrlsHonourMaxBody) {
    test::TempDir dir("herald-fetch");
    auto request =
        request_for("file://" + dir.write("big.xml", std::string(200'000, 'a')).string());
    request.allow_file = true;
    auto options = test_options();
    options.max_body = 50'000;
    Fetcher fetcher(curl_, options);
    EXPECT_EQ(fetch(fetcher, request).error.kind, ErrorKind::kTooLarge);
}

TEST_F(FetcherTest, DenyPrivateRefusesLoopback) {
    server_.set("/feed.xml", Response::ok(kFeed));
    auto options = test_options();
    options.deny_private = true;
    Fetcher fetcher(curl_, options);
    const auto outcome = fetch(fetcher, request_for(server_.url("/feed.xml")));
    EXPECT_EQ(outcome.kind, OutcomeKind::kError);
    EXPECT_EQ(outcome.error.kind, ErrorKind::kDeniedAddress) << outcome.error.message;
    EXPECT_EQ(server_.request_count(), 0u);
}

TEST_F(FetcherTest, ConnectionRefusedIsConnectError) {
    // A port that was free a moment ago: bind, read the port, close.
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
    ::close(fd);
    Fetcher fetcher(curl_, test_options());
    const auto url = "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port)) + "/";
    EXPECT_EQ(fetch(fetcher, request_for(url)).error.kind, ErrorKind::kConnect);
}

TEST_F(FetcherTest, PerHostConcurrencyIsNeverExceeded) {
    auto slow = Response::ok(kFeed);
    slow.delay = 40ms;  // long enough for requests to overlap if the fetcher let them
    server_.set("/feed.xml", slow);
    auto options = test_options();
    options.concurrency = 16;
    options.per_host = 2;
    Fetcher fetcher(curl_, options);
    constexpr int kPerHost = 10;
    for (int i = 0; i < kPerHost; ++i) {
        fetcher.submit(request_for(server_.host_url("127.0.0.1", "/feed.xml"), i));
        fetcher.submit(request_for(server_.host_url("localhost", "/feed.xml"), 100 + i));
    }
    const auto outcomes = collect(fetcher, std::size_t{2} * kPerHost, 20s);
    ASSERT_EQ(outcomes.size(), 2u * kPerHost);
    for (const auto& outcome : outcomes) EXPECT_EQ(outcome.kind, OutcomeKind::kOk);
    const auto port = std::to_string(server_.port());
    EXPECT_EQ(server_.max_concurrent("127.0.0.1:" + port), 2u);
    EXPECT_EQ(server_.max_concurrent("localhost:" + port), 2u);
    // The two hosts ran side by side: the limit is per host, not global.
    EXPECT_GE(server_.max_concurrent(), 3u);
    EXPECT_EQ(fetcher.in_flight(), 0u);
}

TEST_F(FetcherTest, GlobalConcurrencyQueuesTheRest) {
    auto slow = Response::ok(kFeed);
    slow.delay = 30ms;
    server_.set("/feed.xml", slow);
    auto options = test_options();
    options.concurrency = 3;
    options.per_host = 50;
    Fetcher fetcher(curl_, options);
    constexpr std::size_t kRequests = 15;
    for (std::size_t i = 0; i < kRequests; ++i) {
        fetcher.submit(request_for(server_.url("/feed.xml?n=" + std::to_string(i)), i));
    }
    EXPECT_EQ(fetcher.in_flight(), kRequests);
    const auto outcomes = collect(fetcher, kRequests, 20s);
    ASSERT_EQ(outcomes.size(), kRequests);
    EXPECT_LE(server_.max_concurrent(), 3u);
    EXPECT_GE(server_.max_concurrent(), 2u);
    std::vector<std::uint64_t> tokens;
    for (const auto& outcome : outcomes) tokens.push_back(outcome.token);
    std::ranges::sort(tokens);
    for (std::size_t i = 0; i < kRequests; ++i) EXPECT_EQ(tokens[i], i);
}

TEST_F(FetcherTest, ReusesKeepAliveConnections) {
    server_.set("/feed.xml", Response::ok(kFeed));
    Fetcher fetcher(curl_, test_options());
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(fetch(fetcher, request_for(server_.url("/feed.xml"))).kind, OutcomeKind::kOk);
    }
    EXPECT_EQ(server_.request_count(), 5u);
    EXPECT_EQ(server_.connections_accepted(), 1u);
}

TEST_F(FetcherTest, DestroyingWithTransfersInFlightIsClean) {
    auto slow = Response::ok(kFeed);
    slow.delay = 20s;  // never answered within the test: the destructor must cut it short
    server_.set("/slow", slow);
    auto options = test_options();
    options.concurrency = 2;
    auto fetcher = std::make_unique<Fetcher>(curl_, options);
    for (std::uint64_t i = 0; i < 5; ++i) fetcher->submit(request_for(server_.url("/slow"), i));
    ASSERT_TRUE(test::wait_until(
        [&] {
            for (const auto& outcome : fetcher->poll(10ms)) ADD_FAILURE() << outcome.error.message;
            return server_.request_count() == 2;
        },
        5s));
    EXPECT_EQ(fetcher->running(), 2u);
    EXPECT_EQ(fetcher->in_flight(), 5u);
    const auto started = std::chrono::steady_clock::now();
    fetcher.reset();
    EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
}

TEST_F(FetcherTest, WakeupInterruptsPoll) {
    Fetcher fetcher(curl_, test_options());
    const auto started = std::chrono::steady_clock::now();
    // Whether the wakeup lands before or during the poll, the poll must return early.
    std::thread waker([&] { fetcher.wakeup(); });
    const auto outcomes = fetcher.poll(30s);
    waker.join();
    EXPECT_TRUE(outcomes.empty());
    EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
}

}  // namespace
}  // namespace herald::fetcher::testing
