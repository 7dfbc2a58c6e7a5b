// HTML character references: the HTML5 named table, numeric references with the
// windows-1252 remap HTML5 prescribes, and a decoder for text runs.
#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>  // baseline on x86-64; other targets look byte by byte
#endif

#include "text.hpp"
#include "utf8.hpp"

namespace herald::parser::detail {
namespace {

struct HtmlEntity {
    std::string_view name;  // without '&' and ';'
    std::string_view utf8;
    bool legacy;  // HTML5 also accepts it without the ';' (&amp, &copy, ...)
};

#include "html_entities.inc"

static_assert(std::is_sorted(kHtmlEntities.begin(), kHtmlEntities.end(),
                             [](const HtmlEntity& a, const HtmlEntity& b) {
                                 return a.name < b.name;
                             }),
              "html_entities.inc must be sorted for the binary search");

// HTML5 "numeric character reference end state": bytes 0x80-0x9F as windows-1252 meant them.
// Zero entries (0x81, 0x8D, 0x8F, 0x90, 0x9D) are unassigned there and stay as they are.
constexpr std::array<char16_t, 32> kWindows1252C1 = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

constexpr std::size_t kMaxEntityName = 32;  // the longest HTML5 name is 31 characters
constexpr char32_t kReplacement = 0xFFFD;

const HtmlEntity* find_entity(std::string_view name) {
    const auto* it = std::lower_bound(
        kHtmlEntities.begin(), kHtmlEntities.end(), name,
        [](const HtmlEntity& entry, std::string_view key) { return entry.name < key; });
    if (it == kHtmlEntities.end() || it->name != name) return nullptr;
    return &*it;
}

bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_alnum(char c) {
    return is_alpha(c) || is_digit(c);
}
bool is_hex_digit(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
int hex_value(char c) {
    if (is_digit(c)) return c - '0';
    return (c | 0x20) - 'a' + 10;
}

// Decodes the reference starting at text[0] == '&'. Returns the number of bytes consumed, or
// 0 when it is not a reference we decode (the caller then copies the '&' literally).
std::size_t decode_one(std::string_view text, std::string& out) {
    if (text.size() < 2) return 0;
    if (text[1] == '#') {
        const bool is_hex = text.size() > 2 && (text[2] == 'x' || text[2] == 'X');
        std::size_t pos = is_hex ? 3 : 2;
        const std::size_t digits_start = pos;
        std::uint32_t value = 0;
        bool overflow = false;
        while (pos < text.size() && (is_hex ? is_hex_digit(text[pos]) : is_digit(text[pos]))) {
            value = value * (is_hex ? 16 : 10) + static_cast<std::uint32_t>(hex_value(text[pos]));
            overflow = overflow || value > 0x10FFFF;
            if (overflow) value = 0x110000;  // keeps the arithmetic bounded
            ++pos;
        }
        if (pos == digits_start) return 0;
        // HTML5 decodes "&#39" without its ';' too, as long as the digits end the run.
        if (pos < text.size() && text[pos] == ';') {
            ++pos;
        } else if (pos < text.size() && is_alnum(text[pos])) {
            return 0;
        }
        append_code_point(out, overflow ? kReplacement : static_cast<char32_t>(value));
        return pos;
    }
    std::size_t pos = 1;
    while (pos < text.size() && pos <= kMaxEntityName && is_alnum(text[pos])) ++pos;
    if (pos == 1) return 0;
    const std::string_view name = text.substr(1, pos - 1);
    const HtmlEntity* entity = find_entity(name);
    if (entity == nullptr) return 0;
    if (pos < text.size() && text[pos] == ';') {
        out.append(entity->utf8);
        return pos + 1;
    }
    // Without ';' only the legacy names, and not before '=' (a URL query like "?a=1&copy=2").
    if (!entity->legacy || (pos < text.size() && text[pos] == '=')) return 0;
    out.append(entity->utf8);
    return pos;
}

}  // namespace

std::optional<std::string_view> html_entity(std::string_view name) {
    const HtmlEntity* entity = find_entity(name);
    if (entity == nullptr) return std::nullopt;
    return entity->utf8;
}

namespace {

// The windows-1252 (or latin-1) byte for `code_point`, or -1 when it has none.
int windows_1252_byte(char32_t code_point) {
    if (code_point < 0x100) return static_cast<int>(code_point);
    for (std::size_t i = 0; i < kWindows1252C1.size(); ++i) {
        if (kWindows1252C1[i] == code_point) return static_cast<int>(0x80 + i);
    }
    return -1;
}

// The code point of the UTF-8 sequence at text[at], and its length; the caller has checked
// that it is valid (utf8_sequence_length).
std::pair<char32_t, std::size_t> code_point_at(std::string_view text, std::size_t at) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[at + k]); };
    const unsigned lead = byte(0);
    if (lead < 0x80) return {lead, 1};
    if (lead < 0xE0) return {((lead & 0x1FU) << 6U) | (byte(1) & 0x3FU), 2};
    if (lead < 0xF0) {
        return {((lead & 0x0FU) << 12U) | ((byte(1) & 0x3FU) << 6U) | (byte(2) & 0x3FU), 3};
    }
    return {((lead & 0x07U) << 18U) | ((byte(1) & 0x3FU) << 12U) | ((byte(2) & 0x3FU) << 6U) |
                (byte(3) & 0x3FU),
            4};
}

