// Value parsing and naming rules of the configuration: durations, sizes, log levels, slugs,
// and the table of keys. No TOML here (that stays in config.cpp).
#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <limits>

#include <herald/config.hpp>

namespace herald::config {
namespace {

using std::chrono::milliseconds;

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// Reads a run of digits; nullopt on overflow or none.
std::optional<std::uint64_t> take_number(std::string_view& text) {
    std::size_t end = 0;
    while (end < text.size() && is_digit(text[end])) ++end;
    if (end == 0) return std::nullopt;
    std::uint64_t value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + end, value);
    if (ec != std::errc{} || ptr != text.data() + end) return std::nullopt;
    text.remove_prefix(end);
    return value;
}

std::optional<std::uint64_t> duration_unit_ms(std::string_view unit) {
    if (unit == "ms") return 1;
    if (unit == "s") return 1000;
    if (unit == "m") return 60'000;
    if (unit == "h") return 3'600'000;
    if (unit == "d") return 86'400'000;
    return std::nullopt;
}

std::optional<std::uint64_t> size_unit(std::string_view unit) {
    constexpr std::array<std::pair<std::string_view, std::uint64_t>, 9> kUnits{{
        {"", 1},
        {"B", 1},
        {"KiB", 1ull << 10},
        {"MiB", 1ull << 20},
        {"GiB", 1ull << 30},
        {"kB", 1000},
        {"KB", 1000},
        {"MB", 1000ull * 1000},
        {"GB", 1000ull * 1000 * 1000},
    }};
    for (const auto& [name, factor] : kUnits) {
        if (unit == name) return factor;
    }
    return std::nullopt;
}

bool multiply_fits(std::uint64_t a, std::uint64_t b, std::uint64_t limit) {
    return b == 0 || a <= limit / b;
}

// Path words that say nothing about which feed it is.
bool is_noise_word(std::string_view word) {
    constexpr std::array<std::string_view, 9> kNoise{"feed",  "feeds", "rss", "atom", "xml",
                                                     "index", "json",  "www", "rss2"};
    return std::find(kNoise.begin(), kNoise.end(), word) != kNoise.end();
}

void append_words(std::string& slug, std::string_view text, bool skip_noise) {
    std::string word;
    auto flush = [&] {
        if (!word.empty() && !(skip_noise && is_noise_word(word))) {
            if (!slug.empty()) slug += '-';
            slug += word;
        }
        word.clear();
    };
    for (char c : text) {
        auto lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if ((lower >= 'a' && lower <= 'z') || is_digit(lower)) {
            word += lower;
        } else {
            flush();
        }
    }
    flush();
}

std::string_view strip_extension(std::string_view file) {
    auto dot = file.rfind('.');
    return dot == std::string_view::npos || dot == 0 ? file : file.substr(0, dot);
}

}  // namespace

std::optional<milliseconds> parse_duration(std::string_view text) {
    if (text.empty()) return std::nullopt;
    constexpr std::uint64_t kMaxMs = 100ull * 365 * 86'400'000;  // a century is plenty
    std::uint64_t total = 0;
    while (!text.empty()) {
        auto number = take_number(text);
        if (!number) return std::nullopt;
        std::size_t unit_end = 0;
        while (unit_end < text.size() && !is_digit(text[unit_end])) ++unit_end;
        auto factor = duration_unit_ms(text.substr(0, unit_end));
        if (!factor) return std::nullopt;
        text.remove_prefix(unit_end);
        if (!multiply_fits(*number, *factor, kMaxMs)) return std::nullopt;
        total += *number * *factor;
        if (total > kMaxMs) return std::nullopt;
    }
    return milliseconds{static_cast<milliseconds::rep>(total)};
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
    auto number = take_number(text);
    if (!number) return std::nullopt;
    auto factor = size_unit(text);
    if (!factor || !multiply_fits(*number, *factor, std::numeric_limits<std::uint64_t>::max())) {
        return std::nullopt;
    }
    return *number * *factor;
}

namespace {
constexpr std::array<std::pair<std::string_view, LogLevel>, 8> kLogLevels{{
    {"trace", LogLevel::kTrace},
    {"debug", LogLevel::kDebug},
    {"info", LogLevel::kInfo},
    {"warn", LogLevel::kWarn},
    {"warning", LogLevel::kWarn},
    {"error", LogLevel::kError},
    {"critical", LogLevel::kCritical},
    {"off", LogLevel::kOff},
}};
}  // namespace

std::optional<LogLevel> parse_log_level(std::string_view text) {
    for (const auto& [name, level] : kLogLevels) {
        if (text == name) return level;
    }
    return std::nullopt;
}

std::string_view log_level_name(LogLevel level) {
    for (const auto& [name, value] : kLogLevels) {
        if (value == level) return name;
    }
    return "info";
}

bool is_valid_name(std::string_view name) {
    if (name.empty() || name.size() > 64 || name.front() == '-' || name.back() == '-') {
        return false;
    }
    return std::all_of(name.begin(), name.end(),
                       [](char c) { return (c >= 'a' && c <= 'z') || is_digit(c) || c == '-'; });
}

