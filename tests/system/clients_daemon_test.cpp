// The client programs against a real heraldd: every CLI command with and without --json,
// feed changes picked up by a running daemon, queries while it writes, OPML round trip,
// autodiscovery on a served page, and subscribers that lose nothing across restarts.
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>

#include <herald/client.hpp>

#include "daemon_harness.hpp"
#include "http_server.hpp"
#include "process.hpp"

namespace herald::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

struct Run {
    int code = -1;
    std::string out;
    std::string err;
};

Run herald(const DaemonHome& home, std::vector<std::string> args) {
    args.insert(args.begin(), {"--config", home.config_file().string()});
    ProcessOptions options;
    options.unset_env = {"HERALD_CONFIG", "NO_COLOR"};
    auto process = Process::start(program_path("herald"), args, options);
    const auto code = process.wait(20s);
    return Run{code.value_or(-1), process.stdout_text(), process.stderr_text()};
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) lines.push_back(line);
    }
    return lines;
}

std::vector<json> json_lines(const std::string& text) {
    std::vector<json> objects;
    for (const auto& line : lines_of(text)) objects.push_back(json::parse(line));
    return objects;
}

std::vector<TestItem> items(const std::string& prefix, int count) {
    std::vector<TestItem> result;
    for (int i = 1; i <= count; ++i) {
        const auto n = std::to_string(i);
        result.push_back({prefix + "-" + n, prefix + " story " + n, "body of " + prefix + " " + n});
    }
    return result;
}

// A home with feeds alpha (3 items) and beta (2 items), stored by `heraldd --once`.
void populate(DaemonHome& home) {
    home.write_feed("alpha", items("alpha", 3));
    home.write_feed("beta", items("beta", 2));
    home.write_config({"alpha", "beta"});
    auto once = home.start({}, {"--once"});
    const auto code = once.wait(20s);
    ASSERT_TRUE(code.has_value());
    ASSERT_EQ(*code, 0) << once.stderr_text();
}

TEST(ClientsWithDaemon, FeedCommandsWithAndWithoutJson) {
    DaemonHome home;
    populate(home);
    const auto list = herald(home, {"feeds", "list"});
    ASSERT_EQ(list.code, 0) << list.err;
    EXPECT_NE(list.out.find("alpha"), std::string::npos);
    EXPECT_NE(list.out.find("feed beta"), std::string::npos);
    EXPECT_EQ(list.out.find('\x1b'), std::string::npos) << "colour codes into a pipe";
    // --config (and --json) after the command words.
    auto after = Process::start(program_path("herald"),
                                {"feeds", "list", "--config", home.config_file().string()});
    ASSERT_EQ(after.wait(20s), 0) << after.stderr_text();
    EXPECT_EQ(lines_of(after.stdout_text()).size(), 3u);  // header, alpha, beta
    EXPECT_NE(after.stdout_text().find("feed alpha"), std::string::npos);
    const auto list_json = herald(home, {"feeds", "list", "--json"});
    ASSERT_EQ(list_json.code, 0);
    const auto feeds = json_lines(list_json.out);
    ASSERT_EQ(feeds.size(), 2u);
    EXPECT_EQ(feeds[0]["name"], "alpha");
    EXPECT_EQ(feeds[0]["items"], 3);
    EXPECT_EQ(feeds[0]["state"], "ok");
    EXPECT_EQ(feeds[0]["title"], "feed alpha");
    EXPECT_TRUE(feeds[0]["last_polled"].is_string());
    EXPECT_EQ(feeds[0]["interval"], 1);
    const auto show = herald(home, {"--json", "feeds", "show", "beta"});
    ASSERT_EQ(show.code, 0);
    EXPECT_EQ(json::parse(show.out)["items"], 2);
    const auto show_human = herald(home, {"feeds", "show", "beta"});
    EXPECT_NE(show_human.out.find("feed beta"), std::string::npos);
    const auto missing = herald(home, {"feeds", "show", "gamma"});
    EXPECT_EQ(missing.code, 3);
    EXPECT_EQ(lines_of(missing.err).size(), 1u) << missing.err;
    const auto removed = herald(home, {"feeds", "rm", "beta", "--json"});
    ASSERT_EQ(removed.code, 0) << removed.err;
    EXPECT_EQ(json::parse(removed.out)["removed"], "beta");
    EXPECT_EQ(json_lines(herald(home, {"feeds", "list", "--json"}).out).size(), 1u);
    EXPECT_EQ(herald(home, {"feeds", "rm", "beta"}).code, 3);
}

