// Atom 1.0 (RFC 4287) and Atom 0.3: text constructs, link selection, persons.
#include <string>

#include "formats.hpp"
#include "urls.hpp"
#include "utf8.hpp"
#include "xml_nodes.hpp"

namespace herald::parser::detail {
namespace {

// Early Atom drafts lived in other namespaces (example.com, necho, pie): the root's own
// namespace is Atom's, whatever it is (atom_namespace_2..5).
bool is_atom(Ns ns, const ReadContext& context) {
    return ns == Ns::kAtom10 || ns == Ns::kAtom03 || ns == Ns::kNone || ns == context.root_ns;
}

std::string lower(std::string_view text) {
    std::string out(trim(text));
    for (auto& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

std::string decode_base64_or_keep(pugi::xml_node element) {
    const auto text = element_text(element);
    const auto decoded = decode_base64(text);
    if (!decoded) return text;
    // The bytes are anything at all: read them as the document decoder reads stray bytes
    // (UTF-8 where valid, else windows-1252), without the characters XML forbids, so every
    // field stays text.
    std::string utf8;
    decode_utf8_with_fallback(*decoded, utf8);
    repair_characters(utf8);
    trim_in_place(utf8);
    return utf8;
}

// The content of a construct whose markup sits in one wrapping <div>: the div's children
// (Atom's xhtml type; TypePad's escaped HTML inside a div, entry_content_div_escaped_markup).
std::string unwrapped_content(pugi::xml_node element, Markup markup) {
    pugi::xml_node only_element;
    int elements = 0;
    bool has_text = false;
    for (const auto child : element.children()) {
        if (child.type() == pugi::node_element) {
            only_element = child;
            ++elements;
        } else if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
            has_text = has_text || !trim(child.value()).empty();
        }
    }
    if (elements == 1 && !has_text) {
        std::string_view name = only_element.name();
        if (const auto colon = name.find(':'); colon != std::string_view::npos) {
            name.remove_prefix(colon + 1);
        }
        if (iequals(name, "div")) return element_content(only_element, markup);
    }
    return element_content(element, markup);
}

// An Atom text construct (title, subtitle, summary, content, rights) as a string.
std::string text_construct(pugi::xml_node element, Format format) {
    const std::string type = lower(attribute(element, "type"));
    const std::string mode = lower(attribute(element, "mode"));
    if (mode == "base64") return decode_base64_or_keep(element);
    if (format == Format::kAtom03) {
        // Atom 0.3 keeps the wrapping <div> of inline XHTML.
        if (mode == "xml" || type == "application/xhtml+xml" || type.ends_with("/xml")) {
            return element_content(element, Markup::kXhtml);
        }
        return element_content(element, Markup::kText);
    }
    if (type.empty() || type == "text" || type == "html" || type.starts_with("text/")) {
        return unwrapped_content(element, Markup::kText);
    }
    if (type == "xhtml" || type == "application/xhtml+xml") {
        return unwrapped_content(element, Markup::kXhtml);
    }
    if (type.ends_with("+xml") || type.ends_with("/xml")) {
        return element_content(element, Markup::kXhtml);
    }
    return decode_base64_or_keep(element);
}

std::optional<std::string> person(pugi::xml_node element, Diagnostics& diagnostics) {
    std::optional<std::string> name;
    std::optional<std::string> email;
    bool has_children = false;
    for (const auto child : element.children()) {
        if (child.type() != pugi::node_element) continue;
        has_children = true;
        const auto q = qualified_name(child, diagnostics);
        if (iequals(q.local, "name")) assign_text(name, element_content(child, Markup::kText));
        if (iequals(q.local, "email")) assign_text(email, element_text(child));
    }
    if (name) return name;
    if (email) return email;
    if (!has_children) {
        if (auto text = author_name(element_content(element, Markup::kText))) return text;
    }
    return std::string();  // present but empty: "" as feedparser reports it
}

bool is_html_type(std::string_view type) {
    type = trim(type);
    return type.empty() || iequals(type, "text/html") || iequals(type, "application/xhtml+xml");
}

// Link selection as feedparser does it: the last alternate link of an HTML type (or none);
// a link without href never replaces one (entry_link_no_href_link_priority); with no such
// link the id stands in, when it is a URI (applied by the caller).
struct LinkChoice {
    std::optional<std::string> html_alternate;

    void offer(pugi::xml_node element, const ReadContext& context, std::vector<Enclosure>* out) {
        std::string href(trim(attribute(element, "href")));
        // Atom 0.3 drafts wrote the URL as the element's text.
        if (href.empty()) href = element_text(element);
        const auto rel = lower(attribute(element, "rel"));
        if (href.empty()) return;
        const auto url = resolve_link(element, context, href);
        if (rel == "enclosure") {
            if (out == nullptr) return;
            Enclosure enclosure{url, {}, parse_integer(attribute(element, "length"))};
            if (const auto type = trim(attribute(element, "type")); !type.empty()) {
                enclosure.type = std::string(type);
            }
            out->push_back(std::move(enclosure));
            return;
        }
        if (!rel.empty() && rel != "alternate") return;
        if (is_html_type(attribute(element, "type"))) html_alternate = url;
    }

    [[nodiscard]] std::optional<std::string> best(const std::optional<std::string>& id) const {
        if (html_alternate) return html_alternate;
        if (id && has_scheme(*id)) return id;
        return std::nullopt;
    }
};

std::optional<Time> date_of(pugi::xml_node element) {
    return parse_date(element_text(element));
}

void read_media(pugi::xml_node element, const QName& name, Item& item, int depth) {
    if (iequals(name.local, "category")) {
        const auto text = element_text(element);
        if (!text.empty()) item.categories.push_back(text);
    } else if (iequals(name.local, "description") && !item.summary) {
        assign_text(item.summary, element_content(element, Markup::kText));
    } else if (iequals(name.local, "title") && !item.title) {
        // Only a fallback: a later <title> replaces it (media_title in Atom, atom10_2.xml).
        assign_text(item.title, element_content(element, Markup::kText));
    } else if ((iequals(name.local, "group") || iequals(name.local, "content")) && depth < 2) {
        // media:group wraps media:content, which may carry its own title and description (as
        // the RSS reader does).
        Diagnostics ignored;  // prefixes were checked on the group itself
        for (const auto child : element.children()) {
            if (child.type() != pugi::node_element) continue;
            const auto child_name = qualified_name(child, ignored);
            if (child_name.ns == Ns::kMedia) read_media(child, child_name, item, depth + 1);
        }
    }
}

void read_extension(pugi::xml_node child, const QName& name, Item& item) {
    if (name.ns == Ns::kDc) {
        if (iequals(name.local, "subject")) {
            const auto text = element_text(child);
            if (!text.empty()) item.categories.push_back(text);
        } else if (iequals(name.local, "creator") && !item.author) {
            item.author = author_name(element_content(child, Markup::kText));
        } else if (iequals(name.local, "date") && !item.updated) {
            item.updated = date_of(child);
        }
    } else if (name.ns == Ns::kMedia) {
        read_media(child, name, item, 0);
    }
}

Item read_entry(pugi::xml_node entry, ReadContext& context, Format format) {
    Item item;
    LinkChoice links;
    for (const auto child : entry.children()) {
        if (child.type() != pugi::node_element) continue;
        const auto name = qualified_name(child, context);
        if (!is_atom(name.ns, context)) {
            read_extension(child, name, item);
            continue;
        }
        const auto local = name.local;
        if (iequals(local, "id")) {
            assign_text(item.id, element_text(child));
        } else if (iequals(local, "title")) {
            assign_present(item.title, text_construct(child, format));
        } else if (iequals(local, "link")) {
            links.offer(child, context, &item.enclosures);
        } else if (iequals(local, "published") || iequals(local, "issued")) {
            if (auto date = date_of(child)) item.published = date;
        } else if (iequals(local, "updated") || iequals(local, "modified")) {
            if (auto date = date_of(child)) item.updated = date;
        } else if (iequals(local, "author")) {
            auto author = person(child, context.diagnostics);
            if (author && (!author->empty() || !item.author)) item.author = std::move(author);
        } else if (iequals(local, "summary")) {
            assign_text(item.summary, text_construct(child, format));
        } else if (iequals(local, "content")) {
            assign_text(item.content, text_construct(child, format));
        } else if (iequals(local, "category")) {
            auto term = trim(attribute(child, "term"));
            if (term.empty()) term = trim(child.text().get());
            if (!term.empty()) item.categories.emplace_back(term);
        }
        // <source> describes another feed: its title, id and links are not the entry's.
    }
    item.link = links.best(item.id);
    finish_item(item);
    return item;
}

void read_feed_child(pugi::xml_node child, const QName& name, ReadContext& context,
                     ParsedFeed& feed, LinkChoice& links) {
    FeedInfo& info = feed.feed;
    const auto local = name.local;
    if (name.ns == Ns::kDc && iequals(local, "language")) {
        assign_text(info.language, element_text(child));
        return;
    }
    if (!is_atom(name.ns, context)) return;
    if (iequals(local, "title")) {
        assign_present(info.title, text_construct(child, feed.format));
    } else if (iequals(local, "subtitle") || iequals(local, "tagline")) {
        assign_text(info.subtitle, text_construct(child, feed.format));
    } else if (iequals(local, "link")) {
        links.offer(child, context, nullptr);
    } else if (iequals(local, "id")) {
        assign_text(info.id, element_text(child));
    } else if (iequals(local, "updated") || iequals(local, "modified")) {
        if (auto date = date_of(child)) info.updated = date;
    } else if (iequals(local, "author")) {
        auto author = person(child, context.diagnostics);
        if (author && (!author->empty() || !info.author)) info.author = std::move(author);
    } else if (iequals(local, "generator")) {
        assign_text(info.generator, element_content(child, Markup::kText));
    } else if (iequals(local, "logo")) {
        const auto url = element_text(child);
        if (!url.empty()) info.image = resolve_link(child, context, url);
    } else if (iequals(local, "entry")) {
        feed.items.push_back(read_entry(child, context, feed.format));
    }
}

}  // namespace

void read_atom(pugi::xml_node root, ReadContext& context, ParsedFeed& feed) {
    LinkChoice links;
    feed.items.reserve(child_count(root));
    for (const auto child : root.children()) {
        if (child.type() != pugi::node_element) continue;
        read_feed_child(child, qualified_name(child, context), context, feed, links);
    }
    feed.feed.link = links.best(feed.feed.id);
    if (!feed.feed.language) {
        if (const auto lang = trim(attribute(root, "xml:lang")); !lang.empty()) {
            feed.feed.language = std::string(lang);
        }
    }
    // The contract: entries without an author take the feed's.
    if (feed.feed.author && !feed.feed.author->empty()) {
        for (auto& item : feed.items) {
            if (!item.author || item.author->empty()) item.author = feed.feed.author;
        }
    }
}

}  // namespace herald::parser::detail
