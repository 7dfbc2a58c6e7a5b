// parse(): decode, sniff the format, repair broken XML, dispatch to the format readers.
#include <algorithm>
#include <cstdint>
#include <optional>
#if defined(__SSE2__)
#include <emmintrin.h>  // baseline on x86-64; other targets count byte by byte
#endif

#include <pugixml.hpp>

#include <herald/parser.hpp>

#include "encoding_sniff.hpp"
#include "formats.hpp"
#include "prepare.hpp"
#include "text.hpp"
#include "xml_nodes.hpp"
#include "xml_recovery.hpp"

namespace herald::parser {
namespace {

using detail::Diagnostics;

// parse_default without parse_doctype: pugixml skips a DOCTYPE and never expands entities
// beyond the five XML ones, so no billion laughs and no external fetch.
constexpr unsigned kXmlOptions =
    pugi::parse_cdata | pugi::parse_escapes | pugi::parse_eol | pugi::parse_wconv_attribute;

// pugixml spends about 64 bytes per node. Past this many markup starts per input byte the
// tree could outgrow the memory bound (4x input + a constant), and no feed looks like that.
constexpr std::size_t kNodeBytes = 64;
constexpr std::size_t kConstantAllowance = std::size_t{64} << 20U;

std::string_view skip_space_and_bom(std::string_view text) {
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
    return detail::trim(text);
}

// Counts '<' with SSE2, 16 bytes a step: each match subtracts -1 from its byte's counter, and
// the counters are summed before they could wrap. (The previous 8-byte loop's std::popcount
// compiled to a libgcc call without -mpopcnt: an eighth of a 10 MB parse.)
std::size_t count_markup_starts(std::string_view text) {
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    std::size_t count = 0;
    std::size_t i = 0;
#if defined(__SSE2__)
    constexpr std::size_t kRoundsBeforeWrap = 255;
    const __m128i less = _mm_set1_epi8('<');
    while (i + 16 <= text.size()) {
        __m128i counters = _mm_setzero_si128();
        for (std::size_t round = 0; round < kRoundsBeforeWrap && i + 16 <= text.size();
             ++round, i += 16) {
            const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
            counters = _mm_sub_epi8(counters, _mm_cmpeq_epi8(block, less));
        }
        // Sum of absolute differences against zero: the byte counters added into two halves.
        const __m128i sums = _mm_sad_epu8(counters, _mm_setzero_si128());
        count += static_cast<std::size_t>(_mm_cvtsi128_si32(sums)) +
                 static_cast<std::size_t>(_mm_cvtsi128_si32(_mm_srli_si128(sums, 8)));
    }
#endif
    for (; i < text.size(); ++i) count += p[i] == '<' ? 1 : 0;
    return count;
}

bool exceeds_memory_bound(std::string_view text) {
    if (text.size() * 16 < kConstantAllowance) return false;  // even all '<' would fit
    return count_markup_starts(text) * kNodeBytes > 3 * text.size() + kConstantAllowance;
}

// The document as pugixml will see it: decoded to UTF-8 with character references repaired.
// `facts`, when given, gets what the fast path counted, and stays empty otherwise;
// `is_utf8`, when given, whether the document was read as UTF-8.
std::string prepared_text(std::string_view bytes, const ParseOptions& options,
                          Diagnostics& diagnostics,
                          std::optional<detail::PreparedFacts>* facts = nullptr,
                          bool* is_utf8 = nullptr) {
    detail::PreparedFacts counted;
    if (auto prepared = detail::prepare_utf8(bytes, options.content_type, diagnostics, &counted)) {
        if (facts != nullptr) *facts = counted;
        if (is_utf8 != nullptr) *is_utf8 = true;
        return std::move(*prepared);
    }
    // Borrowing: most feeds are valid UTF-8 whose references need fixing, and fix_references
    // builds its own copy; copying the input first too was a tenth of the decode cost.
    auto decoded = detail::decode_to_utf8_borrowing(bytes, options.content_type);
    if (is_utf8 != nullptr) *is_utf8 = decoded.encoding == detail::kUtf8;
    if (decoded.bozo) diagnostics.bozo = true;
    for (auto& warning : decoded.warnings) diagnostics.add_warning(std::move(warning));
    if (auto fixed = detail::fix_references(decoded.text(), diagnostics)) return std::move(*fixed);
    if (decoded.borrowed.data() != nullptr) return std::string(decoded.borrowed);
    return std::move(decoded.utf8);
}

tl::expected<pugi::xml_node, ParseError> load_xml(std::string_view bytes,
                                                  const ParseOptions& options, std::string& buffer,
                                                  pugi::xml_document& doc, Diagnostics& diagnostics,
                                                  std::optional<detail::PreparedFacts>& facts) {
    auto result =
        doc.load_buffer_inplace(buffer.data(), buffer.size(), kXmlOptions, pugi::encoding_utf8);
    if (!result && result.status != pugi::status_no_document_element) {
        diagnostics.recovered("not well-formed XML (" + std::string(result.description()) +
                              " at byte " + std::to_string(result.offset) + "), repaired");
        // The in-place parse consumed the buffer: prepare the text again, then balance it.
        Diagnostics scratch;
        const std::string text = prepared_text(bytes, options, scratch);
        buffer = detail::balance_markup(text, diagnostics);
        facts.reset();  // counted in the text before it was rebalanced
        doc.reset();
        result =
            doc.load_buffer_inplace(buffer.data(), buffer.size(), kXmlOptions, pugi::encoding_utf8);
        // Still broken: keep what pugixml built before the error.
    }
    const auto root = doc.document_element();
    if (!root) {
        return tl::unexpected(ParseError{ParseErrorKind::kNotAFeed, "not a feed: no XML element"});
    }
    return root;
}

tl::expected<ParsedFeed, ParseError> parse_xml(std::string_view bytes, const ParseOptions& options,
                                               Diagnostics& diagnostics, bool& is_utf8) {
    std::optional<detail::PreparedFacts> facts;
    std::string buffer = prepared_text(bytes, options, diagnostics, &facts, &is_utf8);
    const std::string_view text = skip_space_and_bom(buffer);
    if (text.empty()) return tl::unexpected(ParseError{ParseErrorKind::kEmpty, "empty document"});
    if (text.front() == '{') return detail::read_json_feed(text, diagnostics);
    if (exceeds_memory_bound(text)) {
        return tl::unexpected(ParseError{ParseErrorKind::kTooDeep, "too much markup for a feed"});
    }
    if (detail::has_junk_before_root(text)) {
        diagnostics.recovered("text before the root element ignored");
    }
    pugi::xml_document doc;
    const auto root = load_xml(bytes, options, buffer, doc, diagnostics, facts);
    if (!root) return tl::unexpected(root.error());

    ParsedFeed feed;
    const auto name = detail::qualified_name(*root, diagnostics);
    detail::ReadContext context{diagnostics, options.base_url,
                                name.ns == detail::Ns::kOther ? name.ns : detail::Ns::kNone};
    if (facts) {
        context.namespaces.bound_declarations(facts->xmlns_count);
        context.has_xml_base = facts->xml_base_count > 0;
    }
    if (detail::iequals(name.local, "rss") || detail::iequals(name.local, "RDF")) {
        detail::read_rss(*root, context, feed);
    } else if (detail::iequals(name.local, "feed")) {
        const bool is_03 = name.ns == detail::Ns::kAtom03 ||
                           detail::trim(detail::attribute(*root, "version")) == "0.3";
        feed.format = is_03 ? Format::kAtom03 : Format::kAtom10;
        detail::read_atom(*root, context, feed);
    } else {
        return tl::unexpected(
            ParseError{ParseErrorKind::kNotAFeed,
                       "not a feed: root element <" + std::string(root->name()) + ">"});
    }
    if (feed.feed.language) {
        // xml:lang="en_US" is a common slip for the BCP 47 "en-US".
        std::replace(feed.feed.language->begin(), feed.feed.language->end(), '_', '-');
    }
    feed.bozo = diagnostics.bozo;
    feed.warnings = std::move(diagnostics.warnings);
    return feed;
}

}  // namespace

std::string_view format_name(Format format) {
    switch (format) {
        case Format::kRss090:
            return "rss0.90";
        case Format::kRss091:
            return "rss0.91";
        case Format::kRss092:
            return "rss0.92";
        case Format::kRss20:
            return "rss2.0";
        case Format::kRss10:
            return "rss1.0";
        case Format::kAtom03:
            return "atom0.3";
        case Format::kAtom10:
            return "atom1.0";
        case Format::kJson10:
            return "json1.0";
        case Format::kJson11:
            return "json1.1";
    }
    return "unknown";
}

tl::expected<ParsedFeed, ParseError> parse(std::string_view bytes, const ParseOptions& options) {
    if (detail::trim(bytes).empty()) {
        return tl::unexpected(ParseError{ParseErrorKind::kEmpty, "empty document"});
    }
    Diagnostics diagnostics;
    bool is_utf8 = false;
    auto feed = parse_xml(bytes, options, diagnostics, is_utf8);
    // Only a UTF-8 document can carry UTF-8 encoded twice (a legacy one read as such is text).
    if (feed && is_utf8) detail::repair_double_encoding(*feed);
    return feed;
}

}  // namespace herald::parser
