// RSS 0.90 to 2.0 and RSS 1.0: the fields, the extensions, the RSS-specific rules.
#include <gtest/gtest.h>

#include "feed_fixture.hpp"

namespace herald::parser {
namespace {

using testing::iso;
using testing::parse_fixture;
using testing::parse_text;

TEST(Rss, ReadsChannelOfRss20) {
    const auto feed = parse_fixture("rss20_basic.xml");
    EXPECT_EQ(feed.format, Format::kRss20);
    EXPECT_FALSE(feed.bozo);
    EXPECT_EQ(feed.feed.title, "Example & Co");
    EXPECT_EQ(feed.feed.link, "https://example.org/");
    EXPECT_EQ(feed.feed.subtitle, "News from Example");
    EXPECT_EQ(feed.feed.language, "en-gb");
    EXPECT_EQ(iso(feed.feed.updated), "2003-06-10T04:00:00Z");
    EXPECT_EQ(feed.feed.author, "Jane Doe");
    EXPECT_EQ(feed.feed.generator, "Hand");
    EXPECT_EQ(feed.feed.image, "https://example.org/logo.png");
    EXPECT_EQ(feed.feed.ttl, 60);
    ASSERT_EQ(feed.items.size(), 3U);
}

TEST(Rss, ReadsItemOfRss20) {
    const auto feed = parse_fixture("rss20_basic.xml");
    ASSERT_EQ(feed.items.size(), 3U);
    const auto& item = feed.items[0];
    EXPECT_EQ(item.title, "First item");  // trimmed
    EXPECT_EQ(item.link, "https://example.org/1");
    EXPECT_EQ(item.id, "https://example.org/guid/1");
    EXPECT_EQ(item.summary, "<p>Hello <b>world</b></p>");  // escaped HTML decoded
    EXPECT_EQ(iso(item.published), "2003-06-03T09:39:21Z");
    EXPECT_EQ(item.author, "Jane Doe");
    EXPECT_EQ(item.categories, (std::vector<std::string>{"News", "World"}));
    ASSERT_EQ(item.enclosures.size(), 1U);
    EXPECT_EQ(item.enclosures[0], (Enclosure{"https://example.org/a.mp3", "audio/mpeg", 12345}));
}

TEST(Rss, KeepsCdataHtmlInDescription) {
    const auto feed = parse_fixture("rss20_basic.xml");
    ASSERT_GE(feed.items.size(), 2U);
    EXPECT_EQ(feed.items[1].summary, "<p>Kept <i>as is</i></p>");
}

TEST(Rss, GuidBecomesLinkUnlessNotPermaLink) {
    const auto feed = parse_fixture("rss20_basic.xml");
    ASSERT_EQ(feed.items.size(), 3U);
    EXPECT_EQ(feed.items[1].link, "https://example.org/2");
    EXPECT_EQ(feed.items[2].id, "tag:example.org,2003:3");
    EXPECT_EQ(feed.items[2].link, std::nullopt);
}

TEST(Rss, DetectsVersions) {
    EXPECT_EQ(parse_fixture("rss091_netscape.xml").format, Format::kRss091);
    EXPECT_EQ(parse_fixture("rss092.xml").format, Format::kRss092);
    EXPECT_EQ(parse_fixture("rss090.rdf").format, Format::kRss090);
    EXPECT_EQ(parse_fixture("rss10.rdf").format, Format::kRss10);
    EXPECT_EQ(parse_text(R"(<rss version="2.01"><channel/></rss>)").format, Format::kRss20);
}

TEST(Rss, SkipsDoctypeOfRss091WithoutFetchingIt) {
    const auto feed = parse_fixture("rss091_netscape.xml");
    EXPECT_FALSE(feed.bozo);
    ASSERT_EQ(feed.items.size(), 1U);
    EXPECT_EQ(feed.items[0].link, "http://example.com/one");
}

TEST(Rss, EnclosureLengthThatIsNoNumberIsNull) {
    const auto feed = parse_fixture("rss092.xml");
    ASSERT_EQ(feed.items.size(), 1U);
    ASSERT_EQ(feed.items[0].enclosures.size(), 1U);
    EXPECT_EQ(feed.items[0].enclosures[0].length, std::nullopt);
    EXPECT_EQ(feed.items[0].title, std::nullopt);
}

TEST(Rss, ReadsRss090ItemsBesideTheChannel) {
    const auto feed = parse_fixture("rss090.rdf");
    EXPECT_EQ(feed.feed.title, "Mozilla Dot Org");
    EXPECT_EQ(feed.feed.image, "http://www.mozilla.org/images/moz.gif");
    ASSERT_EQ(feed.items.size(), 2U);
    EXPECT_EQ(feed.items[1].title, "Bugzilla Reorganized");
}

TEST(Rss, ReadsRss10WithDublinCore) {
    const auto feed = parse_fixture("rss10.rdf");
    EXPECT_EQ(feed.feed.language, "de");
    EXPECT_EQ(iso(feed.feed.updated), "2004-02-01T09:00:00Z");
    EXPECT_EQ(feed.feed.update_period, std::chrono::seconds(1800));  // hourly, twice
    ASSERT_EQ(feed.items.size(), 1U);
    const auto& item = feed.items[0];
    EXPECT_EQ(item.id, "http://example.org/item/1");  // rdf:about
    EXPECT_EQ(item.author, "Max Mustermann");
    EXPECT_EQ(iso(item.updated), "2004-01-31T09:30:00Z");
    EXPECT_EQ(item.categories, std::vector<std::string>{"Testing"});
}

TEST(Rss, ReadsNamespacedExtensions) {
    const auto feed = parse_fixture("rss_extensions.xml");
    EXPECT_EQ(feed.feed.link, "https://example.org/");  // atom:link rel=self is not the link
    EXPECT_EQ(feed.feed.author, "The Hosts");
    EXPECT_EQ(feed.feed.image, "https://example.org/cover.jpg");
    EXPECT_EQ(feed.feed.subtitle, "A show");
    ASSERT_EQ(feed.items.size(), 2U);
    const auto& first = feed.items[0];
    EXPECT_EQ(first.author, "Alice");
    EXPECT_EQ(iso(first.updated), "2020-05-01T12:00:00Z");
    EXPECT_EQ(first.summary, "Short");
    EXPECT_EQ(first.content, "<p>Long <em>body</em></p>");
    EXPECT_EQ(first.categories,
              (std::vector<std::string>{"one", "two", "Technology", "Gadgets", "Video"}));
}

TEST(Rss, FallsBackToAtomLinkMediaTitleAndItunesFields) {
    const auto feed = parse_fixture("rss_extensions.xml");
    ASSERT_EQ(feed.items.size(), 2U);
    const auto& second = feed.items[1];
    EXPECT_EQ(second.link, "https://example.org/ep2");
    EXPECT_EQ(second.title, "Episode 2 (media title)");
    EXPECT_EQ(second.summary, "Summary from iTunes");
    EXPECT_EQ(second.author, "Bob");
}

TEST(Rss, ReducesAuthorToTheName) {
    const auto feed = parse_fixture("author_forms.xml");
    ASSERT_EQ(feed.items.size(), 4U);
    EXPECT_EQ(feed.items[0].author, "Jane Doe");
    EXPECT_EQ(feed.items[1].author, "Jane Doe");
    EXPECT_EQ(feed.items[2].author, "jane@example.org");  // the email only when no name
    EXPECT_EQ(feed.items[3].author, "Plain Name");
}

// Some generators (Google's Cloud blog) write the author as Atom does, with parts inside a
// plain <author>: the name is the author, not the parts' markup.
TEST(Rss, ReadsAnAuthorWrittenAsParts) {
    const auto feed = parse_text(
        "<rss version='2.0'><channel><author><name>The Team</name></author>"
        "<item><author><name>Diane Chaleff</name><title>Product Manager</title>"
        "<company/></author></item>"
        "<item><author><email>jane@example.org</email></author></item>"
        "<item><author><name/></author><author>Joe Bloggs</author></item></channel></rss>");
    EXPECT_EQ(feed.feed.author, "The Team");
    ASSERT_EQ(feed.items.size(), 3U);
    EXPECT_EQ(feed.items[0].author, "Diane Chaleff");
    EXPECT_EQ(feed.items[1].author, "jane@example.org");
    EXPECT_EQ(feed.items[2].author, "Joe Bloggs");  // an empty part yields to a later author
}

TEST(Rss, ResolvesRelativeLinksAgainstTheBaseUrl) {
    const auto feed = parse_text(
        R"(<rss version="2.0"><channel><link>/</link><item><link>posts/1</link>
           <enclosure url="../media/1.mp3" type="audio/mpeg" length="5"/></item></channel></rss>)",
        "https://example.org/blog/feed.xml");
    EXPECT_EQ(feed.feed.link, "https://example.org/");
    ASSERT_EQ(feed.items.size(), 1U);
    EXPECT_EQ(feed.items[0].link, "https://example.org/blog/posts/1");
    ASSERT_EQ(feed.items[0].enclosures.size(), 1U);
    EXPECT_EQ(feed.items[0].enclosures[0].url, "https://example.org/media/1.mp3");
}

TEST(Rss, SecondDescriptionLikeElementBecomesContent) {
    const auto feed = parse_text(
        "<rss><channel><item><description>d</description><summary>s</summary></item>"
        "</channel></rss>");
    ASSERT_EQ(feed.items.size(), 1U);
    EXPECT_EQ(feed.items[0].summary, "d");
    EXPECT_EQ(feed.items[0].content, "s");
}

TEST(Rss, SummaryFallsBackToContent) {
    const auto feed = parse_text(
        "<rss xmlns:content='http://purl.org/rss/1.0/modules/content/'><channel><item>"
        "<content:encoded>&lt;p&gt;c&lt;/p&gt;</content:encoded></item></channel></rss>");
    ASSERT_EQ(feed.items.size(), 1U);
    EXPECT_EQ(feed.items[0].summary, "<p>c</p>");
}

TEST(Rss, ElementNamesAreCaseInsensitive) {
    const auto feed = parse_text("<rss><channel><TiTlE>Shouty</TiTlE></channel></rss>");
    EXPECT_EQ(feed.feed.title, "Shouty");
}

TEST(Rss, KeepsItemsThatSitDirectlyUnderRss) {
    const auto feed = parse_text(
        "<rss><channel><title>t</title></channel><item><title>i</title>"
        "</item></rss>");
    ASSERT_EQ(feed.items.size(), 1U);
    EXPECT_EQ(feed.items[0].title, "i");
}

}  // namespace
}  // namespace herald::parser
