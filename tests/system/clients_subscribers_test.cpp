// herald-tail and herald-exec as real processes against FakeDaemon's real ipc sockets:
// replay, live, cursors across restarts, retries, signals.
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <signal.h>

#include <herald/client.hpp>

#include "fake_daemon.hpp"
#include "process.hpp"

namespace {

using namespace std::chrono_literals;
using herald::client::testing::FakeDaemon;
using herald::test::Process;
using herald::test::TempDir;
using herald::test::wait_until;

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) lines.push_back(line);
    }
    return lines;
}

std::vector<std::string> endpoint_args(const FakeDaemon& daemon) {
    return {"--publish", daemon.publish_endpoint, "--control", daemon.control_endpoint};
}

Process start_tail(const FakeDaemon& daemon, std::vector<std::string> extra) {
    auto args = endpoint_args(daemon);
    args.insert(args.end(), extra.begin(), extra.end());
    return Process::start(herald::test::program_path("herald-tail"), args);
}

std::int64_t cursor_seq(const std::filesystem::path& path) {
    const auto cursor = herald::client::load_cursor(path);
    if (!cursor || !*cursor) return -1;
    return (*cursor)->seq;
}

// Stops with SIGTERM and expects a clean exit within the contract's 5 s.
void expect_clean_stop(Process& process) {
    ASSERT_TRUE(process.signal(SIGTERM));
    const auto code = process.wait(5s);
    ASSERT_TRUE(code.has_value()) << "still running 5 s after SIGTERM";
    EXPECT_EQ(*code, 0) << process.stderr_text();
}

TEST(HeraldTail, ReplaysSinceThenFollowsLive) {
    TempDir dir("hct");
    FakeDaemon daemon(dir.path(), "S");
    for (int i = 1; i <= 3; ++i) daemon.append("item.new", "bbc", "title " + std::to_string(i));
    auto tail = start_tail(daemon, {"--since", "1", "--json"});
    ASSERT_TRUE(wait_until([&] { return lines_of(tail.stdout_text()).size() == 2; }, 5s))
        << tail.stderr_text();
    ASSERT_TRUE(wait_until([&] { return daemon.has_subscription(""); }, 5s));
    daemon.emit("item.new", "bbc", "live one");
    ASSERT_TRUE(wait_until([&] { return lines_of(tail.stdout_text()).size() == 3; }, 5s));
    const auto lines = lines_of(tail.stdout_text());
    for (int i = 0; i < 3; ++i) {
        const auto event = herald::client::parse_event(lines[static_cast<std::size_t>(i)]);
        ASSERT_TRUE(event) << lines[static_cast<std::size_t>(i)];
        EXPECT_EQ(event->seq, i + 2);
    }
    expect_clean_stop(tail);
}

TEST(HeraldTail, ReadableLinesShowFeedTitleAndLink) {
    TempDir dir("hct");
    FakeDaemon daemon(dir.path(), "S");
    daemon.append("item.new", "lwn", "Kernel news");
    daemon.append("feed.error", "bbc", "HTTP 503");
    auto tail = start_tail(daemon, {"--since", "0"});
    ASSERT_TRUE(wait_until([&] { return lines_of(tail.stdout_text()).size() == 2; }, 5s));
    const auto lines = lines_of(tail.stdout_text());
    EXPECT_NE(lines[0].find("item.new"), std::string::npos);
    EXPECT_NE(lines[0].find("lwn"), std::string::npos);
    EXPECT_NE(lines[0].find("Kernel news"), std::string::npos);
    EXPECT_NE(lines[0].find("https://lwn.example/1"), std::string::npos);
    EXPECT_NE(lines[1].find("HTTP 503"), std::string::npos);
    expect_clean_stop(tail);
}

