#pragma once
// herald::config — the TOML configuration shared by heraldd and the client programs.
//
// Lookup order (contract "Configuration"): --config FILE, $HERALD_CONFIG,
// $CONFIGURATION_DIRECTORY/herald.toml, $XDG_CONFIG_HOME/herald/herald.toml (or
// ~/.config/herald/herald.toml), /etc/herald/herald.toml; with none found the built-in defaults
// apply. Defaults for keys a file leaves out are the same as the built-in ones: state in
// $STATE_DIRECTORY or $XDG_STATE_HOME/herald (or ~/.local/state/herald), sockets
// (ipc://<dir>/events and ipc://<dir>/control) in $RUNTIME_DIRECTORY or the state directory.
// Relative paths in a file are taken relative to that file's directory.
//
// Durations and sizes are parsed here into std::chrono and bytes: nothing downstream sees
// strings. An unknown key, a wrong type or a bad value is a ConfigError naming the key and the
// line. The environment is a parameter (Environment), so tests need no setenv.
//
// Everything here is a pure value: thread-safe, no global state, no logging. toml++ stays
// inside config.cpp; no exception leaves this library.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace herald::config {

struct ConfigError {
    std::string key;  // dotted, e.g. "fetch.timeout" or "feed[2].name"; empty when not about a key
    int line = 0;     // 1-based line in `file`; 0 when unknown
    std::string message;
    std::string file;  // the config file, empty for the built-in defaults

    // One line for stderr: "FILE:LINE: KEY: MESSAGE" (the parts that are known).
    [[nodiscard]] std::string to_string() const;
};

enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError, kCritical, kOff };

struct DaemonConfig {
    std::filesystem::path state_dir;   // holds herald.db and the lock file
    std::vector<std::string> publish;  // ZeroMQ PUB endpoints
    std::string control;               // ZeroMQ ROUTER endpoint
    LogLevel log_level = LogLevel::kInfo;
    std::chrono::milliseconds heartbeat{5000};
    // node_exporter textfile: written atomically every 15 s and at exit; empty: off.
    std::filesystem::path metrics_file;
    // CURVE on the tcp:// endpoints (ipc:// stays plain): the server's secret key and the
    // client public keys admitted, all as 40-character Z85 text. Empty secret: CURVE off.
    std::string curve_secret_key;
    std::vector<std::string> curve_clients;

    [[nodiscard]] bool has_curve() const { return !curve_secret_key.empty(); }
    [[nodiscard]] std::filesystem::path database() const { return state_dir / "herald.db"; }
};

struct FetchConfig {
    std::string user_agent;
    int concurrency = 64;
    int per_host = 2;
    std::chrono::milliseconds timeout{30'000};
    std::uint64_t max_body = 16ull << 20;  // bytes, after decompression
    std::chrono::seconds min_interval{5 * 60};
    std::chrono::seconds default_interval{60 * 60};
    std::chrono::seconds max_interval{24 * 60 * 60};
};

struct StoreConfig {
    std::int64_t keep_items = 0;           // per feed; 0 keeps all
    std::int64_t keep_days = 0;            // item age; 0 keeps forever
    std::int64_t keep_events = 1'000'000;  // the event log keeps at least this many; 0 keeps all
    bool search = true;                    // full-text index over title/summary/content
};

struct FeedConfig {
    std::string url;
    std::string name;  // always set: given, or derived from the URL; unique in the config
    std::optional<std::chrono::seconds> interval;  // still clamped by the scheduler
    std::vector<std::string> tags;
    int line = 0;  // where the [[feed]] table starts, for messages
};

struct Config {
    DaemonConfig daemon;
    FetchConfig fetch;
    StoreConfig store;
    std::vector<FeedConfig> feeds;
    std::filesystem::path source;  // the file read; empty for the built-in defaults
    [[nodiscard]] bool is_builtin() const { return source.empty(); }
};

// The process environment variables the lookup and the defaults depend on.
struct Environment {
    std::optional<std::string> herald_config;            // $HERALD_CONFIG
    std::optional<std::string> configuration_directory;  // $CONFIGURATION_DIRECTORY (systemd)
    std::optional<std::string> xdg_config_home;
    std::optional<std::string> state_directory;  // $STATE_DIRECTORY (systemd)
    std::optional<std::string> xdg_state_home;
    std::optional<std::string> runtime_directory;  // $RUNTIME_DIRECTORY (systemd)
    std::optional<std::string> home;
    std::filesystem::path system_config = "/etc/herald/herald.toml";

