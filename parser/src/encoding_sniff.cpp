// Encoding labels and the encoding clues in a document's first bytes.
#include "encoding_sniff.hpp"

#include <algorithm>
#include <array>

namespace herald::parser::detail {
namespace {

constexpr std::size_t kMaxLabelLength = 40;
constexpr std::size_t kMaxDeclarationLength = 1024;

struct Alias {
    std::string_view label;
    std::string_view canonical;
};

#include "encoding_labels.inc"

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

char to_lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return to_lower(x) == to_lower(y);
           });
}

}  // namespace

// The canonical lower-case name, or "" for a label no decoder could be asked about (empty,
// too long, or with characters that would let it smuggle iconv suffixes like //TRANSLIT).
std::string normalise_label(std::string_view label) {
    label = trim(label);
    if (label.empty() || label.size() > kMaxLabelLength) return {};
    std::string lower;
    for (char c : label) {
        const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                             (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == ':';
        if (!allowed) return {};
        lower.push_back(to_lower(c));
    }
    for (const Alias& alias : kAliases) {
        if (alias.label == lower) return std::string(alias.canonical);
    }
    return lower;
}

bool is_unicode_family(std::string_view name) {
    return name.starts_with("utf-16") || name.starts_with("utf-32");
}

std::optional<Bom> detect_bom(std::string_view bytes) {
    const auto starts = [&](std::string_view prefix) { return bytes.starts_with(prefix); };
    using namespace std::string_view_literals;
    if (starts("\xEF\xBB\xBF"sv)) return Bom{kUtf8, 3};
    if (starts("\xFF\xFE\x00\x00"sv)) return Bom{"utf-32le", 4};  // before UTF-16LE's prefix
    if (starts("\x00\x00\xFE\xFF"sv)) return Bom{"utf-32be", 4};
    if (starts("\xFF\xFE"sv)) return Bom{"utf-16le", 2};
    if (starts("\xFE\xFF"sv)) return Bom{"utf-16be", 2};
    return std::nullopt;
}

// XML 1.0 appendix F: a document without BOM starts with '<', whose zero bytes give away a
// UTF-16 or UTF-32 encoding before any declaration can be read.
std::string_view sniff_wide_encoding(std::string_view bytes) {
    if (bytes.size() < 4) return {};
    const auto b = [&](std::size_t i) { return static_cast<unsigned char>(bytes[i]); };
    if (b(0) == 0 && b(1) == 0 && b(2) == 0 && b(3) == '<') return "utf-32be";
    if (b(0) == '<' && b(1) == 0 && b(2) == 0 && b(3) == 0) return "utf-32le";
    if (b(0) == 0 && b(1) == '<' && b(2) == 0 && b(3) != 0) return "utf-16be";
    if (b(0) == '<' && b(1) == 0 && b(2) != 0 && b(3) == 0) return "utf-16le";
    return {};
}

// The encoding="..." value of an XML declaration at the very start of ASCII-compatible text.
std::optional<DeclaredEncoding> find_declared_encoding(std::string_view text) {
    // Whitespace before the declaration is an error, but a common one; the encoding still counts.
    std::size_t start = 0;
    while (start < text.size() && start < kMaxDeclarationLength && is_space(text[start])) ++start;
    text.remove_prefix(start);
    if (!text.starts_with("<?xml") || text.size() < 6 || !is_space(text[5])) return std::nullopt;
    const std::size_t end = text.substr(0, kMaxDeclarationLength).find("?>");
    if (end == std::string_view::npos) return std::nullopt;
    const std::string_view declaration = text.substr(0, end);
    std::size_t pos = declaration.find("encoding");
    if (pos == std::string_view::npos) return std::nullopt;
    pos += 8;
    while (pos < declaration.size() && is_space(declaration[pos])) ++pos;
    if (pos >= declaration.size() || declaration[pos] != '=') return std::nullopt;
    ++pos;
    while (pos < declaration.size() && is_space(declaration[pos])) ++pos;
    if (pos >= declaration.size() || (declaration[pos] != '"' && declaration[pos] != '\'')) {
        return std::nullopt;
    }
    const std::size_t close = declaration.find(declaration[pos], pos + 1);
    if (close == std::string_view::npos) return std::nullopt;
    return DeclaredEncoding{start + pos + 1, declaration.substr(pos + 1, close - pos - 1)};
}

std::string_view content_type_charset(std::string_view content_type) {
    std::size_t pos = content_type.find(';');
    while (pos != std::string_view::npos) {
        const std::size_t next = content_type.find(';', pos + 1);
        const std::string_view param = trim(content_type.substr(pos + 1, next - pos - 1));
        const std::size_t eq = param.find('=');
        if (eq != std::string_view::npos && iequals(trim(param.substr(0, eq)), "charset")) {
            std::string_view value = trim(param.substr(eq + 1));
            if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
                value = value.substr(1, value.size() - 2);
            }
            return value;
        }
        pos = next;
    }
    return {};
}

}  // namespace herald::parser::detail
