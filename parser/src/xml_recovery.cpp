#include "xml_recovery.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "markup_scan.hpp"
#include "text.hpp"

namespace herald::parser::detail {

namespace markup {

std::size_t end_of_special(std::string_view text, std::size_t start) {
    const auto rest = text.substr(start);
    auto past = [&](std::string_view terminator) {
        const auto end = text.find(terminator, start + 2);
        return end == std::string_view::npos ? text.size() : end + terminator.size();
    };
    if (rest.starts_with("<!--")) return past("-->");
    if (rest.starts_with("<![CDATA[")) return past("]]>");
    if (rest.starts_with("<?")) return past("?>");
    // <!DOCTYPE ...> and other declarations: '>' outside an internal subset and quotes.
    int brackets = 0;
    char quote = 0;
    for (std::size_t i = start + 2; i < text.size(); ++i) {
        const char c = text[i];
        if (quote != 0) {
            if (c == quote) quote = 0;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '[') {
            ++brackets;
        } else if (c == ']') {
            --brackets;
        } else if (c == '>' && brackets <= 0) {
            return i + 1;
        }
    }
    return text.size();
}

// Searching for the rare '!' rather than every '<' keeps this cheap on markup-dense feeds;
// '&' inside processing instructions is not worth it.
std::size_t find_special(std::string_view text, std::size_t from) {
    while (true) {
        const auto bang = text.find('!', from + 1);
        if (bang == std::string_view::npos) return std::string_view::npos;
        if (text[bang - 1] == '<') return bang - 1;
        from = bang;
    }
}

}  // namespace markup

namespace {

using markup::end_of_special;
using markup::find_special;
using markup::is_space;

bool is_xml_entity(std::string_view name) {
    return name == "amp" || name == "lt" || name == "gt" || name == "quot" || name == "apos";
}

}  // namespace

struct Reference {
    std::size_t length = 0;  // bytes from '&' through ';', 0 when malformed (bare '&')
    bool is_numeric = false;
    bool is_upper_hex = false;  // &#X41; which XML does not allow and pugixml leaves alone
    std::uint32_t code_point = 0;
    std::string_view name;
    bool is_xml_entity = false;  // one of the five XML predefines, which stay as they are
};

namespace {

// Length of the XML entity name ("amp", "lt", ...) that `rest` starts with, ';' following, or 0.
std::size_t xml_entity_length(std::string_view rest) {
    const auto is = [&](std::string_view name) {
        return rest.size() > name.size() && rest[name.size()] == ';' && rest.starts_with(name);
    };
    if (rest.empty()) return 0;
    switch (rest[0]) {
        case 'l':
            return is("lt") ? 2 : 0;
        case 'g':
            return is("gt") ? 2 : 0;
        case 'a':
            return is("amp") ? 3 : is("apos") ? 4 : 0;
        case 'q':
            return is("quot") ? 4 : 0;
        default:
            return 0;
    }
}

Reference read_reference(std::string_view text, std::size_t amp) {
    Reference ref;
    // Fast path: the five XML entities are most of the references in any feed (escaped HTML
    // bodies are one every few bytes), so they are matched by their first letter.
    if (const std::size_t length = xml_entity_length(text.substr(amp + 1, 5)); length > 0) {
        ref.name = text.substr(amp + 1, length);
        ref.length = length + 2;
        ref.is_xml_entity = true;
        return ref;
    }
    std::size_t i = amp + 1;
    if (i < text.size() && text[i] == '#') {
        ref.is_numeric = true;
        ++i;
        const bool hex = i < text.size() && (text[i] == 'x' || text[i] == 'X');
        if (hex) {
            ref.is_upper_hex = text[i] == 'X';
            ++i;
        }
        const std::size_t digits_start = i;
        std::uint64_t value = 0;
        while (i < text.size() && i - digits_start < 10) {
            const char c = text[i];
            int digit = -1;
            if (c >= '0' && c <= '9') digit = c - '0';
            if (hex && c >= 'a' && c <= 'f') digit = c - 'a' + 10;
            if (hex && c >= 'A' && c <= 'F') digit = c - 'A' + 10;
            if (digit < 0) break;
            value = value * (hex ? 16 : 10) + static_cast<std::uint64_t>(digit);
            ++i;
        }
        if (i == digits_start || i >= text.size() || text[i] != ';') return {};
        ref.code_point = value > 0x10FFFF ? 0xFFFFFFFF : static_cast<std::uint32_t>(value);
        ref.length = i + 1 - amp;
        return ref;
    }
    const std::size_t name_start = i;
    while (i < text.size() && i - name_start < 40 &&
           ((text[i] >= 'a' && text[i] <= 'z') || (text[i] >= 'A' && text[i] <= 'Z') ||
            (text[i] >= '0' && text[i] <= '9'))) {
        ++i;
    }
    if (i == name_start || i >= text.size() || text[i] != ';') return {};
    ref.name = text.substr(name_start, i - name_start);
    ref.length = i + 1 - amp;
    return ref;
}

bool is_valid_xml_char(std::uint32_t cp) {
    if (cp == 0x9 || cp == 0xA || cp == 0xD) return true;
    if (cp < 0x20) return false;
    if (cp >= 0xD800 && cp <= 0xDFFF) return false;
    if (cp == 0xFFFE || cp == 0xFFFF) return false;
    return cp <= 0x10FFFF;
}

// The replacement text for a character that must stay markup-safe inside XML.
void append_xml_safe(std::string& out, std::string_view chars) {
    for (const char c : chars) {
        switch (c) {
            case '<':
                out.append("&lt;");
                break;
            case '&':
                out.append("&amp;");
                break;
            case '"':
                out.append("&quot;");
                break;
            case '\'':
                out.append("&apos;");
                break;
            case '>':
                out.append("&gt;");
                break;
            default:
                out.push_back(c);
        }
    }
}

// The latin-1 byte a reference stands for (&#226; or &acirc; → 0xE2), if it is one.
std::optional<unsigned char> latin1_byte(const Reference& ref) {
    if (ref.length == 0) return std::nullopt;
    if (ref.is_numeric) {
        if (ref.code_point < 0x80 || ref.code_point > 0xFF) return std::nullopt;
        return static_cast<unsigned char>(ref.code_point);
    }
    const auto chars = html_entity(ref.name);
    // U+0080..U+00FF is two UTF-8 bytes, C2 xx or C3 xx.
    if (!chars || chars->size() != 2) return std::nullopt;
    const auto first = static_cast<unsigned char>((*chars)[0]);
    const auto second = static_cast<unsigned char>((*chars)[1]);
    if (first != 0xC2 && first != 0xC3) return std::nullopt;
    return static_cast<unsigned char>(((first & 0x03U) << 6U) | (second & 0x3FU));
}

}  // namespace

void ReferenceFixer::replace(std::size_t at, std::size_t length, std::string_view with_raw,
                             bool xml_safe) {
    if (!out_) {
        out_.emplace();
        out_->reserve(text_.size() + 64);
    }
    out_->append(text_.substr(copied_, at - copied_));
    if (xml_safe) {
        append_xml_safe(*out_, with_raw);
    } else {
        out_->append(with_raw);
    }
    copied_ = at + length;
}

// UTF-8 bytes written as one numeric reference each ("&#226;&#128;&#166;" for "…"): a
// generator read UTF-8 as latin-1. When the references form one valid UTF-8 sequence,
// replace them with that character, as feedparser does (double-encoded-html).
bool ReferenceFixer::double_encoded(std::size_t amp, const Reference& lead) {
    const auto lead_byte = latin1_byte(lead);
    if (!lead_byte || *lead_byte < 0xC2 || *lead_byte > 0xF4) return false;
    const int expected = *lead_byte >= 0xF0 ? 4 : *lead_byte >= 0xE0 ? 3 : 2;
    std::string bytes(1, static_cast<char>(*lead_byte));
    std::size_t end = amp + lead.length;
    for (int k = 1; k < expected; ++k) {
        if (end >= text_.size() || text_[end] != '&') return false;
        const Reference next = read_reference(text_, end);
        const auto byte = latin1_byte(next);
        if (!byte || *byte < 0x80 || *byte > 0xBF) return false;
        bytes.push_back(static_cast<char>(*byte));
        end += next.length;
    }
    replace(amp, end - amp, bytes, true);
    skip_to_ = end;
    return true;
}

void ReferenceFixer::handle_one(std::size_t amp) {
    const Reference ref = read_reference(text_, amp);
    if (ref.length == 0) {
        if (!warned_bare_) diagnostics_.recovered("bare '&' kept as a character");
        warned_bare_ = true;
        return;
    }
    if (ref.is_numeric) {
        if (double_encoded(amp, ref)) return;
        if (ref.is_upper_hex && is_valid_xml_char(ref.code_point)) {
            std::string chars;
            append_code_point(chars, ref.code_point);
            replace(amp, ref.length, chars, true);
            if (!warned_invalid_) diagnostics_.recovered("malformed character reference");
            warned_invalid_ = true;
        } else if (ref.code_point >= 0x80 && ref.code_point <= 0x9F) {
            // Feeds write &#146; meaning windows-1252's ’; append_code_point remaps.
            std::string chars;
            append_code_point(chars, ref.code_point);
            replace(amp, ref.length, chars, true);
        } else if (!is_valid_xml_char(ref.code_point)) {
            if (!warned_invalid_) diagnostics_.recovered("invalid character reference");
            warned_invalid_ = true;
            replace(amp, ref.length, "\xEF\xBF\xBD", false);
        }
        return;
    }
    if (ref.is_xml_entity || is_xml_entity(ref.name)) return;
    if (double_encoded(amp, ref)) {
        if (!warned_html_) diagnostics_.recovered("undeclared HTML entities replaced");
        warned_html_ = true;
        return;
    }
    if (const auto chars = html_entity(ref.name)) {
        if (!warned_html_) {
            diagnostics_.recovered("undeclared HTML entity &" + std::string(ref.name) +
                                   "; replaced by its character");
        }
        warned_html_ = true;
        replace(amp, ref.length, *chars, true);
        return;
    }
    if (!warned_unknown_) {
        diagnostics_.recovered("unknown entity &" + std::string(ref.name) + "; kept as text");
    }
    warned_unknown_ = true;
}

std::size_t ReferenceFixer::handle(std::size_t amp) {
    handle_one(amp);
    return std::max(amp + 1, skip_to_);
}

std::optional<std::string> ReferenceFixer::finish() {
    if (out_) out_->append(text_.substr(copied_));
    return std::move(out_);
}

std::optional<std::string> fix_references(std::string_view text, Diagnostics& diagnostics) {
    ReferenceFixer fixer(text, diagnostics);
    std::size_t pos = 0;
    std::size_t special = find_special(text, 0);
    while (pos < text.size()) {
        const auto amp = text.find('&', pos);
        if (amp == std::string_view::npos) break;
        bool inside = false;
        while (special != std::string_view::npos && special < amp) {
            const auto end = end_of_special(text, special);
            special = find_special(text, end);
            if (end > amp) {
                pos = end;
                inside = true;
                break;
            }
        }
        if (inside) continue;
        pos = fixer.handle(amp);
    }
    return fixer.finish();
}

bool has_junk_before_root(std::string_view text) {
    for (const char c : text) {
        if (c == '<') return false;
        if (!is_space(c)) return true;
    }
    return false;
}

}  // namespace herald::parser::detail
