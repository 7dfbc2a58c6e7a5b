// The one file that includes toml++: reads a TOML document into a Config, checking every key
// against the table in values.cpp. toml++'s exceptions stop here and become ConfigError.
#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <variant>

#include <toml++/toml.h>

#include <herald/config.hpp>

#include "defaults.hpp"

namespace herald::config {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

using Value = std::variant<std::string, std::vector<std::string>, std::int64_t, bool, milliseconds,
                           std::uint64_t, LogLevel>;

int line_of(const toml::source_region& region) {
    return static_cast<int>(region.begin.line);
}

class Reader {
public:
    Reader(fs::path file, const Environment& env) : file_(std::move(file)), env_(env) {}

    tl::expected<Config, ConfigError> read(const toml::table& root) {
        Config config;
        config.source = file_;
        config.fetch.user_agent = default_user_agent();
        for (auto&& [key, node] : root) {
            std::string_view section = key.str();
            if (section == "feed") {
                if (auto ok = read_feeds(node, config); !ok) return tl::unexpected(ok.error());
                continue;
            }
            if (section != "daemon" && section != "fetch" && section != "store") {
                return fail(std::string{section}, line_of(key.source()), "unknown section or key");
            }
            const toml::table* table = node.as_table();
            if (table == nullptr) {
                return fail(std::string{section}, line_of(node.source()), "must be a table");
            }
            if (auto ok = read_section(section, *table, config); !ok) {
                return tl::unexpected(ok.error());
            }
        }
        if (auto ok = check_intervals(config); !ok) return tl::unexpected(ok.error());
        if (auto ok = check_curve(config.daemon); !ok) return tl::unexpected(ok.error());
        if (auto ok = detail::fill_defaults(config, env_); !ok) return tl::unexpected(ok.error());
        return config;
    }

private:
    tl::unexpected<ConfigError> fail(std::string key, int line, std::string message) const {
        return tl::unexpected(
            ConfigError{std::move(key), line, std::move(message), file_.string()});
    }

    static const KeyInfo* find_key(std::string_view section, std::string_view name) {
        for (const KeyInfo& info : keys()) {
            if (info.section == section && info.name == name) return &info;
        }
        return nullptr;
    }

    tl::expected<Value, ConfigError> convert(const KeyInfo& info, const std::string& key,
                                             const toml::node& node) const {
        const int line = line_of(node.source());
        auto wrong_type = [&] {
            return fail(key, line, "expected " + std::string{key_type_name(info.type)});
        };
        switch (info.type) {
            case KeyType::kString: {
                auto text = node.value_exact<std::string>();
                if (!text) return wrong_type();
                return Value{*text};
            }
            case KeyType::kStringOrArray:
                if (auto text = node.value_exact<std::string>()) {
                    return Value{std::vector<std::string>{*text}};
                }
                [[fallthrough]];
            case KeyType::kStringArray: {
                const toml::array* array = node.as_array();
                if (array == nullptr) return wrong_type();
                std::vector<std::string> items;
                for (const toml::node& element : *array) {
                    auto text = element.value_exact<std::string>();
                    if (!text) return wrong_type();
                    items.push_back(*text);
                }
                return Value{std::move(items)};
            }
            case KeyType::kInteger: {
                auto number = node.value_exact<std::int64_t>();
                if (!number) return wrong_type();
                return Value{*number};
            }
            case KeyType::kBool: {
                auto flag = node.value_exact<bool>();
                if (!flag) return wrong_type();
                return Value{*flag};
            }
            case KeyType::kDuration: {
                auto text = node.value_exact<std::string>();
                if (!text) return fail(key, line, "expected a duration string like \"90s\"");
                auto duration = parse_duration(*text);
                if (!duration) {
                    return fail(
                        key, line,
                        "bad duration \"" + *text + "\" (use ms, s, m, h or d, e.g. \"15m\")");
                }
                return Value{*duration};
            }
            case KeyType::kSize: {
                auto text = node.value_exact<std::string>();
                if (!text) return fail(key, line, "expected a size string like \"16MiB\"");
                auto size = parse_size(*text);
                if (!size) return fail(key, line, "bad size \"" + *text + "\" (e.g. \"16MiB\")");
                return Value{*size};
            }
            case KeyType::kLogLevel: {
                auto text = node.value_exact<std::string>();
                if (!text) return wrong_type();
                auto level = parse_log_level(*text);
                if (!level) {
                    return fail(key, line,
                                "bad log level \"" + *text +
                                    "\" (trace, debug, info, warn, error, critical, off)");
                }
                return Value{*level};
            }
        }
        return wrong_type();
    }

