// [daemon] metrics_file and `herald status --prometheus`: a real heraldd polling a loopback HTTP
// feed, the textfile it writes, and the CLI's copy of the same text.
#include <csignal>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "daemon_harness.hpp"
#include "http_server.hpp"
#include "metrics.hpp"

namespace herald::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// name -> value of every sample line ("name{labels}" as the key).
using Samples = std::map<std::string, double>;

// Checks every line against the text exposition format; fills `samples`. Returns the first
// offending line, or "" when all are well-formed.
std::string check_exposition(const std::string& text, Samples& samples,
                             std::set<std::string>& typed) {
    static const std::regex kHelp(R"(^# HELP (herald_[a-z_]+) \S.*$)");
    static const std::regex kType(R"(^# TYPE (herald_[a-z_]+) (counter|gauge|histogram)$)");
    static const std::regex kSample(
        R"(^(herald_[a-z_]+)(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? (-?[0-9][0-9.e+-]*|\+Inf)$)");
    if (text.empty() || text.back() != '\n') return "(not ending in a newline)";
    std::istringstream lines(text);
    std::string line;
    std::set<std::string> helped;
    while (std::getline(lines, line)) {
        std::smatch match;
        if (std::regex_match(line, match, kHelp)) {
            helped.insert(match[1]);
        } else if (std::regex_match(line, match, kType)) {
            if (!helped.contains(match[1])) return line + " (TYPE before HELP)";
            typed.insert(match[1]);
        } else if (std::regex_match(line, match, kSample)) {
            std::string family = match[1];
            for (const char* suffix : {"_bucket", "_sum", "_count"}) {
                if (!typed.contains(family) && family.ends_with(suffix)) {
                    family.resize(family.size() - std::string_view{suffix}.size());
                }
            }
            if (!typed.contains(family)) return line + " (no TYPE)";
            samples[match[1].str() + match[2].str()] = std::stod(match[4]);
        } else {
            return line;
        }
    }
    return "";
}

Samples parse_ok(const std::string& text) {
    Samples samples;
    std::set<std::string> typed;
    const std::string bad = check_exposition(text, samples, typed);
    EXPECT_EQ(bad, "") << text;
    return samples;
}

std::set<std::string> names_of(const Samples& samples) {
    std::set<std::string> names;
    for (const auto& [name, value] : samples) names.insert(name);
    return names;
}

class DaemonMetrics : public ::testing::Test {
protected:
    void write_config(const std::vector<std::string>& feed_urls) {
        fs::create_directories(metrics_dir());
        std::string text = "[daemon]\nstate_dir = \"" + (home_.path() / "state").string() + "\"\n";
        text += "publish = [\"" + home_.events_endpoint() + "\"]\n";
        text += "control = \"" + home_.control_endpoint() + "\"\n";
        text += "metrics_file = \"" + metrics_file().string() + "\"\n";
        text += "[fetch]\nmin_interval = \"1s\"\ndefault_interval = \"1h\"\n";
        for (const auto& url : feed_urls) text += "[[feed]]\nurl = \"" + url + "\"\n";
        std::ofstream(home_.config_file()) << text;
    }
    [[nodiscard]] fs::path metrics_dir() const { return home_.path() / "textfile"; }
    [[nodiscard]] fs::path metrics_file() const { return metrics_dir() / "herald.prom"; }

    // The daemon's live metrics through the control `status` op.
    Samples live() {
        auto reply = control_request(context_, home_.control_endpoint(), R"({"op":"status"})");
        if (!reply || !(*reply)["prometheus"].is_string()) return {};
        return parse_ok((*reply)["prometheus"].get<std::string>());
    }

    Process herald(std::vector<std::string> args) {
        std::vector<std::string> all{"--config", home_.config_file().string()};
        all.insert(all.end(), args.begin(), args.end());
        ProcessOptions options;
        options.unset_env = {"HERALD_CONFIG", "HERALD_CURVE_KEY", "HERALD_CURVE_SERVER_KEY"};
        return Process::start(program_path("herald"), all, options);
    }