TEST(HeraldTail, TopicFilterPrintsOnlyMatchingEvents) {
    TempDir dir("hct");
    FakeDaemon daemon(dir.path(), "S");
    daemon.append("item.new", "bbc", "a");
    daemon.append("item.new", "bbc-news", "b");
    daemon.append("item.new", "bbc", "c");
    auto tail = start_tail(daemon, {"--since", "0", "--json", "--topic", "item.new/bbc/"});
    ASSERT_TRUE(wait_until([&] { return lines_of(tail.stdout_text()).size() >= 2; }, 5s));
    expect_clean_stop(tail);
    const auto lines = lines_of(tail.stdout_text());
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(herald::client::parse_event(lines[1])->seq, 3);
}

TEST(HeraldTail, CursorResumesWithoutLossOrRepeat) {
    TempDir dir("hct");
    FakeDaemon daemon(dir.path(), "S");
    daemon.append("item.new", "a", "before");
    const auto cursor = dir.path() / "tail.cursor";
    {
        // No cursor file yet: start at the live end (seq 1 is not printed).
        auto tail = start_tail(daemon, {"--cursor", cursor.string(), "--json"});
        ASSERT_TRUE(wait_until([&] { return cursor_seq(cursor) == 1; }, 5s)) << tail.stderr_text();
        ASSERT_TRUE(wait_until([&] { return daemon.has_subscription(""); }, 5s));
        daemon.emit("item.new", "a", "two");
        ASSERT_TRUE(wait_until([&] { return lines_of(tail.stdout_text()).size() == 1; }, 5s));
        expect_clean_stop(tail);
        EXPECT_EQ(cursor_seq(cursor), 2);
    }
    daemon.append("item.new", "a", "three");  // published while herald-tail was down
    daemon.append("item.new", "a", "four");
    auto tail = start_tail(daemon, {"--cursor", cursor.string(), "--json"});
    ASSERT_TRUE(wait_until([&] { return lines_of(tail.stdout_text()).size() >= 2; }, 5s));
    expect_clean_stop(tail);
    const auto lines = lines_of(tail.stdout_text());
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(herald::client::parse_event(lines[0])->seq, 3);
    EXPECT_EQ(herald::client::parse_event(lines[1])->seq, 4);
    EXPECT_EQ(cursor_seq(cursor), 4);
}

TEST(HeraldTail, WaitsForADaemonStartedLater) {
    TempDir dir("hct");
    const auto events = "ipc://" + (dir.path() / "events").string();
    const auto control = "ipc://" + (dir.path() / "control").string();
    auto tail = Process::start(herald::test::program_path("herald-tail"),
                               {"--publish", events, "--control", control, "--since", "0"});
    ASSERT_TRUE(wait_until([&] { return !tail.stderr_text().empty(); }, 10s));
    EXPECT_TRUE(tail.running());
    FakeDaemon daemon(dir.path(), "S");
    daemon.emit("item.new", "a", "hello");
    ASSERT_TRUE(wait_until([&] { return lines_of(tail.stdout_text()).size() == 1; }, 10s))
        << tail.stderr_text();
    expect_clean_stop(tail);
}

TEST(HeraldTail, BadConfigIsOneClearLine) {
    TempDir dir("hct");
    const auto config = dir.write("bad.toml", "[daemon]\nheartbeat = \"often\"\n");
    auto tail =
        Process::start(herald::test::program_path("herald-tail"), {"--config", config.string()});
    const auto code = tail.wait(5s);
    ASSERT_TRUE(code);
    EXPECT_EQ(*code, 1);
    EXPECT_NE(tail.last_stderr_line().find("heartbeat"), std::string::npos) << tail.stderr_text();
}

// --- herald-exec ---------------------------------------------------------------------------

Process start_exec(const FakeDaemon& daemon, const std::filesystem::path& cursor,
                   std::vector<std::string> options, const std::string& script) {
    auto args = endpoint_args(daemon);
    args.insert(args.end(), {"--cursor", cursor.string()});
    args.insert(args.end(), options.begin(), options.end());
    args.insert(args.end(), {"--", "/bin/sh", "-c", script});
    return Process::start(herald::test::program_path("herald-exec"), args);
}

