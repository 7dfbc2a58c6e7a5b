// heraldd faults of issue 8's reliability report: a feed whose host does not resolve (in a
// network namespace of its own, so no query leaves the machine), and a subscriber that never
// reads while the daemon publishes thousands of events.
#include <algorithm>
#include <csignal>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <herald/store.hpp>

#include "daemon_harness.hpp"

namespace herald::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr const char* kUnshare = "/usr/bin/unshare";
// RFC 6761: .invalid never resolves, whatever the resolver.
constexpr const char* kUnresolvable = "http://feed.invalid/feed.xml";

// True when this machine lets us make a user + network namespace (CI containers may not).
bool can_unshare_network() {
    if (!fs::exists(kUnshare)) return false;
    Process probe = Process::start(kUnshare, {"-rn", "true"});
    return probe.wait(10s) == 0;
}

std::string net_namespace(const std::string& pid) {
    std::error_code ec;
    return fs::read_symlink("/proc/" + pid + "/ns/net", ec).string();
}

// Resident set size from /proc/PID/status (VmRSS), in KiB; 0 when unreadable.
// ASan's quarantine holds freed memory, so RSS says nothing about what the daemon keeps.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kRssIsMeaningful = false;
#else
constexpr bool kRssIsMeaningful = true;
#endif

std::int64_t rss_kib(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
    }
    return 0;
}

// The least of a few samples 50 ms apart: what stays resident, without the passing
// allocations of a replay or a commit that happens to be running at the sample.
std::int64_t settled_rss_kib(pid_t pid) {
    std::int64_t least = rss_kib(pid);
    for (int sample = 1; sample < 5; ++sample) {
        std::this_thread::sleep_for(50ms);  // sampling a gauge, not waiting for an event
        least = std::min(least, rss_kib(pid));
    }
    return least;
}

std::optional<store::FeedRecord> find_feed(const DaemonHome& home, const std::string& url) {
    auto store = store::Store::open(home.path() / "state" / "herald.db", {.read_only = true});
    if (!store) return std::nullopt;
    auto feed = store->find_feed(url);
    if (!feed) return std::nullopt;
    return *feed;
}

// Every event the daemon stored, by replay (events published before a subscriber's connection
// was up are not lost to the test this way).
std::vector<nlohmann::json> replay_all(zmq::context_t& context, const DaemonHome& home) {
    std::vector<nlohmann::json> events;
    for (int page = 0; page < 100; ++page) {
        const std::string request =
            R"({"op":"replay","limit":1000,"after":)" + std::to_string(events.size()) + "}";
        auto reply = control_request(context, home.control_endpoint(), request);
        if (!reply || (*reply)["ok"] != true || (*reply)["events"].empty()) break;
        for (auto& event : (*reply)["events"]) events.push_back(std::move(event));
    }
    return events;
}

std::vector<nlohmann::json> of_kind(const std::vector<nlohmann::json>& events,
                                    const std::string& kind) {
    std::vector<nlohmann::json> matching;
    for (const auto& event : events) {
        if (event.value("kind", "") == kind) matching.push_back(event);
    }
    return matching;
}

// The harness's config, with room for backoff to double twice (1 s, 2 s, 4 s).
void write_backoff_config(const DaemonHome& home) {
    std::ostringstream text;
    text << "[daemon]\nstate_dir = \"" << (home.path() / "state").string() << "\"\n"
         << "publish = [\"" << home.events_endpoint() << "\"]\n"
         << "control = \"" << home.control_endpoint() << "\"\n"
         << "heartbeat = \"200ms\"\nlog_level = \"debug\"\n"
         << "[fetch]\nmin_interval = \"1s\"\ndefault_interval = \"1s\"\nmax_interval = \"8s\"\n"
         << "timeout = \"5s\"\n"
         << "[[feed]]\nurl = \"file://" << home.feed_file("local").string() << "\"\n"
         << "name = \"local\"\n"
         << "[[feed]]\nurl = \"" << kUnresolvable << "\"\nname = \"nowhere\"\n";
    std::ofstream(home.config_file(), std::ios::trunc) << text.str();
}

