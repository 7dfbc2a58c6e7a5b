#include "xml_nodes.hpp"

#include <array>
#include <bit>
#include <cctype>
#include <utility>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>  // baseline on x86-64; other targets use the byte loop alone
#endif

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

// The first '&', '<', '>' (and '"' in attributes), or npos. SSE2 looks at 16 bytes a step:
// XHTML bodies are long and have few of these (string_view::find_first_of calls memchr on
// the set for every byte).
std::size_t next_special(std::string_view text, bool is_attribute) {
    std::size_t i = 0;
#if defined(__SSE2__)
    const __m128i ampersand = _mm_set1_epi8('&');
    const __m128i less = _mm_set1_epi8('<');
    const __m128i greater = _mm_set1_epi8('>');
    const __m128i quote = _mm_set1_epi8(is_attribute ? '"' : '&');
    for (; i + 16 <= text.size(); i += 16) {
        const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + i));
        const __m128i found = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(block, ampersand), _mm_cmpeq_epi8(block, less)),
            _mm_or_si128(_mm_cmpeq_epi8(block, greater), _mm_cmpeq_epi8(block, quote)));
        const auto mask = static_cast<unsigned>(_mm_movemask_epi8(found));
        if (mask != 0) return i + static_cast<std::size_t>(std::countr_zero(mask));
    }
#endif
    for (; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '&' || c == '<' || c == '>' || (is_attribute && c == '"')) return i;
    }
    return std::string_view::npos;
}

