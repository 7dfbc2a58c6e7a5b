#include <fstream>
#include <iterator>
#include <sstream>

#include <gtest/gtest.h>

#include <herald/parser.hpp>

#include "text.hpp"

// Fixtures: parser/tests/data/encoding/, written by parser/tools/gen_encoding_fixtures.py.
namespace herald::parser::detail {
namespace {

constexpr std::string_view kLatin = "Caf\u00e9 \u201cquoted\u201d \u00fc";
constexpr std::string_view kRussian = "\u041d\u043e\u0432\u043e\u0441\u0442\u0438";
constexpr std::string_view kJapanese = "\u65e5\u672c\u8a9e\u306e\u30d5\u30a3\u30fc\u30c9";

std::string fixture(const std::string& name) {
    std::ifstream in(std::string(HERALD_PARSER_TEST_DATA) + "/encoding/" + name, std::ios::binary);
    EXPECT_TRUE(in.good()) << name;
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string title_of(const std::string& xml) {
    const std::size_t start = xml.find("<title>");
    const std::size_t end = xml.find("</title>");
    if (start == std::string::npos || end == std::string::npos) return "<no title>";
    return xml.substr(start + 7, end - start - 7);
}

DecodedText decode_fixture(const std::string& name, std::string_view content_type = {}) {
    return decode_to_utf8(fixture(name), content_type);
}

struct WellFormedCase {
    const char* file;
    std::string_view encoding;
    std::string_view title;
};

class DecodesCorrectEncoding : public testing::TestWithParam<WellFormedCase> {};

TEST_P(DecodesCorrectEncoding, WithoutBozo) {
    const WellFormedCase& c = GetParam();
    const DecodedText text = decode_fixture(c.file);
    EXPECT_FALSE(text.bozo) << (text.warnings.empty() ? "" : text.warnings.front());
    EXPECT_EQ(text.encoding, c.encoding);
    EXPECT_EQ(title_of(text.utf8), c.title);
    EXPECT_TRUE(text.utf8.starts_with("<")) << "BOM or junk left at the start";
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, DecodesCorrectEncoding,
    testing::Values(WellFormedCase{"utf8.xml", "utf-8", kLatin},
                    WellFormedCase{"utf8_bom.xml", "utf-8", kLatin},
                    WellFormedCase{"utf8_no_declaration.xml", "utf-8", kLatin},
                    WellFormedCase{"utf16le_bom.xml", "utf-16le", kLatin},
                    WellFormedCase{"utf16be_bom.xml", "utf-16be", kLatin},
                    WellFormedCase{"utf16le_sniffed.xml", "utf-16le", kLatin},
                    WellFormedCase{"utf16be_sniffed.xml", "utf-16be", kLatin},
                    WellFormedCase{"utf32le_bom.xml", "utf-32le", kLatin},
                    WellFormedCase{"utf32be_sniffed.xml", "utf-32be", kLatin},
                    WellFormedCase{"latin1.xml", "windows-1252", kLatin},
                    WellFormedCase{"windows1252.xml", "windows-1252", kLatin},
                    WellFormedCase{"koi8r.xml", "koi8-r", kRussian},
                    WellFormedCase{"shift_jis.xml", "shift_jis", kJapanese},
                    WellFormedCase{"euc_jp.xml", "euc-jp", kJapanese},
                    WellFormedCase{"euc_kr.xml", "euc-kr", "\ub144 \ud55c\uad6d\uc5b4"},
                    WellFormedCase{"gb2312.xml", "gbk", "\u4e2d\u6587\u9891\u9053"},
                    WellFormedCase{"big5.xml", "big5", "\u4e2d\u6587\u983b\u9053"}),
    [](const testing::TestParamInfo<WellFormedCase>& param_info) {
        std::string name = param_info.param.file;
        name = name.substr(0, name.find('.'));
        return name;
    });

TEST(DecodeToUtf8, RewritesDeclarationToUtf8) {
    const DecodedText text = decode_fixture("koi8r.xml");
    EXPECT_TRUE(text.utf8.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>")) << text.utf8;
    const DecodedText wide = decode_fixture("utf16le_bom.xml");
    EXPECT_TRUE(wide.utf8.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>")) << wide.utf8;
}

TEST(DecodeToUtf8, LeavesValidUtf8ByteForByte) {
    const std::string bytes = fixture("utf8.xml");
    const DecodedText text = decode_to_utf8(bytes, "");
    EXPECT_EQ(text.utf8, bytes);
    EXPECT_TRUE(text.warnings.empty());
}

TEST(DecodeToUtf8, ContentTypeCharsetWinsOverDeclaration) {
    // The bytes are windows-1252; the declaration (utf-8) is wrong, the header is right.
    const DecodedText text = decode_fixture("utf8_declared_latin1_bytes.xml",
                                            "application/rss+xml; charset=\"ISO-8859-1\"");
    EXPECT_FALSE(text.bozo);
    EXPECT_EQ(text.encoding, "windows-1252");
    EXPECT_EQ(title_of(text.utf8), kLatin);
}

TEST(DecodeToUtf8, Utf8UnderADeclaredLatin1LabelIsReadAsUtf8) {
    // A UTF-8 document whose declaration says ISO-8859-1: believing it would turn every
    // character into mojibake ("Ã©" as "Ã©").
    const DecodedText text = decode_to_utf8(
        "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><title>\uD14C\uC2A4\uD2B8 "
        "Caf\u00E9</title>",
        "");
    EXPECT_TRUE(text.bozo);
    EXPECT_EQ(text.encoding, "utf-8");
    EXPECT_EQ(title_of(text.utf8), "\uD14C\uC2A4\uD2B8 Caf\u00E9");
    ASSERT_EQ(text.warnings.size(), 1U);
    EXPECT_NE(text.warnings[0].find("utf-8"), std::string::npos);
}

TEST(DecodeToUtf8, Utf8UnderAContentTypeLatin1CharsetIsReadAsUtf8) {
    // Servers that label every response iso-8859-1 are the usual cause.
    const DecodedText text =
        decode_to_utf8("<title>Euro \u20AC</title>", "application/rss+xml; charset=iso-8859-1");
    EXPECT_TRUE(text.bozo);
    EXPECT_EQ(text.encoding, "utf-8");
    EXPECT_EQ(title_of(text.utf8), "Euro \u20AC");
}

TEST(DecodeToUtf8, An8BitLabelOverBytesThatAreNotMultibyteUtf8IsBelieved) {
    // 0xE9 alone is not UTF-8, and ASCII is the same in both: no warning either way.
    for (const auto& [body, title] : {std::pair<std::string, std::string>{"caf\xE9", "caf\u00E9"},
                                      std::pair<std::string, std::string>{"plain", "plain"}}) {
        const DecodedText text = decode_to_utf8(
            "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><title>" + body + "</title>", "");
        EXPECT_FALSE(text.bozo) << body;
        EXPECT_EQ(text.encoding, "windows-1252");
        EXPECT_EQ(title_of(text.utf8), title);
    }
}

TEST(DecodeToUtf8, FindsDeclarationAfterLeadingWhitespace) {
    const DecodedText text =
        decode_to_utf8("\n <?xml version='1.0' encoding = 'koi8-r'?><t>\xEE</t>", "");
    EXPECT_FALSE(text.bozo);
    EXPECT_EQ(text.encoding, "koi8-r");
    EXPECT_EQ(text.utf8, "\n <?xml version='1.0' encoding = 'utf-8'?><t>\u041d</t>");
}

TEST(DecodeToUtf8, ContentTypeCharsetDecodesUndeclaredDocument) {
    const std::string bytes = "<rss><title>\xCD\xEE\xE2\xEE\xF1\xF2\xE8</title></rss>";
    const DecodedText text = decode_to_utf8(bytes, "text/xml;charset=windows-1251");
    EXPECT_FALSE(text.bozo);
    EXPECT_EQ(text.encoding, "windows-1251");
    EXPECT_EQ(title_of(text.utf8), kRussian);
}

TEST(DecodeToUtf8, WrongContentTypeFallsBackToDeclaration) {
    // Header says utf-8, bytes are koi8-r as declared.
    const DecodedText text = decode_fixture("koi8r.xml", "text/xml; charset=utf-8");
    EXPECT_TRUE(text.bozo);
    EXPECT_EQ(text.encoding, "koi8-r");
    EXPECT_EQ(title_of(text.utf8), kRussian);
}

TEST(DecodeToUtf8, BomWinsOverContradictingContentType) {
    const DecodedText text = decode_fixture("utf16le_bom.xml", "text/xml; charset=iso-8859-1");
    EXPECT_TRUE(text.bozo);
    EXPECT_EQ(text.encoding, "utf-16le");
    EXPECT_EQ(title_of(text.utf8), kLatin);
}

TEST(DecodeToUtf8, DeclaredUtf8WithLatin1BytesFallsBackToWindows1252) {
    const DecodedText text = decode_fixture("utf8_declared_latin1_bytes.xml");
    EXPECT_TRUE(text.bozo);
    EXPECT_FALSE(text.warnings.empty());
    EXPECT_EQ(text.encoding, "windows-1252");
    EXPECT_EQ(title_of(text.utf8), kLatin);
}

TEST(DecodeToUtf8, UndeclaredLatin1BytesFallBackToWindows1252) {
    const DecodedText text = decode_fixture("no_declaration_latin1_bytes.xml");
    EXPECT_TRUE(text.bozo);
    EXPECT_EQ(title_of(text.utf8), kLatin);
}

TEST(DecodeToUtf8, KeepsValidUtf8AndRecoversStrayLatin1Bytes) {
    const DecodedText text = decode_fixture("utf8_with_stray_latin1.xml");
    EXPECT_TRUE(text.bozo);
    EXPECT_EQ(text.encoding, "utf-8");
    EXPECT_EQ(title_of(text.utf8), std::string(kRussian) + " Espa\u00f1a");
}

TEST(DecodeToUtf8, UnknownDeclaredEncodingFallsBackToDetection) {
    const DecodedText text = decode_fixture("bogus_encoding.xml");
    EXPECT_TRUE(text.bozo);
    EXPECT_EQ(text.encoding, "utf-8");
    EXPECT_EQ(title_of(text.utf8), kLatin);
    EXPECT_NE(text.utf8.find("encoding=\"utf-8\""), std::string::npos);
}

TEST(DecodeToUtf8, UnknownContentTypeCharsetFallsBackToDocument) {
    const DecodedText text = decode_fixture("koi8r.xml", "text/xml; charset=x-no-such-thing");
    EXPECT_TRUE(text.bozo);
    EXPECT_EQ(text.encoding, "koi8-r");
    EXPECT_EQ(title_of(text.utf8), kRussian);
}

TEST(DecodeToUtf8, RefusesIconvSuffixesInLabels) {
    const DecodedText text = decode_fixture("utf8.xml", "text/xml; charset=utf-8//TRANSLIT");
    EXPECT_TRUE(text.bozo);
    EXPECT_EQ(text.encoding, "utf-8");
    EXPECT_EQ(title_of(text.utf8), kLatin);
}

TEST(DecodeToUtf8, Utf16DocumentDeclaringUtf8IsBozo) {
    const DecodedText text = decode_fixture("utf16le_declares_utf8.xml");
    EXPECT_TRUE(text.bozo);
    EXPECT_EQ(text.encoding, "utf-16le");
    EXPECT_EQ(title_of(text.utf8), kLatin);
}

TEST(DecodeToUtf8, EightBitDocumentDeclaringUtf16IsReadAsUtf8) {
    // The declaration could be read as ASCII, so it cannot be right.
    const DecodedText text = decode_fixture("utf8_declares_utf16.xml");
    EXPECT_TRUE(text.bozo);
    EXPECT_EQ(text.encoding, "utf-8");
    EXPECT_EQ(title_of(text.utf8), kLatin);
}

TEST(DecodeToUtf8, InvalidBytesInLegacyEncodingBecomeReplacementCharacter) {
    const DecodedText text = decode_fixture("shift_jis_invalid.xml");
    EXPECT_TRUE(text.bozo);
    EXPECT_EQ(text.encoding, "shift_jis");
    EXPECT_EQ(title_of(text.utf8), std::string(kJapanese) + "\uFFFD");
}

TEST(DecodeToUtf8, StripsCharactersIllegalInXml) {
    const DecodedText text = decode_fixture("controls.xml");
    EXPECT_TRUE(text.bozo);
    EXPECT_EQ(title_of(text.utf8), "abcde\tf");
    ASSERT_FALSE(text.warnings.empty());
    EXPECT_NE(text.warnings.back().find("4"), std::string::npos) << text.warnings.back();
}

TEST(DecodeToUtf8, StripsNonCharactersFffeAndFfff) {
    const DecodedText text = decode_to_utf8("<a>x\uFFFEy\uFFFF\uFFFDz</a>", "");
    EXPECT_TRUE(text.bozo);
    EXPECT_EQ(text.utf8, "<a>xy\uFFFDz</a>");
}

TEST(DecodeToUtf8, RemapsC1ControlsToWindows1252) {
    // encoding/demoronize-1: U+0092 written as UTF-8 means the windows-1252 quote.
    const DecodedText text = decode_to_utf8("<a>don\u0092t \u0080 \u0081</a>", "");
    EXPECT_FALSE(text.bozo);
    EXPECT_EQ(text.utf8, "<a>don\u2019t \u20AC \u0081</a>");  // 0x81 is unassigned: kept
}

TEST(DecodeToUtf8, RejectsOverlongAndSurrogateUtf8) {
    // An overlong '/' and an encoded surrogate are not UTF-8: read as windows-1252.
    const DecodedText overlong = decode_to_utf8("<a>\xC0\xAF</a>", "");
    EXPECT_TRUE(overlong.bozo);
    EXPECT_EQ(overlong.utf8, "<a>\u00C0\u00AF</a>");
    EXPECT_TRUE(decode_to_utf8("<a>\xE0\x80\xAF</a>", "").bozo);       // 3-byte overlong
    EXPECT_TRUE(decode_to_utf8("<a>\xF0\x80\x80\xAF</a>", "").bozo);   // 4-byte overlong
    EXPECT_TRUE(decode_to_utf8("<a>\xF4\x90\x80\x80</a>", "").bozo);   // above U+10FFFF
    EXPECT_FALSE(decode_to_utf8("<a>\xF4\x8F\xBF\xBD</a>", "").bozo);  // U+10FFFD is fine
    const DecodedText surrogate = decode_to_utf8("<a>\xED\xA0\x80</a>", "");
    EXPECT_TRUE(surrogate.bozo);
    EXPECT_EQ(surrogate.utf8.find("\xED\xA0\x80"), std::string::npos);
}

TEST(DecodeToUtf8, HandlesEmptyAndTinyInput) {
    EXPECT_EQ(decode_to_utf8("", "").utf8, "");
    EXPECT_EQ(decode_to_utf8("\xEF\xBB\xBF", "").utf8, "");
    EXPECT_FALSE(decode_to_utf8("<", "").bozo);
    using namespace std::string_view_literals;
    const DecodedText truncated = decode_to_utf8("\xFF\xFE<\x00x"sv, "");  // odd UTF-16LE
    EXPECT_TRUE(truncated.bozo);
    EXPECT_EQ(truncated.encoding, "utf-16le");
    EXPECT_EQ(truncated.utf8, "<\uFFFD");
}

TEST(DecodeToUtf8, ValidatesLongAsciiRunsAcrossChunkEdges) {
    // Exercises the 8-byte fast path: an invalid byte at every offset modulo 8.
    for (std::size_t offset = 0; offset < 16; ++offset) {
        std::string bytes(64, 'a');
        bytes[offset + 20] = '\xE9';
        const DecodedText text = decode_to_utf8(bytes, "");
        EXPECT_TRUE(text.bozo) << offset;
        EXPECT_EQ(text.utf8.size(), 65U) << offset;
    }
}

}  // namespace
}  // namespace herald::parser::detail

namespace herald::parser::detail {
namespace {

// The UTF-8 scan checks 16 (or 8) bytes at a time; these put the interesting byte on each side
// of a block boundary so a fast path that skips or misplaces it goes red.
std::string padded(std::size_t offset, std::string_view payload) {
    std::string doc = "<r>";
    doc.append(offset > 3 ? offset - 3 : 0, 'a');
    doc.append(payload);
    doc.append(40, 'b');
    doc.append("</r>");
    return doc;
}

TEST(Utf8Scan, ControlCharacterIsRemovedAtEveryBlockOffset) {
    for (std::size_t offset : {14u, 15u, 16u, 17u, 31u, 32u, 33u}) {
        const auto decoded = decode_to_utf8(padded(offset, std::string_view("\x01", 1)), "");
        EXPECT_TRUE(decoded.bozo) << offset;
        EXPECT_EQ(decoded.utf8.find('\x01'), std::string::npos) << offset;
    }
}

TEST(Utf8Scan, TabsAndNewlinesStayOnTheFastPath) {
    const std::string doc = padded(15, "\t\n\r\t\n\r");
    const auto decoded = decode_to_utf8(doc, "");
    EXPECT_FALSE(decoded.bozo);
    EXPECT_EQ(decoded.utf8, doc);
}

TEST(Utf8Scan, MultibyteCharacterSplitAcrossABlockIsKept) {
    for (std::size_t offset : {14u, 15u, 16u, 30u, 31u}) {
        const std::string doc = padded(offset, "\u20ac\U0001F600\u00e9");  // 3, 4 and 2 bytes
        const auto decoded = decode_to_utf8(doc, "");
        EXPECT_FALSE(decoded.bozo) << offset;
        EXPECT_EQ(decoded.utf8, doc) << offset;
    }
}

TEST(Utf8Scan, InvalidByteAfterABlockIsRepairedAsWindows1252) {
    const auto decoded = decode_to_utf8(padded(16, "caf\xe9!"), "");
    EXPECT_TRUE(decoded.bozo);
    EXPECT_NE(decoded.utf8.find("caf\u00e9!"), std::string::npos);
}

}  // namespace
}  // namespace herald::parser::detail