TEST(ClientsWithDaemon, ItemCommandsWithAndWithoutJson) {
    DaemonHome home;
    populate(home);
    const auto all = herald(home, {"items", "list", "--json"});
    ASSERT_EQ(all.code, 0) << all.err;
    const auto listed = json_lines(all.out);
    ASSERT_EQ(listed.size(), 5u);
    std::set<std::int64_t> seqs;
    for (const auto& item : listed) {
        EXPECT_TRUE(item["feed"] == "alpha" || item["feed"] == "beta");
        seqs.insert(item["seq"].get<std::int64_t>());
    }
    EXPECT_EQ(seqs, (std::set<std::int64_t>{1, 2, 3, 4, 5}));
    const auto limited = json_lines(
        herald(home, {"items", "list", "--feed", "alpha", "--limit", "2", "--json"}).out);
    ASSERT_EQ(limited.size(), 2u);
    EXPECT_EQ(limited[0]["feed"], "alpha");
    const auto human = herald(home, {"items", "list"});
    EXPECT_NE(human.out.find("beta story 2"), std::string::npos);
    const auto found = herald(home, {"items", "search", "story", "--feed", "beta", "--json"});
    ASSERT_EQ(found.code, 0) << found.err;
    EXPECT_EQ(json_lines(found.out).size(), 2u);
    const auto human_search = herald(home, {"items", "search", "alpha"});
    EXPECT_NE(human_search.out.find("alpha story"), std::string::npos);
    const auto id = listed[0]["id"].get<std::int64_t>();
    const auto one = herald(home, {"items", "show", std::to_string(id), "--json"});
    ASSERT_EQ(one.code, 0);
    EXPECT_EQ(json::parse(one.out)["id"], id);
    const auto one_human = herald(home, {"items", "show", std::to_string(id)});
    EXPECT_NE(one_human.out.find(listed[0]["title"].get<std::string>()), std::string::npos);
    EXPECT_EQ(herald(home, {"items", "show", "999999"}).code, 3);
    EXPECT_EQ(herald(home, {"items", "list", "--feed", "nope"}).code, 3);
    EXPECT_EQ(herald(home, {"items", "list", "--limit", "zero"}).code, 2);
    EXPECT_EQ(herald(home, {"items", "frobnicate"}).code, 2);
}

TEST(ClientsWithDaemon, FeedErrorsAreShownPlainly) {
    DaemonHome home;
    home.write_feed("fine", items("fine", 1));
    home.write_config({"fine", "broken"});  // broken.xml never written
    auto once = home.start({}, {"--once"});
    ASSERT_EQ(once.wait(20s), 0) << once.stderr_text();
    const auto list = herald(home, {"feeds", "list"});
    ASSERT_EQ(list.code, 0) << list.err;
    const auto lines = lines_of(list.out);
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_NE(lines[1].find("error"), std::string::npos) << lines[1];  // broken sorts first
    EXPECT_NE(lines[1].find("broken.xml"), std::string::npos) << lines[1];
    const auto status = json::parse(herald(home, {"status", "--json"}).out);
    ASSERT_EQ(status["errors"].size(), 1u);
    EXPECT_EQ(status["errors"][0]["feed"], "broken");
    EXPECT_EQ(json::parse(herald(home, {"feeds", "show", "broken", "--json"}).out)["state"],
              "error");
}

TEST(ClientsWithDaemon, StatusRefreshAndDbCheck) {
    DaemonHome home;
    populate(home);
    const auto offline = herald(home, {"status", "--json"});
    ASSERT_EQ(offline.code, 0) << offline.err;
    EXPECT_EQ(json::parse(offline.out)["running"], false);
    EXPECT_EQ(json::parse(offline.out)["last_seq"], 5);
    const auto no_daemon = herald(home, {"refresh"});
    EXPECT_EQ(no_daemon.code, 1);
    EXPECT_NE(no_daemon.err.find("not running"), std::string::npos);
    zmq::context_t context;
    auto daemon = home.start_ready(context);
    const auto online = herald(home, {"status", "--json"});
    ASSERT_EQ(online.code, 0);
    EXPECT_EQ(json::parse(online.out)["running"], true);
    EXPECT_NE(herald(home, {"status"}).out.find("running"), std::string::npos);
    EXPECT_EQ(herald(home, {"refresh"}).code, 0);
    EXPECT_EQ(herald(home, {"refresh", "alpha", "--json"}).code, 0);
    EXPECT_EQ(herald(home, {"refresh", "gamma"}).code, 3);
    const auto check = herald(home, {"db", "check"});
    EXPECT_EQ(check.code, 0) << check.err;
    EXPECT_EQ(json::parse(herald(home, {"db", "check", "--json"}).out)["ok"], true);
}

