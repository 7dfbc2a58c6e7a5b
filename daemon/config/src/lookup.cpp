// The lookup order, the environment and the defaults that depend on it.
#include <algorithm>
#include <cstdlib>
#include <system_error>

#include <herald/config.hpp>

#include "defaults.hpp"

namespace herald::config {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> env_var(const char* name) {
    // Only read once at start-up, before any thread exists.
    const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe)
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string{value};
}

// systemd passes several directories separated by ':' when the unit lists several.
fs::path first_of_list(const std::string& list) {
    return list.substr(0, list.find(':'));
}

bool is_file(const fs::path& path) {
    std::error_code ec;
    return fs::is_regular_file(path, ec);
}

tl::expected<fs::path, ConfigError> default_state_dir(const Environment& env) {
    if (env.state_directory) return first_of_list(*env.state_directory);
    if (env.xdg_state_home) return fs::path{*env.xdg_state_home} / "herald";
    if (env.home) return fs::path{*env.home} / ".local" / "state" / "herald";
    return tl::unexpected(ConfigError{
        "daemon.state_dir", 0,
        "no state directory: set [daemon] state_dir, $STATE_DIRECTORY, $XDG_STATE_HOME or $HOME",
        ""});
}

}  // namespace

std::string ConfigError::to_string() const {
    // Appends only: g++ 12 at -O2 warns falsely (-Wrestrict) on "literal" + std::string.
    std::string text;
    if (!file.empty()) {
        text.append(file);
        if (line > 0) text.append(":").append(std::to_string(line));
        text.append(": ");
    } else if (line > 0) {
        text.append("line ").append(std::to_string(line)).append(": ");
    }
    if (!key.empty()) text.append(key).append(": ");
    return text.append(message);
}

Environment Environment::from_process() {
    Environment env;
    env.herald_config = env_var("HERALD_CONFIG");
    env.configuration_directory = env_var("CONFIGURATION_DIRECTORY");
    env.xdg_config_home = env_var("XDG_CONFIG_HOME");
    env.state_directory = env_var("STATE_DIRECTORY");
    env.xdg_state_home = env_var("XDG_STATE_HOME");
    env.runtime_directory = env_var("RUNTIME_DIRECTORY");
    env.home = env_var("HOME");
    return env;
}

tl::expected<std::optional<fs::path>, ConfigError> find_config(
    const std::optional<fs::path>& explicit_path, const Environment& env) {
    auto must_exist =
        [](const fs::path& path,
           std::string_view from) -> tl::expected<std::optional<fs::path>, ConfigError> {
        if (!is_file(path)) {
            return tl::unexpected(ConfigError{
                "", 0,
                "config file " + path.string() + " (from " + std::string{from} + ") not found",
                path.string()});
        }
        return path;
    };
    if (explicit_path) return must_exist(*explicit_path, "--config");
    if (env.herald_config) return must_exist(*env.herald_config, "$HERALD_CONFIG");
    std::vector<fs::path> candidates;
    if (env.configuration_directory) {
        candidates.push_back(first_of_list(*env.configuration_directory) / "herald.toml");
    }
    if (env.xdg_config_home) {
        candidates.push_back(fs::path{*env.xdg_config_home} / "herald" / "herald.toml");
    } else if (env.home) {
        candidates.push_back(fs::path{*env.home} / ".config" / "herald" / "herald.toml");
    }
    candidates.push_back(env.system_config);
    for (const fs::path& candidate : candidates) {
        if (is_file(candidate)) return candidate;
    }
    return std::optional<fs::path>{};
}

tl::expected<Config, ConfigError> builtin_config(const Environment& env) {
    Config config;
    config.fetch.user_agent = default_user_agent();
    if (auto ok = detail::fill_defaults(config, env); !ok) return tl::unexpected(ok.error());
    return config;
}

tl::expected<Config, ConfigError> load(const std::optional<fs::path>& explicit_path,
                                       const Environment& env) {
    auto found = find_config(explicit_path, env);
    if (!found) return tl::unexpected(found.error());
    if (!*found) return builtin_config(env);
    return load_file(**found, env);
}

std::vector<FeedConfig> builtin_feeds(const fs::path& dir) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        auto extension = entry.path().extension();
        if (entry.is_regular_file(ec) && (extension == ".xml" || extension == ".json" ||
                                          extension == ".atom" || extension == ".rss")) {
            files.push_back(fs::absolute(entry.path(), ec));
        }
    }
    std::sort(files.begin(), files.end());
    std::vector<FeedConfig> feeds;
    for (const fs::path& file : files) {
        FeedConfig feed;
        feed.url = "file://" + file.string();
        feeds.push_back(std::move(feed));
    }
    detail::name_feeds(feeds, {});
    return feeds;
}

namespace detail {

tl::expected<void, ConfigError> fill_defaults(Config& config, const Environment& env) {
    if (config.daemon.state_dir.empty()) {
        auto dir = default_state_dir(env);
        if (!dir) {
            dir.error().file = config.source.string();
            return tl::unexpected(dir.error());
        }
        config.daemon.state_dir = *dir;
    }
    fs::path socket_dir =
        env.runtime_directory ? first_of_list(*env.runtime_directory) : config.daemon.state_dir;
    if (config.daemon.publish.empty()) {
        config.daemon.publish.push_back("ipc://" + (socket_dir / "events").string());
    }
    if (config.daemon.control.empty()) {
        config.daemon.control = "ipc://" + (socket_dir / "control").string();
    }
    return {};
}

void name_feeds(std::vector<FeedConfig>& feeds, std::set<std::string> taken) {
    for (FeedConfig& feed : feeds) {
        if (!feed.name.empty()) continue;
        std::string base = slug_from_url(feed.url);
        std::string name = base;
        for (int suffix = 2; taken.count(name) != 0; ++suffix) {
            name = base + "-" + std::to_string(suffix);
        }
        taken.insert(name);
        feed.name = name;
    }
}

bool is_feed_url(std::string_view url) {
    auto has_rest = [&](std::string_view scheme) {
        return url.starts_with(scheme) && url.size() > scheme.size();
    };
    return has_rest("http://") || has_rest("https://") || has_rest("file:///");
}

}  // namespace detail
}  // namespace herald::config
