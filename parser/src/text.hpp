#pragma once
// Internal text services of the parser: transcoding to UTF-8, HTML entities, dates.
// Pure functions, no state; see parser.hpp for the component's contract.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace herald::parser::detail {

struct DecodedText {
    std::string utf8;  // the document as UTF-8, BOM removed; XML declaration left in place
    std::string encoding;  // the encoding actually used, lower-case ("utf-8", "windows-1252")
    bool bozo = false;  // declared encoding was wrong or bytes were invalid and got replaced
    std::vector<std::string> warnings;
};

// Decides the document's encoding (Content-Type charset per RFC 7303, then BOM, then the XML
// declaration, then UTF-8 with a windows-1252 fallback when the bytes are not valid UTF-8) and
// transcodes to UTF-8 with iconv. Invalid sequences become U+FFFD and set bozo.
[[nodiscard]] DecodedText decode_to_utf8(std::string_view bytes, std::string_view content_type);

// The HTML5 named character reference `name` (without '&' and ';'), as UTF-8.
[[nodiscard]] std::optional<std::string_view> html_entity(std::string_view name);

// Appends the UTF-8 encoding of `code_point`; windows-1252 C1 code points (0x80–0x9F) are
// remapped to the characters those bytes mean in windows-1252 (feeds write &#146; for ’),
// and invalid ones (surrogates, > 0x10FFFF, 0) become U+FFFD.
void append_code_point(std::string& out, char32_t code_point);

// Decodes every character reference (&amp; &#39; &#x27; &eacute; ...) in `text`; an unknown
// or malformed reference is kept literally.
[[nodiscard]] std::string decode_entities(std::string_view text);

}  // namespace herald::parser::detail