    tl::expected<void, ConfigError> read_section(std::string_view section, const toml::table& table,
                                                 Config& config) {
        for (auto&& [key, node] : table) {
            std::string dotted = std::string{section} + "." + std::string{key.str()};
            const KeyInfo* info = find_key(section, key.str());
            if (info == nullptr) return fail(dotted, line_of(key.source()), "unknown key");
            auto value = convert(*info, dotted, node);
            if (!value) return tl::unexpected(value.error());
            if (auto ok = assign(config, *info, dotted, line_of(node.source()), std::move(*value));
                !ok) {
                return ok;
            }
        }
        return {};
    }

    tl::expected<void, ConfigError> check_range(const std::string& key, int line,
                                                std::int64_t value, std::int64_t low,
                                                std::int64_t high) const {
        if (value < low || value > high) {
            return fail(key, line,
                        "must be between " + std::to_string(low) + " and " + std::to_string(high));
        }
        return {};
    }

    tl::expected<seconds, ConfigError> whole_seconds(const std::string& key, int line,
                                                     milliseconds value) const {
        if (value < seconds{1}) return fail(key, line, "must be at least 1s");
        return std::chrono::duration_cast<seconds>(value);
    }

    tl::expected<void, ConfigError> assign(Config& config, const KeyInfo& info,
                                           const std::string& key, int line, Value value) {
        std::string_view name = info.name;
        if (info.section == "daemon") return assign_daemon(config.daemon, name, key, line, value);
        if (info.section == "fetch") return assign_fetch(config.fetch, name, key, line, value);
        StoreConfig& store = config.store;
        if (name == "search") {
            store.search = std::get<bool>(value);
            return {};
        }
        std::int64_t number = std::get<std::int64_t>(value);
        if (auto ok = check_range(key, line, number, 0, std::int64_t{1} << 40); !ok) return ok;
        if (name == "keep_items") store.keep_items = number;
        if (name == "keep_days") store.keep_days = number;
        if (name == "keep_events") store.keep_events = number;
        return {};
    }

    tl::expected<void, ConfigError> check_endpoint(const std::string& key, int line,
                                                   std::string& endpoint) const {
        if (endpoint.starts_with("tcp://")) return {};
        if (!endpoint.starts_with("ipc://")) {
            return fail(key, line,
                        "endpoint \"" + endpoint + "\" must start with ipc:// or tcp://");
        }
        fs::path socket_path = endpoint.substr(6);
        if (socket_path.empty()) return fail(key, line, "ipc:// endpoint without a path");
        if (socket_path.is_relative())
            endpoint = "ipc://" + (file_.parent_path() / socket_path).string();
        return {};
    }

    tl::expected<void, ConfigError> assign_daemon(DaemonConfig& daemon, std::string_view name,
                                                  const std::string& key, int line, Value& value) {
        if (name == "state_dir") {
            fs::path dir = std::get<std::string>(value);
            if (dir.empty()) return fail(key, line, "must not be empty");
            daemon.state_dir = dir.is_relative() ? file_.parent_path() / dir : dir;
        } else if (name == "publish") {
            daemon.publish = std::get<std::vector<std::string>>(value);
            for (std::string& endpoint : daemon.publish) {
                if (auto ok = check_endpoint(key, line, endpoint); !ok) return ok;
            }
        } else if (name == "control") {
            daemon.control = std::get<std::string>(value);
            if (auto ok = check_endpoint(key, line, daemon.control); !ok) return ok;
        } else if (name == "log_level") {
            daemon.log_level = std::get<LogLevel>(value);
        } else if (name == "metrics_file") {
            fs::path file = std::get<std::string>(value);
            if (file.empty()) return fail(key, line, "must not be empty");
            daemon.metrics_file = file.is_relative() ? file_.parent_path() / file : file;
        } else if (name == "curve_secret_key" || name == "curve_clients") {
            return assign_curve(daemon, name, key, line, value);
        } else if (name == "heartbeat") {
            daemon.heartbeat = std::get<milliseconds>(value);
            if (daemon.heartbeat < milliseconds{10})
                return fail(key, line, "must be at least 10ms");
        }
        return {};
    }

