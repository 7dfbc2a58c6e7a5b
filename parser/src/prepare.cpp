// One pass over a UTF-8 feed: validation, reference repair and the copy pugixml parses in place.
#include "prepare.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#if defined(__SSE2__)
#include <emmintrin.h>  // baseline on x86-64; other targets use the byte loop alone
#endif

#include "encoding_sniff.hpp"
#include "markup_scan.hpp"
#include "utf8.hpp"
#include "xml_recovery.hpp"

namespace herald::parser::detail {
namespace {

// True when decode_to_utf8 would settle on UTF-8 at once, with no warning: no charset or
// declaration other than UTF-8, and no UTF-16/32 BOM or zero pattern. `body` has no UTF-8 BOM.
bool is_plain_utf8_document(std::string_view body, std::string_view content_type) {
    const std::string_view charset = content_type_charset(content_type);
    if (!charset.empty() && normalise_label(charset) != kUtf8) return false;
    if (detect_bom(body) || !sniff_wide_encoding(body).empty()) return false;
    const auto declared = find_declared_encoding(body);
    return !declared || normalise_label(declared->value) == kUtf8;
}

constexpr std::size_t kBlock = 64;  // event_mask reads four 16-byte blocks
// event_mask also reads this many bytes past the block, to recognise "&lt;" and "&amp;".
constexpr std::size_t kLookahead = 4;

// event_mask for the last, shorter block (and for targets without SSE2). It may flag more
// than event_mask does (step() copes with any byte), but never less.
std::uint64_t tail_event_mask(const unsigned char* p, std::size_t size) {
    std::uint64_t mask = 0;
    for (std::size_t k = 0; k < size; ++k) {
        if (p[k] < 0x20 || p[k] >= 0x80 || p[k] == '&' || p[k] == '!' || p[k] == 'x') {
            mask |= std::uint64_t{1} << k;
        }
    }
    return mask;
}

// Bit k set: byte k of the kBlock bytes at p needs a look: non-ASCII, a control character
// XML forbids, a '!' (of "<!": comment, CDATA, DOCTYPE), an 'x' that may start "xmlns" or
// "xml:base", or a '&' that does not start "&lt;", "&gt;" or "&amp;". Those three are half of
// all bytes that needed a look in escaped HTML, and newlines another fifth: each look is a
// branch that mispredicts often, dearer than the compares that spare it. 64 bytes a step: with
// 16 the loop's own bookkeeping cost as much as the compares. Reads kLookahead bytes past the
// block.
std::uint64_t event_mask(const unsigned char* p) {
    std::uint64_t mask = 0;
#if defined(__SSE2__)
    // A signed compare flags bytes >= 0x80 (negative) and controls below 0x20 together.
    // Written out four times: g++ -O2 does not unroll the loop, and its overhead showed.
    const __m128i spaces = _mm_set1_epi8(0x20);
    const auto byte = [](char c) { return _mm_set1_epi8(c); };
    const auto load = [p](std::size_t at) {
        return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + at));
    };
    const auto flags = [&](std::size_t at) {
        const __m128i b0 = load(at);
        const __m128i b1 = load(at + 1);
        const __m128i b2 = load(at + 2);
        const __m128i b3 = load(at + 3);
        const __m128i b4 = load(at + 4);
        const __m128i allowed_controls = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(b0, byte('\n')), _mm_cmpeq_epi8(b0, byte('\t'))),
            _mm_cmpeq_epi8(b0, byte('\r')));
        const __m128i odd = _mm_andnot_si128(allowed_controls, _mm_cmplt_epi8(b0, spaces));
        // "&lt;" or "&gt;": '&', then 'l' or 'g', then "t;".
        const __m128i lt_gt = _mm_and_si128(
            _mm_or_si128(_mm_cmpeq_epi8(b1, byte('l')), _mm_cmpeq_epi8(b1, byte('g'))),
            _mm_and_si128(_mm_cmpeq_epi8(b2, byte('t')), _mm_cmpeq_epi8(b3, byte(';'))));
        const __m128i amp = _mm_and_si128(
            _mm_and_si128(_mm_cmpeq_epi8(b1, byte('a')), _mm_cmpeq_epi8(b2, byte('m'))),
            _mm_and_si128(_mm_cmpeq_epi8(b3, byte('p')), _mm_cmpeq_epi8(b4, byte(';'))));
        const __m128i reference =
            _mm_andnot_si128(_mm_or_si128(lt_gt, amp), _mm_cmpeq_epi8(b0, byte('&')));
        // 'x' four bytes before 's' or three before ':': maybe "xmlns" or "xml:base" (rare in
        // text; step() checks).
        const __m128i xmlns = _mm_and_si128(
            _mm_cmpeq_epi8(b0, byte('x')),
            _mm_or_si128(_mm_cmpeq_epi8(b4, byte('s')), _mm_cmpeq_epi8(b3, byte(':'))));
        const __m128i flagged = _mm_or_si128(_mm_or_si128(odd, reference),
                                             _mm_or_si128(_mm_cmpeq_epi8(b0, byte('!')), xmlns));
        return static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(flagged)));
    };
    mask = flags(0) | (flags(16) << 16U) | (flags(32) << 32U) | (flags(48) << 48U);
