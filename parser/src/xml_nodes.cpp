#include "xml_nodes.hpp"

#include <array>
#include <cctype>
#include <utility>
#include <vector>

#include "urls.hpp"

namespace herald::parser::detail {
namespace {

// Ancestor walks stop here; feed metadata never sits deeper than a few levels.
constexpr int kMaxAncestors = 256;
// Inline markup deeper than this is flattened to its text: no real summary nests this deep.
constexpr int kMaxMarkupDepth = 128;

struct KnownNamespace {
    std::string_view uri;  // lower case, without trailing '/'
    Ns ns;
};

constexpr std::array kNamespaces{
    KnownNamespace{"http://www.w3.org/2005/atom", Ns::kAtom10},
    KnownNamespace{"http://purl.org/atom/ns#", Ns::kAtom03},
    KnownNamespace{"http://purl.org/rss/1.0", Ns::kRss10},
    KnownNamespace{"http://my.netscape.com/rdf/simple/0.9", Ns::kRss090},
    KnownNamespace{"http://channel.netscape.com/rdf/simple/0.9", Ns::kRss090},
    KnownNamespace{"http://backend.userland.com/rss2", Ns::kRss20},
    KnownNamespace{"http://backend.userland.com/rss", Ns::kRss20},
    KnownNamespace{"http://blogs.law.harvard.edu/tech/rss", Ns::kRss20},
    KnownNamespace{"http://www.w3.org/1999/02/22-rdf-syntax-ns#", Ns::kRdf},
    KnownNamespace{"http://purl.org/dc/elements/1.1", Ns::kDc},
    KnownNamespace{"http://purl.org/dc/elements/1.0", Ns::kDc},
    KnownNamespace{"http://purl.org/dc/terms", Ns::kDcTerms},
    KnownNamespace{"http://purl.org/rss/1.0/modules/content", Ns::kContent},
    KnownNamespace{"http://search.yahoo.com/mrss", Ns::kMedia},
    KnownNamespace{"http://www.itunes.com/dtds/podcast-1.0.dtd", Ns::kItunes},
    KnownNamespace{"https://www.itunes.com/dtds/podcast-1.0.dtd", Ns::kItunes},
    KnownNamespace{"http://rssnamespace.org/feedburner/ext/1.0", Ns::kFeedburner},
    KnownNamespace{"http://www.w3.org/1999/xhtml", Ns::kXhtml},
    KnownNamespace{"http://purl.org/rss/1.0/modules/syndication", Ns::kSyndication},
    KnownNamespace{"http://www.w3.org/xml/1998/namespace", Ns::kXml},
};

// Usual prefixes, for documents that use one without declaring it.
constexpr std::array<std::pair<std::string_view, Ns>, 11> kUsualPrefixes{{
    {"sy", Ns::kSyndication},
    {"atom", Ns::kAtom10},
    {"dc", Ns::kDc},
    {"dcterms", Ns::kDcTerms},
    {"content", Ns::kContent},
    {"media", Ns::kMedia},
    {"itunes", Ns::kItunes},
    {"rdf", Ns::kRdf},
    {"feedburner", Ns::kFeedburner},
    {"xhtml", Ns::kXhtml},
    {"xml", Ns::kXml},
}};

Ns namespace_from_uri(std::string_view uri) {
    uri = trim(uri);
    if (uri.empty()) return Ns::kNone;
    if (uri.back() == '/') uri.remove_suffix(1);
    for (const auto& known : kNamespaces) {
        if (iequals(uri, known.uri)) return known.ns;
    }
    // RSS 2.0 namespaced by UserLand, in several spellings ("http://backend.userland.com/rss2.1").
    if (uri.size() >= 30 && iequals(uri.substr(0, 30), "http://backend.userland.com/rs")) {
        return Ns::kRss20;
    }
    // Atom 0.3 drafts carry suffixes ("http://purl.org/atom/ns#draft-ietf-atompub-format-08").
    if (uri.size() > 24 && iequals(uri.substr(0, 24), "http://purl.org/atom/ns#")) {
        return Ns::kAtom03;
    }
    return Ns::kOther;
}

bool is_declaration_of(std::string_view attribute_name, std::string_view prefix) {
    if (prefix.empty()) return attribute_name == "xmlns";
    return attribute_name.size() == prefix.size() + 6 && attribute_name.starts_with("xmlns:") &&
           attribute_name.substr(6) == prefix;
}

bool is_void_element(std::string_view name) {
    constexpr std::array<std::string_view, 14> kVoid{"area",  "base",   "br",    "col",  "embed",
                                                     "hr",    "img",    "input", "link", "meta",
                                                     "param", "source", "track", "wbr"};
    for (const auto v : kVoid) {
        if (iequals(name, v)) return true;
    }
    return false;
}

void append_escaped(std::string& out, std::string_view text, bool is_attribute) {
    // Copy runs without special characters in one go; most text has none.
    const char* specials = is_attribute ? "&<>\"" : "&<>";
    while (true) {
        const auto run = text.find_first_of(specials);
        out.append(text.substr(0, run));
        if (run == std::string_view::npos) return;
        const char c = text[run];
        text.remove_prefix(run + 1);
        switch (c) {
            case '&':
                out.append("&amp;");
                break;
            case '<':
                out.append("&lt;");
                break;
            case '>':
                out.append("&gt;");
                break;
            case '"':
                if (is_attribute) {
                    out.append("&quot;");
                } else {
                    out.push_back(c);
                }
                break;
            default:
                out.push_back(c);
        }
    }
}

std::string_view local_part(std::string_view name) {
    const auto colon = name.find(':');
    return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

void open_tag(std::string& out, pugi::xml_node element) {
    const std::string_view name = local_part(element.name());
    out.push_back('<');
    out.append(name);
    for (const auto attr : element.attributes()) {
        const std::string_view attr_name = attr.name();
        if (attr_name == "xmlns" || attr_name.starts_with("xmlns:")) continue;
        out.push_back(' ');
        out.append(attr_name);
        out.append("=\"");
        append_escaped(out, attr.value(), true);
        out.push_back('"');
    }
    if (!element.first_child() && is_void_element(name)) {
        out.append(" />");
    } else {
        out.push_back('>');
    }
}

void close_tag(std::string& out, pugi::xml_node element) {
    const std::string_view name = local_part(element.name());
    if (!element.first_child() && is_void_element(name)) return;
    out.append("</");
    out.append(name);
    out.push_back('>');
}

void append_text(std::string& out, pugi::xml_node node, Markup markup) {
    if (markup == Markup::kXhtml) {
        append_escaped(out, node.value(), false);
    } else {
        out.append(node.value());
    }
}

}  // namespace

QName qualified_name(pugi::xml_node element, Diagnostics& diagnostics) {
    const std::string_view name = element.name();
    const auto colon = name.find(':');
    const std::string_view prefix =
        colon == std::string_view::npos ? std::string_view{} : name.substr(0, colon);
    QName result{Ns::kNone, colon == std::string_view::npos ? name : name.substr(colon + 1)};
    if (prefix == "xml") {
        result.ns = Ns::kXml;
        return result;
    }
    int depth = 0;
    for (auto node = element; node && depth < kMaxAncestors; node = node.parent(), ++depth) {
        for (auto attr = node.first_attribute(); attr; attr = attr.next_attribute()) {
            const char* attr_name = attr.name();
            // Cheap reject before building a string_view: declarations start with "xmlns".
            if (attr_name[0] != 'x' || attr_name[1] != 'm') continue;
            if (is_declaration_of(attr_name, prefix)) {
                result.ns = namespace_from_uri(attr.value());
                return result;
            }
        }
    }
    if (prefix.empty()) return result;
    result.ns = Ns::kOther;
    for (const auto& [usual, ns] : kUsualPrefixes) {
        if (iequals(prefix, usual)) result.ns = ns;
    }
    const std::string warning = "undeclared namespace prefix " + std::string(prefix);
    bool seen = false;
    for (const auto& w : diagnostics.warnings) seen = seen || w == warning;
    if (!seen) diagnostics.recovered(warning);
    return result;
}

bool is(const QName& name, Ns ns, std::string_view local) {
    return name.ns == ns && iequals(name.local, local);
}

std::string element_content(pugi::xml_node element, Markup markup) {
    std::string out;
    auto node = element.first_child();
    int depth = 0;
    while (node && node != element) {
        const auto type = node.type();
        if (type == pugi::node_pcdata || type == pugi::node_cdata) {
            append_text(out, node, markup);
        } else if (type == pugi::node_element) {
            open_tag(out, node);
            if (node.first_child() && depth < kMaxMarkupDepth) {
                node = node.first_child();
                ++depth;
                continue;
            }
            close_tag(out, node);
        }
        // Next in document order: a sibling, or climb (closing tags) until one has a sibling.
        while (node && node != element && !node.next_sibling()) {
            node = node.parent();
            --depth;
            if (node && node != element) close_tag(out, node);
        }
        if (node && node != element) node = node.next_sibling();
    }
    trim_in_place(out);
    return out;
}

std::string element_text(pugi::xml_node element) {
    std::string out;
    for (auto child = element.first_child(); child; child = child.next_sibling()) {
        const auto type = child.type();
        if (type == pugi::node_pcdata || type == pugi::node_cdata) out.append(child.value());
    }
    trim_in_place(out);
    return out;
}

std::string base_url_at(pugi::xml_node element, std::string_view document_base) {
    std::vector<std::string_view> bases;
    int depth = 0;
    for (auto node = element; node && depth < kMaxAncestors; node = node.parent(), ++depth) {
        if (node.type() != pugi::node_element) continue;
        const auto attr = node.attribute("xml:base");
        if (attr) bases.emplace_back(attr.value());
    }
    std::string base(document_base);
    for (auto it = bases.rbegin(); it != bases.rend(); ++it) base = resolve_url(base, *it);
    return base;
}

std::string_view attribute(pugi::xml_node element, std::string_view name) {
    for (auto attr = element.first_attribute(); attr; attr = attr.next_attribute()) {
        if (iequals(attr.name(), name)) return attr.value();
    }
    return {};
}

}  // namespace herald::parser::detail
