#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <herald/store.hpp>

#include "test_util.hpp"

namespace herald::store {
namespace {

using testing::apply_one;
using testing::make_item;
using testing::must;
using testing::parsed_outcome;

class StoreTest : public ::testing::Test {
protected:
    Store open(OpenOptions options = {}) { return must(Store::open(db_path(), options)); }
    std::filesystem::path db_path() const { return dir_.path() / "herald.db"; }
    std::int64_t add(Store& store, const std::string& name) {
        return must(store.add_feed({"https://example.org/" + name + ".xml", name, {}, {}})).id;
    }

    testing::TempDir dir_;
};

std::vector<std::int64_t> seqs(const ApplyResult& result) {
    std::vector<std::int64_t> out;
    for (const auto& event : result.events) out.push_back(event.seq);
    return out;
}

TEST_F(StoreTest, CreatesStoreWithStableRandomId) {
    std::string id;
    {
        auto store = open();
        id = store.store_id();
        EXPECT_EQ(id.size(), 16u);
        EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
    }
    auto again = open();
    EXPECT_EQ(again.store_id(), id);
    testing::TempDir other;
    auto fresh = must(Store::open(other.path() / "x.db"));
    EXPECT_NE(fresh.store_id(), id);
}

TEST_F(StoreTest, DedupesByGuidAndNumbersEventsFromOne) {
    auto store = open();
    auto feed = add(store, "a");
    auto first =
        apply_one(store, parsed_outcome(feed, {make_item("g2", "two"), make_item("g1", "one")}));
    EXPECT_EQ(first.new_items, 2);
    EXPECT_EQ(seqs(first), (std::vector<std::int64_t>{1, 2}));
    // Stored oldest first: the document's last item gets the first seq.
    auto payload = nlohmann::json::parse(first.events[0].payload);
    EXPECT_EQ(payload["item"]["guid"], "g1");
    EXPECT_EQ(payload["kind"], "item.new");
    EXPECT_EQ(payload["item"]["initial"], true);
    EXPECT_EQ(payload["store"], store.store_id());
    EXPECT_EQ(payload["at"], "2023-11-14T22:15:00.123Z");
    EXPECT_EQ(payload["feed"]["name"], "a");
    EXPECT_EQ(payload["feed"]["title"], "Example");
    EXPECT_EQ(first.events[0].topic(), "item.new/a/");

    // Same guids, other links and reordered: nothing new.
    auto moved = make_item("g1", "one");
    moved.link = "https://elsewhere.example/1";
    auto second = apply_one(
        store, parsed_outcome(feed, {make_item("g3", "three"), moved, make_item("g2", "two")}));
    EXPECT_EQ(second.new_items, 1);
    ASSERT_EQ(second.events.size(), 2u);  // g3 new, g1 updated (its link changed)
    EXPECT_EQ(second.events[0].kind, EventKind::kItemUpdated);
    EXPECT_EQ(second.events[1].kind, EventKind::kItemNew);
    EXPECT_EQ(nlohmann::json::parse(second.events[1].payload)["item"]["initial"], false);
    EXPECT_EQ(must(store.last_seq()), 4);
}

TEST_F(StoreTest, DedupesByLinkWhenGuidsAreMissing) {
    auto store = open();
    auto feed = add(store, "a");
    auto a = make_item("", "A");
    auto b = make_item("", "B");
    EXPECT_EQ(apply_one(store, parsed_outcome(feed, {a, b})).new_items, 2);
    a.published.reset();  // same link: the same item, whatever else moved
    EXPECT_EQ(apply_one(store, parsed_outcome(feed, {a, b})).new_items, 0);
}

TEST_F(StoreTest, DedupesByContentHashWithoutGuidOrLink) {
    auto store = open();
    auto feed = add(store, "a");
    auto a = make_item("", "A", "alpha");
    auto b = make_item("", "B", "beta");
    a.link.reset();
    b.link.reset();
    EXPECT_EQ(apply_one(store, parsed_outcome(feed, {a, b})).new_items, 2);
    a.link = "https://example.org/late-link";  // not part of the hash: still the same item
    EXPECT_EQ(apply_one(store, parsed_outcome(feed, {a, b})).new_items, 0);
    // Without an id, an edit is a different item (the hash covers the bytes as written).
    b.content = "beta, edited";
    EXPECT_EQ(apply_one(store, parsed_outcome(feed, {a, b})).new_items, 1);
}

TEST_F(StoreTest, RepeatedGuidsDegradeTheFeedToLinksForGood) {
    auto store = open();
    auto feed = add(store, "a");
    std::vector<parser::Item> items;
    for (int i = 0; i < 10; ++i) {
        auto item = make_item("same-guid", "t" + std::to_string(i));
        item.link = "https://example.org/p" + std::to_string(i);
        items.push_back(item);
    }
    auto first = apply_one(store, parsed_outcome(feed, items));
    EXPECT_EQ(first.new_items, 10);  // by guid these would have collapsed into one
    // Later fetches with proper guids keep the link rule, so nothing comes back as new.
    for (int i = 0; i < 10; ++i)
        items[static_cast<std::size_t>(i)].id = "fixed" + std::to_string(i);
    EXPECT_EQ(apply_one(store, parsed_outcome(feed, items)).new_items, 0);
}

TEST_F(StoreTest, GuidRuleSurvivesAFewBlankGuids) {
    auto store = open();
    auto feed = add(store, "a");
    std::vector<parser::Item> items;
    for (int i = 0; i < 40; ++i) items.push_back(make_item("g" + std::to_string(i), "t"));
    items[5].id = "  ";  // 1 of 40 is under 5%: the guid rule stays, this one uses its link
    EXPECT_EQ(apply_one(store, parsed_outcome(feed, items)).new_items, 40);
    auto relinked = items;
    relinked[7].link = "https://example.org/moved";
    auto again = apply_one(store, parsed_outcome(feed, relinked));
    EXPECT_EQ(again.new_items, 0);  // guid still identifies g7
    EXPECT_EQ(again.updated_items, 1);
}

TEST_F(StoreTest, DetectsUpdatesButIgnoresWhitespace) {
    auto store = open();
    auto feed = add(store, "a");
    apply_one(store, parsed_outcome(feed, {make_item("g1", "Title", "<p>Hello world</p>")}));
    auto same = apply_one(
        store, parsed_outcome(feed, {make_item("g1", " Title ", "<p>Hello \n world</p>")}));
    EXPECT_TRUE(same.events.empty());
    EXPECT_EQ(same.unchanged_items, 1);
    auto edited = make_item("g1", "Title", "<p>Hello there</p>");
    edited.author = "someone";  // not a field that makes an update on its own
    auto changed = apply_one(store, parsed_outcome(feed, {edited}));
    ASSERT_EQ(changed.events.size(), 1u);
    EXPECT_EQ(changed.events[0].kind, EventKind::kItemUpdated);
    auto payload = nlohmann::json::parse(changed.events[0].payload);
    EXPECT_EQ(payload["item"]["id"], 1);
    EXPECT_EQ(payload["item"]["content"], "<p>Hello there</p>");
    auto stored = must(store.get_item(1));
    EXPECT_EQ(stored.item.content, "<p>Hello there</p>");
    EXPECT_EQ(stored.seq, 1);  // the seq of its item.new, not of the update
}

TEST_F(StoreTest, ReplayGivesPublishedBytesEvenAfterEdits) {
    auto store = open();
    auto feed = add(store, "a");
    auto first = apply_one(store, parsed_outcome(feed, {make_item("g1", "v1")}));
    auto second = apply_one(store, parsed_outcome(feed, {make_item("g1", "v2")}, "Renamed"));
    auto failed = parsed_outcome(feed, {});
    failed.parsed.reset();
    failed.error = "HTTP 500";
    auto third = apply_one(store, failed);
    std::vector<Event> published = first.events;
    published.insert(published.end(), second.events.begin(), second.events.end());
    published.insert(published.end(), third.events.begin(), third.events.end());
    ASSERT_EQ(published.size(), 3u);
    auto replayed = must(store.replay(0, 100));
    ASSERT_EQ(replayed.size(), published.size());
    for (std::size_t i = 0; i < published.size(); ++i) {
        EXPECT_EQ(replayed[i].payload, published[i].payload) << "seq " << published[i].seq;
        EXPECT_EQ(replayed[i].topic(), published[i].topic());
    }
    EXPECT_EQ(nlohmann::json::parse(replayed[0].payload)["item"]["title"], "v1");
    EXPECT_EQ(nlohmann::json::parse(replayed[0].payload)["feed"]["title"], "Example");
    EXPECT_EQ(nlohmann::json::parse(replayed[2].payload)["error"], "HTTP 500");
    EXPECT_EQ(must(store.replay(2, 100)).size(), 1u);
    EXPECT_TRUE(must(store.replay(3, 100)).empty());
}

// Replay reads each event joined with the body it showed: from items while the item is
// unchanged, from versions after an edit or retention. Every page size must give back the
// published bytes, in order, whichever table a body comes from.
TEST_F(StoreTest, ReplayPagesGivePublishedBytesFromItemsAndVersions) {
    OpenOptions options;
    options.keep_items = 3;
    auto store = open(options);
    auto a = add(store, "a");
    auto b = add(store, "b");
    std::vector<Event> published;
    auto keep = [&](const ApplyResult& result) {
        published.insert(published.end(), result.events.begin(), result.events.end());
    };
    auto rich = make_item("r1", "caf\xC3\xA9 \"quoted\"\ttab", "line\nbreak \x01 \xFF broken");
    rich.categories = {"one", "two"};
    rich.enclosures.push_back({"https://example.org/a.mp3", "audio/mpeg", 1234});
    rich.author = "Jane";
    rich.summary = std::string(3000, 's');
    keep(apply_one(store, parsed_outcome(a, {rich, make_item("a1", "x"), make_item("a2", "y")})));
    keep(apply_one(store, parsed_outcome(b, {make_item("b1", "z")})));
    rich.title = "edited once";
    keep(apply_one(store, parsed_outcome(a, {rich}, "Renamed")));
    rich.title = "edited twice";
    keep(apply_one(store, parsed_outcome(a, {rich})));
    auto failed = parsed_outcome(b, {});
    failed.parsed.reset();
    failed.error = "HTTP \"500\"";
    keep(apply_one(store, failed));
    for (int i = 0; i < 4; ++i) {
        auto item = make_item("late" + std::to_string(i), "late");
        item.published = parser::Time(std::chrono::seconds(1'800'000'000 + i));
        keep(apply_one(store, parsed_outcome(a, {item})));
    }
    EXPECT_GT(must(store.prune(parser::Time(std::chrono::seconds(1'900'000'000)))).items_tombstoned,
              0);
    ASSERT_EQ(published.size(), 11u);
    for (int limit : {1, 2, 5, 1000}) {
        std::vector<Event> replayed;
        std::int64_t after = 0;
        for (int page = 0; page < 100; ++page) {
            auto events = must(store.replay(after, limit));
            if (events.empty()) break;
            EXPECT_LE(events.size(), static_cast<std::size_t>(limit));
            after = events.back().seq;
            replayed.insert(replayed.end(), events.begin(), events.end());
        }
        ASSERT_EQ(replayed.size(), published.size()) << "limit " << limit;
        for (std::size_t i = 0; i < published.size(); ++i) {
            EXPECT_EQ(replayed[i].payload, published[i].payload) << "seq " << published[i].seq;
            EXPECT_EQ(replayed[i].topic(), published[i].topic());
        }
    }
    // replay_json: the same bytes joined by commas, and nothing after `through`.
    std::string joined;
    for (std::size_t i = 2; i < 9; ++i) joined += (i > 2 ? "," : "") + published[i].payload;
    auto page = must(store.replay_json(published[1].seq, 1000, published[8].seq));
    EXPECT_EQ(page.payloads, joined);
    EXPECT_EQ(page.count, 7);
    EXPECT_EQ(page.last_seq, published[8].seq);
    auto array = nlohmann::json::parse("[" + must(store.replay_json(0, 3, 1000)).payloads + "]");
    ASSERT_EQ(array.size(), 3u);
    EXPECT_EQ(array[2]["seq"], published[2].seq);
    EXPECT_EQ(must(store.replay_json(published.back().seq, 10, 1000, "[")).payloads, "[");
    EXPECT_EQ(must(store.replay_json(0, 1, 1000, "head:")).payloads,
              "head:" + published[0].payload);
    EXPECT_TRUE(must(store.check()).ok);
}

TEST_F(StoreTest, FeedErrorOnceThenOkWhenItRecovers) {
    auto store = open();
    auto feed = add(store, "a");
    auto failing = parsed_outcome(feed, {});
    failing.parsed.reset();
    failing.error = "timeout";
    auto e1 = apply_one(store, failing);
    ASSERT_EQ(e1.events.size(), 1u);
    EXPECT_EQ(e1.events[0].topic(), "feed.error/a/");
    EXPECT_TRUE(apply_one(store, failing).events.empty());  // same error: no news
    failing.error = "HTTP 404";
    EXPECT_EQ(apply_one(store, failing).events.size(), 1u);  // error changed
    EXPECT_EQ(must(store.find_feed("a")).state, FeedState::kError);
    auto ok = apply_one(store, parsed_outcome(feed, {make_item("g", "t")}));
    ASSERT_EQ(ok.events.size(), 2u);
    EXPECT_EQ(ok.events[0].kind, EventKind::kFeedOk);
    EXPECT_EQ(ok.events[1].kind, EventKind::kItemNew);
    EXPECT_EQ(must(store.find_feed("a")).state, FeedState::kOk);
    EXPECT_FALSE(nlohmann::json::parse(ok.events[0].payload).contains("item"));
}

TEST_F(StoreTest, KeepsFetchStateExactly) {
    auto store = open();
    auto feed = add(store, "a");
    auto outcome = parsed_outcome(feed, {});
    outcome.fetch.etag = "W/\"abc\"";
    outcome.fetch.last_modified = "Tue, 14 Nov 2023 22:13:20 GMT";
    outcome.fetch.next_poll = parser::Time(std::chrono::seconds(1'700'003'600));
    outcome.fetch.redirect_candidate = "https://example.org/new.xml";
    apply_one(store, outcome);
    auto record = must(store.get_feed(feed));
    EXPECT_EQ(record.fetch, outcome.fetch);
    EXPECT_TRUE(record.has_succeeded);
    EXPECT_EQ(record.title, "Example");
    auto due = must(store.due_feeds(parser::Time(std::chrono::seconds(1'700'003'599)), 10));
    EXPECT_TRUE(due.empty());
    due = must(store.due_feeds(parser::Time(std::chrono::seconds(1'700'003'600)), 10));
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(must(store.next_due()), outcome.fetch.next_poll);
}

TEST_F(StoreTest, RetentionLeavesTombstonesSoOldItemsNeverReturn) {
    OpenOptions options;
    options.keep_items = 2;
    auto store = open(options);
    auto feed = add(store, "a");
    std::vector<parser::Item> items;
    for (int i = 0; i < 5; ++i) {
        auto item = make_item("g" + std::to_string(i), "t" + std::to_string(i));
        item.published = parser::Time(std::chrono::seconds(1'600'000'000 + i));
        items.push_back(item);
    }
    EXPECT_EQ(apply_one(store, parsed_outcome(feed, items)).new_items, 5);
    auto pruned = must(store.prune(parser::Time(std::chrono::seconds(1'700'000'000))));
    EXPECT_EQ(pruned.items_tombstoned, 3);
    EXPECT_EQ(must(store.list_items({})).size(), 2u);
    auto again = apply_one(store, parsed_outcome(feed, items));
    EXPECT_EQ(again.new_items, 0);
    EXPECT_TRUE(again.events.empty());
    // The events of removed items still replay with their bodies.
    auto replayed = must(store.replay(0, 10));
    ASSERT_EQ(replayed.size(), 5u);
    // Stored oldest document position first: t4 came first, and t4 was pruned.
    EXPECT_EQ(nlohmann::json::parse(replayed[0].payload)["item"]["title"], "t4");
    auto status = must(store.status(parser::Time(std::chrono::seconds(0))));
    EXPECT_EQ(status.items, 2);
    EXPECT_EQ(status.tombstones, 3);
    EXPECT_TRUE(must(store.check()).ok);
}

TEST_F(StoreTest, ReplayOfPrunedRangeNamesFirstHeldSeq) {
    OpenOptions options;
    options.keep_events = 3;
    auto store = open(options);
    auto feed = add(store, "a");
    std::vector<parser::Item> items;
    for (int i = 0; i < 10; ++i) items.push_back(make_item("g" + std::to_string(i), "t"));
    apply_one(store, parsed_outcome(feed, items));
    EXPECT_EQ(must(store.prune(parser::Time{})).events_deleted, 7);
    auto replay = store.replay(0, 100);
    ASSERT_FALSE(replay);
    EXPECT_EQ(replay.error().kind, StoreErrorKind::kPruned);
    EXPECT_EQ(replay.error().first_seq, 8);
    auto tail = must(store.replay(7, 100));
    ASSERT_EQ(tail.size(), 3u);
    EXPECT_EQ(tail.front().seq, 8);
    EXPECT_EQ(tail.back().seq, 10);
    EXPECT_TRUE(must(store.check()).ok);
    // Numbering continues after pruning.
    auto more = apply_one(store, parsed_outcome(feed, {make_item("new", "t")}));
    EXPECT_EQ(seqs(more), (std::vector<std::int64_t>{11}));
}

TEST_F(StoreTest, WalIsCheckpointedWhileWriting) {
    // Regression: statements left mid-row at COMMIT made every automatic checkpoint a no-op,
    // so the database file stayed empty and the WAL grew without bound.
    auto store = open();
    auto feed = add(store, "a");
    const std::string body(8000, 'x');
    for (int batch = 0; batch < 10; ++batch) {
        std::vector<parser::Item> items;
        for (int i = 0; i < 300; ++i) {
            items.push_back(
                make_item("b" + std::to_string(batch) + "-" + std::to_string(i), "t", body));
        }
        apply_one(store, parsed_outcome(feed, items));
    }
    // 24 MB went in; the WAL checkpoints every 1000 pages (16 MB), so most of it is in the file.
    EXPECT_GT(std::filesystem::file_size(db_path()), 8u << 20);
}

TEST_F(StoreTest, ReplayLimitIsCapped) {
    auto store = open();
    auto feed = add(store, "a");
    std::vector<parser::Item> items;
    for (int i = 0; i < 1200; ++i) items.push_back(make_item("g" + std::to_string(i), "t"));
    apply_one(store, parsed_outcome(feed, items));
    EXPECT_EQ(must(store.replay(0, 5000)).size(), 1000u);
    EXPECT_EQ(must(store.replay(1100, 5000)).size(), 100u);
}

}  // namespace
}  // namespace herald::store