    // A malformed key is refused with the config line, or the key file's own line.
    tl::expected<void, ConfigError> assign_curve(DaemonConfig& daemon, std::string_view name,
                                                 const std::string& key, int line, Value& value) {
        curve_lines_[std::string{name}] = line;
        const auto located = [&](ConfigError error) {
            if (error.line == 0) {
                // Not about a line of a key file: point at the config line, naming the file.
                if (!error.file.empty()) error.message += ": " + error.file;
                error.file = file_.string();
                error.line = line;
            }
            return tl::unexpected(std::move(error));
        };
        if (name == "curve_secret_key") {
            auto secret =
                resolve_curve_key(std::get<std::string>(value), true, file_.parent_path(), key);
            if (!secret) return located(secret.error());
            daemon.curve_secret_key = std::move(*secret);
            return {};
        }
        auto clients = resolve_curve_key_list(std::get<std::vector<std::string>>(value),
                                              file_.parent_path(), key);
        if (!clients) return located(clients.error());
        daemon.curve_clients = std::move(*clients);
        return {};
    }

    // Either both CURVE keys or neither: a key list without a server key would leave the
    // tcp endpoints open while the file suggests otherwise.
    tl::expected<void, ConfigError> check_curve(const DaemonConfig& daemon) const {
        const auto line_of_key = [&](const char* name) {
            auto found = curve_lines_.find(name);
            return found == curve_lines_.end() ? 0 : found->second;
        };
        if (daemon.has_curve() && daemon.curve_clients.empty()) {
            return fail("daemon.curve_clients", line_of_key("curve_secret_key"),
                        "needs at least one client public key when curve_secret_key is set");
        }
        if (!daemon.has_curve() && curve_lines_.contains("curve_clients")) {
            return fail("daemon.curve_secret_key", line_of_key("curve_clients"),
                        "missing: curve_clients needs the server's curve_secret_key");
        }
        return {};
    }