// The offset of the first byte >= 0x80, or text.size(). 16 bytes a step: it runs over every
// summary and content body, nearly all of it ASCII.
std::size_t first_non_ascii(std::string_view text) {
    std::size_t i = 0;
#if defined(__SSE2__)
    for (; i + 16 <= text.size(); i += 16) {
        const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + i));
        // movemask collects each byte's top bit: set exactly for bytes >= 0x80.
        if (const auto mask = static_cast<unsigned>(_mm_movemask_epi8(block)); mask != 0) {
            return i + static_cast<std::size_t>(std::countr_zero(mask));
        }
    }
#endif
    while (i < text.size() && static_cast<unsigned char>(text[i]) < 0x80) ++i;
    return i;
}

// The windows-1252 bytes `text` would be, from its first non-ASCII character at `first` on,
// if they could be UTF-8: each character one byte, leads and continuations in step. Appended
// to `bytes` when given; the pass without it only checks. Most real text fails at its first
// non-ASCII character, whose byte would have to start a sequence the next ones complete.
bool as_windows_1252_utf8(std::string_view text, std::size_t first, std::string* bytes) {
    int continuations = 0;  // bytes the sequence begun still needs
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    for (std::size_t at = first; at < text.size();) {
        // Fields are UTF-8 but for one: Atom's base64 content decodes to any bytes.
        if (utf8_sequence_length(p + at, text.size() - at) == 0) return false;
        const auto [code_point, length] = code_point_at(text, at);
        const int byte = windows_1252_byte(code_point);
        if (byte < 0) return false;
        if (byte >= 0x80 && byte <= 0xBF) {
            if (continuations-- == 0) return false;
        } else if (continuations > 0) {
            return false;
        } else if (byte >= 0xC2 && byte <= 0xF4) {
            continuations = byte >= 0xF0 ? 3 : byte >= 0xE0 ? 2 : 1;
        } else if (byte >= 0x80) {
            return false;
        }
        if (bytes != nullptr) bytes->push_back(static_cast<char>(byte));
        at += length;
    }
    return continuations == 0;
}

// True when the UTF-8 `bytes` read as text a double-encoding feed could have meant.
bool is_plausible_text(std::string_view bytes) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    for (std::size_t at = 0; at < bytes.size();) {
        const std::size_t length = utf8_sequence_length(p + at, bytes.size() - at);
        if (length == 0 || is_c1_control(p + at, length) ||
            is_illegal_xml_sequence(p + at, length)) {
            return false;
        }
        // Where real text would land if taken for mojibake: an uppercase accented letter or 'ß'
        // before punctuation ("Weiß…" is DF 85, NKo U+07C5; "É“" is IPA U+0253). Double-encoded
        // feeds do not carry IPA, spacing modifiers, combining marks, Syriac, Thaana or NKo.
        const char32_t code_point = code_point_at(bytes, at).first;
        if ((code_point >= 0x250 && code_point <= 0x36F) ||
            (code_point >= 0x700 && code_point <= 0x7FF)) {
            return false;
        }
        at += length;
    }
    return true;
}

}  // namespace

bool undo_double_encoding(std::string& text) {
    const std::size_t first = first_non_ascii(text);
    // Checked before anything is copied: nearly every field with non-ASCII text fails here.
    if (first == text.size() || !as_windows_1252_utf8(text, first, nullptr)) return false;
    std::string bytes = text.substr(0, first);
    if (!as_windows_1252_utf8(text, first, &bytes) || !is_plausible_text(bytes)) return false;
    text = std::move(bytes);
    return true;
}

void append_code_point(std::string& out, char32_t code_point) {
    if (code_point >= 0x80 && code_point <= 0x9F && kWindows1252C1[code_point - 0x80] != 0) {
        code_point = kWindows1252C1[code_point - 0x80];
    }
    if (code_point == 0 || code_point > 0x10FFFF ||
        (code_point >= 0xD800 && code_point <= 0xDFFF)) {
        code_point = kReplacement;
    }
    if (code_point < 0x80) {
        out.push_back(static_cast<char>(code_point));
    } else if (code_point < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (code_point >> 6)));
        out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
    } else if (code_point < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (code_point >> 12)));
        out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (code_point >> 18)));
        out.push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
    }
}

std::string decode_entities(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t amp = text.find('&', pos);
        if (amp == std::string_view::npos) {
            out.append(text.substr(pos));
            break;
        }
        out.append(text.substr(pos, amp - pos));
        const std::size_t used = decode_one(text.substr(amp), out);
        if (used == 0) {
            out.push_back('&');
            pos = amp + 1;
        } else {
            pos = amp + used;
        }
    }
    return out;
}

}  // namespace herald::parser::detail