void write_cursor(const std::filesystem::path& path, const std::string& store, std::int64_t seq) {
    ASSERT_TRUE(herald::client::save_cursor(path, herald::client::Cursor{store, seq}));
}

TEST(HeraldExec, RunsCommandPerEventWithEnvironmentAndPayload) {
    TempDir dir("hce");
    FakeDaemon daemon(dir.path(), "S");
    daemon.append("item.new", "bbc", "one");
    daemon.append("item.updated", "lwn", "two");
    const auto cursor = dir.path() / "cursor";
    write_cursor(cursor, "S", 0);
    const auto out = dir.path() / "out";
    const auto payloads = dir.path() / "payloads";
    auto exec = start_exec(daemon, cursor, {},
                           "echo \"$HERALD_SEQ|$HERALD_KIND|$HERALD_FEED|$HERALD_TITLE|"
                           "$HERALD_LINK\" >> " +
                               out.string() + "; cat >> " + payloads.string() + "; echo >> " +
                               payloads.string());
    ASSERT_TRUE(wait_until([&] { return cursor_seq(cursor) == 2; }, 5s)) << exec.stderr_text();
    expect_clean_stop(exec);
    const auto lines = lines_of(herald::test::read_file(out));
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0], "1|item.new|bbc|one|https://bbc.example/1");
    EXPECT_EQ(lines[1], "2|item.updated|lwn|two|https://lwn.example/2");
    const auto bodies = lines_of(herald::test::read_file(payloads));
    ASSERT_EQ(bodies.size(), 2u);
    EXPECT_EQ(herald::client::parse_event(bodies[1])->title, "two");
}

TEST(HeraldExec, RetriesAFailingCommandWithLoggedBackoff) {
    TempDir dir("hce");
    FakeDaemon daemon(dir.path(), "S");
    daemon.append("item.new", "a", "flaky");
    const auto cursor = dir.path() / "cursor";
    write_cursor(cursor, "S", 0);
    const auto attempts = dir.path() / "attempts";
    // Fails twice, then succeeds.
    auto exec = start_exec(
        daemon, cursor, {"--retry-delay", "50ms"},
        "echo x >> " + attempts.string() + "; [ $(wc -l < " + attempts.string() + ") -ge 3 ]");
    ASSERT_TRUE(wait_until([&] { return cursor_seq(cursor) == 1; }, 5s)) << exec.stderr_text();
    expect_clean_stop(exec);
    EXPECT_EQ(lines_of(herald::test::read_file(attempts)).size(), 3u);
    const auto log = exec.stderr_text();
    EXPECT_NE(log.find("exited with status 1 (attempt 1 of 4); retrying in 50ms"),
              std::string::npos)
        << log;
}

TEST(HeraldExec, GivesUpAfterRetriesAndMovesOn) {
    TempDir dir("hce");
    FakeDaemon daemon(dir.path(), "S");
    daemon.append("item.new", "a", "poison");
    daemon.append("item.new", "a", "fine");
    const auto cursor = dir.path() / "cursor";
    write_cursor(cursor, "S", 0);
    const auto out = dir.path() / "out";
    auto exec =
        start_exec(daemon, cursor, {"--retries", "1", "--retry-delay", "10ms"},
                   "echo $HERALD_SEQ >> " + out.string() + "; [ \"$HERALD_TITLE\" = fine ]");
    ASSERT_TRUE(wait_until([&] { return cursor_seq(cursor) == 2; }, 5s)) << exec.stderr_text();
    expect_clean_stop(exec);
    EXPECT_EQ(lines_of(herald::test::read_file(out)), (std::vector<std::string>{"1", "1", "2"}));
    EXPECT_NE(exec.stderr_text().find("giving up after 2 attempts"), std::string::npos);
}

