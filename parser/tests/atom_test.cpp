// Atom 1.0 and 0.3: text constructs, link selection, persons, xml:base.
#include <gtest/gtest.h>

#include "feed_fixture.hpp"

namespace herald::parser {
namespace {

using testing::iso;
using testing::parse_fixture;
using testing::parse_text;

TEST(Atom, ReadsFeedOfAtom10) {
    const auto feed = parse_fixture("atom10_basic.xml");
    EXPECT_EQ(feed.format, Format::kAtom10);
    EXPECT_FALSE(feed.bozo);
    EXPECT_EQ(feed.feed.title, "Atom <Example>");           // type="text": characters as written
    EXPECT_EQ(feed.feed.subtitle, "<b>Bold</b> subtitle");  // type="html": the HTML
    EXPECT_EQ(feed.feed.link, "http://example.org/");       // alternate over self
    EXPECT_EQ(feed.feed.language, "en-US");
    EXPECT_EQ(feed.feed.id, "urn:uuid:60a76c80-d399-11d9-b91C-0003939e0af6");
    EXPECT_EQ(iso(feed.feed.updated), "2003-12-13T18:30:02Z");
    EXPECT_EQ(feed.feed.author, "John Doe");
    EXPECT_EQ(feed.feed.generator, "Generator");
    EXPECT_EQ(feed.feed.image, "http://example.org/logo.png");
    EXPECT_EQ(feed.items.size(), 2U);
}

TEST(Atom, ReadsEntryOfAtom10) {
    const auto feed = parse_fixture("atom10_basic.xml");
    ASSERT_EQ(feed.items.size(), 2U);
    const auto& entry = feed.items[0];
    EXPECT_EQ(entry.id, "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a");
    EXPECT_EQ(iso(entry.published), "2003-12-13T12:29:29Z");
    EXPECT_EQ(iso(entry.updated), "2003-12-13T18:30:02Z");
    EXPECT_EQ(entry.summary, "Some text.");
    EXPECT_EQ(entry.content, "<p>This is <b>XHTML</b> &amp; more</p>");  // div unwrapped
    EXPECT_EQ(entry.categories, (std::vector<std::string>{"robots", "news"}));
}

TEST(Atom, PrefersHtmlAlternateAndIgnoresLinkWithoutHref) {
    const auto feed = parse_fixture("atom10_basic.xml");
    ASSERT_EQ(feed.items.size(), 2U);
    EXPECT_EQ(feed.items[0].link, "http://example.org/2003/12/13/atom03");
}

TEST(Atom, TakesEnclosuresFromRelEnclosure) {
    const auto feed = parse_fixture("atom10_basic.xml");
    ASSERT_EQ(feed.items.size(), 2U);
    ASSERT_EQ(feed.items[0].enclosures.size(), 1U);
    EXPECT_EQ(feed.items[0].enclosures[0],
              (Enclosure{"http://example.org/audio.mp3", "audio/mpeg", 1337}));
}

TEST(Atom, EntryWithoutAuthorTakesTheFeeds) {
    const auto feed = parse_fixture("atom10_basic.xml");
    ASSERT_EQ(feed.items.size(), 2U);
    EXPECT_EQ(feed.items[0].author, "John Doe");
    EXPECT_EQ(feed.items[1].author, "only@example.org");  // email only when no name
}

TEST(Atom, IdStandsInForMissingLink) {
    const auto feed = parse_fixture("atom10_basic.xml");
    ASSERT_EQ(feed.items.size(), 2U);
    EXPECT_EQ(feed.items[1].link, "http://example.org/entries/2");
}

TEST(Atom, HtmlTitleKeepsItsMarkupAndSourceIsIgnored) {
    const auto feed = parse_fixture("atom10_basic.xml");
    ASSERT_EQ(feed.items.size(), 2U);
    EXPECT_EQ(feed.items[1].title, "<em>Second</em>");
    EXPECT_EQ(feed.items[1].id, "http://example.org/entries/2");  // not the <source>'s id
    EXPECT_EQ(feed.items[1].content, "<p>Escaped</p>");
}

TEST(Atom, ReadsAtom03WithModes) {
    const auto feed = parse_fixture("atom03_basic.xml");
    EXPECT_EQ(feed.format, Format::kAtom03);
    EXPECT_EQ(feed.feed.title, "Atom 0.3 &amp; friends");
    EXPECT_EQ(feed.feed.subtitle, "Old Atom");
    EXPECT_EQ(iso(feed.feed.updated), "2003-12-13T18:30:02Z");
    ASSERT_EQ(feed.items.size(), 1U);
    const auto& entry = feed.items[0];
    EXPECT_EQ(entry.title, "Example <b>Atom</b>");               // mode="base64"
    EXPECT_EQ(entry.content, "<div>Inline <b>XHTML</b></div>");  // mode="xml" keeps the div
    EXPECT_EQ(iso(entry.published), "2003-12-13T12:29:29Z");     // <issued>
    EXPECT_EQ(entry.author, "Mark");
}

// base64 content decodes to any bytes; the field must still be text (a fuzzer found the
// double-encoding check reading past a cut-off UTF-8 sequence in such a title).
TEST(Atom, Base64ContentThatIsNotUtf8BecomesText) {
    const auto feed =
        parse_text(R"(<feed xmlns="http://purl.org/atom/ns#" version="0.3"><entry>)"
                   R"(<title mode="base64">Y2Fm6SAAb2sgw6kgww==</title></entry></feed>)");
    ASSERT_EQ(feed.items.size(), 1U);
    // A stray latin-1 byte as windows-1252, the NUL dropped, valid UTF-8 kept, the cut-off
    // lead byte read as windows-1252 too.
    EXPECT_EQ(feed.items[0].title, "caf\u00E9 ok \u00E9 \u00C3");
}

TEST(Atom, EntryWithoutTitleTakesMediaTitleFromGroupContent) {
    // YouTube-style entries: the only title sits in media:group/media:content.
    const auto feed = parse_text(
        R"(<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">
           <entry><id>urn:a</id><media:group><media:content url="http://example.org/v.mp4">
           <media:title>Nested title</media:title>
           <media:description>Nested description</media:description>
           </media:content></media:group></entry>
           <entry><id>urn:b</id><title>Own title</title><media:group><media:content>
           <media:title>Media title</media:title></media:content></media:group></entry></feed>)");
    ASSERT_EQ(feed.items.size(), 2U);
    EXPECT_EQ(feed.items[0].title, "Nested title");
    EXPECT_EQ(feed.items[0].summary, "Nested description");
    EXPECT_EQ(feed.items[1].title, "Own title");  // the entry's own title wins
}

TEST(Atom, ResolvesNestedXmlBase) {
    const auto feed = parse_fixture("xml_base_nested.xml");
    EXPECT_EQ(feed.feed.link, "http://example.org/blog/index.html");
    ASSERT_EQ(feed.items.size(), 2U);
    EXPECT_EQ(feed.items[0].link, "http://example.org/blog/2024/post.html");
    ASSERT_EQ(feed.items[0].enclosures.size(), 1U);
    EXPECT_EQ(feed.items[0].enclosures[0].url, "http://example.org/blog/2024/media/a.mp3");
    EXPECT_EQ(feed.items[1].link, "http://example.org/root/y?q=1#frag");
}

TEST(Atom, XmlBaseWinsOverTheDocumentUrl) {
    const auto feed = parse_text(
        R"(<feed xmlns="http://www.w3.org/2005/Atom"><link href="a"/>
           <entry xml:base="http://other.example/x/"><link href="b"/></entry></feed>)",
        "https://example.org/feeds/main.atom");
    EXPECT_EQ(feed.feed.link, "https://example.org/feeds/a");
    ASSERT_EQ(feed.items.size(), 1U);
    EXPECT_EQ(feed.items[0].link, "http://other.example/x/b");
}

TEST(Atom, LaterUpdatedValueWins) {
    const auto feed = parse_text(
        "<feed xmlns='http://www.w3.org/2005/Atom'><entry><updated>2010-12-01T10:14:55Z"
        "</updated><updated>2003-12-31T10:14:55Z</updated></entry></feed>");
    ASSERT_EQ(feed.items.size(), 1U);
    EXPECT_EQ(iso(feed.items[0].updated), "2003-12-31T10:14:55Z");
}

TEST(Atom, UnwrapsEscapedHtmlInsideDiv) {
    const auto feed = parse_text(
        "<feed xmlns='http://www.w3.org/2005/Atom'><entry><content type='html'>"
        "<div xmlns='http://www.w3.org/1999/xhtml'>A &lt;b&gt;B&lt;/b&gt;</div></content>"
        "</entry></feed>");
    ASSERT_EQ(feed.items.size(), 1U);
    EXPECT_EQ(feed.items[0].content, "A <b>B</b>");
}

TEST(Atom, DecodesBase64ContentOfBinaryType) {
    const auto feed = parse_text(
        "<feed xmlns='http://www.w3.org/2005/Atom'><entry><content type='application/"
        "octet-stream'> RXhhbXBsZSA8Yj5BdG9tPC9iPg== </content></entry></feed>");
    ASSERT_EQ(feed.items.size(), 1U);
    EXPECT_EQ(feed.items[0].content, "Example <b>Atom</b>");
}

TEST(Atom, TreatsTheRootNamespaceOfDraftsAsAtom) {
    const auto feed = parse_text(
        "<feed xmlns='http://example.com/newformat#'><title>Draft"
        "</title></feed>");
    EXPECT_EQ(feed.feed.title, "Draft");
}

}  // namespace
}  // namespace herald::parser
