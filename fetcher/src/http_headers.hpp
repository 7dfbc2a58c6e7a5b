#pragma once
// Pure helpers that read HTTP response headers and URLs into values (tested in
// http_headers_test.cpp). No transfer state here.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include <herald/fetcher.hpp>

namespace herald::fetcher::detail {

struct HeaderField {
    std::string_view name;   // as sent; compare with iequals
    std::string_view value;  // surrounding whitespace removed
};

// Splits "Name: value\r\n"; nullopt for status lines, blank lines and garbage.
[[nodiscard]] std::optional<HeaderField> split_header(std::string_view line) noexcept;

// The status code of "HTTP/1.1 200 OK" or "HTTP/2 304"; nullopt when not a status line.
[[nodiscard]] std::optional<int> parse_status_line(std::string_view line) noexcept;

[[nodiscard]] bool iequals(std::string_view a, std::string_view b) noexcept;

// An HTTP date (IMF-fixdate, RFC 850 or asctime form); nullopt when unreadable.
[[nodiscard]] std::optional<TimePoint> parse_http_date(std::string_view text);

// Retry-After as seconds or an HTTP date, never before `now`, capped at now + kMaxServerDelay.
[[nodiscard]] std::optional<TimePoint> parse_retry_after(std::string_view value, TimePoint now);

// Freshness lifetime: Cache-Control max-age, else Expires minus Date (or now). nullopt when not
// stated, already stale, or no-store/no-cache. Capped at kMaxServerDelay.
[[nodiscard]] std::optional<Seconds> parse_cache_lifetime(std::string_view cache_control,
                                                          std::string_view expires,
                                                          std::string_view date, TimePoint now);

struct UrlParts {
    std::string scheme;  // lower case
    std::string host;    // lower case; empty for file:
};

// Scheme and host of an absolute URL; nullopt when it is not one.
[[nodiscard]] std::optional<UrlParts> split_url(const std::string& url);

// `reference` (a Location value) resolved against `base`; nullopt when impossible.
[[nodiscard]] std::optional<std::string> resolve_url(const std::string& base,
                                                     const std::string& reference);

// True for loopback, private, link-local, CGNAT, multicast and unspecified IPv4 addresses
// (host byte order).
[[nodiscard]] bool is_private_ipv4(std::uint32_t address) noexcept;
// The same for IPv6 (16 bytes, network order); v4-mapped addresses are checked as IPv4.
[[nodiscard]] bool is_private_ipv6(std::span<const unsigned char, 16> bytes) noexcept;

}  // namespace herald::fetcher::detail