    // Reads the real environment (empty values count as unset).
    [[nodiscard]] static Environment from_process();
};

// The first config file of the lookup order that exists; nullopt means built-in defaults.
// An explicit path (--config, $HERALD_CONFIG) that does not exist is an error.
[[nodiscard]] tl::expected<std::optional<std::filesystem::path>, ConfigError> find_config(
    const std::optional<std::filesystem::path>& explicit_path, const Environment& env);

// Parses TOML text; `file` names it in errors and anchors relative paths.
[[nodiscard]] tl::expected<Config, ConfigError> parse_config(std::string_view text,
                                                             const std::filesystem::path& file,
                                                             const Environment& env);

// Reads and parses one file.
[[nodiscard]] tl::expected<Config, ConfigError> load_file(const std::filesystem::path& file,
                                                          const Environment& env);

// The built-in defaults: no feeds (heraldd adds the bundled examples, see builtin_feeds).
[[nodiscard]] tl::expected<Config, ConfigError> builtin_config(const Environment& env);

// The whole lookup: find_config, then load_file or builtin_config.
[[nodiscard]] tl::expected<Config, ConfigError> load(
    const std::optional<std::filesystem::path>& explicit_path, const Environment& env);

// file:// feeds for every *.xml / *.json / *.atom / *.rss file in `dir`, sorted, named by
// their file stem. Used for the offline demo when no config file exists.
[[nodiscard]] std::vector<FeedConfig> builtin_feeds(const std::filesystem::path& dir);

// "500ms", "90s", "15m", "1h", "1d" (also combined "1h30m"); nullopt when malformed.
[[nodiscard]] std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);
// "16MiB", "512KiB", "1GiB", "100kB", "2MB", "1234" or "1234B"; nullopt when malformed.
[[nodiscard]] std::optional<std::uint64_t> parse_size(std::string_view text);
[[nodiscard]] std::optional<LogLevel> parse_log_level(std::string_view text);
[[nodiscard]] std::string_view log_level_name(LogLevel level);
// A name is a slug: [a-z0-9-], 1..64 characters, not starting or ending with '-'.
[[nodiscard]] bool is_valid_name(std::string_view name);
// A slug from a URL: host without "www." plus the meaningful path words, e.g.
// "https://www.example.org/blog/feed.xml" → "example-org-blog"; a file:// URL gives its stem.
[[nodiscard]] std::string slug_from_url(std::string_view url);

// The default User-Agent: "herald/VERSION (feed aggregator)".
[[nodiscard]] std::string default_user_agent();
[[nodiscard]] std::string_view version();

// One row per configuration key: the single table the code validates against and the
// operations doc's reference is generated from (`heraldd --print-config-keys`).
enum class KeyType {
    kString,
    kStringArray,
    kStringOrArray,  // one string or an array of them
    kInteger,
    kBool,
    kDuration,
    kSize,
    kLogLevel
};

struct KeyInfo {
    std::string_view section;  // "daemon", "fetch", "store", "feed" (one per [[feed]])
    std::string_view name;
    KeyType type;
    std::string_view default_value;  // as written in TOML, or a description of the default
    std::string_view description;
};

[[nodiscard]] std::span<const KeyInfo> keys();
[[nodiscard]] std::string_view key_type_name(KeyType type);

// CURVE keys are ZeroMQ's Z85 text: 40 characters for 32 bytes.
[[nodiscard]] bool is_z85_key(std::string_view text);

struct CurveKeyPair {
    std::string public_key;  // Z85; empty when the file has none
    std::string secret_key;  // Z85; empty when the file has none
};

// A key file as `herald keygen` writes it (`public-key = "Z85"` and `secret-key = "Z85"` lines,
// `#` comments), or one bare Z85 key per line (taken as `bare_is_secret` says). Errors name
// the file and the line.
[[nodiscard]] tl::expected<CurveKeyPair, ConfigError> read_curve_key_file(
    const std::filesystem::path& file, bool bare_is_secret);

// A key written inline (40 Z85 characters) or the path of a key file (relative to
// `base_dir`): the secret key when `secret`, else the public key. `key` names it in errors.
[[nodiscard]] tl::expected<std::string, ConfigError> resolve_curve_key(
    std::string_view value, bool secret, const std::filesystem::path& base_dir,
    const std::string& key);

// Public keys: each value a Z85 key or a file of them (one per line, or key pair files).
[[nodiscard]] tl::expected<std::vector<std::string>, ConfigError> resolve_curve_key_list(
    const std::vector<std::string>& values, const std::filesystem::path& base_dir,
    const std::string& key);

}  // namespace herald::config
