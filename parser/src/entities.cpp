// HTML character references: the HTML5 named table, numeric references with the
// windows-1252 remap HTML5 prescribes, and a decoder for text runs.
#include <algorithm>
#include <array>
#include <cstdint>

#include "text.hpp"

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