TEST(DaemonFaults, UnresolvableHostIsFeedErrorWithBackoffWhileOtherFeedsFlow) {
    if (!can_unshare_network()) GTEST_SKIP() << "no user/network namespaces here (unshare -rn)";
    DaemonHome home;
    home.write_feed("local", {{"l-1", "one", "a"}});
    write_backoff_config(home);
    zmq::context_t context;
    Subscriber subscriber(context, home.events_endpoint());

    // unshare execs heraldd in place: same pid, a network namespace holding only a down `lo`.
    ProcessOptions options;
    options.unset_env = {"NOTIFY_SOCKET", "HERALD_CONFIG", "JOURNAL_STREAM"};
    Process daemon = Process::start(
        kUnshare, {"-rn", heraldd_path().string(), "--config", home.config_file().string()},
        options);
    const bool ready = wait_until(
        [&] {
            auto reply =
                control_request(context, home.control_endpoint(), R"({"op":"status"})", 300ms);
            return !daemon.running() || (reply && (*reply)["ok"] == true);
        },
        10s, 20ms);
    ASSERT_TRUE(ready && daemon.running()) << daemon.stderr_text();
    const std::string pid = std::to_string(daemon.pid());
    EXPECT_EQ(read_file("/proc/" + pid + "/comm"), "heraldd\n");
    ASSERT_NE(net_namespace(pid), net_namespace("self")) << "heraldd is not in its own namespace";

    // 1. A feed.error that says what happened.
    std::vector<nlohmann::json> events;
    ASSERT_TRUE(wait_until(
        [&] {
            events = replay_all(context, home);
            return !of_kind(events, "feed.error").empty();
        },
        15s, 50ms))
        << daemon.stderr_text();
    const auto error_event = of_kind(events, "feed.error").front();
    EXPECT_EQ(error_event["feed"].value("name", ""), "nowhere");
    const std::string message = error_event.value("error", "");
    EXPECT_NE(message.find("resolve"), std::string::npos) << message;
    EXPECT_NE(message.find("feed.invalid"), std::string::npos) << message;

    // 2. Backoff: the delay after each consecutive error doubles from the interval (1 s) on.
    std::map<int, std::int64_t> delay_after;  // error_count -> next_poll - last_polled, seconds
    const bool backed_off = wait_until(
        [&] {
            auto feed = find_feed(home, kUnresolvable);
            if (!feed || !feed->fetch.next_poll || !feed->fetch.last_polled) return false;
            delay_after[feed->fetch.error_count] =
                (*feed->fetch.next_poll - *feed->fetch.last_polled).count();
            EXPECT_EQ(feed->state, store::FeedState::kError);
            EXPECT_NE(feed->fetch.last_error.value_or("").find("feed.invalid"), std::string::npos);
            return feed->fetch.error_count >= 3;
        },
        20s, 50ms);
    ASSERT_TRUE(backed_off) << "error counts seen: " << delay_after.size();
    // On a loaded machine the first sample may come after the second error: compare the first
    // and last counts seen, whichever they are.
    const auto [first_count, first_delay] = *delay_after.begin();
    const auto [last_count, last_delay] = *delay_after.rbegin();
    ASSERT_LT(first_count, last_count) << "only one error count seen";
    for (const auto& [count, delay] : delay_after) {
        std::cerr << "retry delay after " << count << " error(s): " << delay << " s\n";
    }
    // Nominal: the 1 s interval doubled once per error after the first; jitter is a fraction.
    const auto nominal = [](int errors) { return std::int64_t{1} << (errors - 1); };
    EXPECT_LE(first_delay, nominal(first_count) + 1);
    EXPECT_GE(last_delay, nominal(last_count) * 3 / 4);
    EXPECT_GT(last_delay, first_delay);

    // 3. The other feed is still polled and published.
    home.write_feed("local", {{"l-1", "one", "a"}, {"l-2", "two", "b"}});
    std::vector<ReceivedEvent> live;
    ASSERT_TRUE(subscriber.collect(
        live,
        [](const auto& all) {
            for (const auto* event : item_events(all, "item.new")) {
                if (event->json["item"].value("guid", "") == "l-2") return true;
            }
            return false;
        },
        10s))
        << daemon.stderr_text();
    auto status = control_request(context, home.control_endpoint(), R"({"op":"status"})");
    ASSERT_TRUE(status && (*status)["ok"] == true);
    EXPECT_EQ((*status)["feeds_error"], 1);
    EXPECT_EQ((*status)["feeds_ok"], 1);
    // The same error on every retry is announced once, not once per poll.
    EXPECT_EQ(of_kind(replay_all(context, home), "feed.error").size(), 1u);

    ASSERT_TRUE(daemon.signal(SIGTERM));
    EXPECT_EQ(daemon.wait(5s), 0);
}