    tl::expected<void, ConfigError> assign_fetch(FetchConfig& fetch, std::string_view name,
                                                 const std::string& key, int line, Value& value) {
        if (name == "user_agent") {
            fetch.user_agent = std::get<std::string>(value);
            if (fetch.user_agent.empty()) return fail(key, line, "must not be empty");
        } else if (name == "concurrency" || name == "per_host") {
            std::int64_t number = std::get<std::int64_t>(value);
            if (auto ok = check_range(key, line, number, 1, 10'000); !ok) return ok;
            (name == "concurrency" ? fetch.concurrency : fetch.per_host) = static_cast<int>(number);
        } else if (name == "timeout") {
            fetch.timeout = std::get<milliseconds>(value);
            if (fetch.timeout < milliseconds{1}) return fail(key, line, "must be positive");
        } else if (name == "max_body") {
            fetch.max_body = std::get<std::uint64_t>(value);
            if (fetch.max_body == 0) return fail(key, line, "must be positive");
        } else {
            auto interval = whole_seconds(key, line, std::get<milliseconds>(value));
            if (!interval) return tl::unexpected(interval.error());
            if (name == "min_interval") fetch.min_interval = *interval;
            if (name == "default_interval") fetch.default_interval = *interval;
            if (name == "max_interval") fetch.max_interval = *interval;
            interval_lines_[std::string{name}] = line;
        }
        return {};
    }

    tl::expected<void, ConfigError> check_intervals(const Config& config) const {
        if (config.fetch.min_interval <= config.fetch.max_interval) return {};
        // Name whichever of the two the file set (min_interval when it set both).
        if (auto min = interval_lines_.find("min_interval"); min != interval_lines_.end()) {
            return fail("fetch.min_interval", min->second, "is greater than fetch.max_interval");
        }
        auto max = interval_lines_.find("max_interval");
        return fail("fetch.max_interval", max == interval_lines_.end() ? 0 : max->second,
                    "is less than fetch.min_interval");
    }

    tl::expected<void, ConfigError> read_feeds(const toml::node& node, Config& config) {
        const toml::array* array = node.as_array();
        if (array == nullptr || !array->is_array_of_tables()) {
            return fail("feed", line_of(node.source()), "must be an array of tables ([[feed]])");
        }
        std::set<std::string> urls;
        std::set<std::string> given_names;
        std::size_t index = 0;
        for (const toml::node& element : *array) {
            const toml::table& table = *element.as_table();
            std::string prefix = "feed[" + std::to_string(index++) + "]";
            auto feed = read_feed(table, prefix);
            if (!feed) return tl::unexpected(feed.error());
            if (!urls.insert(feed->url).second) {
                return fail(prefix + ".url", feed->line, "duplicate feed URL " + feed->url);
            }
            if (!feed->name.empty() && !given_names.insert(feed->name).second) {
                return fail(prefix + ".name", feed->line, "duplicate feed name " + feed->name);
            }
            config.feeds.push_back(std::move(*feed));
        }
        detail::name_feeds(config.feeds, given_names);
        return {};
    }

    tl::expected<FeedConfig, ConfigError> read_feed(const toml::table& table,
                                                    const std::string& prefix) {
        FeedConfig feed;
        feed.line = line_of(table.source());
        for (auto&& [key, node] : table) {
            std::string dotted = prefix + "." + std::string{key.str()};
            const KeyInfo* info = find_key("feed", key.str());
            if (info == nullptr) return fail(dotted, line_of(key.source()), "unknown key");
            auto value = convert(*info, dotted, node);
            if (!value) return tl::unexpected(value.error());
            const int line = line_of(node.source());
            if (info->name == "url") {
                feed.url = std::get<std::string>(*value);
                if (!detail::is_feed_url(feed.url)) {
                    return fail(dotted, line,
                                "\"" + feed.url + "\" is not an http, https or file URL");
                }
            } else if (info->name == "name") {
                feed.name = std::get<std::string>(*value);
                if (!is_valid_name(feed.name)) {
                    return fail(dotted, line, "\"" + feed.name + "\" is not a slug of [a-z0-9-]");
                }
            } else if (info->name == "interval") {
                auto interval = whole_seconds(dotted, line, std::get<milliseconds>(*value));
                if (!interval) return tl::unexpected(interval.error());
                feed.interval = *interval;
            } else if (info->name == "tags") {
                feed.tags = std::get<std::vector<std::string>>(*value);
            }
        }
        if (feed.url.empty())
            return fail(prefix + ".url", feed.line, "missing (every feed needs a url)");
        return feed;
    }

    fs::path file_;
    const Environment& env_;
    std::map<std::string, int> interval_lines_;
    std::map<std::string, int> curve_lines_;
};

}  // namespace

tl::expected<Config, ConfigError> parse_config(std::string_view text, const fs::path& file,
                                               const Environment& env) {
    try {
        toml::table root = toml::parse(text, file.string());
        return Reader(file, env).read(root);
    } catch (const toml::parse_error& e) {
        const auto& source = e.source();
        return tl::unexpected(ConfigError{"", static_cast<int>(source.begin.line),
                                          std::string{e.description()}, file.string()});
    }
}

tl::expected<Config, ConfigError> load_file(const fs::path& file, const Environment& env) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        return tl::unexpected(
            ConfigError{"", 0, "cannot read config file: " + file.string(), file.string()});
    }
    std::ostringstream text;
    text << in.rdbuf();
    fs::path absolute = file.is_absolute() ? file : fs::absolute(file);
    return parse_config(text.str(), absolute, env);
}

}  // namespace herald::config