std::string slug_from_url(std::string_view url) {
    std::string slug;
    auto scheme_end = url.find("://");
    std::string_view scheme = scheme_end == std::string_view::npos ? "" : url.substr(0, scheme_end);
    std::string_view rest = scheme_end == std::string_view::npos ? url : url.substr(scheme_end + 3);
    rest = rest.substr(0, rest.find_first_of("?#"));
    if (scheme == "file") {
        auto slash = rest.rfind('/');
        append_words(slug,
                     strip_extension(rest.substr(slash == std::string_view::npos ? 0 : slash + 1)),
                     false);
    } else {
        auto path_start = rest.find('/');
        std::string_view host = rest.substr(0, path_start);
        host = host.substr(host.find('@') == std::string_view::npos ? 0 : host.find('@') + 1);
        host = host.substr(0, host.find(':'));
        if (host.starts_with("www.")) host.remove_prefix(4);
        append_words(slug, host, false);
        if (path_start != std::string_view::npos) {
            std::string_view path = rest.substr(path_start);
            auto slash = path.rfind('/');
            std::string path_text{path.substr(0, slash + 1)};
            path_text += strip_extension(path.substr(slash + 1));
            append_words(slug, path_text, true);
        }
    }
    if (slug.size() > 48) slug.resize(48);
    while (!slug.empty() && slug.back() == '-') slug.pop_back();
    return slug.empty() ? std::string{"feed"} : slug;
}

std::string_view version() {
    return HERALD_VERSION;
}

std::string default_user_agent() {
    return std::string{"herald/"} + std::string{version()} + " (feed aggregator)";
}

namespace {
// The one table of keys. Defaults are as written in TOML; the code's defaults in config.hpp
// match them (config_test checks that the built-in config equals this table).
constexpr std::array<KeyInfo, 24> kKeys{{
    {"daemon", "state_dir", KeyType::kString, "$STATE_DIRECTORY or $XDG_STATE_HOME/herald",
     "directory holding herald.db (SQLite) and the lock file"},
    {"daemon", "publish", KeyType::kStringArray, "[\"ipc://$RUNTIME_DIRECTORY/events\"]",
     "ZeroMQ PUB endpoints (ipc:// or tcp://)"},
    {"daemon", "control", KeyType::kString, "\"ipc://$RUNTIME_DIRECTORY/control\"",
     "ZeroMQ ROUTER endpoint for the CLI and replay"},
    {"daemon", "log_level", KeyType::kLogLevel, "\"info\"",
     "trace, debug, info, warn, error, critical or off"},
    {"daemon", "heartbeat", KeyType::kDuration, "\"5s\"", "interval of heartbeat/ messages"},
    {"daemon", "metrics_file", KeyType::kString, "(off)",
     "Prometheus textfile (e.g. for node_exporter), rewritten atomically every 15 s and at exit"},
    {"daemon", "curve_secret_key", KeyType::kString, "(off)",
     "CURVE secret key of tcp:// endpoints: a key file (herald keygen) or 40 Z85 characters"},
    {"daemon", "curve_clients", KeyType::kStringOrArray, "(none)",
     "client public keys admitted over tcp://: Z85 keys and/or files of keys, one per line"},
    {"fetch", "user_agent", KeyType::kString, "\"herald/VERSION (feed aggregator)\"",
     "User-Agent header; should contain \"herald\""},
    {"fetch", "concurrency", KeyType::kInteger, "64", "transfers in flight"},
    {"fetch", "per_host", KeyType::kInteger, "2", "connections per host"},
    {"fetch", "timeout", KeyType::kDuration, "\"30s\"", "a transfer longer than this fails"},
    {"fetch", "max_body", KeyType::kSize, "\"16MiB\"", "largest body, after decompression"},
    {"fetch", "min_interval", KeyType::kDuration, "\"5m\"", "floor for any feed's poll interval"},
    {"fetch", "default_interval", KeyType::kDuration, "\"1h\"",
     "poll interval of feeds without their own"},
    {"fetch", "max_interval", KeyType::kDuration, "\"1d\"",
     "ceiling for poll intervals and backoff"},
    {"store", "keep_items", KeyType::kInteger, "0", "items kept per feed; 0 keeps all"},
    {"store", "keep_days", KeyType::kInteger, "0", "days an item is kept; 0 keeps forever"},
    {"store", "keep_events", KeyType::kInteger, "1000000",
     "events kept for replay (at least); 0 keeps all"},
    {"store", "search", KeyType::kBool, "true", "keep a full-text index for `herald items search`"},
    {"feed", "url", KeyType::kString, "(required)", "http://, https:// or file:// URL"},
    {"feed", "name", KeyType::kString, "derived from the URL",
     "unique slug [a-z0-9-] used in topics and the CLI"},
    {"feed", "interval", KeyType::kDuration, "default_interval",
     "this feed's poll interval (clamped to min/max_interval)"},
    {"feed", "tags", KeyType::kStringArray, "[]", "free-form labels"},
}};
}  // namespace

std::span<const KeyInfo> keys() {
    return kKeys;
}

std::string_view key_type_name(KeyType type) {
    switch (type) {
        case KeyType::kString:
            return "string";
        case KeyType::kStringArray:
            return "array of strings";
        case KeyType::kStringOrArray:
            return "string or array of strings";
        case KeyType::kInteger:
            return "integer";
        case KeyType::kBool:
            return "boolean";
        case KeyType::kDuration:
            return "duration";
        case KeyType::kSize:
            return "size";
        case KeyType::kLogLevel:
            return "log level";
    }
    return "value";
}

}  // namespace herald::config
