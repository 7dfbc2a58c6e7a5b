#pragma once
// RFC 3986 reference resolution, for links relative to xml:base and the document URL.

#include <string>
#include <string_view>

namespace herald::parser::detail {

// Resolves `reference` against `base` (RFC 3986 section 5.2). An empty base, or an absolute
// reference, gives the reference unchanged (trimmed); an empty reference gives the base.
[[nodiscard]] std::string resolve_url(std::string_view base, std::string_view reference);

// True when `text` starts with a URI scheme ("http:", "mailto:", "tag:").
[[nodiscard]] bool has_scheme(std::string_view text);

}  // namespace herald::parser::detail