// ---- a subscriber that never reads ----

constexpr int kFeeds = 40;
constexpr int kItemsPerFeed = 100;                      // per round
constexpr int kRounds = 5;                              // 4,000 events a round, 20,000 in all
constexpr std::size_t kBodyBytes = 3000;                // ~3.3 KB payloads
constexpr std::int64_t kPublishHighWaterMark = 10'000;  // heraldd's SNDHWM (daemon/src/sockets.hpp)

std::vector<std::string> feed_names() {
    std::vector<std::string> names;
    for (int i = 0; i < kFeeds; ++i) names.push_back("f" + std::to_string(i));
    return names;
}

void write_round(const DaemonHome& home, int round) {
    for (const auto& name : feed_names()) {
        std::vector<TestItem> items;
        for (int i = 0; i < kItemsPerFeed; ++i) {
            const std::string guid = name + "-r" + std::to_string(round) + "-" + std::to_string(i);
            items.push_back({guid, "title " + guid,
                             std::string(kBodyBytes, static_cast<char>('a' + i % 26)) + guid});
        }
        home.write_feed(name, items);
    }
}

std::int64_t last_seq(zmq::context_t& context, const DaemonHome& home) {
    auto status = control_request(context, home.control_endpoint(), R"({"op":"status"})", 1s);
    return status && (*status)["ok"] == true ? (*status)["last_seq"].get<std::int64_t>() : -1;
}

// The seqs herald-tail printed (its readable lines start with the seq).
std::vector<std::int64_t> printed_seqs(const Process& tail) {
    std::vector<std::int64_t> seqs;
    std::istringstream lines(tail.stdout_text());
    std::string line;
    while (std::getline(lines, line)) {
        std::int64_t seq = 0;
        if (std::istringstream(line) >> seq) seqs.push_back(seq);
    }
    return seqs;
}

