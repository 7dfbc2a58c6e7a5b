// Kills a writer with SIGKILL at random moments; the store must stay whole (issue 4).

#include <chrono>
#include <random>

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <herald/store.hpp>

#include "test_util.hpp"

extern char** environ;

namespace herald::store {
namespace {

// The child, with its stdout on a pipe; killed and reaped on destruction.
class Child {
public:
    Child(const std::filesystem::path& db, int seed) {
        int fds[2];
        if (::pipe(fds) != 0) throw std::runtime_error("pipe");
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
        posix_spawn_file_actions_addclose(&actions, fds[0]);
        std::string exe = HERALD_STORE_CRASH_CHILD;
        std::string db_arg = db.string();
        std::string seed_arg = std::to_string(seed);
        char* argv[] = {exe.data(), db_arg.data(), seed_arg.data(), nullptr};
        int rc = posix_spawn(&pid_, exe.c_str(), &actions, nullptr, argv, environ);
        posix_spawn_file_actions_destroy(&actions);
        ::close(fds[1]);
        out_ = fds[0];
        if (rc != 0) throw std::runtime_error("posix_spawn");
    }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    ~Child() {
        if (pid_ > 0) kill_now();
        ::close(out_);
    }

    // Waits (bounded) until the child has reported `commits` more commits.
    bool wait_commits(int commits, std::chrono::milliseconds timeout) {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        int seen = 0;
        char buffer[256];
        while (seen < commits) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return false;
            pollfd fd{out_, POLLIN, 0};
            if (::poll(&fd, 1, static_cast<int>(left.count())) <= 0) return false;
            ssize_t n = ::read(out_, buffer, sizeof buffer);
            if (n <= 0) return false;
            for (ssize_t i = 0; i < n; ++i) seen += buffer[i] == '\n';
        }
        return true;
    }

    void kill_now() {
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
    }

private:
    pid_t pid_ = -1;
    int out_ = -1;
};

TEST(CrashTest, SurvivesFiftySigkillsMidWrite) {
    testing::TempDir dir;
    auto db = dir.path() / "herald.db";
    std::mt19937 random(std::random_device{}());
    for (int run = 0; run < 50; ++run) {
        Child child(db, run);
        ASSERT_TRUE(
            child.wait_commits(1 + static_cast<int>(random() % 3), std::chrono::seconds(20)))
            << "run " << run << ": the child made no progress";
        // Then a random moment inside the next few commits: busy-wait a random span.
        auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(random() % 4000);
        while (std::chrono::steady_clock::now() < until) {
        }
        child.kill_now();
    }

    OpenOptions options;
    options.read_only = true;
    auto store = testing::must(Store::open(db, options));
    auto check = testing::must(store.check());
    EXPECT_TRUE(check.ok) << (check.problems.empty() ? "" : check.problems.front());
    std::int64_t last = testing::must(store.last_seq());
    EXPECT_GT(last, 100);

    // Seqs 1..N: replay everything and count.
    std::int64_t expected = 1;
    for (std::int64_t after = 0; after < last;) {
        auto events = testing::must(store.replay(after, 1000));
        ASSERT_FALSE(events.empty());
        for (const auto& event : events) ASSERT_EQ(event.seq, expected++);
        after = events.back().seq;
    }
    EXPECT_EQ(expected - 1, last);

    // No item stored twice: one identity and one item.new per guid.
    SQLite::Database raw(db.string(), SQLite::OPEN_READONLY);
    EXPECT_EQ(raw.execAndGet("SELECT count(*) FROM (SELECT feed_id, guid FROM items "
                             "GROUP BY feed_id, guid HAVING count(*) > 1)")
                  .getInt(),
              0);
    EXPECT_EQ(raw.execAndGet("SELECT count(*) FROM events WHERE kind = 0").getInt64(),
              raw.execAndGet("SELECT count(*) FROM identities").getInt64());
}

}  // namespace
}  // namespace herald::store
