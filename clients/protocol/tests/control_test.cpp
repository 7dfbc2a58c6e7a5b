#include <chrono>

#include <gtest/gtest.h>

#include <herald/client.hpp>

#include "fake_daemon.hpp"

namespace herald::client {
namespace {

using namespace std::chrono_literals;

TEST(ControlTest, ReplayReturnsEventsAfterSeq) {
    testing::TempDir dir;
    testing::FakeDaemon daemon(dir.path(), "S");
    for (int i = 0; i < 5; ++i) daemon.append("item.new", "a", "t" + std::to_string(i));
    ControlClient control(daemon.control_endpoint, 2s);
    const auto page = control.replay(2, 2);
    ASSERT_TRUE(page) << page.error().message;
    ASSERT_EQ(page->events.size(), 2u);
    EXPECT_EQ(page->events[0].seq, 3);
    EXPECT_EQ(page->events[1].seq, 4);
    EXPECT_EQ(page->events[1].title, "t3");
    EXPECT_EQ(page->last_seq, 5);
}

TEST(ControlTest, RefusalIsRemoteErrorWithTheDaemonsMessage) {
    testing::TempDir dir;
    testing::FakeDaemon daemon(dir.path(), "S");
    ControlClient control(daemon.control_endpoint, 2s);
    const auto reply = control.request(R"({"op":"dance"})");
    ASSERT_FALSE(reply);
    EXPECT_EQ(reply.error().kind, ClientErrorKind::kRemote);
    EXPECT_EQ(reply.error().message, "unknown op");
}

TEST(ControlTest, NoDaemonTimesOutThenRecoversWhenItAppears) {
    testing::TempDir dir;
    ControlClient control("ipc://" + (dir.path() / "control").string(), 200ms);
    const auto start = std::chrono::steady_clock::now();
    const auto reply = control.request(R"({"op":"status"})");
    ASSERT_FALSE(reply);
    EXPECT_EQ(reply.error().kind, ClientErrorKind::kTimeout);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
    // The same client works once a daemon binds: the stuck REQ socket was replaced.
    testing::FakeDaemon daemon(dir.path(), "S");
    bool answered =
        testing::wait_until([&] { return control.request(R"({"op":"status"})").has_value(); }, 5s);
    EXPECT_TRUE(answered);
}

TEST(ControlTest, BadEndpointIsReported) {
    ControlClient control("nonsense://x", 100ms);
    const auto reply = control.request(R"({"op":"status"})");
    ASSERT_FALSE(reply);
    EXPECT_EQ(reply.error().kind, ClientErrorKind::kEndpoint);
}

}  // namespace
}  // namespace herald::client
