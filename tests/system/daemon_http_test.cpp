// heraldd over HTTP (the fault-injecting test server on 127.0.0.1): validators and 304s,
// failures as feed.error, recovery as feed.ok, and the --once summary.
#include <csignal>

#include <gtest/gtest.h>

#include "daemon_harness.hpp"
#include "http_server.hpp"

namespace herald::test {
namespace {

using namespace std::chrono_literals;

const std::string kEtag = "\"v1-\xC3\xA9tag\"";  // not plain ASCII: must come back byte for byte
const std::string kLastModified = "Wed, 25 Nov 2026 10:00:00 GMT";

std::string two_items() {
    return rss_document("http feed", {{"h-1", "first", "a"}, {"h-2", "second", "b"}});
}

TEST(DaemonHttp, OnceSendsValidatorsAndCounts304s) {
    HttpServer server;
    server.handle("/cond.xml", [](const RecordedRequest& request) {
        if (request.header("If-None-Match") == kEtag) return Response::not_modified();
        return Response::ok(two_items())
            .header("ETag", kEtag)
            .header("Last-Modified", kLastModified);
    });
    server.set("/broken.xml", Response::with_status(500, "oops"));
    server.set("/html.xml", Response::ok("<html><body>not a feed</body></html>", "text/html"));
    DaemonHome home;
    home.write_config(
        {server.url("/cond.xml"), server.url("/broken.xml"), server.url("/html.xml")});

    Process first = home.start({}, {"--once"});
    ASSERT_EQ(first.wait(20s), 0) << first.stderr_text();
    EXPECT_NE(
        first.stdout_text().find("polled 3 feeds: 1 ok (200), 0 not modified (304), 2 errors; "
                                 "2 new items"),
        std::string::npos)
        << first.stdout_text();

    Process second = home.start({}, {"--once"});
    ASSERT_EQ(second.wait(20s), 0) << second.stderr_text();
    EXPECT_NE(second.stdout_text().find("0 ok (200), 1 not modified (304), 2 errors; 0 new items"),
              std::string::npos)
        << second.stdout_text();

    auto requests = server.requests("/cond.xml");
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_FALSE(requests[0].header("If-None-Match").has_value());
    EXPECT_EQ(requests[1].header("If-None-Match"), kEtag);
    EXPECT_EQ(requests[1].header("If-Modified-Since"), kLastModified);
    auto agent = requests[0].header("User-Agent");
    ASSERT_TRUE(agent.has_value());
    EXPECT_NE(agent->find("herald"), std::string::npos);
    EXPECT_FALSE(requests[0].header("Cookie").has_value());
    EXPECT_FALSE(requests[0].header("Referer").has_value());
}

TEST(DaemonHttp, FailureIsFeedErrorAndRecoveryIsFeedOk) {
    zmq::context_t context;
    HttpServer server;
    server.script("/flaky.xml", {Response::ok(two_items()), Response::with_status(503, "busy"),
                                 Response::ok(rss_document("http feed", {{"h-1", "first", "a"},
                                                                         {"h-2", "second", "b"},
                                                                         {"h-3", "third", "c"}}))});
    DaemonHome home;
    home.write_config({server.url("/flaky.xml")});
    Subscriber subscriber(context, home.events_endpoint());
    Process daemon = home.start_ready(context);
    ASSERT_TRUE(subscriber.wait_heartbeat(5s).has_value());
    std::vector<ReceivedEvent> events;
    // The scheduler polls again on its own (intervals are 1-2 s here, backoff included).
    ASSERT_TRUE(subscriber.collect(
        events, [](const auto& all) { return !item_events(all, "feed.ok").empty(); }, 20s))
        << daemon.stderr_text();
    auto errors = item_events(events, "feed.error");
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_NE(errors[0]->json["error"].get<std::string>().find("503"), std::string::npos)
        << errors[0]->payload;
    auto fresh = item_events(events, "item.new");
    ASSERT_FALSE(fresh.empty());
    EXPECT_EQ(fresh.back()->json["item"]["guid"], "h-3");
    EXPECT_TRUE(daemon.running());
    ASSERT_TRUE(daemon.signal(SIGTERM));
    EXPECT_EQ(daemon.wait(5s), 0);
}

}  // namespace
}  // namespace herald::test