    zmq::context_t context_;
    DaemonHome home_;
};

TEST_F(DaemonMetrics, FileAppearsCountersMoveCliMatchesAndWritesAreRenames) {
    HttpServer server;
    const std::string feed = rss_document("loop", {{"a", "A", "x"}, {"b", "B", "y"}});
    server.script("/feed.xml", {Response::ok(feed).header("ETag", "\"v1\""),
                                Response::not_modified().header("ETag", "\"v1\"")});
    write_config({server.url("/feed.xml")});
    Process daemon = home_.start_ready(context_);

    // Written at start, then every 15 s and at exit.
    ASSERT_TRUE(wait_until([&] { return fs::exists(metrics_file()); }, 5s)) << daemon.stderr_text();
    const Samples first = parse_ok(read_file(metrics_file()));
    EXPECT_TRUE(first.contains("herald_polls_total{result=\"ok\"}"));
    EXPECT_TRUE(first.contains("herald_poll_duration_seconds_bucket{le=\"+Inf\"}"));
    struct stat before {};
    ASSERT_EQ(::stat(metrics_file().c_str(), &before), 0);

    // A subscriber is counted while connected.
    {
        Subscriber subscriber(context_, home_.events_endpoint());
        EXPECT_TRUE(wait_until([&] { return live()["herald_publish_connections"] == 1; }, 5s));
    }
    EXPECT_TRUE(wait_until([&] { return live()["herald_publish_connections"] == 0; }, 5s));

    // One 200 poll, then a refresh gives a 304.
    ASSERT_TRUE(wait_until([&] { return live()["herald_polls_total{result=\"ok\"}"] >= 1; }, 10s))
        << daemon.stderr_text();
    auto refreshed = control_request(context_, home_.control_endpoint(), R"({"op":"refresh"})");
    ASSERT_TRUE(refreshed && (*refreshed)["ok"] == true);
    ASSERT_TRUE(
        wait_until([&] { return live()["herald_polls_total{result=\"not_modified\"}"] >= 1; }, 10s))
        << daemon.stderr_text();

    // `herald status --prometheus` prints the same metric set, with the moved counters.
    Process cli = herald({"status", "--prometheus"});
    ASSERT_EQ(cli.wait(10s), 0) << cli.stderr_text();
    const Samples printed = parse_ok(cli.stdout_text());
    EXPECT_EQ(names_of(printed), names_of(first));
    EXPECT_EQ(printed.at("herald_polls_total{result=\"ok\"}"), 1);
    EXPECT_EQ(printed.at("herald_polls_total{result=\"not_modified\"}"), 1);
    EXPECT_EQ(printed.at("herald_polls_total{result=\"error\"}"), 0);
    EXPECT_EQ(printed.at("herald_items_total{kind=\"new\"}"), 2);
    EXPECT_GT(printed.at("herald_fetched_bytes_total"), static_cast<double>(feed.size()));
    EXPECT_EQ(printed.at("herald_poll_duration_seconds_count"), 2);
    EXPECT_EQ(printed.at("herald_poll_duration_seconds_bucket{le=\"+Inf\"}"), 2);
    EXPECT_EQ(printed.at("herald_feeds{state=\"ok\"}"), 1);
    EXPECT_EQ(printed.at("herald_last_seq"), 2);

    // At exit the file is replaced whole (a new inode: written aside, then renamed).
    ASSERT_TRUE(daemon.signal(SIGTERM));
    ASSERT_EQ(daemon.wait(5s), 0) << daemon.stderr_text();
    struct stat after {};
    ASSERT_EQ(::stat(metrics_file().c_str(), &after), 0);
    EXPECT_NE(after.st_ino, before.st_ino);
    const Samples last = parse_ok(read_file(metrics_file()));
    EXPECT_EQ(names_of(last), names_of(first));
    EXPECT_EQ(last.at("herald_polls_total{result=\"not_modified\"}"), 1);
    EXPECT_EQ(last.at("herald_items_total{kind=\"new\"}"), 2);
    // Nothing but the one file is left in the collector's directory (no temp files).
    std::vector<std::string> files;
    for (const auto& entry : fs::directory_iterator(metrics_dir()))
        files.push_back(entry.path().filename());
    EXPECT_EQ(files, std::vector<std::string>{"herald.prom"});
}

