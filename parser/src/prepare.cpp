// One pass over a UTF-8 feed: validation, reference repair and the copy pugixml parses in place.
#include "prepare.hpp"

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

// event_mask for the last, shorter block (and for targets without SSE2).
std::uint64_t tail_event_mask(const unsigned char* p, std::size_t size) {
    std::uint64_t mask = 0;
    for (std::size_t k = 0; k < size; ++k) {
        if (p[k] < 0x20 || p[k] >= 0x80 || p[k] == '&') mask |= std::uint64_t{1} << k;
    }
    return mask;
}

// Bit k set: byte k of the kBlock bytes at p needs a look: non-ASCII, a control character
// (tab, LF and CR included: testing for them here costs more than looking at them) or '&'.
// 64 bytes a step: with 16 the loop's own bookkeeping cost as much as the compares.
std::uint64_t event_mask(const unsigned char* p) {
    std::uint64_t mask = 0;
#if defined(__SSE2__)
    // A signed compare flags bytes >= 0x80 (negative) and controls below 0x20 together.
    // Written out four times: g++ -O2 does not unroll the loop, and its overhead showed.
    const __m128i spaces = _mm_set1_epi8(0x20);
    const __m128i ampersand = _mm_set1_epi8('&');
    const auto flags = [&](std::size_t at) {
        const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + at));
        const __m128i flagged =
            _mm_or_si128(_mm_cmplt_epi8(block, spaces), _mm_cmpeq_epi8(block, ampersand));
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
    FusedPass(std::string_view text, Diagnostics& repairs)
        : text_(text), fixer_(text, repairs), special_(markup::find_special(text, 0)) {}

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
        // A control character XML forbids: decode_to_utf8 removes it and says so.
        return is_illegal_xml_ascii(c) ? kGiveUp : at + 1;
    }

    std::optional<std::string> finish() { return fixer_.finish(); }

private:
    // As fix_references does: a '&' inside a comment, CDATA section or DOCTYPE stays as it is.
    std::size_t reference(std::size_t amp) {
        if (amp < skip_before_) return amp + 1;
        // Inside a comment or CDATA or not, these stay as they are: no need to know which.
        if (const std::size_t length = xml_entity_at(text_, amp); length > 0) return amp + length;
        while (special_ != std::string_view::npos && special_ < amp) {
            const std::size_t end = markup::end_of_special(text_, special_);
            special_ = markup::find_special(text_, end);
            if (end > amp) {
                skip_before_ = end;
                return amp + 1;
            }
        }
        return fixer_.handle(amp);
    }

    std::string_view text_;
    ReferenceFixer fixer_;
    std::size_t special_;          // the next "<!" not yet passed
    std::size_t skip_before_ = 0;  // '&' before this is inside the last special section
};

}  // namespace

std::optional<std::string> prepare_utf8(std::string_view bytes, std::string_view content_type,
                                        Diagnostics& diagnostics) {
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
        std::uint64_t mask = size - block >= kBlock ? event_mask(p + block)
                                                    : tail_event_mask(p + block, size - block);
        if (next > block) mask &= ~std::uint64_t{0} << (next - block);
        while (mask != 0) {
            next = pass.step(block + static_cast<std::size_t>(std::countr_zero(mask)));
            if (next == kGiveUp) return std::nullopt;
            if (next >= block + kBlock) break;
            mask &= ~std::uint64_t{0} << (next - block);
        }
    }
    if (repairs.bozo) diagnostics.bozo = true;
    for (auto& warning : repairs.warnings) diagnostics.add_warning(std::move(warning));
    if (auto fixed = pass.finish()) return fixed;
    return std::string(text);
}

}  // namespace herald::parser::detail
