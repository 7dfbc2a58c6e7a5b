#include <gtest/gtest.h>

#include <herald/parser.hpp>

#include "text.hpp"

namespace herald::parser::detail {
namespace {

TEST(HtmlEntity, FindsNamesAcrossTheTable) {
    EXPECT_EQ(html_entity("amp"), "&");
    EXPECT_EQ(html_entity("AElig"), "\u00C6");  // first entry
    EXPECT_EQ(html_entity("zwnj"), "\u200C");   // last entry
    EXPECT_EQ(html_entity("eacute"), "\u00E9");
    EXPECT_EQ(html_entity("zeta"), "\u03B6");
    EXPECT_EQ(html_entity("rsquo"), "\u2019");
    EXPECT_EQ(html_entity("CounterClockwiseContourIntegral"), "\u2233");  // the longest name
}

TEST(HtmlEntity, KeepsTwoCodePointValues) {
    EXPECT_EQ(html_entity("NotEqualTilde"), "\u2242\u0338");
    EXPECT_EQ(html_entity("fjlig"), "fj");
}

TEST(HtmlEntity, IsCaseSensitiveAndRejectsUnknown) {
    EXPECT_EQ(html_entity("Eacute"), "\u00C9");
    EXPECT_FALSE(html_entity("EACUTE").has_value());
    EXPECT_FALSE(html_entity("nosuchentity").has_value());
    EXPECT_FALSE(html_entity("").has_value());
    EXPECT_FALSE(html_entity("amp;").has_value());  // the name comes without its ';'
}

std::string code_point(char32_t cp) {
    std::string out;
    append_code_point(out, cp);
    return out;
}

TEST(AppendCodePoint, EncodesEveryUtf8Length) {
    EXPECT_EQ(code_point(U'A'), "A");
    EXPECT_EQ(code_point(0xE9), "\xC3\xA9");
    EXPECT_EQ(code_point(0x20AC), "\xE2\x82\xAC");
    EXPECT_EQ(code_point(0x1F600), "\xF0\x9F\x98\x80");
    EXPECT_EQ(code_point(0x10FFFF), "\xF4\x8F\xBF\xBF");
}

TEST(AppendCodePoint, RemapsWindows1252C1Range) {
    EXPECT_EQ(code_point(146), "\u2019");  // &#146; as feeds write ’
    EXPECT_EQ(code_point(0x80), "\u20AC");
    EXPECT_EQ(code_point(0x93), "\u201C");
    EXPECT_EQ(code_point(0x9F), "\u0178");
    EXPECT_EQ(code_point(0x81), "\xC2\x81");  // unassigned in windows-1252: kept
}

TEST(AppendCodePoint, ReplacesInvalidCodePoints) {
    EXPECT_EQ(code_point(0), "\uFFFD");
    EXPECT_EQ(code_point(0xD800), "\uFFFD");
    EXPECT_EQ(code_point(0xDFFF), "\uFFFD");
    EXPECT_EQ(code_point(0x110000), "\uFFFD");
}

TEST(DecodeEntities, DecodesNamedDecimalAndHex) {
    EXPECT_EQ(decode_entities("a &amp; b"), "a & b");
    EXPECT_EQ(decode_entities("&lt;p&gt;"), "<p>");
    EXPECT_EQ(decode_entities("&#39;&#x27;&#X27;"), "'''");
    EXPECT_EQ(decode_entities("caf&eacute;"), "caf\u00E9");
    EXPECT_EQ(decode_entities("&#8217;&#x2019;"), "\u2019\u2019");
}

TEST(DecodeEntities, RemapsWindows1252NumericReferences) {
    // encoding/demoronize-*: &#146; is a right single quote, &#150; an en dash.
    EXPECT_EQ(decode_entities("it&#146;s &#150; &#x93;q&#x94;"), "it\u2019s \u2013 \u201Cq\u201D");
}

TEST(DecodeEntities, KeepsUnknownAndMalformedLiterally) {
    EXPECT_EQ(decode_entities("&nosuch; & &; &# &#x; &#xZ;"), "&nosuch; & &; &# &#x; &#xZ;");
    EXPECT_EQ(decode_entities("AT&T"), "AT&T");
    EXPECT_EQ(decode_entities("trailing &"), "trailing &");
    EXPECT_EQ(decode_entities("&#12ab;"), "&#12ab;");
}

TEST(DecodeEntities, AcceptsOnlyLegacyNamesWithoutSemicolon) {
    EXPECT_EQ(decode_entities("&amp &copy 2023"), "& \u00A9 2023");
    EXPECT_EQ(decode_entities("&zeta x"), "&zeta x");          // not a legacy name
    EXPECT_EQ(decode_entities("?a=1&copy=2"), "?a=1&copy=2");  // query string, not ©
    EXPECT_EQ(decode_entities("&copyright"), "&copyright");    // no longest-prefix guessing
}

TEST(DecodeEntities, DecodesNumericWithoutSemicolonAtRunEnd) {
    EXPECT_EQ(decode_entities("&#39 x"), "' x");
    EXPECT_EQ(decode_entities("&#39"), "'");
}

TEST(DecodeEntities, OutOfRangeNumericBecomesReplacement) {
    EXPECT_EQ(decode_entities("&#0;"), "\uFFFD");
    EXPECT_EQ(decode_entities("&#x110000;"), "\uFFFD");
    EXPECT_EQ(decode_entities("&#99999999999999999999;"), "\uFFFD");
    EXPECT_EQ(decode_entities("&#xD800;"), "\uFFFD");
}

TEST(DecodeEntities, LeavesTextWithoutAmpersandUnchanged) {
    const std::string text = "plain \xC3\xA9 text <b>";
    EXPECT_EQ(decode_entities(text), text);
    EXPECT_EQ(decode_entities(""), "");
}

std::string undone(std::string text) {
    detail::undo_double_encoding(text);
    return text;
}

TEST(UndoDoubleEncoding, RepairsUtf8ReadAsWindows1252) {
    EXPECT_EQ(undone("Grupo F\u00C3\u00B3rmula"), "Grupo F\u00F3rmula");  // FÃ³rmula
    // windows-1252's own characters (€, ™) stand for bytes 0x80 and 0x99: "donâ€™t".
    EXPECT_EQ(undone("don\u00E2\u20AC\u2122t"), "don\u2019t");
    // C1 characters where a decoder kept the bytes as latin-1.
    EXPECT_EQ(undone("it\u00E2\u0080\u0099s"), "it\u2019s");
    // Cyrillic and a four-byte emoji, encoded twice.
    EXPECT_EQ(undone("\u00D0\u00BF\u00D1\u20AC"), "\u043F\u0440");
    EXPECT_EQ(undone("\u00F0\u0178\u2019\u00A1"), "\U0001F4A1");
}

TEST(UndoDoubleEncoding, LeavesRealTextAlone) {
    std::string text = "caf\u00E9 \u2019quoted\u2019 na\u00EFve";
    EXPECT_FALSE(detail::undo_double_encoding(text));
    EXPECT_EQ(text, "caf\u00E9 \u2019quoted\u2019 na\u00EFve");
    for (const char* real : {"plain ascii", "Stra\u00DFe", "S\u00C3O PAULO", "\u00A9 2024",
                             "Schwarz auf Wei\u00DF\u2026", "L\u2019\u00C9T\u00C9\u201C",
                             "\u00C9\u201Ccrit", "\u65E5\u672C\u8A9E"}) {
        std::string copy = real;
        EXPECT_FALSE(detail::undo_double_encoding(copy)) << real;
        EXPECT_EQ(copy, real);
    }
    // Not UTF-8 at all (Atom base64 content can be anything): left alone, and never read past
    // a sequence cut off by the end.
    // (The long one lives on the heap, sized exactly: ASan sees a read past its end.)
    for (const char* broken :
         {"F\xC3", "\xC3\x83\xC2", "\xE2\x82", "\xFF\xFE", "a heap-allocated title\xF0\x9F"}) {
        std::string copy = broken;
        EXPECT_FALSE(detail::undo_double_encoding(copy));
        EXPECT_EQ(copy, broken);
    }
    // Whole text or nothing: one genuine character spoils the pairing.
    EXPECT_EQ(undone("F\u00C3\u00B3rmula \u2019"), "F\u00C3\u00B3rmula \u2019");
}

TEST(UndoDoubleEncoding, RepairsTheFieldsOfAUtf8FeedOnly) {
    const std::string title = "Grupo F\u00C3\u00B3rmula";
    const std::string rss = "<rss version='2.0'><channel><title>" + title +
                            "</title><item><title>" + title + "</title><category>" + title +
                            "</category><guid>" + title + "</guid></item></channel></rss>";
    const auto feed = parse(rss, {});
    ASSERT_TRUE(feed);
    EXPECT_EQ(feed->feed.title, "Grupo F\u00F3rmula");
    ASSERT_EQ(feed->items.size(), 1U);
    EXPECT_EQ(feed->items[0].title, "Grupo F\u00F3rmula");
    EXPECT_EQ(feed->items[0].categories, std::vector<std::string>{"Grupo F\u00F3rmula"});
    EXPECT_EQ(feed->items[0].id, title);  // an identity stays as written
    EXPECT_FALSE(feed->bozo);
    EXPECT_EQ(feed->warnings.size(), 1U);
    // The same characters in a windows-1252 document are what it says.
    ParseOptions latin;
    latin.content_type = "application/rss+xml; charset=windows-1252";
    // (Not valid UTF-8 as a whole, so the label stands.)
    const std::string bytes =
        "<rss version='2.0'><channel><description>caf\xE9</description><item>"
        "<title>F\xC3\xB3rmula</title></item></channel></rss>";
    const auto legacy = parse(bytes, latin);
    ASSERT_TRUE(legacy);
    ASSERT_EQ(legacy->items.size(), 1U);
    EXPECT_EQ(legacy->items[0].title, "F\u00C3\u00B3rmula");
}

}  // namespace
}  // namespace herald::parser::detail