TEST(HeraldExec, SigtermLetsTheRunningCommandFinish) {
    TempDir dir("hce");
    FakeDaemon daemon(dir.path(), "S");
    daemon.append("item.new", "a", "slow");
    daemon.append("item.new", "a", "next");
    const auto cursor = dir.path() / "cursor";
    write_cursor(cursor, "S", 0);
    const auto started = dir.path() / "started";
    const auto release = dir.path() / "release";
    const auto out = dir.path() / "out";
    auto exec = start_exec(daemon, cursor, {},
                           "touch " + started.string() + "; i=0; while [ ! -f " + release.string() +
                               " ] && [ $i -lt 1000 ]; do i=$((i+1)); " +
                               "sleep 0.01; done; echo $HERALD_SEQ >> " + out.string());
    ASSERT_TRUE(wait_until([&] { return std::filesystem::exists(started); }, 5s));
    ASSERT_TRUE(exec.signal(SIGTERM));
    EXPECT_FALSE(exec.wait(300ms).has_value()) << "exited while its command still ran";
    std::ofstream(release) << "go";
    const auto code = exec.wait(5s);
    ASSERT_TRUE(code);
    EXPECT_EQ(*code, 0);
    // The running command finished and counted; the next event was not started.
    EXPECT_EQ(lines_of(herald::test::read_file(out)), (std::vector<std::string>{"1"}));
    EXPECT_EQ(cursor_seq(cursor), 1);
}

TEST(HeraldExec, KilledAndRestartedLosesNothing) {
    TempDir dir("hce");
    FakeDaemon daemon(dir.path(), "S");
    constexpr int kEvents = 30;
    for (int i = 0; i < kEvents; ++i) daemon.append("item.new", "a", "t");
    const auto cursor = dir.path() / "cursor";
    write_cursor(cursor, "S", 0);
    const auto out = dir.path() / "out";
    const std::string script = "echo $HERALD_SEQ >> " + out.string();
    {
        auto exec = start_exec(daemon, cursor, {}, script);
        ASSERT_TRUE(
            wait_until([&] { return lines_of(herald::test::read_file(out)).size() >= 10; }, 10s));
        exec.kill();  // SIGKILL: no chance to save anything more
    }
    auto exec = start_exec(daemon, cursor, {}, script);
    ASSERT_TRUE(wait_until([&] { return cursor_seq(cursor) == kEvents; }, 10s))
        << exec.stderr_text();
    expect_clean_stop(exec);
    // Every seq ran, in order; only the one in flight at the kill may have run twice.
    const auto lines = lines_of(herald::test::read_file(out));
    std::vector<int> seen;
    for (const auto& line : lines) seen.push_back(std::stoi(line));
    int repeats = 0;
    int expected = 1;
    for (std::size_t i = 0; i < seen.size(); ++i) {
        if (i > 0 && seen[i] == seen[i - 1]) {
            ++repeats;
            continue;
        }
        EXPECT_EQ(seen[i], expected);
        ++expected;
    }
    EXPECT_EQ(expected, kEvents + 1);
    EXPECT_LE(repeats, 1);
}

TEST(HeraldExec, CannotRunCommandIsAFailureThatKeepsTheCursor) {
    TempDir dir("hce");
    FakeDaemon daemon(dir.path(), "S");
    daemon.append("item.new", "a", "t");
    const auto cursor = dir.path() / "cursor";
    write_cursor(cursor, "S", 0);
    auto args = endpoint_args(daemon);
    args.insert(args.end(), {"--cursor", cursor.string(), "--", "/no/such/program"});
    auto exec = Process::start(herald::test::program_path("herald-exec"), args);
    const auto code = exec.wait(5s);
    ASSERT_TRUE(code);
    EXPECT_EQ(*code, 1);
    EXPECT_NE(exec.last_stderr_line().find("/no/such/program"), std::string::npos);
    EXPECT_EQ(cursor_seq(cursor), 0);
}

}  // namespace
