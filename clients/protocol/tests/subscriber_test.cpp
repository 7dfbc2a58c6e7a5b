// Subscriber against a FakeDaemon on real ipc sockets: replay, live, gaps, heartbeats, store ids.
#include <chrono>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include <herald/client.hpp>

#include "fake_daemon.hpp"

namespace herald::client {
namespace {

using namespace std::chrono_literals;

SubscriberOptions options_for(const testing::FakeDaemon& daemon) {
    SubscriberOptions options;
    options.publish_endpoint = daemon.publish_endpoint;
    options.control_endpoint = daemon.control_endpoint;
    options.request_timeout = 1s;
    options.retry_delay = 50ms;
    return options;
}

// Takes events until `count` arrived or 5 s passed.
std::vector<Event> take(Subscriber& subscriber, std::size_t count) {
    std::vector<Event> events;
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (events.size() < count && std::chrono::steady_clock::now() < deadline) {
        auto event = subscriber.next(100ms);
        EXPECT_TRUE(event) << event.error().message;
        if (event && *event) events.push_back(std::move(**event));
    }
    return events;
}

std::vector<std::int64_t> seqs(const std::vector<Event>& events) {
    std::vector<std::int64_t> result;
    for (const auto& event : events) result.push_back(event.seq);
    return result;
}

// Nothing more arrives within a short while.
bool is_quiet(Subscriber& subscriber) {
    auto event = subscriber.next(200ms);
    return event && !*event;
}

TEST(SubscriberTest, ReplaysAfterCursorThenReadsLive) {
    testing::TempDir dir;
    testing::FakeDaemon daemon(dir.path(), "S");
    for (int i = 0; i < 5; ++i) daemon.append("item.new", "a", "t");
    auto options = options_for(daemon);
    options.start = Cursor{"S", 2};
    auto subscriber = Subscriber::open(options, nullptr);
    ASSERT_TRUE(subscriber) << subscriber.error().message;
    EXPECT_EQ(seqs(take(*subscriber, 3)), (std::vector<std::int64_t>{3, 4, 5}));
    ASSERT_TRUE(testing::wait_until([&] { return daemon.has_subscription(""); }, 5s));
    daemon.emit("item.new", "a", "live");
    const auto live = take(*subscriber, 1);
    ASSERT_EQ(live.size(), 1u);
    EXPECT_EQ(live[0].seq, 6);
    EXPECT_EQ(live[0].title, "live");
    EXPECT_EQ(subscriber->position(), (Cursor{"S", 6}));
}

TEST(SubscriberTest, DropsSeqsItAlreadyHas) {
    testing::TempDir dir;
    testing::FakeDaemon daemon(dir.path(), "S");
    auto subscriber = Subscriber::open(options_for(daemon), nullptr);
    ASSERT_TRUE(subscriber);
    ASSERT_TRUE(testing::wait_until([&] { return daemon.has_subscription(""); }, 5s));
    ASSERT_TRUE(is_quiet(*subscriber));  // reached the daemon: live end is 0
    const auto seq = daemon.emit("item.new", "a", "once");
    daemon.publish(seq);
    daemon.publish(seq);
    EXPECT_EQ(seqs(take(*subscriber, 1)), (std::vector<std::int64_t>{1}));
    EXPECT_TRUE(is_quiet(*subscriber));
}

TEST(SubscriberTest, FillsASeqGapByReplay) {
    testing::TempDir dir;
    testing::FakeDaemon daemon(dir.path(), "S");
    auto subscriber = Subscriber::open(options_for(daemon), nullptr);
    ASSERT_TRUE(subscriber);
    ASSERT_TRUE(testing::wait_until([&] { return daemon.has_subscription(""); }, 5s));
    ASSERT_TRUE(is_quiet(*subscriber));
    daemon.emit("item.new", "a", "1");
    EXPECT_EQ(seqs(take(*subscriber, 1)), (std::vector<std::int64_t>{1}));
    daemon.append("item.new", "a", "2 lost");  // PUB dropped these two
    daemon.append("item.new", "a", "3 lost");
    daemon.emit("item.new", "a", "4");
    EXPECT_EQ(seqs(take(*subscriber, 3)), (std::vector<std::int64_t>{2, 3, 4}));
    EXPECT_TRUE(is_quiet(*subscriber));
}

TEST(SubscriberTest, HeartbeatAheadTriggersReplay) {
    testing::TempDir dir;
    testing::FakeDaemon daemon(dir.path(), "S");
    auto subscriber = Subscriber::open(options_for(daemon), nullptr);
    ASSERT_TRUE(subscriber);
    ASSERT_TRUE(testing::wait_until([&] { return daemon.has_subscription("heartbeat/"); }, 5s));
    ASSERT_TRUE(is_quiet(*subscriber));
    const int replays_before = daemon.replay_requests();
    daemon.append("item.new", "a", "lost tail");
    daemon.heartbeat();
    const auto events = take(*subscriber, 1);
    ASSERT_EQ(seqs(events), (std::vector<std::int64_t>{1}));
    EXPECT_EQ(events[0].title, "lost tail");
    EXPECT_GT(daemon.replay_requests(), replays_before);
}

TEST(SubscriberTest, CursorOfAnotherStoreStartsOver) {
    testing::TempDir dir;
    testing::FakeDaemon daemon(dir.path(), "NEW");
    for (int i = 0; i < 3; ++i) daemon.append("item.new", "a", "t");
    auto options = options_for(daemon);
    options.start = Cursor{"OLD", 2};
    auto subscriber = Subscriber::open(options, nullptr);
    ASSERT_TRUE(subscriber);
    EXPECT_EQ(seqs(take(*subscriber, 3)), (std::vector<std::int64_t>{1, 2, 3}));
    EXPECT_EQ(subscriber->position(), (Cursor{"NEW", 3}));
}

TEST(SubscriberTest, CursorPastTheEndOfAnotherStoreStartsOver) {
    testing::TempDir dir;
    testing::FakeDaemon daemon(dir.path(), "NEW");
    daemon.append("item.new", "a", "t");
    auto options = options_for(daemon);
    options.start = Cursor{"OLD", 50};
    auto subscriber = Subscriber::open(options, nullptr);
    ASSERT_TRUE(subscriber);
    EXPECT_EQ(seqs(take(*subscriber, 1)), (std::vector<std::int64_t>{1}));
}

TEST(SubscriberTest, TopicFilterSkipsOtherFeedsButAdvancesPosition) {
    testing::TempDir dir;
    testing::FakeDaemon daemon(dir.path(), "S");
    daemon.append("item.new", "bbc", "1");
    daemon.append("item.new", "bbc-news", "2");
    daemon.append("item.updated", "bbc", "3");
    daemon.append("item.new", "bbc", "4");
    auto options = options_for(daemon);
    options.start = Cursor{"S", 0};
    options.topics = {"item.new/bbc/"};
    auto subscriber = Subscriber::open(options, nullptr);
    ASSERT_TRUE(subscriber);
    EXPECT_EQ(seqs(take(*subscriber, 2)), (std::vector<std::int64_t>{1, 4}));
    ASSERT_TRUE(testing::wait_until([&] { return daemon.has_subscription("item.new/bbc/"); }, 5s));
    daemon.emit("item.new", "lwn", "5");  // filtered by ZeroMQ, seen again in the replay
    daemon.emit("item.new", "bbc", "6");
    EXPECT_EQ(seqs(take(*subscriber, 1)), (std::vector<std::int64_t>{6}));
    EXPECT_EQ(subscriber->position(), (Cursor{"S", 6}));
}

TEST(SubscriberTest, StartsAtTheLiveEndWithoutACursor) {
    testing::TempDir dir;
    testing::FakeDaemon daemon(dir.path(), "S");
    for (int i = 0; i < 3; ++i) daemon.append("item.new", "a", "old");
    auto subscriber = Subscriber::open(options_for(daemon), nullptr);
    ASSERT_TRUE(subscriber);
    ASSERT_TRUE(is_quiet(*subscriber));
    ASSERT_EQ(subscriber->position(), (Cursor{"S", 3}));
    ASSERT_TRUE(testing::wait_until([&] { return daemon.has_subscription(""); }, 5s));
    daemon.emit("item.new", "a", "new");
    EXPECT_EQ(seqs(take(*subscriber, 1)), (std::vector<std::int64_t>{4}));
}

TEST(SubscriberTest, WaitsForADaemonThatStartsLater) {
    testing::TempDir dir;
    SubscriberOptions options;
    options.publish_endpoint = "ipc://" + (dir.path() / "events").string();
    options.control_endpoint = "ipc://" + (dir.path() / "control").string();
    options.request_timeout = 200ms;
    options.retry_delay = 50ms;
    options.start = Cursor{"", 0};
    auto subscriber = Subscriber::open(options, nullptr);
    ASSERT_TRUE(subscriber);
    ASSERT_TRUE(is_quiet(*subscriber));
    testing::FakeDaemon daemon(dir.path(), "S");
    daemon.emit("item.new", "a", "first");
    daemon.emit("item.new", "a", "second");
    EXPECT_EQ(seqs(take(*subscriber, 2)), (std::vector<std::int64_t>{1, 2}));
    EXPECT_EQ(subscriber->position(), (Cursor{"S", 2}));
}

TEST(SubscriberTest, WakeFdEndsTheWaitEarly) {
    testing::TempDir dir;
    testing::FakeDaemon daemon(dir.path(), "S");
    int pipe_fds[2];
    ASSERT_EQ(::pipe(pipe_fds), 0);
    auto options = options_for(daemon);
    options.wake_fd = pipe_fds[0];
    auto subscriber = Subscriber::open(options, nullptr);
    ASSERT_TRUE(subscriber);
    ASSERT_EQ(::write(pipe_fds[1], "x", 1), 1);
    const auto start = std::chrono::steady_clock::now();
    const auto event = subscriber->next(10s);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
    ASSERT_TRUE(event);
    EXPECT_FALSE(*event);
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
}

TEST(SubscriberTest, SkipsToTheOldestEventRetentionKept) {
    testing::TempDir dir;
    testing::FakeDaemon daemon(dir.path(), "S");
    for (int i = 0; i < 10; ++i) daemon.append("item.new", "a", "t");
    daemon.prune_before(6);
    auto options = options_for(daemon);
    options.start = Cursor{"S", 2};
    auto subscriber = Subscriber::open(options, nullptr);
    ASSERT_TRUE(subscriber);
    EXPECT_EQ(seqs(take(*subscriber, 5)), (std::vector<std::int64_t>{6, 7, 8, 9, 10}));
}

TEST(SubscriberTest, LongReplaysArePaged) {
    testing::TempDir dir;
    testing::FakeDaemon daemon(dir.path(), "S");
    for (int i = 0; i < 2500; ++i) daemon.append("item.new", "a", "t");
    auto options = options_for(daemon);
    options.start = Cursor{"S", 0};
    auto subscriber = Subscriber::open(options, nullptr);
    ASSERT_TRUE(subscriber);
    const auto events = take(*subscriber, 2500);
    ASSERT_EQ(events.size(), 2500u);
    for (std::size_t i = 0; i < events.size(); ++i) {
        ASSERT_EQ(events[i].seq, static_cast<std::int64_t>(i) + 1);
    }
    EXPECT_GE(daemon.replay_requests(), 3);
}

}  // namespace
}  // namespace herald::client