TEST(ClientsWithDaemon, FeedAddedByCliIsPolledByRunningDaemonWithinASecond) {
    DaemonHome home;
    home.write_config({});
    home.write_feed("late", items("late", 2));
    zmq::context_t context;
    auto daemon = home.start_ready(context);
    Subscriber events(context, home.events_endpoint());
    ASSERT_TRUE(events.wait_heartbeat(5s));
    const auto added = herald(
        home, {"feeds", "add", home.feed_file("late").string(), "--name", "late", "--tag", "test"});
    ASSERT_EQ(added.code, 0) << added.err;
    const auto added_at = std::chrono::steady_clock::now();
    std::vector<ReceivedEvent> received;
    ASSERT_TRUE(events.collect(
        received, [](const auto& all) { return item_events(all, "item.new").size() >= 2; }, 5s));
    const auto delay = std::chrono::steady_clock::now() - added_at;
    // Contract: within a second (plus slack for a loaded CI machine running sanitizers).
    EXPECT_LT(delay, 2500ms);
    RecordProperty(
        "feed_add_to_event_ms",
        static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(delay).count()));
    const auto shown = json::parse(herald(home, {"feeds", "show", "late", "--json"}).out);
    EXPECT_EQ(shown["tags"], json::array({"test"}));
}

TEST(ClientsWithDaemon, QueriesWorkWhileTheDaemonWrites) {
    DaemonHome home;
    home.write_feed("busy", items("busy", 1));
    home.write_config({"busy"});
    zmq::context_t context;
    auto daemon = home.start_ready(context);
    for (int round = 2; round <= 6; ++round) {
        home.write_feed("busy", items("busy", round * 20));
        const auto listed = herald(home, {"items", "list", "--json", "--limit", "500"});
        ASSERT_EQ(listed.code, 0) << listed.err;
        const auto searched = herald(home, {"items", "search", "story", "--limit", "10"});
        ASSERT_EQ(searched.code, 0) << searched.err;
    }
    EXPECT_TRUE(wait_until(
        [&] {
            return json_lines(herald(home, {"items", "list", "--json", "--limit", "500"}).out)
                       .size() == 120;
        },
        10s, 100ms));
}

TEST(ClientsWithDaemon, OpmlRoundTrip) {
    DaemonHome home;
    populate(home);
    ASSERT_EQ(herald(home, {"feeds", "add", "--no-check", "https://example.org/x.xml", "--tag",
                            "news", "--tag", "tech"})
                  .code,
              0);
    const auto exported = herald(home, {"opml", "export"});
    ASSERT_EQ(exported.code, 0) << exported.err;
    EXPECT_NE(exported.out.find("<opml version=\"2.0\""), std::string::npos);
    DaemonHome other;
    other.write_config({});
    const auto file = other.path() / "subs.opml";
    { std::ofstream(file) << exported.out; }
    const auto imported = herald(other, {"opml", "import", file.string(), "--json"});
    ASSERT_EQ(imported.code, 0) << imported.err;
    EXPECT_EQ(json::parse(imported.out)["imported"].size(), 3u);
    const auto before = json_lines(herald(home, {"feeds", "list", "--json"}).out);
    const auto after = json_lines(herald(other, {"feeds", "list", "--json"}).out);
    ASSERT_EQ(before.size(), after.size());
    for (std::size_t i = 0; i < before.size(); ++i) {
        EXPECT_EQ(before[i]["name"], after[i]["name"]);
        EXPECT_EQ(before[i]["url"], after[i]["url"]);
        EXPECT_EQ(before[i]["tags"], after[i]["tags"]);
    }
    const auto again = herald(other, {"opml", "import", file.string()});
    ASSERT_EQ(again.code, 0);
    EXPECT_NE(again.out.find("imported 0 feeds"), std::string::npos) << again.out;
    EXPECT_NE(again.out.find("already subscribed"), std::string::npos);
    EXPECT_EQ(herald(other, {"opml", "import", "/no/such.opml"}).code, 3);
}

