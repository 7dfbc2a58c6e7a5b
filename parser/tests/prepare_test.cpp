// The fused fast path (prepare.cpp) against the general path it stands in for: decode_to_utf8
// then fix_references. Every case either matches it exactly (text, bozo, warnings) or declines.
#include "prepare.hpp"

#include <string>

#include <gtest/gtest.h>

#include "text.hpp"
#include "xml_recovery.hpp"

namespace herald::parser::detail {
namespace {

struct Prepared {
    std::string text;
    Diagnostics diagnostics;
};

Prepared general_path(std::string_view bytes, std::string_view content_type) {
    Prepared out;
    const DecodedText decoded = decode_to_utf8(bytes, content_type);
    out.diagnostics.bozo = decoded.bozo;
    out.diagnostics.warnings = decoded.warnings;
    auto fixed = fix_references(decoded.text(), out.diagnostics);
    out.text = fixed ? std::move(*fixed) : decoded.utf8;
    return out;
}

// Asserts the fast path accepts `bytes` and agrees with the general path; returns its text.
std::string expect_same(std::string_view bytes, std::string_view content_type = {}) {
    Diagnostics fast_diagnostics;
    const auto fast = prepare_utf8(bytes, content_type, fast_diagnostics);
    const Prepared slow = general_path(bytes, content_type);
    EXPECT_TRUE(fast.has_value()) << bytes;
    if (!fast) return {};
    EXPECT_EQ(*fast, slow.text);
    EXPECT_EQ(fast_diagnostics.bozo, slow.diagnostics.bozo);
    EXPECT_EQ(fast_diagnostics.warnings, slow.diagnostics.warnings);
    return *fast;
}

bool declines(std::string_view bytes, std::string_view content_type = {}) {
    Diagnostics diagnostics;
    const bool declined = !prepare_utf8(bytes, content_type, diagnostics).has_value();
    // Nothing leaks out of an attempt the general path will redo.
    EXPECT_FALSE(diagnostics.bozo);
    EXPECT_TRUE(diagnostics.warnings.empty());
    return declined;
}

TEST(PrepareTest, PlainDocumentIsCopiedAsItIs) {
    const std::string xml = "<?xml version=\"1.0\"?>\n<rss><channel><title>A\tb\r\n</title>";
    EXPECT_EQ(expect_same(xml), xml);
}

TEST(PrepareTest, RemovesUtf8ByteOrderMark) {
    EXPECT_EQ(expect_same("\xEF\xBB\xBF<rss/>"), "<rss/>");
}

TEST(PrepareTest, KeepsXmlEntitiesAndRepairsHtmlOnes) {
    const std::string out =
        expect_same("<t>a &lt; b &amp;&quot;&apos;&gt; caf&eacute; &nbsp; &#146; &#X41;</t>");
    EXPECT_EQ(out, "<t>a &lt; b &amp;&quot;&apos;&gt; caf\u00e9 \u00a0 \u2019 A</t>");
}

TEST(PrepareTest, LeavesReferencesInCdataAndCommentsAlone) {
    const std::string xml = "<t><![CDATA[&eacute; &bogus;]]><!-- &nbsp; -->&eacute;</t>";
    EXPECT_EQ(expect_same(xml), "<t><![CDATA[&eacute; &bogus;]]><!-- &nbsp; -->\u00e9</t>");
}

TEST(PrepareTest, RepairsDoubleEncodedUtf8) {
    EXPECT_EQ(expect_same("<t>&#226;&#128;&#166;</t>"), "<t>\u2026</t>");
}

TEST(PrepareTest, ReportsBareAmpersandAndUnknownEntity) {
    expect_same("<t>Tom & Jerry &bogus; x</t>");
}

TEST(PrepareTest, AcceptsUtf8Labels) {
    expect_same("<?xml version='1.0' encoding='UTF-8'?><t>\u00e9</t>", "text/xml; charset=utf-8");
    expect_same("<?xml version='1.0' encoding='utf8'?><t/>");
}

TEST(PrepareTest, DeclinesOtherEncodings) {
    EXPECT_TRUE(declines("<?xml version='1.0' encoding='iso-8859-1'?><t>\xE9</t>"));
    EXPECT_TRUE(declines("<t/>", "text/xml; charset=windows-1252"));
    EXPECT_TRUE(declines("<t/>", "text/xml; charset=bogus!"));
    EXPECT_TRUE(declines(std::string_view("\xFF\xFE<\0t\0/\0>\0", 10)));
    EXPECT_TRUE(declines(std::string_view("<\0t\0/\0>\0", 8)));
}

TEST(PrepareTest, DeclinesWhatTheGeneralPathMustRepair) {
    EXPECT_TRUE(declines("<t>caf\xE9</t>"));                  // invalid UTF-8
    EXPECT_TRUE(declines("<t>&eacute;\x01</t>"));             // a control XML forbids
    EXPECT_TRUE(declines("<t>\xC2\x92</t>"));                 // a C1 control
    EXPECT_TRUE(declines("<t>\xEF\xBF\xBF</t>"));             // U+FFFF
    EXPECT_TRUE(declines("<t>\xE2\x80</t>"));                 // truncated sequence
    EXPECT_TRUE(declines(std::string_view("<t>\0</t>", 8)));  // NUL
}

// Every position around the 64-byte blocks the scan works in: a multi-byte character, a
// reference needing repair, an XML entity and a bad byte each land on every offset.
TEST(PrepareTest, AgreesAtEveryOffsetAcrossBlockBoundaries) {
    const std::string pieces[] = {"\u00e9",  "\u2026", "\U0001F600", "&eacute;", "&lt;",
                                  "&#8217;", "&#150;", "&amp;",      "&",        "\n"};
    for (std::size_t offset = 0; offset < 140; ++offset) {
        for (const std::string& piece : pieces) {
            const std::string xml = "<t>" + std::string(offset, 'x') + piece + "y</t>";
            expect_same(xml);
        }
        const std::string invalid = "<t>" + std::string(offset, 'x') + "\xFF" + "y</t>";
        EXPECT_TRUE(declines(invalid)) << offset;
    }
}

// The scan skips "&lt;", "&gt;" and "&amp;" by looking a few bytes past each 64-byte block, and
// finds comments and CDATA sections by their '!': near misses of both, at every offset and at
// the very end of the document (where no bytes follow to look at).
TEST(PrepareTest, AgreesOnNearMissesAndSpecialSectionsAtEveryOffset) {
    const std::string pieces[] = {"&lt;&eacute;",
                                  "&gt;	&nbsp;",
                                  "&amp;mdash;&mdash;",
                                  "&l;&eacute;",
                                  "&lt&eacute;",
                                  "&am;&amp",
                                  "&ampx;",
                                  "&gtt;",
                                  "<!-- &nbsp; -->&nbsp;",
                                  "<![CDATA[&eacute; <!-- ]]>&eacute;-->",
                                  "<!-- <!-- &nbsp; -->&nbsp;",
                                  "<!DOCTYPE t [<!ENTITY x 'y'>]>&eacute;",
                                  "hi! <b>!&eacute;</b>",
                                  "<!-- unterminated &nbsp;"};
    for (std::size_t offset = 0; offset < 140; ++offset) {
        for (const std::string& piece : pieces) {
            expect_same("<t>" + std::string(offset, 'x') + piece + "y</t>");
            expect_same("<t>" + std::string(offset, 'x') + piece);
        }
        // A forbidden control right after a skipped entity is still seen.
        EXPECT_TRUE(declines("<t>" + std::string(offset, 'x') + "&lt;\x01</t>")) << offset;
        EXPECT_TRUE(declines("<t>" + std::string(offset, 'x') + "&amp;\x0B</t>")) << offset;
    }
}

TEST(PrepareTest, RepairsOutsideSpecialSectionsOnly) {
    EXPECT_EQ(expect_same("<t>!&eacute;<![CDATA[&eacute;]]>&eacute;<!--&eacute;-->&eacute;</t>"),
              "<t>!\u00e9<![CDATA[&eacute;]]>\u00e9<!--&eacute;-->\u00e9</t>");
}

}  // namespace
}  // namespace herald::parser::detail