TEST(DaemonFaults, SubscriberThatNeverReadsNeitherBlocksNorGrowsTheDaemon) {
    // Two daemons get the same work; only `stalled` has subscribers. The difference in their
    // RSS is what the stalled subscriber costs: bounded by SNDHWM, not by the events published.
    DaemonHome stalled_home;
    DaemonHome control_home;
    for (DaemonHome* home : {&stalled_home, &control_home}) {
        home->write_config(feed_names(), "[store]\nsearch = false\n");
        for (const auto& name : feed_names()) home->write_feed(name, {});  // no items yet
    }
    zmq::context_t context;
    // glibc raises its mmap threshold as big blocks are freed, after which a transient 10 MB
    // buffer (a round's feed bodies, a replay reply) stays resident in the heap when freed and
    // RSS shows the most ever used. Fixed at 64 KiB, big blocks go back to the system on free
    // and RSS follows what the daemon holds, which is what this test is about.
    ProcessOptions options;
    options.env = {{"MALLOC_MMAP_THRESHOLD_", "65536"}};
    Process stalled = stalled_home.start_ready(context, options);
    Process control = control_home.start_ready(context, options);

    // Reads one heartbeat (so it is connected and subscribed), then never again.
    zmq::socket_t never_reads(context, zmq::socket_type::sub);
    never_reads.set(zmq::sockopt::rcvhwm, 10);
    never_reads.set(zmq::sockopt::rcvbuf, 4096);
    never_reads.set(zmq::sockopt::linger, 0);
    never_reads.set(zmq::sockopt::subscribe, "heartbeat/");
    never_reads.set(zmq::sockopt::subscribe, "item.");
    never_reads.connect(stalled_home.events_endpoint());
    zmq::message_t first;
    never_reads.set(zmq::sockopt::rcvtimeo, 5000);
    ASSERT_TRUE(never_reads.recv(first));

    // A reading subscriber: herald-tail, with the contract's replay on gaps, from seq 0.
    Process tail = Process::start(program_path("herald-tail"),
                                  {"--publish", stalled_home.events_endpoint(), "--control",
                                   stalled_home.control_endpoint(), "--since", "0"});

    constexpr std::int64_t per_round = std::int64_t{kFeeds} * kItemsPerFeed;
    std::vector<std::int64_t> stalled_rss;
    std::vector<std::int64_t> control_rss;
    for (int round = 1; round <= kRounds; ++round) {
        const auto started = std::chrono::steady_clock::now();
        for (DaemonHome* home : {&stalled_home, &control_home}) {
            write_round(*home, round);
            ASSERT_TRUE(control_request(context, home->control_endpoint(), R"({"op":"refresh"})"));
        }
        // Bounded per round: a daemon blocked on its slow subscriber would stall here.
        const bool published = wait_until(
            [&] {
                return last_seq(context, stalled_home) == per_round * round &&
                       last_seq(context, control_home) == per_round * round;
            },
            60s, 50ms);
        ASSERT_TRUE(published) << "round " << round << ": " << last_seq(context, stalled_home)
                               << " / " << last_seq(context, control_home);
        stalled_rss.push_back(settled_rss_kib(stalled.pid()));
        control_rss.push_back(settled_rss_kib(control.pid()));
        std::cerr << "round " << round << ": "
                  << std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::steady_clock::now() - started)
                         .count()
                  << " ms, RSS stalled " << stalled_rss.back() << " KiB, control "
                  << control_rss.back() << " KiB\n";
    }

    // Every event reached the reading subscriber exactly once, in order.
    const std::int64_t total = per_round * kRounds;
    ASSERT_TRUE(wait_until([&] { return printed_seqs(tail).size() >= total; }, 60s, 50ms))
        << printed_seqs(tail).size() << " of " << total << "; " << tail.stderr_text();
    const auto seqs = printed_seqs(tail);
    ASSERT_EQ(static_cast<std::int64_t>(seqs.size()), total);
    for (std::int64_t i = 0; i < total; ++i) ASSERT_EQ(seqs[i], i + 1);

    // The stalled subscriber's queue is full (SNDHWM) by the end of round 3: from there on the
    // daemon drops for it instead of holding more. Unbounded, rounds 4-5 would add 8,000 events
    // of ~3.3 KB, about 25 MiB, to the difference; bounded, it moves by a few MiB between runs
    // (-8 to +11 MiB seen over seven runs; flat over nine rounds). The full queue itself
    // (~10,000 payloads, ~32 MiB) must show: it proves the stalled subscriber really was
    // subscribed and measured.
    static_assert(per_round * 3 > kPublishHighWaterMark);
    const auto cost = [&](int round) {
        return stalled_rss[static_cast<std::size_t>(round - 1)] -
               control_rss[static_cast<std::size_t>(round - 1)];
    };
    const std::int64_t growth_after_full = cost(kRounds) - cost(3);
    std::cerr << "stalled subscriber costs " << cost(3) << " KiB after round 3, " << cost(kRounds)
              << " KiB after round " << kRounds << "\n";
    if (!kRssIsMeaningful) {
        std::cerr << "sanitizer build: RSS bounds not checked (its allocator keeps freed memory)\n";
    } else {
        EXPECT_GT(cost(3), std::int64_t{12} * 1024)
            << "no queue for the stalled subscriber: was it subscribed?";
        EXPECT_LT(growth_after_full, std::int64_t{15} * 1024)
            << "the daemon keeps events for a reader that never reads";
        EXPECT_LT(stalled_rss.back(), control_rss.back() + std::int64_t{64} * 1024);
    }

    EXPECT_TRUE(stalled.running());
    ASSERT_TRUE(tail.signal(SIGTERM));
    EXPECT_EQ(tail.wait(5s), 0);
    ASSERT_TRUE(stalled.signal(SIGTERM));
    EXPECT_EQ(stalled.wait(5s), 0) << "a full queue must not hold up shutdown";
    ASSERT_TRUE(control.signal(SIGTERM));
    EXPECT_EQ(control.wait(5s), 0);
}

}  // namespace
}  // namespace herald::test
