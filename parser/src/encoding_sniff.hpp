#pragma once
// What a feed's bytes and headers say about their encoding: labels, BOM, the UTF-16/32 zero
// pattern, the XML declaration and the Content-Type charset. Pure functions; encoding.cpp and
// the fused fast path (prepare.cpp) decide with them.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace herald::parser::detail {

inline constexpr std::string_view kUtf8 = "utf-8";
inline constexpr std::string_view kWindows1252 = "windows-1252";

// The canonical lower-case name, or "" for a label no decoder could be asked about (empty,
// too long, or with characters that would let it smuggle iconv suffixes like //TRANSLIT).
[[nodiscard]] std::string normalise_label(std::string_view label);

[[nodiscard]] bool is_unicode_family(std::string_view name);

struct Bom {
    std::string_view encoding;
    std::size_t length = 0;
};

[[nodiscard]] std::optional<Bom> detect_bom(std::string_view bytes);

// XML 1.0 appendix F: a document without BOM starts with '<', whose zero bytes give away a
// UTF-16 or UTF-32 encoding before any declaration can be read. Empty when none matches.
[[nodiscard]] std::string_view sniff_wide_encoding(std::string_view bytes);

struct DeclaredEncoding {
    std::size_t value_pos = 0;  // offset of the value inside the text
    std::string_view value;
};

// The encoding="..." value of an XML declaration at the very start of ASCII-compatible text.
[[nodiscard]] std::optional<DeclaredEncoding> find_declared_encoding(std::string_view text);

// The charset parameter of a Content-Type header, unquoted, or empty.
[[nodiscard]] std::string_view content_type_charset(std::string_view content_type);

}  // namespace herald::parser::detail
