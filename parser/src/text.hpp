#pragma once
// Internal text services of the parser: transcoding to UTF-8, HTML entities, dates.
// Pure functions, no state; see parser.hpp for the component's contract.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace herald::parser::detail {

struct DecodedText {
    // The document as UTF-8, BOM removed. The XML declaration stays, but its encoding="..."
    // is rewritten to "utf-8", so an XML parser that honours it reads these bytes as they are.
    std::string utf8;
    std::string encoding;  // the encoding actually used, lower-case ("utf-8", "windows-1252")
    bool bozo = false;     // declared encoding was wrong or bytes were invalid and got replaced
    std::vector<std::string> warnings;
    // Set only by decode_to_utf8_borrowing: the input itself (BOM removed) when it is already
    // the answer, and then `utf8` stays empty. Views the caller's bytes.
    std::string_view borrowed;

    [[nodiscard]] std::string_view text() const {
        return borrowed.data() != nullptr ? borrowed : std::string_view(utf8);
    }
};

// Decides the document's encoding and transcodes to UTF-8 (glibc iconv for legacy encodings).
// Order (RFC 7303): Content-Type charset, then BOM, then the XML declaration, then UTF-8; a
// BOM or the UTF-16/32 zero pattern of "<" overrides a label that contradicts it. The first
// that decodes the bytes without error wins; skipping a label is bozo with a warning (an
// unknown charset, utf-8 declared over latin-1 bytes, ...). An 8-bit label (which decodes
// any bytes) over valid UTF-8 with multi-byte characters loses to UTF-8 (bozo). When none fits:
// UTF-8 with each invalid byte read as windows-1252, or, for a legacy encoding, U+FFFD for what it
// cannot read (bozo). ISO-8859-1 and US-ASCII are read as windows-1252. Afterwards characters XML
// 1.0 forbids (C0 controls but tab/CR/LF, NUL, U+FFFE/FFFF) are removed (bozo), and C1
// controls U+0080-U+009F become their windows-1252 characters (not bozo, as in feedparser).
// Valid UTF-8 costs one validation pass and one copy.
[[nodiscard]] DecodedText decode_to_utf8(std::string_view bytes, std::string_view content_type);

// decode_to_utf8 without the copy of input that needs no change (valid UTF-8, nothing to
// repair, no declaration to rewrite): then `borrowed` views `bytes`, which must outlive it.
[[nodiscard]] DecodedText decode_to_utf8_borrowing(std::string_view bytes,
                                                   std::string_view content_type);

// The HTML5 named character reference `name` (without '&' and ';'), as UTF-8: all 2231
// names of the WHATWG table (html_entities.inc, binary search). Note &lang;/&rang; are
// U+27E8/U+27E9 there, not HTML 4's U+2329/U+232A.
[[nodiscard]] std::optional<std::string_view> html_entity(std::string_view name);

// Appends the UTF-8 encoding of `code_point`; windows-1252 C1 code points (0x80–0x9F) are
// remapped to the characters those bytes mean in windows-1252 (feeds write &#146; for ’),
// and invalid ones (surrogates, > 0x10FFFF, 0) become U+FFFD.
void append_code_point(std::string& out, char32_t code_point);

// Undoes UTF-8 that was read as windows-1252 and encoded as UTF-8 again, the usual mojibake
// of a double-encoding CMS ("FÃ³rmula" for "Fórmula", "donâ€™t" for "don’t"): when every
// non-ASCII character of the UTF-8 `text` is one windows-1252 (or latin-1) byte, and those
// bytes are valid UTF-8 holding a multi-byte character, `text` becomes that UTF-8. Whole text
// or nothing, as feedparser does it (plus windows-1252's 27 extra characters, which herald's
// decoder already made of C1 bytes): real text almost never pairs every accented letter with a
// following one the way UTF-8 bytes do. Returns whether it changed `text`.
bool undo_double_encoding(std::string& text);

// Decodes every character reference (&amp; &#39; &#x27; &eacute; ...) in `text`; an unknown
// or malformed reference is kept literally. Without the ';', only HTML5's legacy names (&amp
// &copy &eacute ...) are decoded, and only when the name ends the letter run and no '=' follows
// ("?a=1&copy=2" stays); numeric references decode without ';' when the digits end the run.
[[nodiscard]] std::string decode_entities(std::string_view text);

}  // namespace herald::parser::detail
