#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include <herald/config.hpp>

namespace herald::config {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

Environment bare_env() {
    Environment env;
    env.home = "/home/tester";
    env.system_config = "/nonexistent/herald.toml";
    return env;
}

ConfigError parse_error(std::string_view text) {
    auto config = parse_config(text, "/etc/herald/herald.toml", bare_env());
    EXPECT_FALSE(config.has_value()) << "expected an error for:\n" << text;
    return config ? ConfigError{} : config.error();
}

class TempDir {
public:
    TempDir() {
        std::random_device random;
        path_ = fs::temp_directory_path() / ("herald-config-test-" + std::to_string(random()));
        fs::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const fs::path& path() const { return path_; }
    fs::path write(const fs::path& relative, std::string_view text) const {
        fs::path file = path_ / relative;
        fs::create_directories(file.parent_path());
        std::ofstream(file) << text;
        return file;
    }

private:
    fs::path path_;
};

TEST(Duration, ParsesEveryUnit) {
    EXPECT_EQ(parse_duration("500ms"), 500ms);
    EXPECT_EQ(parse_duration("90s"), 90s);
    EXPECT_EQ(parse_duration("15m"), 15min);
    EXPECT_EQ(parse_duration("1h"), 1h);
    EXPECT_EQ(parse_duration("1d"), 24h);
    EXPECT_EQ(parse_duration("1h30m"), 90min);
    EXPECT_EQ(parse_duration("0s"), 0ms);
}

TEST(Duration, RefusesMalformed) {
    for (const char* bad :
         {"", "s", "10", "10x", "1.5h", "-1s", " 1s", "1s ", "1 h", "99999999999d"}) {
        EXPECT_FALSE(parse_duration(bad).has_value()) << bad;
    }
}

TEST(Size, ParsesBinaryAndDecimalUnits) {
    EXPECT_EQ(parse_size("16MiB"), 16u << 20);
    EXPECT_EQ(parse_size("512KiB"), 512u << 10);
    EXPECT_EQ(parse_size("1GiB"), 1u << 30);
    EXPECT_EQ(parse_size("100kB"), 100'000u);
    EXPECT_EQ(parse_size("2MB"), 2'000'000u);
    EXPECT_EQ(parse_size("1234"), 1234u);
    EXPECT_EQ(parse_size("1234B"), 1234u);
    for (const char* bad : {"", "MiB", "16 MiB", "16mib", "1.5MiB", "99999999999999GiB"}) {
        EXPECT_FALSE(parse_size(bad).has_value()) << bad;
    }
}

TEST(Slug, DerivedFromUrl) {
    EXPECT_EQ(slug_from_url("https://www.example.org/blog/feed.xml"), "example-org-blog");
    EXPECT_EQ(slug_from_url("https://news.ycombinator.com/rss"), "news-ycombinator-com");
    EXPECT_EQ(slug_from_url("http://127.0.0.1:8080/feeds/3.xml?x=1"), "127-0-0-1-3");
    EXPECT_EQ(slug_from_url("file:///usr/share/herald/examples/feeds/planet-debian.xml"),
              "planet-debian");
    EXPECT_EQ(slug_from_url("https:///"), "feed");
    EXPECT_TRUE(is_valid_name(slug_from_url("https://ÄÖÜ.example/Ünïcode/--feed--.atom")));
    EXPECT_LE(slug_from_url("https://example.org/" + std::string(200, 'a')).size(), 48u);
}

TEST(Slug, Validity) {
    EXPECT_TRUE(is_valid_name("bbc-news"));
    EXPECT_TRUE(is_valid_name("a1"));
    EXPECT_FALSE(is_valid_name(""));
    EXPECT_FALSE(is_valid_name("BBC"));
    EXPECT_FALSE(is_valid_name("-x"));
    EXPECT_FALSE(is_valid_name("x-"));
    EXPECT_FALSE(is_valid_name("a b"));
    EXPECT_FALSE(is_valid_name("a/b"));
}

TEST(Parse, FullExample) {
    auto config = parse_config(R"(
[daemon]
state_dir = "/var/lib/herald"
publish   = ["ipc:///run/herald/events", "tcp://127.0.0.1:7613"]
control   = "ipc:///run/herald/control"
log_level = "debug"
heartbeat = "2s"

[fetch]
user_agent   = "herald/test"
concurrency  = 8
per_host     = 1
timeout      = "10s"
max_body     = "1MiB"
min_interval = "1s"
default_interval = "15m"
max_interval = "2h"

[store]
keep_items = 100
keep_days = 30
keep_events = 5000
search = false

[[feed]]
url      = "https://example.org/feed.xml"
name     = "example"
interval = "15m"
tags     = ["news", "tech"]

[[feed]]
url = "https://example.org/other/atom.xml"
)",
                               "/etc/herald/herald.toml", bare_env());
    ASSERT_TRUE(config.has_value()) << config.error().to_string();
    EXPECT_EQ(config->daemon.state_dir, "/var/lib/herald");
    EXPECT_EQ(config->daemon.database(), "/var/lib/herald/herald.db");
    ASSERT_EQ(config->daemon.publish.size(), 2u);
    EXPECT_EQ(config->daemon.publish[1], "tcp://127.0.0.1:7613");
    EXPECT_EQ(config->daemon.control, "ipc:///run/herald/control");
    EXPECT_EQ(config->daemon.log_level, LogLevel::kDebug);
    EXPECT_EQ(config->daemon.heartbeat, 2s);
    EXPECT_EQ(config->fetch.user_agent, "herald/test");
    EXPECT_EQ(config->fetch.concurrency, 8);
    EXPECT_EQ(config->fetch.per_host, 1);
    EXPECT_EQ(config->fetch.timeout, 10s);
    EXPECT_EQ(config->fetch.max_body, 1u << 20);
    EXPECT_EQ(config->fetch.min_interval, 1s);
    EXPECT_EQ(config->fetch.default_interval, 15min);
    EXPECT_EQ(config->fetch.max_interval, 2h);
    EXPECT_EQ(config->store.keep_items, 100);
    EXPECT_EQ(config->store.keep_days, 30);
    EXPECT_EQ(config->store.keep_events, 5000);
    EXPECT_FALSE(config->store.search);
    ASSERT_EQ(config->feeds.size(), 2u);
    EXPECT_EQ(config->feeds[0].name, "example");
    EXPECT_EQ(config->feeds[0].interval, std::chrono::seconds{15min});
    EXPECT_EQ(config->feeds[0].tags, (std::vector<std::string>{"news", "tech"}));
    EXPECT_EQ(config->feeds[0].line, 25);
    EXPECT_EQ(config->feeds[1].name, "example-org-other");
    EXPECT_FALSE(config->feeds[1].interval.has_value());
    EXPECT_FALSE(config->is_builtin());
}

TEST(Parse, EmptyFileGivesDefaults) {
    Environment env = bare_env();
    env.runtime_directory = "/run/herald";
    auto config = parse_config("", "/etc/herald/herald.toml", env);
    ASSERT_TRUE(config.has_value()) << config.error().to_string();
    EXPECT_EQ(config->daemon.state_dir, "/home/tester/.local/state/herald");
    EXPECT_EQ(config->daemon.publish, std::vector<std::string>{"ipc:///run/herald/events"});
    EXPECT_EQ(config->daemon.control, "ipc:///run/herald/control");
    EXPECT_EQ(config->daemon.heartbeat, 5s);
    EXPECT_EQ(config->fetch.concurrency, 64);
    EXPECT_EQ(config->fetch.per_host, 2);
    EXPECT_EQ(config->fetch.timeout, 30s);
    EXPECT_EQ(config->fetch.max_body, 16u << 20);
    EXPECT_EQ(config->fetch.min_interval, 5min);
    EXPECT_EQ(config->fetch.default_interval, 1h);
    EXPECT_EQ(config->fetch.max_interval, 24h);
    EXPECT_NE(config->fetch.user_agent.find("herald/"), std::string::npos);
    EXPECT_TRUE(config->store.search);
    EXPECT_TRUE(config->feeds.empty());
}

TEST(Parse, RelativePathsAreRelativeToTheFile) {
    auto config = parse_config("[daemon]\nstate_dir = \"state\"\ncontrol = \"ipc://sock/c\"\n",
                               "/srv/h/herald.toml", bare_env());
    ASSERT_TRUE(config.has_value()) << config.error().to_string();
    EXPECT_EQ(config->daemon.state_dir, "/srv/h/state");
    EXPECT_EQ(config->daemon.control, "ipc:///srv/h/sock/c");
    EXPECT_EQ(config->daemon.publish, std::vector<std::string>{"ipc:///srv/h/state/events"});
}

TEST(Parse, UnknownKeyNamedWithLine) {
    auto error = parse_error("[daemon]\nlog_level = \"info\"\n\nstate_dri = \"/x\"\n");
    EXPECT_EQ(error.key, "daemon.state_dri");
    EXPECT_EQ(error.line, 4);
    EXPECT_EQ(error.file, "/etc/herald/herald.toml");
    EXPECT_EQ(error.to_string(), "/etc/herald/herald.toml:4: daemon.state_dri: unknown key");
}

TEST(Parse, UnknownSectionNamed) {
    auto error = parse_error("\n[deamon]\nx = 1\n");
    EXPECT_EQ(error.key, "deamon");
    EXPECT_EQ(error.line, 2);
}

TEST(Parse, WrongTypeNamed) {
    auto error = parse_error("[fetch]\nconcurrency = \"64\"\n");
    EXPECT_EQ(error.key, "fetch.concurrency");
    EXPECT_EQ(error.line, 2);
    EXPECT_NE(error.message.find("integer"), std::string::npos);

    error = parse_error("[daemon]\npublish = \"ipc:///x\"\n");
    EXPECT_EQ(error.key, "daemon.publish");

    error = parse_error("[store]\nsearch = 1\n");
    EXPECT_EQ(error.key, "store.search");

    error = parse_error("daemon = 3\n");
    EXPECT_EQ(error.key, "daemon");
}

TEST(Parse, BadValuesNamed) {
    struct Case {
        const char* text;
        const char* key;
        int line;
    };
    const Case cases[] = {
        {"[fetch]\n\ntimeout = \"30 s\"\n", "fetch.timeout", 3},
        {"[fetch]\nmax_body = \"16 megs\"\n", "fetch.max_body", 2},
        {"[fetch]\nconcurrency = 0\n", "fetch.concurrency", 2},
        {"[fetch]\nmin_interval = \"500ms\"\n", "fetch.min_interval", 2},
        {"[fetch]\nmin_interval = \"2d\"\n", "fetch.min_interval", 2},
        {"[fetch]\n\nmax_interval = \"1m\"\n", "fetch.max_interval", 3},
        {"[daemon]\nlog_level = \"loud\"\n", "daemon.log_level", 2},
        {"[daemon]\npublish = [\"udp://1.2.3.4:5\"]\n", "daemon.publish", 2},
        {"[daemon]\ncontrol = \"ipc://\"\n", "daemon.control", 2},
        {"[store]\nkeep_items = -1\n", "store.keep_items", 2},
        {"[[feed]]\nurl = \"ftp://example.org/x\"\n", "feed[0].url", 2},
        {"[[feed]]\nurl = \"https://a.org/\"\nname = \"Not A Slug\"\n", "feed[0].name", 3},
        {"[[feed]]\nurl = \"https://a.org/\"\n[[feed]]\nurl = \"https://b.org/\"\ncolour = 1\n",
         "feed[1].colour", 5},
        {"[[feed]]\nname = \"x\"\n", "feed[0].url", 1},
        {"[[feed]]\nurl = \"https://a.org/\"\n[[feed]]\nurl = \"https://a.org/\"\n", "feed[1].url",
         3},
        {"[[feed]]\nurl = \"https://a.org/\"\nname = \"a\"\n[[feed]]\nurl = \"https://b.org/\"\n"
         "name = \"a\"\n",
         "feed[1].name", 4},
        {"[[feed]]\nurl = \"https://a.org/\"\ninterval = 60\n", "feed[0].interval", 3},
        {"feed = 1\n", "feed", 1},
    };
    for (const Case& c : cases) {
        auto error = parse_error(c.text);
        EXPECT_EQ(error.key, c.key) << c.text;
        EXPECT_EQ(error.line, c.line) << c.text;
        EXPECT_FALSE(error.message.empty());
    }
}

TEST(Parse, SyntaxErrorHasLine) {
    auto error = parse_error("[daemon]\nlog_level = \"info\"\nheartbeat = \n");
    EXPECT_EQ(error.line, 3);
    EXPECT_FALSE(error.message.empty());
}

TEST(Parse, DerivedNamesAreUniqueAndAvoidGivenOnes) {
    auto config = parse_config(R"(
[[feed]]
url = "https://example.org/feed.xml"
[[feed]]
url = "https://example.org/rss"
[[feed]]
url = "https://x.org/"
name = "example-org-3"
[[feed]]
url = "https://example.org/atom.xml"
)",
                               "/h.toml", bare_env());
    ASSERT_TRUE(config.has_value()) << config.error().to_string();
    std::set<std::string> names;
    for (const auto& feed : config->feeds) {
        EXPECT_TRUE(is_valid_name(feed.name)) << feed.name;
        names.insert(feed.name);
    }
    EXPECT_EQ(names.size(), 4u);
    EXPECT_EQ(config->feeds[0].name, "example-org");
    EXPECT_EQ(config->feeds[1].name, "example-org-2");
    EXPECT_EQ(config->feeds[3].name, "example-org-4");
}

TEST(Lookup, OrderOfPrecedence) {
    TempDir dir;
    Environment env;
    env.system_config = dir.write("etc/herald.toml", "");
    env.home = dir.path().string();
    EXPECT_EQ(find_config(std::nullopt, env).value(), env.system_config);

    fs::path home_file = dir.write(".config/herald/herald.toml", "");
    EXPECT_EQ(find_config(std::nullopt, env).value(), home_file);

    env.xdg_config_home = (dir.path() / "xdg").string();
    EXPECT_EQ(find_config(std::nullopt, env).value(),
              env.system_config);  // xdg wins over ~/.config
    fs::path xdg_file = dir.write("xdg/herald/herald.toml", "");
    EXPECT_EQ(find_config(std::nullopt, env).value(), xdg_file);

    fs::path systemd_file = dir.write("conf/herald.toml", "");
    env.configuration_directory = (dir.path() / "conf").string() + ":/other";
    EXPECT_EQ(find_config(std::nullopt, env).value(), systemd_file);

    fs::path env_file = dir.write("env.toml", "");
    env.herald_config = env_file.string();
    EXPECT_EQ(find_config(std::nullopt, env).value(), env_file);

    fs::path flag_file = dir.write("flag.toml", "");
    EXPECT_EQ(find_config(flag_file, env).value(), flag_file);
}

TEST(Lookup, NothingFoundMeansBuiltin) {
    TempDir dir;
    Environment env;
    env.system_config = dir.path() / "missing.toml";
    env.xdg_state_home = (dir.path() / "state").string();
    auto found = find_config(std::nullopt, env);
    ASSERT_TRUE(found.has_value());
    EXPECT_FALSE(found->has_value());
    auto config = load(std::nullopt, env);
    ASSERT_TRUE(config.has_value()) << config.error().to_string();
    EXPECT_TRUE(config->is_builtin());
    EXPECT_EQ(config->daemon.state_dir, dir.path() / "state" / "herald");
    EXPECT_EQ(config->daemon.control, "ipc://" + (dir.path() / "state/herald/control").string());
}

TEST(Lookup, SystemdDirectoriesWin) {
    Environment env = bare_env();
    env.xdg_state_home = "/xdg";
    env.state_directory = "/var/lib/herald";
    env.runtime_directory = "/run/herald";
    auto config = builtin_config(env);
    ASSERT_TRUE(config.has_value());
    EXPECT_EQ(config->daemon.state_dir, "/var/lib/herald");
    EXPECT_EQ(config->daemon.publish, std::vector<std::string>{"ipc:///run/herald/events"});
}

TEST(Lookup, MissingExplicitFileIsAnError) {
    Environment env = bare_env();
    auto result = load(fs::path{"/nonexistent/x.toml"}, env);
    ASSERT_FALSE(result.has_value());
    EXPECT_NE(result.error().message.find("not found"), std::string::npos);
    env.herald_config = "/nonexistent/y.toml";
    result = load(std::nullopt, env);
    ASSERT_FALSE(result.has_value());
    EXPECT_NE(result.error().message.find("HERALD_CONFIG"), std::string::npos);
}

TEST(Lookup, NoHomeNoStateDirIsAnError) {
    Environment env;
    env.system_config = "/nonexistent/herald.toml";
    auto config = builtin_config(env);
    ASSERT_FALSE(config.has_value());
    EXPECT_EQ(config.error().key, "daemon.state_dir");
}

TEST(Load, ReadsFileAndReportsItsPath) {
    TempDir dir;
    fs::path file = dir.write("h.toml", "[fetch]\nper_host = 3\n[daemon]\nheartbeat = \"1x\"\n");
    auto config = load_file(file, bare_env());
    ASSERT_FALSE(config.has_value());
    EXPECT_EQ(config.error().to_string(), file.string() +
                                              ":4: daemon.heartbeat: bad duration "
                                              "\"1x\" (use ms, s, m, h or d, e.g. "
                                              "\"15m\")");
}

TEST(BuiltinFeeds, ListsFeedFilesSortedAsFileUrls) {
    TempDir dir;
    dir.write("b-news.xml", "<rss/>");
    dir.write("a-blog.json", "{}");
    dir.write("README.md", "not a feed");
    auto feeds = builtin_feeds(dir.path());
    ASSERT_EQ(feeds.size(), 2u);
    EXPECT_EQ(feeds[0].name, "a-blog");
    EXPECT_EQ(feeds[0].url, "file://" + (dir.path() / "a-blog.json").string());
    EXPECT_EQ(feeds[1].name, "b-news");
    EXPECT_TRUE(builtin_feeds(dir.path() / "missing").empty());
}

TEST(Keys, TableCoversEveryKeyAndParsesItsDefaults) {
    // Every key of the table is accepted by the parser with a value of its type.
    for (const KeyInfo& info : keys()) {
        EXPECT_FALSE(info.description.empty()) << info.name;
        // The CURVE keys need real keys and each other: daemon/config/tests/curve_keys_test.cpp.
        if (info.name.starts_with("curve_")) continue;
        std::string value;
        switch (info.type) {
            case KeyType::kString:
                value = info.name == "url" ? "\"https://a.org/\"" : "\"ipc:///tmp/x\"";
                if (info.name == "name") value = "\"a\"";
                if (info.name == "user_agent") value = "\"herald\"";
                if (info.name == "state_dir") value = "\"/tmp/s\"";
                break;
            case KeyType::kStringArray:
            case KeyType::kStringOrArray:
                value = "[\"ipc:///tmp/y\"]";
                break;
            case KeyType::kInteger:
                value = "3";
                break;
            case KeyType::kBool:
                value = "true";
                break;
            case KeyType::kDuration:
                value = "\"6m\"";
                break;
            case KeyType::kSize:
                value = "\"1MiB\"";
                break;
            case KeyType::kLogLevel:
                value = "\"warn\"";
                break;
        }
        std::string text =
            info.section == "feed" ? "[[feed]]\n" : "[" + std::string{info.section} + "]\n";
        if (info.section == "feed" && info.name != "url") text += "url = \"https://a.org/\"\n";
        text += std::string{info.name} + " = " + value + "\n";
        auto config = parse_config(text, "/k.toml", bare_env());
        EXPECT_TRUE(config.has_value()) << text << (config ? "" : config.error().to_string());
    }
    EXPECT_EQ(keys().size(), 24u);
}

}  // namespace
}  // namespace herald::config
