#include "http_headers.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>

#include <curl/curl.h>

#include "curl_handles.hpp"

namespace herald::fetcher::detail {
namespace {

constexpr std::string_view kWhitespace = " \t\r\n";

std::string_view trim(std::string_view text) noexcept {
    const auto first = text.find_first_not_of(kWhitespace);
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(kWhitespace);
    return text.substr(first, last - first + 1);
}

std::optional<std::int64_t> parse_seconds(std::string_view text) noexcept {
    text = trim(text);
    std::int64_t value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec == std::errc::result_out_of_range && ptr == end) return INT64_MAX;
    if (ec != std::errc{} || ptr != end || text.empty() || value < 0) return std::nullopt;
    return value;
}

std::string lower(std::string text) {
    std::ranges::transform(text, text.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

Seconds cap(std::int64_t seconds) noexcept {
    return Seconds{std::min<std::int64_t>(seconds, kMaxServerDelay.count())};
}

std::optional<std::string> url_part(CURLU* url, CURLUPart part) {
    char* raw = nullptr;
    if (curl_url_get(url, part, &raw, 0) != CURLUE_OK) return std::nullopt;
    const CurlString owned(raw);
    return std::string(owned.get());
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
    return std::ranges::equal(
        a, b, [](unsigned char x, unsigned char y) { return std::tolower(x) == std::tolower(y); });
}

std::optional<HeaderField> split_header(std::string_view line) noexcept {
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    const auto name = line.substr(0, colon);
    if (name.find_first_of(kWhitespace) != std::string_view::npos) return std::nullopt;
    return HeaderField{name, trim(line.substr(colon + 1))};
}

std::optional<int> parse_status_line(std::string_view line) noexcept {
    if (!line.starts_with("HTTP/")) return std::nullopt;
    const auto space = line.find(' ');
    if (space == std::string_view::npos) return std::nullopt;
    const auto code = line.substr(space + 1, 3);
    int status = 0;
    const auto [ptr, ec] = std::from_chars(code.data(), code.data() + code.size(), status);
    if (ec != std::errc{} || ptr != code.data() + code.size() || status < 100) return std::nullopt;
    return status;
}

std::optional<TimePoint> parse_http_date(std::string_view text) {
    // curl_getdate reads all three HTTP date forms; it needs a NUL-terminated copy.
    const std::string copy(trim(text));
    if (copy.empty()) return std::nullopt;
    const time_t parsed = curl_getdate(copy.c_str(), nullptr);
    if (parsed == -1) return std::nullopt;
    return Clock::from_time_t(parsed);
}

std::optional<TimePoint> parse_retry_after(std::string_view value, TimePoint now) {
    const auto limit = now + kMaxServerDelay;
    if (const auto seconds = parse_seconds(value)) return now + cap(*seconds);
    const auto date = parse_http_date(value);
    if (!date) return std::nullopt;
    return std::clamp(*date, now, limit);
}

std::optional<Seconds> parse_cache_lifetime(std::string_view cache_control,
                                            std::string_view expires, std::string_view date,
                                            TimePoint now) {
    std::optional<Seconds> max_age;
    std::string_view rest = cache_control;
    for (int guard = 0; guard < 64 && !rest.empty(); ++guard) {
        const auto comma = rest.find(',');
        const auto directive = trim(rest.substr(0, comma));
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        // no-cache asks to revalidate every time, which is what a poll does anyway.
        if (iequals(directive, "no-store") || iequals(directive, "no-cache")) return std::nullopt;
        const auto equals = directive.find('=');
        if (equals == std::string_view::npos ||
            !iequals(trim(directive.substr(0, equals)), "max-age"))
            continue;
        auto number = trim(directive.substr(equals + 1));
        if (number.size() >= 2 && number.front() == '"' && number.back() == '"')
            number = number.substr(1, number.size() - 2);
        if (const auto seconds = parse_seconds(number)) max_age = cap(*seconds);
    }
    if (max_age) return max_age->count() > 0 ? max_age : std::nullopt;
    if (trim(expires).empty()) return std::nullopt;
    const auto expiry = parse_http_date(expires);
    if (!expiry) return std::nullopt;  // "0" or "-1" mean already expired
    // Measure against the server's own clock when it sent one, so clock skew does not count.
    const auto origin = parse_http_date(date).value_or(now);
    const auto lifetime = std::chrono::duration_cast<Seconds>(*expiry - origin);
    if (lifetime.count() <= 0) return std::nullopt;
    return std::min(lifetime, kMaxServerDelay);
}

std::optional<UrlParts> split_url(const std::string& url) {
    const CurlUrl handle(curl_url());
    if (!handle) return std::nullopt;
    // NON_SUPPORT_SCHEME: parse ftp: and friends too, so the caller can name the refused scheme.
    if (curl_url_set(handle.get(), CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME) !=
        CURLUE_OK)
        return std::nullopt;
    auto scheme = url_part(handle.get(), CURLUPART_SCHEME);
    if (!scheme) return std::nullopt;
    UrlParts parts{lower(std::move(*scheme)), {}};
    if (auto host = url_part(handle.get(), CURLUPART_HOST)) parts.host = lower(std::move(*host));
    return parts;
}

std::optional<std::string> resolve_url(const std::string& base, const std::string& reference) {
    const CurlUrl handle(curl_url());
    if (!handle) return std::nullopt;
    if (curl_url_set(handle.get(), CURLUPART_URL, base.c_str(), CURLU_NON_SUPPORT_SCHEME) !=
        CURLUE_OK)
        return std::nullopt;
    // Setting a relative URL on a handle that holds an absolute one resolves it (RFC 3986).
    if (curl_url_set(handle.get(), CURLUPART_URL, reference.c_str(),
                     CURLU_NON_SUPPORT_SCHEME | CURLU_URLENCODE) != CURLUE_OK)
        return std::nullopt;
    return url_part(handle.get(), CURLUPART_URL);
}

bool is_private_ipv4(std::uint32_t address) noexcept {
    struct Range {
        std::uint32_t network;
        int prefix;
    };
    static constexpr Range kRanges[] = {
        {0x00000000, 8},   // "this" network
        {0x0A000000, 8},   // 10/8
        {0x64400000, 10},  // 100.64/10 carrier-grade NAT
        {0x7F000000, 8},   // loopback
        {0xA9FE0000, 16},  // link-local (cloud metadata lives here)
        {0xAC100000, 12},  // 172.16/12
        {0xC0000000, 24},  // IETF protocol assignments
        {0xC0A80000, 16},  // 192.168/16
        {0xC6120000, 15},  // benchmarking 198.18/15
        {0xE0000000, 3},   // multicast, reserved and broadcast (224/3)
    };
    return std::ranges::any_of(kRanges, [address](const Range& range) {
        const std::uint32_t mask = ~std::uint32_t{0} << (32 - range.prefix);
        return (address & mask) == range.network;
    });
}

bool is_private_ipv6(std::span<const unsigned char, 16> bytes) noexcept {
    const auto all_zero = [&](std::size_t from, std::size_t to) {
        return std::all_of(bytes.begin() + static_cast<std::ptrdiff_t>(from),
                           bytes.begin() + static_cast<std::ptrdiff_t>(to),
                           [](unsigned char b) { return b == 0; });
    };
    const auto ipv4_at = [&](std::size_t offset) {
        return (std::uint32_t{bytes[offset]} << 24) | (std::uint32_t{bytes[offset + 1]} << 16) |
               (std::uint32_t{bytes[offset + 2]} << 8) | std::uint32_t{bytes[offset + 3]};
    };
    if (all_zero(0, 15) && (bytes[15] == 0 || bytes[15] == 1)) return true;  // :: and ::1
    if (all_zero(0, 10) && bytes[10] == 0xff && bytes[11] == 0xff)
        return is_private_ipv4(ipv4_at(12));  // ::ffff:a.b.c.d
    if (bytes[0] == 0x00 && bytes[1] == 0x64 && bytes[2] == 0xff && bytes[3] == 0x9b &&
        all_zero(4, 12))
        return is_private_ipv4(ipv4_at(12));                         // NAT64 64:ff9b::/96
    if ((bytes[0] & 0xfe) == 0xfc) return true;                      // fc00::/7 unique local
    if (bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80) return true;  // fe80::/10 link-local
    if (bytes[0] == 0xff) return true;                               // multicast
    return false;
}

}  // namespace herald::fetcher::detail
