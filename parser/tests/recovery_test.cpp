// Broken XML recovered the way a reader would read it; bozo and warnings say what happened.
#include <gtest/gtest.h>

#include "feed_fixture.hpp"
#include "xml_recovery.hpp"

namespace herald::parser {
namespace {

using testing::parse_fixture;
using testing::parse_text;

TEST(Recovery, WellFormedFeedIsNotBozo) {
    const auto feed = parse_fixture("rss20_basic.xml");
    EXPECT_FALSE(feed.bozo);
    EXPECT_TRUE(feed.warnings.empty());
}

TEST(Recovery, ReplacesUndeclaredHtmlEntities) {
    const auto feed = parse_fixture("html_entities.xml");
    EXPECT_TRUE(feed.bozo);
    EXPECT_FALSE(feed.warnings.empty());
    EXPECT_EQ(feed.feed.title, "Caf\u00e9 \u2014 entities\u2026");
    ASSERT_EQ(feed.items.size(), 2U);
    EXPECT_EQ(feed.items[0].title, "Don\u2019t\u00a0panic \u00a9 2024");
}

TEST(Recovery, MapsWindows1252NumericReferences) {
    const auto feed = parse_fixture("html_entities.xml");
    ASSERT_EQ(feed.items.size(), 2U);
    EXPECT_EQ(feed.items[0].summary, "<p>x &nbsp; y</p> \u2019quoted\u201d");
}

TEST(Recovery, KeepsUnknownEntityAndCdataAsText) {
    const auto feed = parse_fixture("html_entities.xml");
    ASSERT_EQ(feed.items.size(), 2U);
    EXPECT_EQ(feed.items[1].title, "Unknown &bogus; entity stays");
    EXPECT_EQ(feed.items[1].summary, "&eacute; in CDATA stays");
}

TEST(Recovery, KeepsBareAmpersand) {
    const auto feed = parse_fixture("bare_ampersand.xml");
    EXPECT_TRUE(feed.bozo);
    EXPECT_EQ(feed.feed.title, "Tom & Jerry");
    ASSERT_EQ(feed.items.size(), 1U);
    EXPECT_EQ(feed.items[0].link, "http://example.com/get?a=1&b=2");
}

TEST(Recovery, BalancesUnclosedAndStrayTags) {
    const auto feed = parse_fixture("unclosed_tags.xml");
    EXPECT_TRUE(feed.bozo);
    ASSERT_EQ(feed.items.size(), 3U);  // the unclosed itunes:category does not swallow them
    EXPECT_EQ(feed.items[0].summary, "line<br />next <p>para</p>");
    EXPECT_EQ(feed.items[0].link, "http://example.com/1");
    EXPECT_EQ(feed.items[1].title, "Two");
    EXPECT_EQ(feed.items[1].link, "http://example.com/2");
}

TEST(Recovery, QuotesUnquotedAttributes) {
    const auto feed = parse_fixture("unclosed_tags.xml");
    ASSERT_EQ(feed.items.size(), 3U);
    ASSERT_EQ(feed.items[2].enclosures.size(), 1U);
    EXPECT_EQ(feed.items[2].enclosures[0],
              (Enclosure{"http://example.com/3.mp3", "audio/mpeg", 3}));
}

TEST(Recovery, TruncatedDocumentKeepsCompleteItems) {
    const auto feed = parse_fixture("truncated.xml");
    EXPECT_TRUE(feed.bozo);
    EXPECT_EQ(feed.feed.title, "Truncated");
    ASSERT_EQ(feed.items.size(), 2U);
    EXPECT_EQ(feed.items[1].title, "Complete two");
}

TEST(Recovery, UnterminatedCdataDropsOnlyTheCutItem) {
    const auto feed = parse_fixture("unclosed_cdata.xml");
    EXPECT_TRUE(feed.bozo);
    ASSERT_EQ(feed.items.size(), 1U);
    EXPECT_EQ(feed.items[0].title, "ok");
}

TEST(Recovery, IgnoresJunkBeforeTheRoot) {
    const auto feed = parse_fixture("junk_before_root.xml");
    EXPECT_TRUE(feed.bozo);
    EXPECT_EQ(feed.feed.title, "After junk");
    ASSERT_EQ(feed.items.size(), 1U);
}

TEST(Recovery, NeverExpandsDoctypeEntities) {
    const auto feed = parse_fixture("doctype_entities.xml");
    // Neither the "billion laughs" nor the external file: the references stay literal.
    EXPECT_EQ(feed.feed.title, "&lol3;");
    ASSERT_EQ(feed.items.size(), 1U);
    EXPECT_EQ(feed.items[0].title, "&xxe;");
    EXPECT_TRUE(feed.bozo);
}

TEST(Recovery, GuessesUndeclaredNamespacePrefixes) {
    const auto feed = parse_fixture("undeclared_prefix.xml");
    EXPECT_TRUE(feed.bozo);
    ASSERT_EQ(feed.items.size(), 1U);
    EXPECT_EQ(feed.items[0].author, "Someone");
    EXPECT_EQ(feed.items[0].content, "<p>body</p>");
}

TEST(Recovery, RepairsDoubleEncodedUtf8References) {
    const auto feed = parse_text(
        "<rss><channel><item><description>&#226;&#128;&#166;"
        "</description></item></channel></rss>");
    ASSERT_EQ(feed.items.size(), 1U);
    EXPECT_EQ(feed.items[0].summary, "\u2026");
}

TEST(Recovery, FixReferencesCopiesNothingWhenNothingIsWrong) {
    detail::Diagnostics diagnostics;
    EXPECT_FALSE(detail::fix_references("<a>&amp; &#65; &lt;</a>", diagnostics));
    EXPECT_FALSE(diagnostics.bozo);
}

TEST(Recovery, FixReferencesSkipsCommentsAndCdata) {
    detail::Diagnostics diagnostics;
    EXPECT_FALSE(
        detail::fix_references("<!-- &eacute; --><a><![CDATA[&eacute;]]></a>", diagnostics));
    EXPECT_FALSE(diagnostics.bozo);
}

TEST(Recovery, BalanceMarkupEscapesStrayLessThan) {
    detail::Diagnostics diagnostics;
    EXPECT_EQ(detail::balance_markup("<a>1 < 2</a>", diagnostics), "<a>1 &lt; 2</a>");
    EXPECT_TRUE(diagnostics.bozo);
}

TEST(Recovery, BalanceMarkupDropsDoctype) {
    detail::Diagnostics diagnostics;
    EXPECT_EQ(detail::balance_markup("<!DOCTYPE a [<!ENTITY x '>'>]><a/>", diagnostics), "<a/>");
}

TEST(Recovery, HtmlPageIsStillNotAFeed) {
    const auto result = parse(testing::read_fixture("not_a_feed.html"));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, ParseErrorKind::kNotAFeed);
}

}  // namespace
}  // namespace herald::parser
