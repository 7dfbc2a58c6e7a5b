// heraldd end to end: real daemon, real feeds on disk, real ZeroMQ subscriber.
#include <csignal>
#include <fstream>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include <herald/store.hpp>

#include "daemon_harness.hpp"

namespace herald::test {
namespace {

using namespace std::chrono_literals;

std::vector<TestItem> make_items(const std::string& feed, int first, int count) {
    std::vector<TestItem> items;
    for (int i = first; i < first + count; ++i) {
        std::string id = feed + "-" + std::to_string(i);
        items.push_back({id, "Item " + id, "<p>Body of " + id + "</p>"});
    }
    return items;
}

bool refresh(zmq::context_t& context, const DaemonHome& home) {
    auto reply = control_request(context, home.control_endpoint(), R"({"op":"refresh"})");
    return reply && (*reply)["ok"] == true;
}

std::size_t count_kind(const std::vector<ReceivedEvent>& events, const std::string& kind) {
    return item_events(events, kind).size();
}

class DaemonEvents : public ::testing::Test {
protected:
    zmq::context_t context_;
    DaemonHome home_;
};

TEST_F(DaemonEvents, EveryItemOnceDenseSeqsUpdatesRestartAndReplay) {
    const std::vector<std::string> feeds{"alpha", "beta", "gamma"};
    std::map<std::string, std::vector<TestItem>> content;
    for (const auto& feed : feeds) {
        content[feed] = {};
        home_.write_feed(feed, {});
    }
    home_.write_config(feeds);
    Subscriber subscriber(context_, home_.events_endpoint());
    Process daemon = home_.start_ready(context_);
    ASSERT_TRUE(subscriber.wait_heartbeat(5s).has_value()) << daemon.stderr_text();

    // Two rounds of new items in every feed.
    std::vector<ReceivedEvent> events;
    for (int round = 0; round < 2; ++round) {
        for (const auto& feed : feeds) {
            auto more = make_items(feed, round * 4, 4);
            content[feed].insert(content[feed].end(), more.begin(), more.end());
            home_.write_feed(feed, content[feed]);
        }
        ASSERT_TRUE(refresh(context_, home_));
        const std::size_t expected = static_cast<std::size_t>((round + 1) * 4 * 3);
        ASSERT_TRUE(subscriber.collect(
            events, [&](const auto& all) { return count_kind(all, "item.new") >= expected; }, 10s))
            << "got " << count_kind(events, "item.new") << " item.new\n"
            << daemon.stderr_text();
    }

    // Exactly once each, with the contract's topic and payload.
    std::set<std::string> guids;
    std::string store_id;
    for (const auto* event : item_events(events, "item.new")) {
        const auto& json = event->json;
        ASSERT_FALSE(json.is_discarded()) << event->payload;
        EXPECT_EQ(json["kind"], "item.new");
        const std::string feed = json["feed"]["name"];
        EXPECT_EQ(event->topic, "item.new/" + feed + "/");
        EXPECT_TRUE(guids.insert(json["item"]["guid"].get<std::string>()).second)
            << "duplicate " << event->payload;
        EXPECT_TRUE(json["item"]["id"].is_number_integer());
        EXPECT_TRUE(json["at"].get<std::string>().ends_with("Z"));
        if (store_id.empty()) store_id = json["store"];
        EXPECT_EQ(json["store"], store_id);
    }
    EXPECT_EQ(guids.size(), 24u);

    // An edited item gives item.updated with the same item id.
    const std::int64_t edited_id = [&] {
        for (const auto* event : item_events(events, "item.new")) {
            if (event->json["item"]["guid"] == "beta-1")
                return event->json["item"]["id"].get<std::int64_t>();
        }
        return std::int64_t{-1};
    }();
    content["beta"][1].title = "Item beta-1, corrected";
    home_.write_feed("beta", content["beta"]);
    ASSERT_TRUE(refresh(context_, home_));
    ASSERT_TRUE(subscriber.collect(
        events, [&](const auto& all) { return count_kind(all, "item.updated") >= 1; }, 10s))
        << daemon.stderr_text();
    auto updated = item_events(events, "item.updated");
    ASSERT_EQ(updated.size(), 1u);
    EXPECT_EQ(updated[0]->topic, "item.updated/beta/");
    EXPECT_EQ(updated[0]->json["item"]["id"], edited_id);
    EXPECT_EQ(updated[0]->json["item"]["title"], "Item beta-1, corrected");

    // Seqs are dense from 1, in order.
    auto seqs = seqs_of(events);
    ASSERT_EQ(seqs.size(), 25u);
    for (std::size_t i = 0; i < seqs.size(); ++i)
        EXPECT_EQ(seqs[i], static_cast<std::int64_t>(i + 1));

    // A heartbeat carries the store id and the last seq published.
    auto heartbeat = subscriber.wait_heartbeat(5s);
    ASSERT_TRUE(heartbeat.has_value());
    EXPECT_EQ(heartbeat->json["kind"], "heartbeat");
    EXPECT_EQ(heartbeat->json["store"], store_id);
    EXPECT_EQ(heartbeat->json["last_seq"], 25);

    // Replay gives back exactly what was published.
    auto replay = control_request(context_, home_.control_endpoint(),
                                  R"({"op":"replay","after":0,"limit":1000})");
    ASSERT_TRUE(replay.has_value());
    ASSERT_EQ((*replay)["ok"], true) << replay->dump();
    EXPECT_EQ((*replay)["last_seq"], 25);
    std::vector<nlohmann::json> published;
    for (const auto& event : events) {
        if (event.topic != "heartbeat/") published.push_back(event.json);
    }
    std::vector<nlohmann::json> replayed((*replay)["events"].begin(), (*replay)["events"].end());
    EXPECT_EQ(replayed, published);
    auto partial = control_request(context_, home_.control_endpoint(),
                                   R"({"op":"replay","after":20,"limit":2})");
    ASSERT_TRUE(partial.has_value());
    ASSERT_EQ((*partial)["events"].size(), 2u);
    EXPECT_EQ((*partial)["events"][0]["seq"], 21);

    // Restart: nothing old is published again and the seq continues.
    ASSERT_TRUE(daemon.signal(SIGTERM));
    ASSERT_EQ(daemon.wait(5s), 0) << daemon.stderr_text();
    events.clear();
    Process restarted = home_.start_ready(context_);
    ASSERT_TRUE(subscriber.wait_heartbeat(5s).has_value());
    ASSERT_TRUE(refresh(context_, home_));
    content["gamma"].push_back({"gamma-new", "Item gamma-new", "fresh"});
    home_.write_feed("gamma", content["gamma"]);
    ASSERT_TRUE(refresh(context_, home_));
    ASSERT_TRUE(subscriber.collect(
        events, [&](const auto& all) { return count_kind(all, "item.new") >= 1; }, 10s))
        << restarted.stderr_text();
    // Let any (wrong) re-announcements of old items arrive too, up to the next heartbeats.
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(subscriber.wait_heartbeat(5s).has_value());
    auto fresh = item_events(events, "item.new");
    ASSERT_EQ(fresh.size(), 1u);
    EXPECT_EQ(fresh[0]->json["item"]["guid"], "gamma-new");
    EXPECT_EQ(fresh[0]->json["seq"], 26);
    EXPECT_EQ(fresh[0]->json["store"], store_id);
    EXPECT_EQ(seqs_of(events), std::vector<std::int64_t>{26});
}

TEST_F(DaemonEvents, FirstPollItemsAreInitialAndFeedErrorsRecover) {
    home_.write_feed("one", make_items("one", 0, 2));
    home_.write_config({"one"});
    Subscriber subscriber(context_, home_.events_endpoint());
    Process daemon = home_.start_ready(context_);
    ASSERT_TRUE(subscriber.wait_heartbeat(5s).has_value());
    std::vector<ReceivedEvent> events;
    // The first poll may have run before the subscriber connected: replay fills in.
    ASSERT_TRUE(wait_until(
        [&] {
            auto reply =
                control_request(context_, home_.control_endpoint(), R"({"op":"replay","after":0})");
            return reply && (*reply)["events"].size() >= 2;
        },
        10s));
    auto replay =
        control_request(context_, home_.control_endpoint(), R"({"op":"replay","after":0})");
    for (const auto& event : (*replay)["events"]) EXPECT_EQ(event["item"]["initial"], true);

    // Break the feed: a feed.error event; repair it: feed.ok.
    {
        std::ofstream broken(home_.feed_file("one"));
        broken << "this is not a feed";
    }
    ASSERT_TRUE(refresh(context_, home_));
    ASSERT_TRUE(subscriber.collect(
        events, [&](const auto& all) { return count_kind(all, "feed.error") >= 1; }, 10s))
        << daemon.stderr_text();
    auto error = item_events(events, "feed.error");
    EXPECT_EQ(error[0]->topic, "feed.error/one/");
    EXPECT_TRUE(error[0]->json.contains("error"));
    EXPECT_FALSE(error[0]->json.contains("item"));

    auto items = make_items("one", 0, 3);
    home_.write_feed("one", items);
    ASSERT_TRUE(refresh(context_, home_));
    ASSERT_TRUE(subscriber.collect(
        events,
        [&](const auto& all) {
            return count_kind(all, "feed.ok") >= 1 && count_kind(all, "item.new") >= 1;
        },
        10s))
        << daemon.stderr_text();
    auto fresh = item_events(events, "item.new");
    ASSERT_EQ(fresh.size(), 1u);
    EXPECT_EQ(fresh[0]->json["item"]["guid"], "one-2");
    EXPECT_EQ(fresh[0]->json["item"]["initial"], false);
    EXPECT_TRUE(daemon.running());
}

TEST_F(DaemonEvents, FeedAddedToTheStoreIsPolledWithinASecond) {
    Subscriber subscriber(context_, home_.events_endpoint());
    Process daemon = home_.start_ready(context_);
    ASSERT_TRUE(subscriber.wait_heartbeat(5s).has_value());
    home_.write_feed("added", make_items("added", 0, 2));
    {
        // What `herald feeds add` does: a second connection writing the feed into the store.
        auto store = store::Store::open(home_.path() / "state" / "herald.db");
        ASSERT_TRUE(store.has_value()) << store.error().message;
        store::FeedSpec spec;
        spec.url = "file://" + home_.feed_file("added").string();
        spec.name = "added";
        ASSERT_TRUE(store->add_feed(spec).has_value());
    }
    auto added_at = std::chrono::steady_clock::now();
    std::vector<ReceivedEvent> events;
    ASSERT_TRUE(subscriber.collect(
        events, [](const auto& all) { return count_kind(all, "item.new") >= 2; }, 5s))
        << daemon.stderr_text();
    // Within a second of the change (plus a little for the poll itself).
    EXPECT_LT(std::chrono::steady_clock::now() - added_at, 1500ms);
    EXPECT_EQ(item_events(events, "item.new")[0]->topic, "item.new/added/");
}

}  // namespace
}  // namespace herald::test
