#pragma once
// Repairs broken XML before pugixml sees it, the way a reader of the feed would: undeclared
// HTML entities become their characters, windows-1252 numeric references their intended
// characters, unclosed and stray tags are balanced, and a truncated document keeps the items
// that were complete before the cut. Everything is one linear pass; DOCTYPEs are dropped,
// never processed, so no entity expansion or external fetch can happen.

#include <optional>
#include <string>
#include <string_view>

#include "feed_builder.hpp"

namespace herald::parser::detail {

// Rewrites character references pugixml would get wrong: HTML named entities (from the HTML5
// table), windows-1252 C1 numeric references, invalid code points. Bare `&` and unknown names
// are left for pugixml, which keeps them literally, and only reported. Returns nullopt when
// nothing needed rewriting (the common case: no copy).
[[nodiscard]] std::optional<std::string> fix_references(std::string_view text,
                                                        Diagnostics& diagnostics);

struct Reference;  // one character reference as read (xml_recovery.cpp)

// The reference repair of fix_references, one '&' at a time, for scanners that find the '&'s
// themselves (prepare.cpp's fused pass). The caller skips comments, CDATA and the like.
class ReferenceFixer {
public:
    ReferenceFixer(std::string_view text, Diagnostics& diagnostics)
        : text_(text), diagnostics_(diagnostics) {}

    // Repairs the reference at text[amp] == '&' if needed; returns where the scan goes on (past
    // references a lookahead consumed).
    [[nodiscard]] std::size_t handle(std::size_t amp);
    // The text with every repair applied, or nullopt when nothing needed one.
    [[nodiscard]] std::optional<std::string> finish();

private:
    void handle_one(std::size_t amp);
    void replace(std::size_t at, std::size_t length, std::string_view with_raw, bool xml_safe);
    bool double_encoded(std::size_t amp, const Reference& lead);

    std::string_view text_;
    Diagnostics& diagnostics_;
    std::optional<std::string> out_;
    std::size_t copied_ = 0;   // text_[0, copied_) is already in out_
    std::size_t skip_to_ = 0;  // references before this were consumed by a lookahead
    bool warned_html_ = false;
    bool warned_unknown_ = false;
    bool warned_bare_ = false;
    bool warned_invalid_ = false;
};

// Re-tokenises a document pugixml rejected and writes a well-formed one: end tags matched to
// their start tags (missing ones inserted, stray ones dropped), attribute values quoted, a
// stray '<' escaped, unterminated comments and CDATA sections closed. Elements still open at
// the end are closed, except that an <item>/<entry> cut by the end is dropped whole.
[[nodiscard]] std::string balance_markup(std::string_view text, Diagnostics& diagnostics);

// True when non-whitespace text precedes the first markup (junk before the root).
[[nodiscard]] bool has_junk_before_root(std::string_view text);

}  // namespace herald::parser::detail