TEST_F(DaemonMetrics, OnceWritesItsCountsAtExitAndErrorsAreCounted) {
    HttpServer server;
    server.set("/broken.xml", Response::with_status(500, "no"));
    home_.write_feed("local", {{"one", "One", "1"}, {"two", "Two", "2"}, {"three", "Three", "3"}});
    write_config({"file://" + home_.feed_file("local").string(), server.url("/broken.xml")});
    Process once = home_.start({}, {"--once"});
    ASSERT_EQ(once.wait(20s), 0) << once.stderr_text();
    const Samples samples = parse_ok(read_file(metrics_file()));
    EXPECT_EQ(samples.at("herald_polls_total{result=\"ok\"}"), 1);
    EXPECT_EQ(samples.at("herald_polls_total{result=\"error\"}"), 1);
    EXPECT_EQ(samples.at("herald_items_total{kind=\"new\"}"), 3);
    EXPECT_EQ(samples.at("herald_feeds{state=\"error\"}"), 1);
    EXPECT_EQ(samples.at("herald_events_published_total"), 4);  // 3 item.new + 1 feed.error
    EXPECT_EQ(samples.at("herald_feed_errors_total"), 1);
}

TEST_F(DaemonMetrics, StatusPrometheusWithoutDaemonExits3) {
    write_config({});
    Process cli = herald({"status", "--prometheus"});
    EXPECT_EQ(cli.wait(10s), 3);
    EXPECT_NE(cli.stderr_text().find("not running"), std::string::npos) << cli.stderr_text();
    EXPECT_EQ(cli.stdout_text(), "");
}

TEST(Metrics, HistogramBucketsAreCumulativeAndRenderParses) {
    daemon::Metrics metrics;
    metrics.record_poll(daemon::PollResult::kOk, 20ms, 100);
    metrics.record_poll(daemon::PollResult::kOk, 300ms, 100);
    metrics.record_poll(daemon::PollResult::kError, 2min, 0);
    daemon::MetricsGauges gauges;
    gauges.subscribers = 4;
    const Samples samples = parse_ok(metrics.render(gauges));
    EXPECT_EQ(samples.at("herald_poll_duration_seconds_bucket{le=\"0.05\"}"), 1);
    EXPECT_EQ(samples.at("herald_poll_duration_seconds_bucket{le=\"0.5\"}"), 2);
    EXPECT_EQ(samples.at("herald_poll_duration_seconds_bucket{le=\"60\"}"), 2);
    EXPECT_EQ(samples.at("herald_poll_duration_seconds_bucket{le=\"+Inf\"}"), 3);
    EXPECT_NEAR(samples.at("herald_poll_duration_seconds_sum"), 120.32, 1e-6);
    EXPECT_EQ(samples.at("herald_fetched_bytes_total"), 200);
    EXPECT_EQ(samples.at("herald_polls_total{result=\"error\"}"), 1);
    EXPECT_EQ(samples.at("herald_publish_connections"), 4);
}

TEST(Metrics, WriteReplacesTheFileAndReportsAMissingDirectory) {
    TempDir dir;
    const fs::path file = dir.path() / "herald.prom";
    ASSERT_TRUE(daemon::write_metrics_file(file, "a 1\n").has_value());
    ASSERT_TRUE(daemon::write_metrics_file(file, "b 2\n").has_value());
    EXPECT_EQ(read_file(file), "b 2\n");
    EXPECT_FALSE(fs::exists(file.string() + ".tmp"));
    auto failed = daemon::write_metrics_file(dir.path() / "missing" / "x.prom", "c 3\n");
    ASSERT_FALSE(failed.has_value());
    EXPECT_NE(failed.error().find("missing"), std::string::npos) << failed.error();
}

}  // namespace
}  // namespace herald::test
