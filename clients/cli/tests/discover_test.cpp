#include "discover.hpp"

#include <fstream>
#include <iterator>
#include <string>

#include <gtest/gtest.h>

namespace herald::cli {
namespace {

std::string fixture(const std::string& name) {
    std::ifstream in(std::string(HERALD_CLI_TEST_DATA) + "/" + name, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(DiscoverTest, FindsAlternateFeedLinksOnly) {
    const auto feeds = discover_feeds(fixture("page_with_feeds.html"),
                                      "https://blog.example.com/posts/index.html");
    ASSERT_EQ(feeds.size(), 3u);
    EXPECT_EQ(feeds[0].url, "https://blog.example.com/feed.xml");
    EXPECT_EQ(feeds[0].type, "application/rss+xml");
    EXPECT_EQ(feeds[0].title, "Posts & notes");
    EXPECT_EQ(feeds[1].url, "https://blog.example.com/posts/atom.xml");
    EXPECT_EQ(feeds[1].type, "application/atom+xml");
    EXPECT_EQ(feeds[2].url, "https://cdn.example.com/feed.json");
    EXPECT_EQ(feeds[2].type, "application/feed+json");
}

TEST(DiscoverTest, PageWithoutFeedsGivesNone) {
    EXPECT_TRUE(discover_feeds(fixture("page_without_feeds.html"), "https://x.example/").empty());
    EXPECT_TRUE(discover_feeds("", "https://x.example/").empty());
    EXPECT_TRUE(
        discover_feeds("<link rel=alternate type=application/rss+xml", "https://x/").empty());
}

TEST(DiscoverTest, BaseTagChangesResolution) {
    const auto feeds = discover_feeds(
        "<head><base href='/blog/'><link rel=alternate type=application/json href=feed.json>",
        "https://x.example/a/b");
    ASSERT_EQ(feeds.size(), 1u);
    EXPECT_EQ(feeds[0].url, "https://x.example/blog/feed.json");
}

TEST(DiscoverTest, ResolvesReferencesPerRfc3986) {
    const std::string base = "http://a/b/c/d;p?q";
    EXPECT_EQ(resolve_url(base, "g"), "http://a/b/c/g");
    EXPECT_EQ(resolve_url(base, "./g"), "http://a/b/c/g");
    EXPECT_EQ(resolve_url(base, "g/"), "http://a/b/c/g/");
    EXPECT_EQ(resolve_url(base, "/g"), "http://a/g");
    EXPECT_EQ(resolve_url(base, "//g"), "http://g");
    EXPECT_EQ(resolve_url(base, "?y"), "http://a/b/c/d;p?y");
    EXPECT_EQ(resolve_url(base, "g?y"), "http://a/b/c/g?y");
    EXPECT_EQ(resolve_url(base, "#s"), "http://a/b/c/d;p?q#s");
    EXPECT_EQ(resolve_url(base, ""), "http://a/b/c/d;p?q");
    EXPECT_EQ(resolve_url(base, "."), "http://a/b/c/");
    EXPECT_EQ(resolve_url(base, ".."), "http://a/b/");
    EXPECT_EQ(resolve_url(base, "../g"), "http://a/b/g");
    EXPECT_EQ(resolve_url(base, "../../g"), "http://a/g");
    EXPECT_EQ(resolve_url(base, "../../../g"), "http://a/g");
    EXPECT_EQ(resolve_url(base, "https://other/x"), "https://other/x");
    EXPECT_EQ(resolve_url("https://host", "feed"), "https://host/feed");
}

TEST(DiscoverTest, TellsHtmlFromFeeds) {
    EXPECT_TRUE(looks_like_html(fixture("page_with_feeds.html")));
    EXPECT_TRUE(looks_like_html("<html><body>x</body></html>"));
    EXPECT_FALSE(looks_like_html("<?xml version='1.0'?><rss version='2.0'><channel/></rss>"));
    EXPECT_FALSE(looks_like_html("{\"version\": \"https://jsonfeed.org/version/1.1\"}"));
}

}  // namespace
}  // namespace herald::cli
