#include "opml.hpp"

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

TEST(OpmlTest, FeedlyFoldersBecomeTagsAndDuplicatesAreReported) {
    const auto document = parse_opml(fixture("feedly.opml"));
    ASSERT_TRUE(document) << document.error().message;
    ASSERT_EQ(document->feeds.size(), 3u);
    EXPECT_EQ(document->feeds[0].url, "https://lwn.net/headlines/rss");
    EXPECT_EQ(document->feeds[0].title, "LWN.net");
    EXPECT_EQ(document->feeds[0].html_url, "https://lwn.net");
    EXPECT_EQ(document->feeds[0].tags, (std::vector<std::string>{"Tech"}));
    EXPECT_EQ(document->feeds[2].tags, (std::vector<std::string>{"News"}));
    EXPECT_EQ(document->duplicates, (std::vector<std::string>{"https://lwn.net/headlines/rss"}));
}

TEST(OpmlTest, NewsboatFlatListWithEntities) {
    const auto document = parse_opml(fixture("newsboat.opml"));
    ASSERT_TRUE(document);
    ASSERT_EQ(document->feeds.size(), 2u);
    EXPECT_EQ(document->feeds[1].title, "Ex & Co");
    EXPECT_TRUE(document->feeds[1].tags.empty());
    EXPECT_TRUE(document->duplicates.empty());
}

TEST(OpmlTest, NestedFoldersCategoriesAndOddAttributeCase) {
    const auto document = parse_opml(fixture("ttrss.opml"));
    ASSERT_TRUE(document);
    ASSERT_EQ(document->feeds.size(), 2u);
    EXPECT_EQ(document->feeds[0].url, "https://isocpp.org/blog/rss");
    EXPECT_EQ(document->feeds[0].tags, (std::vector<std::string>{"Programming", "C++"}));
    EXPECT_EQ(document->feeds[1].tags,
              (std::vector<std::string>{"Programming", "Languages", "Systems", "weekly"}));
}

TEST(OpmlTest, RejectsWhatIsNotOpml) {
    EXPECT_FALSE(parse_opml("<rss><channel/></rss>"));
    EXPECT_FALSE(parse_opml("<opml><body>"));
    EXPECT_FALSE(parse_opml(""));
    const auto no_body = parse_opml("<opml version='2.0'><head/></opml>");
    ASSERT_FALSE(no_body);
    EXPECT_NE(no_body.error().message.find("body"), std::string::npos);
}

TEST(OpmlTest, ExportReadsBackToTheSameFeedsTagsAndNames) {
    const std::vector<OpmlFeed> feeds{
        {"https://a.example/feed.xml", "A & <B>", "https://a.example/", "a", {"news", "tech"}},
        {"file:///tmp/local.xml", "", "", "local", {}},
    };
    const auto text = write_opml(feeds, "herald subscriptions", "Wed, 25 Nov 2026 20:00:00 GMT");
    EXPECT_NE(text.find("<opml version=\"2.0\""), std::string::npos);
    const auto document = parse_opml(text);
    ASSERT_TRUE(document) << document.error().message;
    ASSERT_EQ(document->feeds.size(), 2u);
    EXPECT_EQ(document->feeds[0].url, feeds[0].url);
    EXPECT_EQ(document->feeds[0].title, feeds[0].title);
    EXPECT_EQ(document->feeds[0].html_url, feeds[0].html_url);
    EXPECT_EQ(document->feeds[0].tags, feeds[0].tags);
    EXPECT_EQ(document->feeds[0].name, "a");
    EXPECT_EQ(document->feeds[1].url, feeds[1].url);
    EXPECT_EQ(document->feeds[1].name, "local");
}

TEST(OpmlTest, HostileNestingIsBounded) {
    std::string deep = "<opml><body>";
    for (int i = 0; i < 5000; ++i) deep += "<outline text='f'>";
    deep += "<outline xmlUrl='https://deep.example/'/>";
    for (int i = 0; i < 5000; ++i) deep += "</outline>";
    deep += "</body></opml>";
    const auto document = parse_opml(deep);
    ASSERT_TRUE(document);
    ASSERT_EQ(document->feeds.size(), 1u);
    EXPECT_EQ(document->feeds[0].tags, (std::vector<std::string>{"f"}));
}

}  // namespace
}  // namespace herald::cli
