// Tests for the pure header and URL helpers in src/http_headers.cpp.
#include "http_headers.hpp"

#include <array>

#include <gtest/gtest.h>

namespace herald::fetcher::detail {
namespace {

using namespace std::chrono_literals;

// 2015-10-21T07:28:00Z
const TimePoint kDate = Clock::from_time_t(1445412480);

TEST(HttpHeaders, SplitsHeaderLines) {
    const auto field = split_header("ETag:  \"abc\" \r\n");
    ASSERT_TRUE(field);
    EXPECT_EQ(field->name, "ETag");
    EXPECT_EQ(field->value, "\"abc\"");
    EXPECT_FALSE(split_header("HTTP/1.1 200 OK\r\n"));
    EXPECT_FALSE(split_header("\r\n"));
}

TEST(HttpHeaders, ReadsStatusLines) {
    EXPECT_EQ(parse_status_line("HTTP/1.1 304 Not Modified\r\n"), 304);
    EXPECT_EQ(parse_status_line("HTTP/2 200\r\n"), 200);
    EXPECT_FALSE(parse_status_line("Location: x"));
}

TEST(HttpHeaders, RetryAfterInSeconds) {
    EXPECT_EQ(parse_retry_after("120", kDate), kDate + 120s);
    EXPECT_EQ(parse_retry_after(" 0 ", kDate), kDate);
}

TEST(HttpHeaders, RetryAfterAsHttpDate) {
    EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 09:28:00 GMT", kDate), kDate + 2h);
    // Obsolete RFC 850 and asctime forms are still HTTP dates.
    EXPECT_EQ(parse_retry_after("Wednesday, 21-Oct-15 09:28:00 GMT", kDate), kDate + 2h);
    EXPECT_EQ(parse_retry_after("Wed Oct 21 09:28:00 2015", kDate), kDate + 2h);
}

TEST(HttpHeaders, RetryAfterIsCappedAtOneDayAndNeverInThePast) {
    EXPECT_EQ(parse_retry_after("9999999", kDate), kDate + kMaxServerDelay);
    EXPECT_EQ(parse_retry_after("Wed, 28 Oct 2015 07:28:00 GMT", kDate), kDate + kMaxServerDelay);
    EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 06:28:00 GMT", kDate), kDate);
    EXPECT_FALSE(parse_retry_after("soon", kDate));
    EXPECT_FALSE(parse_retry_after("-5", kDate));
}

TEST(HttpHeaders, CacheLifetimeFromMaxAge) {
    EXPECT_EQ(parse_cache_lifetime("public, max-age=7200", "", "", kDate), 7200s);
    EXPECT_EQ(parse_cache_lifetime("MAX-AGE=\"60\"", "", "", kDate), 60s);
    EXPECT_EQ(parse_cache_lifetime("max-age=999999999", "", "", kDate), kMaxServerDelay);
    // max-age wins over Expires.
    EXPECT_EQ(parse_cache_lifetime("max-age=60", "Wed, 21 Oct 2015 09:28:00 GMT", "", kDate), 60s);
}

TEST(HttpHeaders, CacheLifetimeFromExpiresAgainstServerDate) {
    EXPECT_EQ(parse_cache_lifetime("", "Wed, 21 Oct 2015 09:28:00 GMT",
                                   "Wed, 21 Oct 2015 08:28:00 GMT", kDate),
              1h);
    EXPECT_EQ(parse_cache_lifetime("", "Wed, 21 Oct 2015 09:28:00 GMT", "", kDate), 2h);
}

TEST(HttpHeaders, NoCacheLifetimeWhenStaleOrNotStated) {
    EXPECT_FALSE(parse_cache_lifetime("", "", "", kDate));
    EXPECT_FALSE(parse_cache_lifetime("no-cache, max-age=600", "", "", kDate));
    EXPECT_FALSE(parse_cache_lifetime("max-age=0", "", "", kDate));
    EXPECT_FALSE(parse_cache_lifetime("", "0", "", kDate));
    EXPECT_FALSE(parse_cache_lifetime("", "Wed, 21 Oct 2015 06:28:00 GMT", "", kDate));
}

TEST(HttpHeaders, SplitsUrls) {
    const auto parts = split_url("HTTPS://Example.ORG:8443/feed.xml?x=1");
    ASSERT_TRUE(parts);
    EXPECT_EQ(parts->scheme, "https");
    EXPECT_EQ(parts->host, "example.org");
    const auto ftp = split_url("ftp://example.org/feed");
    ASSERT_TRUE(ftp);
    EXPECT_EQ(ftp->scheme, "ftp");
    EXPECT_FALSE(split_url("not a url"));
}

TEST(HttpHeaders, ResolvesRelativeLocations) {
    EXPECT_EQ(resolve_url("http://a.example/feeds/rss.xml", "atom.xml"),
              "http://a.example/feeds/atom.xml");
    EXPECT_EQ(resolve_url("http://a.example/feeds/rss.xml", "/new"), "http://a.example/new");
    EXPECT_EQ(resolve_url("http://a.example/x", "https://b.example/y"), "https://b.example/y");
}

TEST(HttpHeaders, ClassifiesPrivateIpv4) {
    EXPECT_TRUE(is_private_ipv4(0x7F000001));   // 127.0.0.1
    EXPECT_TRUE(is_private_ipv4(0x0A010203));   // 10.1.2.3
    EXPECT_TRUE(is_private_ipv4(0xAC1F0001));   // 172.31.0.1
    EXPECT_TRUE(is_private_ipv4(0xC0A80101));   // 192.168.1.1
    EXPECT_TRUE(is_private_ipv4(0xA9FEA9FE));   // 169.254.169.254
    EXPECT_TRUE(is_private_ipv4(0x00000000));   // 0.0.0.0
    EXPECT_FALSE(is_private_ipv4(0x5DB8D822));  // 93.184.216.34
    EXPECT_FALSE(is_private_ipv4(0xAC200001));  // 172.32.0.1
    EXPECT_FALSE(is_private_ipv4(0x08080808));  // 8.8.8.8
}

TEST(HttpHeaders, ClassifiesPrivateIpv6) {
    std::array<unsigned char, 16> loopback{};
    loopback[15] = 1;
    EXPECT_TRUE(is_private_ipv6(loopback));
    std::array<unsigned char, 16> mapped{};
    mapped[10] = mapped[11] = 0xff;
    mapped[12] = 127;
    mapped[15] = 1;
    EXPECT_TRUE(is_private_ipv6(mapped));
    mapped[12] = 8;
    mapped[13] = 8;
    mapped[14] = 8;
    mapped[15] = 8;
    EXPECT_FALSE(is_private_ipv6(mapped));
    std::array<unsigned char, 16> unique_local{0xfd, 0x12};
    EXPECT_TRUE(is_private_ipv6(unique_local));
    std::array<unsigned char, 16> link_local{0xfe, 0x80};
    EXPECT_TRUE(is_private_ipv6(link_local));
    std::array<unsigned char, 16> global{0x26, 0x06, 0x28, 0x00};
    global[15] = 1;
    EXPECT_FALSE(is_private_ipv6(global));
}

}  // namespace
}  // namespace herald::fetcher::detail
