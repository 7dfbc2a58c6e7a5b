#pragma once
// The format readers behind parse(): each fills a ParsedFeed from an already-parsed document.

#include <string_view>

#include <pugixml.hpp>

#include <herald/parser.hpp>

#include "feed_builder.hpp"
#include "urls.hpp"
#include "xml_nodes.hpp"

namespace herald::parser::detail {

struct ReadContext {
    Diagnostics& diagnostics;
    std::string_view base_url;  // ParseOptions::base_url; xml:base applies on top
    Ns root_ns = Ns::kNone;     // the document element's namespace: the format's own elements
    NamespaceMemo namespaces{};
    bool has_xml_base = true;  // false when the document has no xml:base attribute at all
};

// `reference` resolved against the base in effect at `element` (resolve_at), skipping the
// look at its ancestors when the document has no xml:base.
inline std::string resolve_link(pugi::xml_node element, const ReadContext& context,
                                std::string_view reference) {
    if (!context.has_xml_base) return resolve_url(context.base_url, reference);
    return resolve_at(element, context.base_url, reference);
}

inline QName qualified_name(pugi::xml_node element, ReadContext& context) {
    return qualified_name(element, context.diagnostics, context.namespaces);
}

// RSS 0.9x/2.0 (<rss>) and RSS 0.90/1.0 (<rdf:RDF>); `root` is the document element.
void read_rss(pugi::xml_node root, ReadContext& context, ParsedFeed& feed);

// Atom 0.3 and 1.0; feed.format must already say which.
void read_atom(pugi::xml_node root, ReadContext& context, ParsedFeed& feed);

// JSON Feed 1.0/1.1 from UTF-8 text.
[[nodiscard]] tl::expected<ParsedFeed, ParseError> read_json_feed(std::string_view text,
                                                                  Diagnostics& diagnostics);

}  // namespace herald::parser::detail
