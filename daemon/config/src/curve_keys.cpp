// CURVE key text: Z85 validation and key files. Pure text handling (no ZeroMQ here): the
// daemon and the clients turn the Z85 text into sockets options themselves.
#include <cstdint>
#include <fstream>
#include <optional>
#include <string_view>

#include <herald/config.hpp>

namespace herald::config {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kZ85Alphabet =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
constexpr std::size_t kZ85KeyLength = 40;

std::string_view trim(std::string_view text) {
    constexpr std::string_view kSpace = " \t\r\n";
    const auto first = text.find_first_not_of(kSpace);
    if (first == std::string_view::npos) return {};
    return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

enum class LineKind { kBlank, kPublic, kSecret, kBare };

struct KeyLine {
    LineKind kind = LineKind::kBlank;
    std::string key;
};

// One line of a key file; nullopt when it is neither blank, a comment, nor a key.
std::optional<KeyLine> parse_line(std::string_view line) {
    line = trim(line);
    if (line.empty() || line.front() == '#') return KeyLine{};
    LineKind kind = LineKind::kBare;
    if (const auto equals = line.find('='); !is_z85_key(line) && equals != std::string_view::npos) {
        const auto name = trim(line.substr(0, equals));
        if (name == "public-key") {
            kind = LineKind::kPublic;
        } else if (name == "secret-key") {
            kind = LineKind::kSecret;
        } else {
            return std::nullopt;
        }
        line = trim(line.substr(equals + 1));
        if (line.size() >= 2 && line.front() == '"' && line.back() == '"') {
            line = line.substr(1, line.size() - 2);
        }
    }
    if (!is_z85_key(line)) return std::nullopt;
    return KeyLine{kind, std::string{line}};
}

ConfigError file_error(const fs::path& file, int line, std::string message) {
    return ConfigError{"", line, std::move(message), file.string()};
}

fs::path anchored(std::string_view value, const fs::path& base_dir) {
    fs::path path{std::string{value}};
    return path.is_relative() && !base_dir.empty() ? base_dir / path : path;
}

}  // namespace

bool is_z85_key(std::string_view text) {
    if (text.size() != kZ85KeyLength) return false;
    for (std::size_t group = 0; group < text.size(); group += 5) {
        std::uint64_t value = 0;
        for (std::size_t i = group; i < group + 5; ++i) {
            const auto digit = kZ85Alphabet.find(text[i]);
            if (digit == std::string_view::npos) return false;
            value = value * 85 + digit;
        }
        // Five Z85 digits can spell more than 32 bits; such text decodes to nothing.
        if (value > 0xFFFF'FFFFull) return false;
    }
    return true;
}

tl::expected<CurveKeyPair, ConfigError> read_curve_key_file(const fs::path& file,
                                                            bool bare_is_secret) {
    std::ifstream in(file);
    if (!in) {
        return tl::unexpected(
            file_error(file, 0, "neither a CURVE key (40 Z85 characters) nor a readable key file"));
    }
    CurveKeyPair pair;
    std::string line;
    // Bounded: a key file is a few lines; a huge file is not a key file.
    for (int number = 1; number <= 10'000 && std::getline(in, line); ++number) {
        auto parsed = parse_line(line);
        if (!parsed) {
            return tl::unexpected(
                file_error(file, number, "not a CURVE key (40 Z85 characters, see herald keygen)"));
        }
        const bool is_secret = parsed->kind == LineKind::kSecret ||
                               (parsed->kind == LineKind::kBare && bare_is_secret);
        if (parsed->kind == LineKind::kBlank) continue;
        (is_secret ? pair.secret_key : pair.public_key) = std::move(parsed->key);
    }
    return pair;
}

tl::expected<std::string, ConfigError> resolve_curve_key(std::string_view value, bool secret,
                                                         const fs::path& base_dir,
                                                         const std::string& key) {
    if (is_z85_key(value)) return std::string{value};
    if (value.empty()) return tl::unexpected(ConfigError{key, 0, "must not be empty", ""});
    const fs::path file = anchored(value, base_dir);
    auto pair = read_curve_key_file(file, secret);
    if (!pair) {
        pair.error().key = key;
        return tl::unexpected(pair.error());
    }
    std::string found = secret ? pair->secret_key : pair->public_key;
    if (found.empty()) {
        return tl::unexpected(ConfigError{
            key, 0,
            std::string{"no "} + (secret ? "secret-key" : "public-key") + " in " + file.string(),
            ""});
    }
    return found;
}

tl::expected<std::vector<std::string>, ConfigError> resolve_curve_key_list(
    const std::vector<std::string>& values, const fs::path& base_dir, const std::string& key) {
    std::vector<std::string> keys;
    for (const std::string& value : values) {
        if (is_z85_key(value)) {
            keys.push_back(value);
            continue;
        }
        const fs::path file = anchored(value, base_dir);
        std::ifstream in(file);
        if (!in) {
            return tl::unexpected(ConfigError{
                key, 0, "neither a CURVE key (40 Z85 characters) nor a readable key file",
                file.string()});
        }
        std::string line;
        for (int number = 1; number <= 100'000 && std::getline(in, line); ++number) {
            auto parsed = parse_line(line);
            if (!parsed || parsed->kind == LineKind::kSecret) {
                return tl::unexpected(ConfigError{
                    key, number,
                    parsed ? "a secret key in a list of client public keys"
                           : "not a CURVE public key (40 Z85 characters, see herald keygen)",
                    file.string()});
            }
            if (parsed->kind != LineKind::kBlank) keys.push_back(std::move(parsed->key));
        }
    }
    return keys;
}

}  // namespace herald::config
