// RSS 0.90, 0.91, 0.92, 2.0 and RSS 1.0 (RDF), with the extensions real feeds carry.
#include <string>
#include <utility>

#include "formats.hpp"
#include "urls.hpp"
#include "xml_nodes.hpp"

namespace herald::parser::detail {
namespace {

bool is_core(Ns ns) {
    return ns == Ns::kNone || ns == Ns::kRss10 || ns == Ns::kRss090 || ns == Ns::kRss20;
}

// Elements in the root's own namespace count as core too.
bool is_core(Ns ns, const ReadContext& context) {
    return is_core(ns) || ns == context.root_ns;
}

// Which element filled the summary, so a second, different one becomes the content
// (feedparser: <description> then <summary> gives summary + content).
enum class SummarySource { kNone, kDescription, kSummary, kDcDescription };

struct ItemState {
    Item item;
    SummarySource summary_source = SummarySource::kNone;
    std::optional<std::string> guid_link;  // guid usable as the link (no isPermaLink="false")
    std::optional<std::string> media_title;
    std::optional<std::string> fallback_summary;  // itunes:summary, media:description
    std::optional<std::string> fallback_author;   // itunes:author
    std::vector<std::string> itunes_terms;        // feedparser drops repeated iTunes categories
};

std::string link_value(pugi::xml_node element, const ReadContext& context) {
    return resolve_link(element, context, element_text(element));
}

void set_summary(ItemState& state, std::string text, SummarySource source) {
    if (text.empty()) return;
    if (state.summary_source == SummarySource::kNone || state.summary_source == source) {
        state.item.summary = std::move(text);
        state.summary_source = source;
    } else if (!state.item.content) {
        state.item.content = std::move(text);
    }
}

void add_category(Item& item, std::string_view text) {
    text = trim(text);
    if (!text.empty()) item.categories.emplace_back(text);
}

void add_itunes_category(ItemState& state, std::string_view text) {
    text = trim(text);
    if (text.empty()) return;
    for (const auto& seen : state.itunes_terms) {
        if (seen == text) return;
    }
    state.itunes_terms.emplace_back(text);
    state.item.categories.emplace_back(text);
}

void add_itunes_categories(pugi::xml_node element, ItemState& state) {
    add_itunes_category(state, attribute(element, "text"));
    // Nested itunes:category (one level, as Apple defines) are further categories.
    for (const auto child : element.children()) {
        if (child.type() == pugi::node_element)
            add_itunes_category(state, attribute(child, "text"));
    }
}

// "a, b, c" keyword lists (itunes:keywords, media:keywords, <tags>) as categories.
template <typename Add>
void add_keywords(std::string_view list, Add add) {
    while (!list.empty()) {
        const auto comma = list.find(',');
        add(list.substr(0, comma));
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
}

void read_media(pugi::xml_node element, const QName& name, ItemState& state, ReadContext& context,
                int depth);

// An author written as a person: <name> and <email> children, as Atom does it (atom:author
// in RSS, and generators that put the same inside a plain <author>). The name, else the
// email, else "" when both are empty; nullopt when the element has neither.
std::optional<std::string> person_author(pugi::xml_node element, ReadContext& context) {
    std::optional<std::string> name;
    std::optional<std::string> email;
    bool has_parts = false;
    for (const auto child : element.children()) {
        if (child.type() != pugi::node_element) continue;
        const auto q = qualified_name(child, context);
        if (iequals(q.local, "name")) {
            has_parts = true;
            assign_text(name, element_content(child, Markup::kText));
        } else if (iequals(q.local, "email")) {
            has_parts = true;
            assign_text(email, element_text(child));
        }
    }
    if (!has_parts) return std::nullopt;
    if (name) return name;
    return email ? email : std::string();
}

// An RSS author element: a person's parts when it has them, else its text as a name
// ("jane@example.org (Jane Doe)" gives "Jane Doe").
std::optional<std::string> author_of(pugi::xml_node element, ReadContext& context) {
    if (auto person = person_author(element, context)) return person;
    return author_name(element_content(element, Markup::kText));
}

void read_item_child(pugi::xml_node child, const QName& name, ItemState& state,
                     ReadContext& context) {
    Item& item = state.item;
    const Ns ns = name.ns;
    if (is_core(ns, context)) {
        if (iequals(name.local, "title")) {
            assign_present(item.title, element_content(child, Markup::kText));
        } else if (iequals(name.local, "link")) {
            auto link = link_value(child, context);
            if (!link.empty()) item.link = std::move(link);
        } else if (iequals(name.local, "guid")) {
            auto guid = element_text(child);
            if (guid.empty()) return;
            if (!iequals(trim(attribute(child, "isPermaLink")), "false")) {
                state.guid_link = resolve_link(child, context, guid);
            } else {
                state.guid_link.reset();
            }
            item.id = std::move(guid);
        } else if (iequals(name.local, "description")) {
            set_summary(state, element_content(child, Markup::kText), SummarySource::kDescription);
        } else if (iequals(name.local, "summary")) {
            set_summary(state, element_content(child, Markup::kText), SummarySource::kSummary);
        } else if (iequals(name.local, "fullitem")) {
            assign_text(item.content, element_content(child, Markup::kText));
        } else if (iequals(name.local, "pubDate")) {
            if (auto date = parse_date(element_text(child))) item.published = date;
        } else if (iequals(name.local, "author")) {
            if (auto person = person_author(child, context)) {
                // Later values win; an empty one only stands where there is none.
                if (!person->empty() || !item.author) item.author = std::move(person);
            } else {
                assign_author(item.author, element_content(child, Markup::kText));
            }
        } else if (iequals(name.local, "category")) {
            add_category(item, element_content(child, Markup::kText));
        } else if (iequals(name.local, "categories")) {
            // <categories><category>..</category></categories> (macworld.rss)
            for (const auto category : child.children()) {
                if (category.type() == pugi::node_element && iequals(category.name(), "category")) {
                    add_category(item, element_content(category, Markup::kText));
                }
            }
        } else if (iequals(name.local, "tags")) {
            // Some generators write <tags>one, two</tags>; feedparser splits them.
            add_keywords(element_text(child), [&](std::string_view t) { add_category(item, t); });
        } else if (iequals(name.local, "enclosure")) {
            const auto url = trim(attribute(child, "url"));
            if (url.empty()) return;
            Enclosure enclosure{resolve_link(child, context, url), {}, {}};
            if (const auto type = child.attribute("type")) {
                enclosure.type = std::string(trim(type.value()));
            }
            enclosure.length = parse_integer(attribute(child, "length"));
            item.enclosures.push_back(std::move(enclosure));
        }
        return;
    }
    switch (ns) {
        case Ns::kDc:
            // Dublin Core duplicates core elements: the core one and the first dc: one win.
            if (iequals(name.local, "title")) {
                if (!item.title) assign_text(item.title, element_content(child, Markup::kText));
            } else if (iequals(name.local, "creator") || iequals(name.local, "author")) {
                if (!item.author) item.author = author_name(element_content(child, Markup::kText));
            } else if (iequals(name.local, "date")) {
                if (auto date = parse_date(element_text(child))) item.updated = date;
            } else if (iequals(name.local, "subject")) {
                add_category(item, element_content(child, Markup::kText));
            } else if (iequals(name.local, "description")) {
                set_summary(state, element_content(child, Markup::kText),
                            SummarySource::kDcDescription);
            }
            break;
        case Ns::kDcTerms:
            if (iequals(name.local, "issued")) {
                if (auto date = parse_date(element_text(child))) item.published = date;
            } else if (iequals(name.local, "modified")) {
                if (auto date = parse_date(element_text(child))) item.updated = date;
            }
            break;
        case Ns::kContent:
            if (iequals(name.local, "encoded")) {
                assign_text(item.content, element_content(child, Markup::kText));
            }
            break;
        case Ns::kXhtml:
            if (iequals(name.local, "body") || iequals(name.local, "div")) {
                assign_text(item.content, element_content(child, Markup::kXhtml));
            }
            break;
        case Ns::kItunes:
            if (iequals(name.local, "summary")) {
                assign_text(state.fallback_summary, element_content(child, Markup::kText));
            } else if (iequals(name.local, "author")) {
                assign_text(state.fallback_author, element_content(child, Markup::kText));
            } else if (iequals(name.local, "category")) {
                add_itunes_categories(child, state);
            } else if (iequals(name.local, "keywords")) {
                add_keywords(element_text(child),
                             [&](std::string_view t) { add_itunes_category(state, t); });
            }
            break;
        case Ns::kMedia:
            read_media(child, name, state, context, 0);
            break;
        case Ns::kAtom10:
            if (iequals(name.local, "link")) {
                const auto rel = trim(attribute(child, "rel"));
                const auto href = trim(attribute(child, "href"));
                if ((rel.empty() || iequals(rel, "alternate")) && !href.empty() && !item.link) {
                    item.link = resolve_link(child, context, href);
                }
            } else if (iequals(name.local, "updated")) {
                if (auto date = parse_date(element_text(child))) item.updated = date;
            } else if (iequals(name.local, "author")) {
                auto person = person_author(child, context);
                if (!item.author && person && !person->empty()) item.author = std::move(person);
            }
            break;
        default:
            break;
    }
}

void read_media(pugi::xml_node element, const QName& name, ItemState& state, ReadContext& context,
                int depth) {
    if (iequals(name.local, "title")) {
        assign_text(state.media_title, element_content(element, Markup::kText));
    } else if (iequals(name.local, "description")) {
        if (!state.fallback_summary) {
            assign_text(state.fallback_summary, element_content(element, Markup::kText));
        }
    } else if (iequals(name.local, "category")) {
        add_category(state.item, element_text(element));
    } else if (iequals(name.local, "keywords")) {
        add_keywords(element_text(element),
                     [&](std::string_view t) { add_category(state.item, t); });
    } else if ((iequals(name.local, "group") || iequals(name.local, "content")) && depth < 2) {
        // media:group wraps media:content, which may carry its own title/description.
        for (const auto child : element.children()) {
            if (child.type() != pugi::node_element) continue;
            const auto child_name = qualified_name(child, context);
            if (child_name.ns == Ns::kMedia) {
                read_media(child, child_name, state, context, depth + 1);
            }
        }
    }
}

Item read_item(pugi::xml_node element, ReadContext& context) {
    ItemState state;
    for (const auto child : element.children()) {
        if (child.type() != pugi::node_element) continue;
        read_item_child(child, qualified_name(child, context), state, context);
    }
    Item& item = state.item;
    if (!item.id) {
        // RSS 1.0 items are identified by rdf:about.
        if (const auto about = trim(attribute(element, "rdf:about")); !about.empty()) {
            item.id = std::string(about);
        }
    }
    if (!item.link && state.guid_link && !state.guid_link->empty()) item.link = state.guid_link;
    if (!item.title && state.media_title) item.title = state.media_title;
    if (!item.summary && state.fallback_summary) item.summary = state.fallback_summary;
    if (!item.author && state.fallback_author) item.author = author_name(*state.fallback_author);
    finish_item(item);
    return std::move(state.item);
}

std::optional<std::string> image_url(pugi::xml_node image, ReadContext& context) {
    for (const auto child : image.children()) {
        if (child.type() == pugi::node_element && iequals(child.name(), "url")) {
            const auto url = link_value(child, context);
            if (!url.empty()) return url;
        }
    }
    return std::nullopt;
}

void read_itunes_channel(pugi::xml_node child, const QName& name, ReadContext& context,
                         FeedInfo& info) {
    if (iequals(name.local, "subtitle")) {
        assign_text(info.subtitle, element_content(child, Markup::kText));
    } else if (iequals(name.local, "author")) {
        if (!info.author) info.author = author_name(element_content(child, Markup::kText));
    } else if (iequals(name.local, "image") ||
               (iequals(name.local, "link") && iequals(attribute(child, "rel"), "image"))) {
        auto href = trim(attribute(child, "href"));
        if (href.empty()) href = trim(attribute(child, "url"));  // a common mistake
        if (!href.empty()) info.image = resolve_link(child, context, href);
    }
}

std::optional<std::chrono::seconds> update_period(std::string_view period, std::int64_t frequency) {
    using std::chrono::hours;
    std::chrono::seconds length{0};
    if (iequals(period, "hourly")) length = hours(1);
    if (iequals(period, "daily")) length = hours(24);
    if (iequals(period, "weekly")) length = hours(24 * 7);
    if (iequals(period, "monthly")) length = hours(24 * 30);
    if (iequals(period, "yearly")) length = hours(24 * 365);
    if (length.count() == 0 || frequency <= 0) return std::nullopt;
    return length / frequency;
}

struct ChannelState {
    std::string sy_period;
    std::int64_t sy_frequency = 1;
};

void read_channel_child(pugi::xml_node child, const QName& name, ReadContext& context,
                        ParsedFeed& feed, ChannelState& state) {
    FeedInfo& info = feed.feed;
    if (is_core(name.ns, context)) {
        const auto local = name.local;
        if (iequals(local, "title")) {
            assign_present(info.title, element_content(child, Markup::kText));
        } else if (iequals(local, "link")) {
            const auto link = link_value(child, context);
            if (!link.empty()) info.link = link;
        } else if (iequals(local, "description") || iequals(local, "tagline") ||
                   iequals(local, "subtitle")) {
            info.subtitle = element_content(child, Markup::kText);
        } else if (iequals(local, "language")) {
            assign_text(info.language, element_text(child));
        } else if (iequals(local, "lastBuildDate")) {
            if (auto date = parse_date(element_text(child))) info.updated = date;
        } else if (iequals(local, "managingEditor") || iequals(local, "author")) {
            if (auto author = author_of(child, context)) {
                info.author = std::move(author);
            }
        } else if (iequals(local, "guid")) {
            assign_text(info.id, element_text(child));
        } else if (iequals(local, "generator")) {
            assign_text(info.generator, element_content(child, Markup::kText));
        } else if (iequals(local, "image")) {
            if (auto url = image_url(child, context)) info.image = std::move(url);
        } else if (iequals(local, "ttl")) {
            info.ttl = parse_integer(element_text(child));
        } else if (iequals(local, "item")) {
            feed.items.push_back(read_item(child, context));
        }
        return;
    }
    switch (name.ns) {
        case Ns::kDc:
            // Dublin Core duplicates core elements: the core one and the first dc: one win.
            if (iequals(name.local, "title")) {
                if (!info.title) assign_text(info.title, element_content(child, Markup::kText));
            } else if (iequals(name.local, "creator") || iequals(name.local, "author")) {
                if (!info.author) info.author = author_name(element_content(child, Markup::kText));
            } else if (iequals(name.local, "date")) {
                if (auto date = parse_date(element_text(child))) info.updated = date;
            } else if (iequals(name.local, "language")) {
                assign_text(info.language, element_text(child));
            } else if (iequals(name.local, "description")) {
                assign_text(info.subtitle, element_content(child, Markup::kText));
            }
            break;
        case Ns::kDcTerms:
            if (iequals(name.local, "modified")) {
                if (auto date = parse_date(element_text(child))) info.updated = date;
            }
            break;
        case Ns::kItunes:
            read_itunes_channel(child, name, context, info);
            break;
        case Ns::kAtom10:
            if (iequals(name.local, "id")) {
                assign_text(info.id, element_text(child));
            } else if (iequals(name.local, "link") && !info.link) {
                // An alternate atom:link stands in for a missing <link> (rel="self" does not).
                const auto rel = trim(attribute(child, "rel"));
                const auto href = trim(attribute(child, "href"));
                if ((rel.empty() || iequals(rel, "alternate")) && !href.empty()) {
                    info.link = resolve_link(child, context, href);
                }
            }
            break;
        case Ns::kSyndication:
            if (iequals(name.local, "updatePeriod")) state.sy_period = element_text(child);
            if (iequals(name.local, "updateFrequency")) {
                state.sy_frequency = parse_integer(element_text(child)).value_or(1);
            }
            break;
        default:
            break;
    }
}

Format rss_format(pugi::xml_node root, ReadContext& context) {
    const auto name = qualified_name(root, context);
    if (iequals(name.local, "RDF")) {
        // RSS 0.90 is RDF in Netscape's namespace; its channel says so too.
        if (attribute(root, "xmlns").find("netscape.com/rdf/simple/0.9") !=
            std::string_view::npos) {
            return Format::kRss090;
        }
        for (const auto child : root.children()) {
            if (child.type() == pugi::node_element &&
                qualified_name(child, context).ns == Ns::kRss090) {
                return Format::kRss090;
            }
        }
        return Format::kRss10;
    }
    const std::string_view version = trim(attribute(root, "version"));
    if (version == "0.91") return Format::kRss091;
    if (version == "0.92" || version == "0.93" || version == "0.94") return Format::kRss092;
    if (version == "0.90" || version == "0.9") return Format::kRss090;
    return Format::kRss20;
}

}  // namespace

void read_rss(pugi::xml_node root, ReadContext& context, ParsedFeed& feed) {
    feed.format = rss_format(root, context);
    feed.items.reserve(child_count(root));  // RSS 1.0 items sit beside the channel
    ChannelState state;
    // RDF keeps items beside the channel; broken RSS puts them under <rss>: read both levels.
    for (const auto child : root.children()) {
        if (child.type() != pugi::node_element) continue;
        const auto name = qualified_name(child, context);
        if (iequals(name.local, "channel") && is_core(name.ns, context)) {
            feed.items.reserve(feed.items.size() + child_count(child));
            for (const auto grandchild : child.children()) {
                if (grandchild.type() != pugi::node_element) continue;
                read_channel_child(grandchild, qualified_name(grandchild, context), context, feed,
                                   state);
            }
            if (!feed.feed.language) {
                if (const auto lang = trim(attribute(child, "xml:lang")); !lang.empty()) {
                    feed.feed.language = std::string(lang);
                }
            }
        } else if (is_core(name.ns, context) && iequals(name.local, "item")) {
            feed.items.push_back(read_item(child, context));
        } else if (is_core(name.ns, context) && iequals(name.local, "image") && !feed.feed.image) {
            feed.feed.image = image_url(child, context);
        }
    }
    if (!feed.feed.language) {
        if (const auto lang = trim(attribute(root, "xml:lang")); !lang.empty()) {
            feed.feed.language = std::string(lang);
        }
    }
    if (!state.sy_period.empty()) {
        feed.feed.update_period = update_period(state.sy_period, state.sy_frequency);
    }
}

}  // namespace herald::parser::detail