TEST(ClientsWithDaemon, FeedsAddDiscoversTheFeedOfAServedPage) {
    HttpServer server;
    const std::string feed = rss_document("served", items("served", 2));
    server.set("/feed.xml", Response::ok(feed));
    server.set("/comments.xml", Response::ok(feed));
    server.set("/page.html", Response::ok("<html><head><link rel=alternate "
                                          "type=application/rss+xml href=/feed.xml></head></html>",
                                          "text/html"));
    server.set("/two.html", Response::ok("<html><head>"
                                         "<link rel=alternate type=application/rss+xml "
                                         "href=feed.xml title=Posts>"
                                         "<link rel=alternate type=application/rss+xml "
                                         "href=comments.xml title=Comments></head></html>",
                                         "text/html"));
    server.set("/none.html", Response::ok("<html><head></head></html>", "text/html"));
    DaemonHome home;
    home.write_config({});
    const auto one = herald(home, {"feeds", "add", server.url("/page.html"), "--json"});
    ASSERT_EQ(one.code, 0) << one.err;
    EXPECT_EQ(json::parse(one.out)["url"], server.url("/feed.xml"));
    const auto several = herald(home, {"feeds", "add", server.url("/two.html")});
    EXPECT_EQ(several.code, 2);
    EXPECT_NE(several.err.find("Comments"), std::string::npos) << several.err;
    EXPECT_NE(several.err.find("--pick"), std::string::npos);
    const auto picked =
        herald(home, {"feeds", "add", server.url("/two.html"), "--pick", "2", "--json"});
    ASSERT_EQ(picked.code, 0) << picked.err;
    EXPECT_EQ(json::parse(picked.out)["url"], server.url("/comments.xml"));
    EXPECT_EQ(herald(home, {"feeds", "add", server.url("/none.html")}).code, 3);
    EXPECT_EQ(herald(home, {"feeds", "add", server.url("/feed.xml")}).code, 1);  // already added
    EXPECT_EQ(herald(home, {"feeds", "add", server.url("/missing.xml")}).code, 1);
}

// Appends a line per event it handles; restarts of both sides must not lose or skip any.
TEST(ClientsWithDaemon, SubscribersLoseNothingAcrossRestartsOfEitherSide) {
    DaemonHome home;
    int total = 3;
    home.write_feed("flow", items("flow", total));
    home.write_config({"flow"});
    const auto cursor = home.path() / "exec.cursor";
    const auto tail_cursor = home.path() / "tail.cursor";
    ASSERT_TRUE(client::save_cursor(cursor, client::Cursor{"", 0}));
    ASSERT_TRUE(client::save_cursor(tail_cursor, client::Cursor{"", 0}));
    const auto out = home.path() / "handled";
    const auto exec_args =
        std::vector<std::string>{"--config", home.config_file().string(),
                                 "--cursor", cursor.string(),
                                 "--",       "/bin/sh",
                                 "-c",       "echo $HERALD_SEQ >> " + out.string()};
    const auto tail_args = std::vector<std::string>{"--config", home.config_file().string(),
                                                    "--cursor", tail_cursor.string(), "--json"};
    const auto handled = [&] {
        std::set<int> seen;
        for (const auto& line : lines_of(read_file(out))) seen.insert(std::stoi(line));
        return seen;
    };
    // Subscribers first: they wait for the daemon.
    auto exec = Process::start(program_path("herald-exec"), exec_args);
    auto tail = Process::start(program_path("herald-tail"), tail_args);
    zmq::context_t context;
    auto daemon = home.start_ready(context);
    ASSERT_TRUE(wait_until([&] { return handled().size() == 3; }, 10s)) << exec.stderr_text();
    ASSERT_TRUE(wait_until([&] { return lines_of(tail.stdout_text()).size() == 3; }, 10s));
    // Both subscribers killed hard; events published while they are down.
    exec.kill();
    tail.kill();
    const auto first_tail_run = lines_of(tail.stdout_text());
    total += 3;
    home.write_feed("flow", items("flow", total));
    ASSERT_TRUE(wait_until(
        [&] {
            return json::parse(herald(home, {"status", "--json"}).out)["last_seq"] == total;
        },
        10s, 50ms));
    exec = Process::start(program_path("herald-exec"), exec_args);
    tail = Process::start(program_path("herald-tail"), tail_args);
    ASSERT_TRUE(wait_until([&] { return handled().size() == 6; }, 10s)) << exec.stderr_text();
    // The daemon killed hard and restarted; events published after.
    daemon.kill();
    total += 3;
    home.write_feed("flow", items("flow", total));
    daemon = home.start_ready(context);
    ASSERT_TRUE(wait_until([&] { return handled().size() == 9; }, 15s)) << exec.stderr_text();
    ASSERT_TRUE(wait_until(
        [&] { return lines_of(tail.stdout_text()).size() + first_tail_run.size() >= 9; }, 10s));
    ASSERT_TRUE(tail.signal(SIGTERM));
    ASSERT_TRUE(exec.signal(SIGTERM));
    EXPECT_EQ(tail.wait(5s), 0);
    EXPECT_EQ(exec.wait(5s), 0);
    EXPECT_EQ(handled(), (std::set<int>{1, 2, 3, 4, 5, 6, 7, 8, 9}));
    // In seq order; only an event in flight at the kill may repeat.
    const auto order = lines_of(read_file(out));
    EXPECT_LE(order.size(), 10u);
    for (std::size_t i = 1; i < order.size(); ++i) {
        EXPECT_LE(std::stoi(order[i - 1]), std::stoi(order[i]));
    }
    // herald-tail: the first run printed 1..3; the second carries on from its cursor, which
    // may repeat what was printed after the last save but never skips.
    std::vector<std::int64_t> first_seqs;
    for (const auto& line : first_tail_run) first_seqs.push_back(json::parse(line)["seq"]);
    EXPECT_EQ(first_seqs, (std::vector<std::int64_t>{1, 2, 3}));
    std::vector<std::int64_t> second_seqs;
    for (const auto& line : lines_of(tail.stdout_text())) {
        second_seqs.push_back(json::parse(line)["seq"].get<std::int64_t>());
    }
    ASSERT_FALSE(second_seqs.empty());
    EXPECT_LE(second_seqs.front(), 4);
    EXPECT_EQ(second_seqs.back(), 9);
    for (std::size_t i = 1; i < second_seqs.size(); ++i) {
        EXPECT_EQ(second_seqs[i], second_seqs[i - 1] + 1);
    }
    EXPECT_EQ(client::load_cursor(cursor)->value().seq, 9);
}

