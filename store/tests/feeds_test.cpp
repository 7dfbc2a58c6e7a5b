#include <atomic>
#include <fstream>
#include <thread>

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <herald/store.hpp>

#include "schema.hpp"
#include "test_util.hpp"

namespace herald::store {
namespace {

using testing::apply_one;
using testing::make_item;
using testing::must;
using testing::parsed_outcome;

class FeedsTest : public ::testing::Test {
protected:
    std::filesystem::path db_path() const { return dir_.path() / "herald.db"; }
    Store open(OpenOptions options = {}) { return must(Store::open(db_path(), options)); }
    testing::TempDir dir_;
};

FeedSpec spec(std::string name, std::string url) {
    return {std::move(url), std::move(name), {}, {}};
}

TEST_F(FeedsTest, ConfigSyncAddsUpdatesAndDisables) {
    auto store = open();
    std::vector<FeedSpec> config = {spec("a", "https://a.example/feed"),
                                    spec("b", "https://b.example/feed")};
    auto version = must(store.feeds_version());
    auto report = must(store.upsert_config_feeds(config));
    EXPECT_EQ(report.added, 2);
    EXPECT_GT(must(store.feeds_version()), version);
    version = must(store.feeds_version());
    report = must(store.upsert_config_feeds(config));  // unchanged config: nothing to do
    EXPECT_EQ(report.added + report.updated + report.disabled, 0);
    EXPECT_EQ(must(store.feeds_version()), version);

    config[0].interval = std::chrono::seconds(900);
    config[0].tags = {"news"};
    config.pop_back();
    report = must(store.upsert_config_feeds(config));
    EXPECT_EQ(report.updated, 1);
    EXPECT_EQ(report.disabled, 1);
    auto a = must(store.find_feed("a"));
    EXPECT_EQ(a.interval, std::chrono::seconds(900));
    EXPECT_EQ(a.tags, std::vector<std::string>{"news"});
    EXPECT_EQ(a.source, FeedSource::kConfig);
    auto b = must(store.find_feed("https://b.example/feed"));
    EXPECT_EQ(b.state, FeedState::kDisabled);
    EXPECT_EQ(must(store.list_feeds()).size(), 2u);
    auto due = must(store.due_feeds(parser::Time(std::chrono::seconds(1)), 10));
    ASSERT_EQ(due.size(), 1u);  // disabled feeds are never due
    EXPECT_EQ(due[0].name, "a");
}

TEST_F(FeedsTest, CliAddRejectsDuplicatesAndBadNames) {
    auto store = open();
    must(store.add_feed(spec("a", "https://a.example/feed")));
    auto same_url = store.add_feed(spec("other", "https://a.example/feed"));
    ASSERT_FALSE(same_url);
    EXPECT_EQ(same_url.error().kind, StoreErrorKind::kConflict);
    auto same_name = store.add_feed(spec("a", "https://x.example/feed"));
    ASSERT_FALSE(same_name);
    EXPECT_EQ(same_name.error().kind, StoreErrorKind::kConflict);
    auto bad = store.add_feed(spec("Bad Name", "https://y.example/feed"));
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().kind, StoreErrorKind::kInvalid);
    auto missing = store.find_feed("nope");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().kind, StoreErrorKind::kNotFound);
}

TEST_F(FeedsTest, RemovedFeedComesBackWithoutAnnouncingOldItems) {
    auto store = open();
    auto id = must(store.add_feed(spec("a", "https://a.example/feed"))).id;
    apply_one(store, parsed_outcome(id, {make_item("g1", "one"), make_item("g2", "two")}));
    must(store.remove_feed("a"));
    EXPECT_TRUE(must(store.list_feeds()).empty());
    EXPECT_TRUE(must(store.list_items({})).empty());
    auto again = must(store.add_feed(spec("a2", "https://a.example/feed")));
    EXPECT_EQ(again.id, id);
    auto result = apply_one(
        store, parsed_outcome(
                   id, {make_item("g3", "three"), make_item("g1", "one"), make_item("g2", "two")}));
    EXPECT_EQ(result.new_items, 1);
    EXPECT_EQ(must(store.replay(0, 10)).size(), 3u);  // the old events still replay
    auto check = must(store.check());
    EXPECT_TRUE(check.ok) << (check.problems.empty() ? "" : check.problems[0]);
}

