#pragma once
// The fast path of parse()'s text preparation. Most feeds are UTF-8 that needs no transcoding;
// for those one pass validates the UTF-8, repairs character references and yields the buffer
// pugixml then parses in place, instead of a validation pass, a reference pass and a copy.

#include <optional>
#include <string>
#include <string_view>

#include "feed_builder.hpp"

namespace herald::parser::detail {

// The document as decode_to_utf8 + fix_references would prepare it, or nullopt when it needs
// that general path: an encoding other than UTF-8 is named or sniffed, the UTF-8 is invalid,
// or it holds characters XML forbids. Repairs reach `diagnostics` only when this succeeds.
// What the pass saw on the way, for the tree walk.
struct PreparedFacts {
    // Occurrences of "xmlns" outside character references: at least the number of namespace
    // declarations the document can hold (attribute names hold no references).
    std::size_t xmlns_count = 0;
    // Occurrences of "xml:base": none means no element has one, and links resolve against
    // the document's URL without a look at their ancestors.
    std::size_t xml_base_count = 0;
};

[[nodiscard]] std::optional<std::string> prepare_utf8(std::string_view bytes,
                                                      std::string_view content_type,
                                                      Diagnostics& diagnostics,
                                                      PreparedFacts* facts = nullptr);

}  // namespace herald::parser::detail
