// The benchmark hook behind the commit->subscriber latency figures (bench/bus.sh): with
// HERALD_COMMIT_TRACE set, every published seq falls in exactly one traced batch, in order, and
// each batch's commit time is before the test read the published events.
#include <chrono>
#include <cstdint>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "daemon_harness.hpp"

namespace herald::test {
namespace {

using namespace std::chrono_literals;

struct TracedBatch {
    std::int64_t first_seq = 0;
    std::int64_t last_seq = 0;
    std::int64_t commit_done_ns = 0;
};

std::vector<TracedBatch> read_trace(const std::filesystem::path& path) {
    std::vector<TracedBatch> batches;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        TracedBatch batch;
        if (fields >> batch.first_seq >> batch.last_seq >> batch.commit_done_ns) {
            batches.push_back(batch);
        }
    }
    return batches;
}

std::int64_t realtime_now_ns() {
    timespec now{};
    ::clock_gettime(CLOCK_REALTIME, &now);
    return std::int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
}

TEST(CommitTrace, EveryPublishedSeqIsInOneTracedBatchInOrder) {
    DaemonHome home;
    home.write_feed("a", {{"a-1", "one", "x"}, {"a-2", "two", "y"}, {"a-3", "three", "z"}});
    home.write_feed("b", {{"b-1", "four", "w"}});
    home.write_config({"a", "b"});
    const auto trace = home.path() / "trace.txt";
    const std::int64_t started_ns = realtime_now_ns();
    ProcessOptions traced;
    traced.env = {{"HERALD_COMMIT_TRACE", trace.string()}};
    Process once = home.start(traced, {"--once"});
    ASSERT_EQ(once.wait(20s), 0) << once.stderr_text();
    const std::int64_t finished_ns = realtime_now_ns();

    const auto batches = read_trace(trace);
    ASSERT_FALSE(batches.empty()) << "no trace written";
    std::int64_t next = 1;
    for (const auto& batch : batches) {
        EXPECT_EQ(batch.first_seq, next) << "a gap or an overlap before this batch";
        EXPECT_LE(batch.first_seq, batch.last_seq);
        EXPECT_GE(batch.commit_done_ns, started_ns);
        EXPECT_LE(batch.commit_done_ns, finished_ns);
        next = batch.last_seq + 1;
    }
    EXPECT_EQ(next - 1, 4) << "four items, four item.new events, all traced";

    // Without the variable nothing is written.
    home.write_feed("a", {{"a-4", "five", "v"}});
    ProcessOptions untraced;
    untraced.unset_env = {"HERALD_COMMIT_TRACE"};
    Process quiet = home.start(untraced, {"--once"});
    ASSERT_EQ(quiet.wait(20s), 0) << quiet.stderr_text();
    EXPECT_EQ(read_trace(trace).size(), batches.size());
}

}  // namespace
}  // namespace herald::test
