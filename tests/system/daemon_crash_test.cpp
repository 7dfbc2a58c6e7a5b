// Crash loop: heraldd polling feeds that grow on every request is SIGKILLed at random moments, then
// runs clean. Every item ever served must be stored exactly once, and seqs must be dense.
#include <csignal>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include <herald/store.hpp>

#include "daemon_harness.hpp"
#include "http_server.hpp"

namespace herald::test {
namespace {

using namespace std::chrono_literals;

constexpr int kCycles = 20;
const std::vector<std::string> kFeeds{"grow-a", "grow-b", "grow-c"};

// Feeds on the test HTTP server that grow by one item on every request. Records every item
// any response carried ("served").
class GrowingFeeds {
public:
    explicit GrowingFeeds(HttpServer& server) {
        for (const auto& feed : kFeeds) {
            server.handle("/" + feed + ".xml", [this, feed](const RecordedRequest&) {
                std::lock_guard lock(mutex_);
                auto& items = items_[feed];
                if (!frozen_) {
                    std::string guid = feed + "-" + std::to_string(items.size());
                    items.push_back({guid, "Title " + guid, "Body " + guid});
                }
                for (const auto& item : items) served_.insert(item.guid);
                return Response::ok(rss_document("feed " + feed, items));
            });
        }
    }
    // From now on every response repeats the current items.
    void freeze() {
        std::lock_guard lock(mutex_);
        frozen_ = true;
    }
    [[nodiscard]] std::set<std::string> served() const {
        std::lock_guard lock(mutex_);
        return served_;
    }

private:
    mutable std::mutex mutex_;
    std::map<std::string, std::vector<TestItem>> items_;
    std::set<std::string> served_;
    bool frozen_ = false;
};

TEST(DaemonCrash, SigkillLoopLosesNothingAndDuplicatesNothing) {
    zmq::context_t context;
    DaemonHome home;
    HttpServer server;
    GrowingFeeds growing(server);
    std::vector<std::string> urls;
    for (const auto& feed : kFeeds) urls.push_back(server.url("/" + feed + ".xml"));
    home.write_config(urls);
    std::mt19937 random(20261125);
    for (int cycle = 0; cycle < kCycles; ++cycle) {
        Process daemon = home.start();
        auto kill_at =
            std::chrono::steady_clock::now() + std::chrono::milliseconds{100 + random() % 900};
        // Keep it busy polling until the kill.
        while (std::chrono::steady_clock::now() < kill_at && daemon.running()) {
            (void)control_request(context, home.control_endpoint(), R"({"op":"refresh"})", 50ms);
        }
        ASSERT_TRUE(daemon.running()) << "cycle " << cycle << ": " << daemon.stderr_text();
        daemon.kill();
    }
    growing.freeze();
    ASSERT_GT(growing.served().size(), 50u);

    // Clean run: poll until every served item is in the store.
    Process daemon = home.start_ready(context);
    std::vector<nlohmann::json> events;
    ASSERT_TRUE(wait_until(
        [&] {
            (void)control_request(context, home.control_endpoint(), R"({"op":"refresh"})", 500ms);
            events.clear();
            std::int64_t after = 0;
            for (int page = 0; page < 100; ++page) {
                auto reply = control_request(
                    context, home.control_endpoint(),
                    R"({"op":"replay","limit":1000,"after":)" + std::to_string(after) + "}");
                if (!reply || (*reply)["ok"] != true || (*reply)["events"].empty()) break;
                for (const auto& event : (*reply)["events"]) events.push_back(event);
                after = events.back()["seq"];
            }
            std::size_t items = 0;
            for (const auto& event : events) items += event["kind"] == "item.new" ? 1 : 0;
            return items >= growing.served().size();
        },
        30s, 200ms))
        << daemon.stderr_text();

    const std::set<std::string> served = growing.served();
    std::map<std::string, int> stored;
    for (std::size_t i = 0; i < events.size(); ++i) {
        EXPECT_EQ(events[i]["seq"], static_cast<std::int64_t>(i + 1)) << "seqs not dense";
        if (events[i]["kind"] == "item.new") ++stored[events[i]["item"]["guid"].get<std::string>()];
    }
    for (const auto& guid : served) EXPECT_EQ(stored[guid], 1) << guid;
    EXPECT_EQ(stored.size(), served.size());

    ASSERT_TRUE(daemon.signal(SIGTERM));
    ASSERT_EQ(daemon.wait(5s), 0);
    auto store = store::Store::open(home.path() / "state" / "herald.db", {.read_only = true});
    ASSERT_TRUE(store.has_value()) << store.error().message;
    auto check = store->check();
    ASSERT_TRUE(check.has_value());
    EXPECT_TRUE(check->ok) << (check->problems.empty() ? "" : check->problems.front());
}

}  // namespace
}  // namespace herald::test