TEST_F(FeedsTest, ItemQueriesNewestFirstByFeedAndSince) {
    auto store = open();
    auto a = must(store.add_feed(spec("a", "https://a.example/feed"))).id;
    auto b = must(store.add_feed(spec("b", "https://b.example/feed"))).id;
    std::vector<parser::Item> items;
    for (int i = 0; i < 5; ++i) {
        auto item = make_item("a" + std::to_string(i), "alpha " + std::to_string(i));
        item.published = parser::Time(std::chrono::seconds(1'600'000'000 + i * 100));
        items.push_back(item);
    }
    apply_one(store, parsed_outcome(a, items));
    apply_one(store, parsed_outcome(b, {make_item("b0", "beta")}));
    auto all = must(store.list_items({std::nullopt, std::nullopt, 3}));
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[0].item.title, "beta");  // published latest
    EXPECT_EQ(all[1].item.title, "alpha 4");
    auto only_a =
        must(store.list_items({"a", parser::Time(std::chrono::seconds(1'600'000'200)), 50}));
    ASSERT_EQ(only_a.size(), 3u);
    EXPECT_EQ(only_a[2].item.title, "alpha 2");
    auto json = nlohmann::json::parse(item_json(only_a[0]));
    EXPECT_EQ(json["feed"], "a");
    EXPECT_EQ(json["seq"], only_a[0].seq);
    EXPECT_EQ(json["title"], "alpha 4");
    EXPECT_EQ(json["published"], "2020-09-13T12:33:20Z");
    EXPECT_EQ(json["initial"], true);
    EXPECT_EQ(must(store.get_item(only_a[0].id)).item.title, "alpha 4");
    EXPECT_EQ(store.get_item(9999).error().kind, StoreErrorKind::kNotFound);
    EXPECT_EQ(store.list_items({"zzz", std::nullopt, 5}).error().kind, StoreErrorKind::kNotFound);
}

TEST_F(FeedsTest, SearchFindsWordsAndFollowsUpdates) {
    auto store = open();
    auto a = must(store.add_feed(spec("a", "https://a.example/feed"))).id;
    apply_one(store, parsed_outcome(a, {make_item("1", "Rust release", "compiler news"),
                                        make_item("2", "Gardening", "tomatoes \"and\" beans")}));
    EXPECT_EQ(must(store.search_items("compiler", {})).size(), 1u);
    EXPECT_EQ(must(store.search_items("tomat*", {})).size(), 1u);
    // Quotes, '-' and ':' are words here, not FTS5 syntax errors.
    EXPECT_EQ(must(store.search_items("\"and\" -beans:", {})).size(), 1u);
    apply_one(store, parsed_outcome(a, {make_item("1", "Rust release", "linker news")}));
    EXPECT_TRUE(must(store.search_items("compiler", {})).empty());
    EXPECT_EQ(must(store.search_items("linker", {"a", std::nullopt, 10})).size(), 1u);
    OpenOptions no_search;
    no_search.search = false;
    auto plain = must(Store::open(db_path(), no_search));
    EXPECT_EQ(plain.search_items("linker", {}).error().kind, StoreErrorKind::kInvalid);
}

TEST_F(FeedsTest, SearchIndexIsRebuiltWhenTurnedBackOn) {
    OpenOptions off;
    off.search = false;
    {
        auto store = open(off);
        auto a = must(store.add_feed(spec("a", "https://a.example/feed"))).id;
        apply_one(store, parsed_outcome(a, {make_item("1", "zebra crossing")}));
    }
    auto store = open();
    EXPECT_EQ(must(store.search_items("zebra", {})).size(), 1u);
    EXPECT_TRUE(must(store.check()).ok);
}

TEST_F(FeedsTest, ReadOnlyReaderErrors) {
    OpenOptions reader;
    reader.read_only = true;
    auto missing = Store::open(db_path(), reader);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().kind, StoreErrorKind::kNotFound);
    EXPECT_NE(missing.error().message.find(db_path().string()), std::string::npos);
    { auto writer = open(); }
    auto store = must(Store::open(db_path(), reader));
    auto refused = store.add_feed(spec("a", "https://a.example/feed"));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, StoreErrorKind::kReadOnly);
}

TEST_F(FeedsTest, CorruptFileIsNamedAsCorrupt) {
    {
        std::ofstream junk(db_path(), std::ios::binary);
        junk << std::string(40000, 'x');
    }
    auto store = Store::open(db_path());
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().kind, StoreErrorKind::kCorrupt);
    EXPECT_NE(store.error().message.find("herald.db"), std::string::npos);
}

TEST_F(FeedsTest, LockedDatabaseIsBusyAndRetryable) {
    OpenOptions options;
    options.busy_timeout = std::chrono::milliseconds(50);
    auto store = open(options);
    auto id = must(store.add_feed(spec("a", "https://a.example/feed"))).id;
    SQLite::Database other(db_path().string(), SQLite::OPEN_READWRITE);
    other.exec("BEGIN IMMEDIATE");
    auto outcome = parsed_outcome(id, {make_item("1", "one")});
    auto busy = store.apply(std::span<const FeedOutcome>(&outcome, 1));
    ASSERT_FALSE(busy);
    EXPECT_EQ(busy.error().kind, StoreErrorKind::kBusy);
    EXPECT_NE(busy.error().message.find("herald.db"), std::string::npos);
    other.exec("ROLLBACK");
    // Nothing was half-written: the retry stores the item with seq 1.
    auto retried = apply_one(store, outcome);
    ASSERT_EQ(retried.events.size(), 1u);
    EXPECT_EQ(retried.events[0].seq, 1);
}

TEST_F(FeedsTest, NewerSchemaIsRefused) {
    { auto store = open(); }
    {
        SQLite::Database db(db_path().string(), SQLite::OPEN_READWRITE);
        db.exec("PRAGMA user_version = 99");
    }
    auto store = Store::open(db_path());
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().kind, StoreErrorKind::kSchema);
}

TEST_F(FeedsTest, MigratesFromVersion1) {
    {
        // A store as version 1 left it, with a feed and an item in it.
        SQLite::Database db(db_path().string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        detail::migrate(db, 1);
        db.exec("INSERT INTO meta (key, value) VALUES ('store_id', '00112233aabbccdd')");
        ASSERT_EQ(detail::schema_version(db), 1);
        ASSERT_FALSE(
            db.execAndGet("SELECT count(*) FROM sqlite_master WHERE name = 'items_by_feed'")
                .getInt());
    }
    {
        auto store = open();
        EXPECT_EQ(store.store_id(), "00112233aabbccdd");
        auto id = must(store.add_feed(spec("a", "https://a.example/feed"))).id;
        apply_one(store, parsed_outcome(id, {make_item("1", "one")}));
        EXPECT_TRUE(must(store.check()).ok);
    }
    SQLite::Database db(db_path().string(), SQLite::OPEN_READONLY);
    EXPECT_EQ(detail::schema_version(db), detail::kSchemaVersion);
    EXPECT_EQ(
        db.execAndGet("SELECT count(*) FROM sqlite_master WHERE name = 'items_by_feed'").getInt(),
        1);
}

TEST_F(FeedsTest, ReaderSeesCommitsWhileWriterWrites) {
    auto writer = open();
    auto id = must(writer.add_feed(spec("a", "https://a.example/feed"))).id;
    OpenOptions read_only;
    read_only.read_only = true;
    auto reader = must(Store::open(db_path(), read_only));
    std::atomic<bool> done{false};
    std::jthread write_thread([&] {
        for (int round = 0; round < 30; ++round) {
            std::vector<parser::Item> items;
            for (int i = 0; i < 20; ++i) {
                items.push_back(
                    make_item("r" + std::to_string(round) + "-" + std::to_string(i), "t"));
            }
            auto outcome = parsed_outcome(id, items);
            auto result = writer.apply(std::span<const FeedOutcome>(&outcome, 1));
            EXPECT_TRUE(result) << (result ? "" : result.error().message);
        }
        done = true;
    });
    std::int64_t last = 0;
    int reads = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
        bool finished = done.load();
        auto seq = reader.last_seq();
        ASSERT_TRUE(seq) << seq.error().message;
        EXPECT_GE(*seq, last);    // never goes back
        EXPECT_EQ(*seq % 20, 0);  // never half a batch
        last = *seq;
        auto items = reader.list_items({std::nullopt, std::nullopt, 50});
        ASSERT_TRUE(items) << items.error().message;
        ++reads;
        if (finished) break;
    }
    write_thread.join();
    EXPECT_EQ(must(reader.last_seq()), 600);  // the reader sees the final commit
    EXPECT_GT(reads, 1);
}

}  // namespace
}  // namespace herald::store
