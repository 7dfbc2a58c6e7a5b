// Namespace resolution shortcuts: when prepare_utf8's "xmlns" count shows every declaration
// sits on the root, elements below it resolve from the root's table alone; otherwise (an
// element redeclares a prefix, "xmlns" in text, a general-path document) the long way runs.
#include <string>

#include <gtest/gtest.h>
#include <pugixml.hpp>

#include "feed_fixture.hpp"
#include "prepare.hpp"
#include "xml_nodes.hpp"

namespace herald::parser {
namespace {

using testing::parse_text;

// What prepare_utf8's pass counted in `text`.
detail::PreparedFacts facts_of(std::string_view text) {
    detail::Diagnostics diagnostics;
    detail::PreparedFacts facts;
    EXPECT_TRUE(detail::prepare_utf8(text, {}, diagnostics, &facts).has_value());
    return facts;
}

std::size_t xmlns_count(std::string_view text) {
    return facts_of(text).xmlns_count;
}
std::size_t xml_base_count(std::string_view text) {
    return facts_of(text).xml_base_count;
}

TEST(Namespaces, PreparedTextCountsEveryXmlnsAtEveryOffset) {
    for (std::size_t offset = 0; offset < 140; ++offset) {
        const std::string pad(offset, 'x');
        EXPECT_EQ(xmlns_count("<r xmlns:dc='u'><" + pad + " xmlns='v'/></r>"), 2U) << offset;
        EXPECT_EQ(xmlns_count("<r>" + pad + "xmlns</r>"), 1U) << offset;
        EXPECT_EQ(xmlns_count("<r>" + pad + "xmln s xmlnx</r>"), 0U) << offset;
        EXPECT_EQ(xmlns_count("<r " + pad + "xmlns"), 1U) << offset;  // at the very end
    }
}

// A zero count lets links skip the look for xml:base on their ancestors, so it must never miss
// one, wherever it falls in the pass's 64-byte blocks.
TEST(Namespaces, PreparedTextCountsEveryXmlBaseAtEveryOffset) {
    for (std::size_t offset = 0; offset < 140; ++offset) {
        const std::string pad(offset, 'x');
        EXPECT_EQ(xml_base_count("<r><" + pad + " xml:base='v'/></r>"), 1U) << offset;
        EXPECT_EQ(xml_base_count("<r " + pad + " xml:lang='en' xmlns='u'/>"), 0U) << offset;
        EXPECT_EQ(xml_base_count("<r " + pad + "xml:base"), 1U) << offset;  // at the very end
    }
}

TEST(Namespaces, LinksResolveAgainstXmlBaseOnlyWhereThereIsOne) {
    const auto with_base = parse_text(
        "<rss version='2.0'><channel><item xml:base='http://a.example/dir/'>"
        "<link>page.html</link></item><item><link>page.html</link></item></channel></rss>",
        "http://doc.example/feed.xml");
    ASSERT_EQ(with_base.items.size(), 2U);
    EXPECT_EQ(with_base.items[0].link, "http://a.example/dir/page.html");
    EXPECT_EQ(with_base.items[1].link, "http://doc.example/page.html");
}

// The shortcut itself: with a bound the root's declarations meet, the element's own
// (here contradicting) declaration is not read; a bound above them takes the long way.
TEST(Namespaces, BoundMetByTheRootSkipsOwnDeclarations) {
    pugi::xml_document doc;
    ASSERT_TRUE(
        doc.load_string("<r xmlns:dc='http://purl.org/dc/elements/1.1/'>"
                        "<i xmlns:dc='urn:other'><dc:creator/></i></r>"));
    const auto creator = doc.document_element().first_child().first_child();
    detail::Diagnostics diagnostics;

    detail::NamespaceMemo exact;
    EXPECT_EQ(detail::qualified_name(creator, diagnostics, exact).ns, detail::Ns::kOther);

    detail::NamespaceMemo bounded_above;
    bounded_above.bound_declarations(2);
    EXPECT_EQ(detail::qualified_name(creator, diagnostics, bounded_above).ns, detail::Ns::kOther);

    detail::NamespaceMemo root_only;  // a bound that (wrongly here) says the root has them all
    root_only.bound_declarations(1);
    EXPECT_EQ(detail::qualified_name(creator, diagnostics, root_only).ns, detail::Ns::kDc);
    EXPECT_TRUE(diagnostics.warnings.empty());
}

constexpr std::string_view kRedeclared =
    "<rss version='2.0' xmlns:dc='http://purl.org/dc/elements/1.1/'><channel>"
    "<item><title>a</title><dc:creator>Jane</dc:creator></item>"
    "<item xmlns:dc='urn:not-dublin-core'><title>b</title><dc:creator>Joe</dc:creator></item>"
    "<item><title>c</title><dc:creator>Kim</dc:creator></item>"
    "</channel></rss>";

TEST(Namespaces, ItemRedeclaringAPrefixIsHonoured) {
    const auto feed = parse_text(kRedeclared);
    ASSERT_EQ(feed.items.size(), 3U);
    EXPECT_EQ(feed.items[0].author, "Jane");
    EXPECT_EQ(feed.items[1].author, std::nullopt);  // not Dublin Core there
    EXPECT_EQ(feed.items[2].author, "Kim");
    EXPECT_FALSE(feed.bozo);
}

TEST(Namespaces, DefaultNamespaceBelowTheRootIsHonoured) {
    const auto feed = parse_text(
        "<rss version='2.0'><channel><item><title>a</title></item>"
        "<item><title xmlns='urn:elsewhere'>b</title><link>x</link></item></channel></rss>");
    ASSERT_EQ(feed.items.size(), 2U);
    EXPECT_EQ(feed.items[0].title, "a");
    EXPECT_EQ(feed.items[1].title, std::nullopt);  // urn:elsewhere's title, not RSS's
    EXPECT_EQ(feed.items[1].link, "x");
}

TEST(Namespaces, XmlnsInTextChangesNothing) {
    const std::string with_word =
        "<rss version='2.0' xmlns:dc='http://purl.org/dc/elements/1.1/'><channel>"
        "<item><title>about xmlns</title><dc:creator>Jane</dc:creator><unknown:x/></item>"
        "</channel></rss>";
    const auto feed = parse_text(with_word);
    ASSERT_EQ(feed.items.size(), 1U);
    EXPECT_EQ(feed.items[0].title, "about xmlns");
    EXPECT_EQ(feed.items[0].author, "Jane");
    // The undeclared prefix is still guessed and reported, on either path.
    EXPECT_TRUE(feed.bozo);
    ASSERT_EQ(feed.warnings.size(), 1U);
    EXPECT_EQ(feed.warnings[0], "undeclared namespace prefix unknown");
}

}  // namespace
}  // namespace herald::parser
