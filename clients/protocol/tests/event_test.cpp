#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <herald/client.hpp>

#include "fake_daemon.hpp"

namespace herald::client {
namespace {

TEST(EventTest, ReadsItemEventFields) {
    const auto payload = testing::make_payload(7, "item.new", "S1", "bbc", "Hello");
    const auto event = parse_event(payload);
    ASSERT_TRUE(event) << event.error().message;
    EXPECT_EQ(event->seq, 7);
    EXPECT_EQ(event->kind, "item.new");
    EXPECT_EQ(event->store, "S1");
    EXPECT_EQ(event->feed, "bbc");
    EXPECT_EQ(event->title, "Hello");
    EXPECT_EQ(event->link, "https://bbc.example/7");
    EXPECT_EQ(event->topic(), "item.new/bbc/");
    EXPECT_EQ(event->payload, payload);
    EXPECT_FALSE(event->is_heartbeat());
}

TEST(EventTest, HeartbeatCarriesLastSeq) {
    const auto event = parse_event(R"({"kind":"heartbeat","store":"S","last_seq":42,"at":"x"})");
    ASSERT_TRUE(event);
    EXPECT_TRUE(event->is_heartbeat());
    EXPECT_EQ(event->seq, 42);
    EXPECT_EQ(event->topic(), "heartbeat/");
}

TEST(EventTest, FeedEventTakesFeedTitle) {
    const auto event = parse_event(testing::make_payload(3, "feed.error", "S", "lwn", "boom"));
    ASSERT_TRUE(event);
    EXPECT_EQ(event->title, "lwn");
    EXPECT_EQ(event->link, "");
}

TEST(EventTest, RejectsWhatIsNotAnEvent) {
    EXPECT_FALSE(parse_event("not json"));
    EXPECT_FALSE(parse_event("[1,2]"));
    EXPECT_FALSE(parse_event(R"({"kind":"item.new"})"));
    EXPECT_FALSE(parse_event(R"({"seq":"1","kind":"item.new"})"));
    EXPECT_EQ(parse_event("{").error().kind, ClientErrorKind::kProtocol);
}

TEST(EventTest, TopicPrefixesMatchLikeZeroMq) {
    const std::vector<std::string> bbc{"item.new/bbc/"};
    EXPECT_TRUE(topic_matches(bbc, "item.new/bbc/"));
    EXPECT_FALSE(topic_matches(bbc, "item.new/bbc-news/"));
    EXPECT_FALSE(topic_matches(bbc, "item.updated/bbc/"));
    const std::vector<std::string> items{"item.", "feed.ok/"};
    EXPECT_TRUE(topic_matches(items, "item.updated/x/"));
    EXPECT_TRUE(topic_matches(items, "feed.ok/x/"));
    EXPECT_FALSE(topic_matches(items, "feed.error/x/"));
    EXPECT_TRUE(topic_matches({}, "feed.error/x/"));
}

}  // namespace
}  // namespace herald::client