#else
    mask = tail_event_mask(p, kBlock);
#endif
    return mask;
}

// Length of "&lt;", "&gt;", "&amp;", "&quot;" or "&apos;" at amp, else 0. These five are most
// references in any feed (escaped HTML has one every few bytes) and never need a repair.
std::size_t xml_entity_at(std::string_view text, std::size_t amp) {
    const std::string_view rest = text.substr(amp + 1, 5);
    if (rest.size() < 3) return 0;
    switch (rest[0]) {
        case 'l':
        case 'g':
            return rest[1] == 't' && rest[2] == ';' ? 4 : 0;
        case 'a':
            if (rest.starts_with("amp;")) return 5;
            return rest.starts_with("apos;") ? 6 : 0;
        case 'q':
            return rest.starts_with("quot;") ? 6 : 0;
        default:
            return 0;
    }
}

constexpr std::size_t kGiveUp = std::string_view::npos;

// The pass over one document; step() looks at one flagged byte and says where to go on.
class FusedPass {
public:
    FusedPass(std::string_view text, Diagnostics& repairs) : text_(text), fixer_(text, repairs) {}

    // kGiveUp when the document needs the general path.
    std::size_t step(std::size_t at) {
        const auto* p = reinterpret_cast<const unsigned char*>(text_.data());
        const unsigned c = p[at];
        if (c >= 0x80) {
            const std::size_t length = utf8_sequence_length(p + at, text_.size() - at);
            if (length == 0 || is_illegal_xml_sequence(p + at, length) ||
                is_c1_control(p + at, length)) {
                return kGiveUp;
            }
            return at + length;
        }
        if (c == '&') return reference(at);
        if (c == '!') return bang(at);
        if (c == 'x') {
            if (text_.substr(at, 5) == "xmlns") ++xmlns_count_;
            if (text_.substr(at, 8) == "xml:base") ++xml_base_count_;
            return at + 1;
        }
        // A control character XML forbids: decode_to_utf8 removes it and says so.
        return is_illegal_xml_ascii(c) ? kGiveUp : at + 1;
    }

    std::optional<std::string> finish() { return fixer_.finish(); }
    [[nodiscard]] std::size_t xmlns_count() const { return xmlns_count_; }
    [[nodiscard]] std::size_t xml_base_count() const { return xml_base_count_; }

private:
    // As fix_references does: a '&' inside a comment, CDATA section or DOCTYPE stays as it is.
    std::size_t reference(std::size_t amp) {
        if (amp < skip_before_) return amp + 1;
        // Inside a comment or CDATA or not, these stay as they are: no need to know which.
        if (const std::size_t length = xml_entity_at(text_, amp); length > 0) return amp + length;
        return fixer_.handle(amp);
    }

    // A "<!" outside the last special section starts the next one (markup::find_special's
    // order): found here, in the same pass, instead of by a search of its own through the text.
    std::size_t bang(std::size_t at) {
        if (at > skip_before_ && text_[at - 1] == '<') {
            skip_before_ = markup::end_of_special(text_, at - 1);
        }
        return at + 1;
    }

    std::string_view text_;
    ReferenceFixer fixer_;
    std::size_t xmlns_count_ = 0;
    std::size_t xml_base_count_ = 0;
    std::size_t skip_before_ = 0;  // the end of the last special section ("<!--", "<![CDATA[")
};

}  // namespace

std::optional<std::string> prepare_utf8(std::string_view bytes, std::string_view content_type,
                                        Diagnostics& diagnostics, PreparedFacts* facts) {
    std::string_view text = bytes;
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
    if (!is_plain_utf8_document(text, content_type)) return std::nullopt;

    Diagnostics repairs;  // kept apart: a later invalid byte sends the document down the slow path
    FusedPass pass(text, repairs);
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t size = text.size();
    std::size_t next = 0;  // the first byte not yet looked at
    // Bounded: blocks advance by kBlock, and each step() moves `next` forward.
    for (std::size_t block = 0; block < size; block += kBlock) {
        if (next >= block + kBlock) continue;
        std::uint64_t mask = size - block >= kBlock + kLookahead
                                 ? event_mask(p + block)
                                 : tail_event_mask(p + block, std::min(size - block, kBlock));
        if (next > block) mask &= ~std::uint64_t{0} << (next - block);
        while (mask != 0) {
            next = pass.step(block + static_cast<std::size_t>(std::countr_zero(mask)));
            if (next == kGiveUp) return std::nullopt;
            if (next >= block + kBlock) break;
            mask &= ~std::uint64_t{0} << (next - block);
        }
    }
    if (facts != nullptr) {
        facts->xmlns_count = pass.xmlns_count();
        facts->xml_base_count = pass.xml_base_count();
    }
    if (repairs.bozo) diagnostics.bozo = true;
    for (auto& warning : repairs.warnings) diagnostics.add_warning(std::move(warning));
    if (auto fixed = pass.finish()) return fixed;
    return std::string(text);
}

}  // namespace herald::parser::detail
