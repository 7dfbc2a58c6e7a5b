#pragma once
// UTF-8 validation and repair, shared by the decoder (encoding.cpp) and the fused preparation
// pass (prepare.cpp). The per-character predicates are inline: both callers run them per byte.

#include <cstddef>
#include <string>
#include <string_view>

namespace herald::parser::detail {

// Length of the valid UTF-8 sequence at p (RFC 3629: no overlongs, surrogates or > U+10FFFF),
// or 0 when the bytes there are not one.
inline std::size_t utf8_sequence_length(const unsigned char* p, std::size_t remaining) {
    const unsigned c = p[0];
    if (c < 0x80) return 1;
    const auto continuation = [&](std::size_t i) { return (p[i] & 0xC0) == 0x80; };
    if (c >= 0xC2 && c <= 0xDF) return remaining >= 2 && continuation(1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (remaining < 3 || !continuation(1) || !continuation(2)) return 0;
        if (c == 0xE0 && p[1] < 0xA0) return 0;
        if (c == 0xED && p[1] > 0x9F) return 0;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (remaining < 4 || !continuation(1) || !continuation(2) || !continuation(3)) return 0;
        if (c == 0xF0 && p[1] < 0x90) return 0;
        if (c == 0xF4 && p[1] > 0x8F) return 0;
        return 4;
    }
    return 0;
}

inline bool is_illegal_xml_ascii(unsigned c) {
    return c < 0x20 && c != '\t' && c != '\n' && c != '\r';
}

// U+FFFE and U+FFFF, the two non-characters XML 1.0 excludes.
inline bool is_illegal_xml_sequence(const unsigned char* p, std::size_t length) {
    return length == 3 && p[0] == 0xEF && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF);
}

inline bool is_c1_control(const unsigned char* p, std::size_t length) {
    return length == 2 && p[0] == 0xC2 && p[1] < 0xA0;
}

struct Utf8Scan {
    bool is_valid = true;
    bool needs_repair = false;  // has characters XML forbids, or C1 controls
};

// Validates `text` as UTF-8 and notes characters XML forbids; ASCII runs go 16 bytes a step.
[[nodiscard]] Utf8Scan scan_utf8(std::string_view text);

// UTF-8 where valid, each invalid byte read as windows-1252 (a latin-1 feed mislabelled as
// UTF-8, or one latin-1 paste into a UTF-8 feed). Returns whether any multi-byte UTF-8 was seen.
bool decode_utf8_with_fallback(std::string_view bytes, std::string& out);

// Removes C0 controls other than tab/LF/CR (NUL included) and U+FFFE/U+FFFF, and turns C1
// controls into the windows-1252 characters they stand for (a U+0092 in a feed is a
// mis-decoded ’: encoding/demoronize-1). Returns how many characters were removed.
std::size_t repair_characters(std::string& text);

}  // namespace herald::parser::detail
