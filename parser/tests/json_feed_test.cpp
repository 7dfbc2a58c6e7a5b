// JSON Feed 1.0 and 1.1.
#include <gtest/gtest.h>

#include "feed_fixture.hpp"

namespace herald::parser {
namespace {

using testing::iso;
using testing::parse_fixture;
using testing::read_fixture;

TEST(JsonFeed, ReadsVersion11) {
    const auto feed = parse_fixture("json_feed_11.json");
    EXPECT_EQ(feed.format, Format::kJson11);
    EXPECT_FALSE(feed.bozo);
    EXPECT_EQ(feed.feed.title, "JSON Example");
    EXPECT_EQ(feed.feed.link, "https://example.org/");
    EXPECT_EQ(feed.feed.subtitle, "A JSON Feed");
    EXPECT_EQ(feed.feed.language, "en");
    EXPECT_EQ(feed.feed.author, "Feed Author");
    EXPECT_EQ(feed.feed.image, "https://example.org/icon.png");
    ASSERT_EQ(feed.items.size(), 2U);
    const auto& item = feed.items[0];
    EXPECT_EQ(item.id, "1");
    EXPECT_EQ(item.link, "https://example.org/1");
    EXPECT_EQ(item.summary, "Hi");
    EXPECT_EQ(item.content, "<p>Hello</p>");
    EXPECT_EQ(iso(item.published), "2020-01-02T03:04:05Z");
    EXPECT_EQ(iso(item.updated), "2020-01-03T02:04:05Z");
    EXPECT_EQ(item.categories, (std::vector<std::string>{"a", "b"}));
    ASSERT_EQ(item.enclosures.size(), 1U);
    EXPECT_EQ(item.enclosures[0], (Enclosure{"https://example.org/a.mp3", "audio/mpeg", 100}));
}

TEST(JsonFeed, ItemsWithoutAuthorTakeTheFeeds) {
    const auto feed = parse_fixture("json_feed_11.json");
    ASSERT_EQ(feed.items.size(), 2U);
    EXPECT_EQ(feed.items[0].author, "Feed Author");
    EXPECT_EQ(feed.items[1].author, "Item Author");
}

TEST(JsonFeed, AcceptsNumericIdAndExternalUrl) {
    const auto feed = parse_fixture("json_feed_11.json");
    ASSERT_EQ(feed.items.size(), 2U);
    EXPECT_EQ(feed.items[1].id, "2");
    EXPECT_EQ(feed.items[1].link, "https://elsewhere.example/2");
    EXPECT_EQ(feed.items[1].content, "Plain");
    EXPECT_EQ(feed.items[1].summary, "Plain");
}

TEST(JsonFeed, ReadsVersion10AuthorObject) {
    const auto feed = parse_fixture("json_feed_10.json");
    EXPECT_EQ(feed.format, Format::kJson10);
    EXPECT_EQ(feed.feed.author, "Old Style");
    ASSERT_EQ(feed.items.size(), 1U);
    EXPECT_EQ(feed.items[0].author, "Old Style");
}

TEST(JsonFeed, JsonWithoutJsonFeedVersionIsNotAFeed) {
    const auto result = parse(read_fixture("json_not_a_feed.json"));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, ParseErrorKind::kNotAFeed);
}

TEST(JsonFeed, InvalidJsonIsNotAFeed) {
    const auto result = parse(R"({"version": "https://jsonfeed.org/version/1", "items": [)");
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, ParseErrorKind::kNotAFeed);
}

TEST(JsonFeed, RefusesDeepNestingBeforeParsing) {
    std::string deep = R"({"version": "https://jsonfeed.org/version/1", "x": )";
    deep.append(100000, '[');
    deep.append(100000, ']');
    deep.push_back('}');
    const auto result = parse(deep);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, ParseErrorKind::kTooDeep);
}

TEST(JsonFeed, IgnoresWrongTypes) {
    const auto result = parse(R"({"version": "https://jsonfeed.org/version/1.1", "title": 5,
        "items": [1, {"title": ["x"], "tags": "no", "attachments": [{"url": 3}]}]})");
    ASSERT_TRUE(result);
    EXPECT_EQ(result->feed.title, std::nullopt);
    ASSERT_EQ(result->items.size(), 1U);
    EXPECT_EQ(result->items[0].title, std::nullopt);
    EXPECT_TRUE(result->items[0].enclosures.empty());
}

}  // namespace
}  // namespace herald::parser