void append_escaped(std::string& out, std::string_view text, bool is_attribute) {
    // Copy runs without special characters in one go; most text has none.
    while (true) {
        const auto run = next_special(text, is_attribute);
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

std::optional<Ns> NamespaceMemo::find(pugi::xml_node parent, std::string_view prefix) const {
    for (const Entry& entry : entries_) {
        // The prefix first: comparing nodes is a call into pugixml.
        if (entry.prefix == prefix && entry.parent == parent) return entry.ns;
    }
    return std::nullopt;
}

void NamespaceMemo::remember(pugi::xml_node parent, std::string_view prefix, Ns ns) {
    entries_[next_] = Entry{parent, prefix, ns};
    next_ = (next_ + 1) % kSlots;
}

namespace {

bool is_any_declaration(const char* attribute_name) {
    const std::string_view name = attribute_name;
    return name.starts_with("xmlns") && (name.size() == 5 || name[5] == ':');
}

}  // namespace

void NamespaceMemo::read_root(pugi::xml_node any) {
    has_root_ = true;
    pugi::xml_node root;
    for (auto node = any.root().first_child(); node; node = node.next_sibling()) {
        if (node.type() == pugi::node_element) {
            root = node;
            break;
        }
    }
    root_ = root.internal_object();
    is_root_usable_ = root_ != nullptr;
    for (auto attr = root.first_attribute(); attr; attr = attr.next_attribute()) {
        if (!is_any_declaration(attr.name())) continue;
        if (root_declaration_count_ == kMaxRootDeclarations) {
            is_root_usable_ = false;
            return;
        }
        const std::string_view name = attr.name();
        const std::string_view prefix = name.size() == 5 ? std::string_view() : name.substr(6);
        root_declarations_[root_declaration_count_++] =
            Declaration{prefix, namespace_from_uri(attr.value())};
    }
    only_root_declares_ =
        is_root_usable_ && declaration_bound_ && *declaration_bound_ <= root_declaration_count_;
}

std::optional<Ns> NamespaceMemo::find_below_root(pugi::xml_node element, std::string_view prefix) {
    if (!has_root_) read_root(element);
    if (!only_root_declares_ || element.internal_object() == root_) return std::nullopt;
    // Readers only walk the root's descendants, so the root's declarations are in scope.
    for (std::size_t i = 0; i < root_declaration_count_; ++i) {
        if (root_declarations_[i].prefix == prefix) return root_declarations_[i].ns;
    }
    if (prefix.empty()) return Ns::kNone;
    return std::nullopt;  // undeclared: the long way guesses and reports it
}

bool NamespaceMemo::is_root_scope(pugi::xml_node parent) {
    // Raw node pointers: pugixml's operator== is an out-of-line call per comparison.
    const pugi::xml_node_struct* key = parent.internal_object();
    for (const auto& known : scope_parents_) {
        if (known.parent == key) return known.is_root_scope;
    }
    bool in_scope = false;
    auto node = parent;
    for (int depth = 0; node && depth < kMaxAncestors; node = node.parent(), ++depth) {
        if (node.internal_object() == root_) {
            in_scope = true;
            break;
        }
        bool declares = false;
        for (auto attr = node.first_attribute(); attr && !declares; attr = attr.next_attribute()) {
            declares = is_any_declaration(attr.name());
        }
        if (declares) break;
    }
    scope_parents_[next_scope_parent_] = ScopeParent{key, in_scope};
    next_scope_parent_ = (next_scope_parent_ + 1) % kScopeParents;
    return in_scope;
}

std::optional<Ns> NamespaceMemo::find_root_declared(pugi::xml_node parent,
                                                    std::string_view prefix) {
    if (!has_root_) read_root(parent);
    if (!is_root_usable_ || !is_root_scope(parent)) return std::nullopt;
    for (std::size_t i = 0; i < root_declaration_count_; ++i) {
        // Later declarations of the same prefix on one element are an error pugixml lets by;
        // the first wins, as declared_at does.
        if (root_declarations_[i].prefix == prefix) return root_declarations_[i].ns;
    }
    // No default namespace anywhere in scope: no namespace, as resolve_from would conclude.
    if (prefix.empty()) return Ns::kNone;
    return std::nullopt;  // undeclared: the long way guesses and reports it
}

namespace {

struct Split {
    std::string_view prefix;
    QName name;
};

Split split_name(pugi::xml_node element) {
    const std::string_view name = element.name();
    const auto colon = name.find(':');
    if (colon == std::string_view::npos) return {{}, {Ns::kNone, name}};
    return {name.substr(0, colon), {Ns::kNone, name.substr(colon + 1)}};
}

// The namespace `node`'s own attributes declare for `prefix`, if they do.
std::optional<Ns> declared_at(pugi::xml_node node, std::string_view prefix) {
    for (auto attr = node.first_attribute(); attr; attr = attr.next_attribute()) {
        const char* attr_name = attr.name();
        // Cheap reject before building a string_view: declarations start with "xmlns".
        if (attr_name[0] != 'x' || attr_name[1] != 'm') continue;
        if (is_declaration_of(attr_name, prefix)) return namespace_from_uri(attr.value());
    }
    return std::nullopt;
}

// The namespace of `prefix` in scope at `node` (`depth` levels below the element asked about),
// or for a prefix nobody declared, its usual meaning (reported once).
Ns resolve_from(pugi::xml_node node, int depth, std::string_view prefix, Diagnostics& diagnostics) {
    for (; node && depth < kMaxAncestors; node = node.parent(), ++depth) {
        if (const auto ns = declared_at(node, prefix)) return *ns;
    }
    if (prefix.empty()) return Ns::kNone;
    Ns ns = Ns::kOther;
    for (const auto& [usual, usual_ns] : kUsualPrefixes) {
        if (iequals(prefix, usual)) ns = usual_ns;
    }
    const std::string warning = "undeclared namespace prefix " + std::string(prefix);
    bool seen = false;
    for (const auto& w : diagnostics.warnings) seen = seen || w == warning;
    if (!seen) diagnostics.recovered(warning);
    return ns;
}

// resolve_from for a prefix in scope at `parent`, consulting and filling `memo`: the first
// few elements on the way up share the answer, so the next item's lookups stop early.
Ns resolve_at_parent(pugi::xml_node parent, std::string_view prefix, Diagnostics& diagnostics,
                     NamespaceMemo& memo) {
    constexpr int kRemembered = 3;
    std::array<pugi::xml_node, kRemembered> visited{};
    int count = 0;
    std::optional<Ns> result;
    auto node = parent;
    int depth = 1;
    for (; node && depth < kMaxAncestors && count < kRemembered; node = node.parent(), ++depth) {
        if (const auto known = memo.find(node, prefix)) {
            result = known;
            break;
        }
        visited[static_cast<std::size_t>(count++)] = node;
        if (const auto ns = declared_at(node, prefix)) {
            result = ns;
            break;
        }
    }
    if (!result) result = resolve_from(node, depth, prefix, diagnostics);
    for (int i = 0; i < count; ++i)
        memo.remember(visited[static_cast<std::size_t>(i)], prefix, *result);
    return *result;
}

}  // namespace

QName qualified_name(pugi::xml_node element, Diagnostics& diagnostics) {
    auto [prefix, result] = split_name(element);
    result.ns = prefix == "xml" ? Ns::kXml : resolve_from(element, 0, prefix, diagnostics);
    return result;
}

QName qualified_name(pugi::xml_node element, Diagnostics& diagnostics, NamespaceMemo& memo) {
    auto [prefix, result] = split_name(element);
    if (prefix == "xml") {
        result.ns = Ns::kXml;
    } else if (const auto below_root = memo.find_below_root(element, prefix)) {
        result.ns = *below_root;
    } else if (const auto own = declared_at(element, prefix)) {
        result.ns = *own;
    } else {
        // Past the element's own attributes the answer is the one in scope at its parent.
        const auto parent = element.parent();
        const auto declared = memo.find_root_declared(parent, prefix);
        result.ns = declared ? *declared : resolve_at_parent(parent, prefix, diagnostics, memo);
    }
    return result;
}

bool is(const QName& name, Ns ns, std::string_view local) {
    return name.ns == ns && iequals(name.local, local);
}

bool is_text_node(pugi::xml_node node) {
    const auto type = node.type();
    return type == pugi::node_pcdata || type == pugi::node_cdata;
}

std::string element_content(pugi::xml_node element, Markup markup) {
    std::string out;
    auto node = element.first_child();
    // Most elements hold one text node: trim its view and copy once, instead of building the
    // string and then trimming it (escaping leaves the whitespace trim() cuts unchanged).
    if (node && !node.next_sibling() && is_text_node(node)) {
        const std::string_view text = trim(node.value());
        if (markup == Markup::kText) return std::string(text);
        append_escaped(out, text, false);
        return out;
    }
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
    const auto first = element.first_child();
    if (first && !first.next_sibling() && is_text_node(first)) {
        return std::string(trim(first.value()));
    }
    std::string out;
    for (auto child = element.first_child(); child; child = child.next_sibling()) {
        const auto type = child.type();
        if (type == pugi::node_pcdata || type == pugi::node_cdata) out.append(child.value());
    }
    trim_in_place(out);
    return out;
}

namespace {

// The xml:base values from `element` up to the root, innermost first, into `bases`. A loop
// over the attributes with a first-letter test: node.attribute("xml:base") ran strcmp on
// every attribute of every ancestor, for every link of every item.
void collect_bases(pugi::xml_node element, std::vector<std::string_view>& bases) {
    int depth = 0;
    for (auto node = element; node && depth < kMaxAncestors; node = node.parent(), ++depth) {
        for (auto attr = node.first_attribute(); attr; attr = attr.next_attribute()) {
            const char* name = attr.name();
            if (name[0] == 'x' && std::string_view(name) == "xml:base") {
                bases.emplace_back(attr.value());
                break;  // the first, as node.attribute() found it
            }
        }
    }
}

}  // namespace

std::string resolve_at(pugi::xml_node element, std::string_view document_base,
                       std::string_view reference) {
    std::vector<std::string_view> bases;
    collect_bases(element, bases);
    // Most documents have no xml:base: no copy of the document's URL per link.
    if (bases.empty()) return resolve_url(document_base, reference);
    std::string base(document_base);
    for (auto it = bases.rbegin(); it != bases.rend(); ++it) base = resolve_url(base, *it);
    return resolve_url(base, reference);
}

std::size_t child_count(pugi::xml_node element) {
    std::size_t count = 0;
    for (auto child = element.first_child(); child; child = child.next_sibling()) ++count;
    return count;
}

std::string_view attribute(pugi::xml_node element, std::string_view name) {
    for (auto attr = element.first_attribute(); attr; attr = attr.next_attribute()) {
        if (iequals(attr.name(), name)) return attr.value();
    }
    return {};
}

}  // namespace herald::parser::detail