// The docs/protocol.md examples: replay after a seq, then live, nothing missed or repeated.
void expect_example_follows_replay_rules(const std::filesystem::path& program,
                                         std::vector<std::string> prefix) {
    DaemonHome home;
    populate(home);  // seqs 1..5
    zmq::context_t context;
    auto daemon = home.start_ready(context);
    prefix.insert(prefix.end(),
                  {home.events_endpoint(), home.control_endpoint(), "2", "--max", "5"});
    auto example = Process::start(program, prefix);
    ASSERT_TRUE(wait_until([&] { return lines_of(example.stdout_text()).size() >= 3; }, 10s))
        << example.stderr_text();
    home.write_feed("alpha", items("alpha", 5));  // seqs 6 and 7, live
    const auto code = example.wait(15s);
    ASSERT_TRUE(code.has_value()) << example.stdout_text() << example.stderr_text();
    EXPECT_EQ(*code, 0) << example.stderr_text();
    const auto lines = lines_of(example.stdout_text());
    ASSERT_EQ(lines.size(), 5u);
    for (int i = 0; i < 5; ++i) {
        EXPECT_TRUE(lines[static_cast<std::size_t>(i)].starts_with(std::to_string(i + 3) + " "))
            << lines[static_cast<std::size_t>(i)];
    }
    EXPECT_NE(lines[3].find("item.new alpha alpha story 4"), std::string::npos) << lines[3];
}

TEST(ClientsWithDaemon, CppExampleSubscriberFollowsTheReplayRules) {
    expect_example_follows_replay_rules(program_path("herald-example-subscriber"), {});
}

TEST(ClientsWithDaemon, PythonExampleSubscriberFollowsTheReplayRules) {
    // Debian's python3-zmq lives in the system interpreter, which a pyenv may shadow.
    std::string python;
    for (const std::string candidate : {"/usr/bin/python3", "python3"}) {
        if (std::system((candidate + " -c 'import zmq' 2>/dev/null").c_str()) == 0) {
            python = candidate;
            break;
        }
    }
    if (python.empty()) GTEST_SKIP() << "python3 with pyzmq (python3-zmq) is not installed";
    const char* source = std::getenv("HERALD_SOURCE_DIR");
    ASSERT_NE(source, nullptr);
    const auto script = std::filesystem::path(source) / "clients" / "examples" / "subscriber.py";
    expect_example_follows_replay_rules("/usr/bin/env", {python, script.string()});
}

}  // namespace
}  // namespace herald::test
