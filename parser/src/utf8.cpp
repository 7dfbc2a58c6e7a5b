// UTF-8 validation (SSE2 for ASCII runs), lenient UTF-8 decoding and XML character repair.
#include "utf8.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>  // baseline on x86-64; other targets use the 8-byte loop alone
#endif

#include "text.hpp"

namespace herald::parser::detail {
namespace {

// How many bytes of a memcpy'd word come before the first byte flagged in `flags` (its high
// bit set), in memory order.
std::size_t leading_bytes_before(std::uint64_t flags) {
    const int bits = std::endian::native == std::endian::little ? std::countr_zero(flags)
                                                                : std::countl_zero(flags);
    return static_cast<std::size_t>(bits) / 8;
}

// Length of the leading run of 16-byte blocks that hold only ASCII allowed in XML (printable,
// tab, LF, CR): most of a feed, skipped at a few instructions per block.
std::size_t plain_ascii_prefix(const unsigned char* p, std::size_t size) {
    std::size_t i = 0;
#if defined(__SSE2__)
    // One signed compare flags both bytes >= 0x80 (negative) and controls below 0x20; the
    // three allowed controls are then taken out again.
    const __m128i spaces = _mm_set1_epi8(0x20);
    const __m128i tab = _mm_set1_epi8('\t');
    const __m128i line_feed = _mm_set1_epi8('\n');
    const __m128i carriage_return = _mm_set1_epi8('\r');
    const auto flagged = [&](std::size_t at) {
        const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + at));
        const __m128i allowed =
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(block, tab), _mm_cmpeq_epi8(block, line_feed)),
                         _mm_cmpeq_epi8(block, carriage_return));
        return _mm_andnot_si128(allowed, _mm_cmplt_epi8(block, spaces));
    };
    for (; i + 16 <= size; i += 16) {
        if (_mm_movemask_epi8(flagged(i)) != 0) break;
    }
#endif
    return i;
}

}  // namespace

Utf8Scan scan_utf8(std::string_view text) {
    constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;
    constexpr std::uint64_t kSpaces = 0x2020202020202020ULL;
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t size = text.size();
    Utf8Scan scan;
    std::size_t i = 0;
    while (i < size) {
        i += plain_ascii_prefix(p + i, size - i);
        if (i >= size) break;
        // ASCII eight bytes at a time; control characters are rare enough to check per byte
        // only here, so tab, CR and LF (in every line) no longer leave the fast path.
        if (i + 8 <= size) {
            std::uint64_t chunk = 0;
            std::memcpy(&chunk, p + i, 8);
            const std::uint64_t high = chunk & kHighBits;
            const std::size_t ascii = high == 0 ? 8 : leading_bytes_before(high);
            // Any byte below 0x20 (exact for ASCII bytes); then only those few are looked at.
            if (((chunk - kSpaces) & ~chunk & kHighBits) != 0) {
                for (std::size_t k = 0; k < ascii; ++k) {
                    if (is_illegal_xml_ascii(p[i + k])) scan.needs_repair = true;
                }
            }
            i += ascii;
            if (ascii == 8) continue;
        }
        const std::size_t length = utf8_sequence_length(p + i, size - i);
        if (length == 0) {
            scan.is_valid = false;
            return scan;
        }
        if (length == 1 ? is_illegal_xml_ascii(p[i])
                        : is_illegal_xml_sequence(p + i, length) || is_c1_control(p + i, length)) {
            scan.needs_repair = true;
        }
        i += length;
    }
    return scan;
}

// UTF-8 where valid, each invalid byte read as windows-1252 (a latin-1 feed mislabelled as
// UTF-8, or one latin-1 paste into a UTF-8 feed). Returns whether any multi-byte UTF-8 was seen.
bool decode_utf8_with_fallback(std::string_view bytes, std::string& out) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    bool has_multibyte = false;
    out.reserve(out.size() + bytes.size() + bytes.size() / 2);
    for (std::size_t i = 0; i < bytes.size();) {
        const std::size_t length = utf8_sequence_length(p + i, bytes.size() - i);
        if (length == 0) {
            append_code_point(out, p[i]);
            ++i;
            continue;
        }
        has_multibyte = has_multibyte || length > 1;
        out.append(bytes.substr(i, length));
        i += length;
    }
    return has_multibyte;
}

std::size_t repair_characters(std::string& text) {
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    std::string repaired;
    repaired.reserve(text.size() + text.size() / 8);
    std::size_t removed = 0;
    for (std::size_t read = 0; read < text.size();) {
        const std::size_t length =
            std::max<std::size_t>(1, utf8_sequence_length(p + read, text.size() - read));
        if (length == 1 ? is_illegal_xml_ascii(p[read])
                        : is_illegal_xml_sequence(p + read, length)) {
            ++removed;
        } else if (is_c1_control(p + read, length)) {
            append_code_point(repaired, p[read + 1]);
        } else {
            repaired.append(text, read, length);
        }
        read += length;
    }
    text = std::move(repaired);
    return removed;
}

}  // namespace herald::parser::detail
