#include "opml.hpp"

#include <algorithm>
#include <sstream>
#include <unordered_set>

#include <pugixml.hpp>

namespace herald::cli {
namespace {

// Folders nested deeper than this are flattened into their ancestor: no real list nests so
// deep, and it bounds the recursion on hostile input.
constexpr int kMaxDepth = 32;
// herald's own attribute for the feed name, so an export re-imports under the same names.
constexpr const char* kNameAttribute = "herald:name";

// Readers disagree on the case of xmlUrl (xmlURL, xmlurl).
const char* attribute_nocase(const pugi::xml_node& node, std::string_view name) {
    for (const auto& attribute : node.attributes()) {
        const std::string_view candidate = attribute.name();
        if (candidate.size() == name.size() &&
            std::equal(candidate.begin(), candidate.end(), name.begin(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) ==
                       std::tolower(static_cast<unsigned char>(b));
            })) {
            return attribute.value();
        }
    }
    return "";
}

std::string trimmed(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(" \t\r\n");
    return std::string(text.substr(first, last - first + 1));
}

void add_tag(std::vector<std::string>& tags, std::string tag) {
    tag = trimmed(tag);
    if (!tag.empty() && std::find(tags.begin(), tags.end(), tag) == tags.end()) {
        tags.push_back(std::move(tag));
    }
}

// OPML 2.0 category: comma-separated, each either a word or a "/Folder/Sub" path.
void add_categories(std::vector<std::string>& tags, std::string_view categories) {
    std::istringstream list{std::string(categories)};
    for (std::string entry; std::getline(list, entry, ',');) {
        entry = trimmed(entry);
        if (entry.starts_with('/')) {
            std::istringstream path(entry);
            for (std::string part; std::getline(path, part, '/');) add_tag(tags, part);
        } else {
            add_tag(tags, entry);
        }
    }
}

struct Collector {
    OpmlDocument document;
    std::unordered_set<std::string> seen;

    void walk(const pugi::xml_node& parent, std::vector<std::string>& folders, int depth) {
        for (const auto& outline : parent.children()) {
            if (std::string_view(outline.name()) != "outline") continue;
            const std::string url = trimmed(attribute_nocase(outline, "xmlUrl"));
            std::string label = trimmed(outline.attribute("title").value());
            if (label.empty()) label = trimmed(outline.attribute("text").value());
            if (url.empty()) {
                const bool is_folder = !label.empty() && depth < kMaxDepth;
                if (is_folder) folders.push_back(label);
                walk(outline, folders, depth + 1);
                if (is_folder) folders.pop_back();
                continue;
            }
            if (!seen.insert(url).second) {
                document.duplicates.push_back(url);
                continue;
            }
            OpmlFeed feed;
            feed.url = url;
            feed.title = label;
            feed.html_url = trimmed(attribute_nocase(outline, "htmlUrl"));
            feed.name = trimmed(outline.attribute(kNameAttribute).value());
            for (const auto& folder : folders) add_tag(feed.tags, folder);
            add_categories(feed.tags, outline.attribute("category").value());
            document.feeds.push_back(std::move(feed));
            // Some readers nest outlines under a feed outline; those are feeds too.
            walk(outline, folders, depth + 1);
        }
    }
};

}  // namespace

tl::expected<OpmlDocument, OpmlError> parse_opml(std::string_view text) {
    pugi::xml_document doc;
    const auto result = doc.load_buffer(text.data(), text.size(), pugi::parse_default);
    if (!result) {
        return tl::unexpected(OpmlError{std::string("not well-formed XML: ") +
                                        result.description() + " at byte " +
                                        std::to_string(result.offset)});
    }
    const auto opml = doc.child("opml");
    if (!opml) return tl::unexpected(OpmlError{"not an OPML document (no <opml> root)"});
    const auto body = opml.child("body");
    if (!body) return tl::unexpected(OpmlError{"OPML without a <body>"});
    Collector collector;
    std::vector<std::string> folders;
    collector.walk(body, folders, 0);
    return std::move(collector.document);
}

std::string write_opml(std::span<const OpmlFeed> feeds, std::string_view title,
                       std::string_view date_created) {
    pugi::xml_document doc;
    auto declaration = doc.append_child(pugi::node_declaration);
    declaration.append_attribute("version") = "1.0";
    declaration.append_attribute("encoding") = "UTF-8";
    auto opml = doc.append_child("opml");
    opml.append_attribute("version") = "2.0";
    opml.append_attribute("xmlns:herald") = "urn:x-herald:opml";
    auto head = opml.append_child("head");
    head.append_child("title").text() = std::string(title).c_str();
    if (!date_created.empty()) {
        head.append_child("dateCreated").text() = std::string(date_created).c_str();
    }
    auto body = opml.append_child("body");
    for (const auto& feed : feeds) {
        auto outline = body.append_child("outline");
        const auto& label =
            feed.title.empty() ? (feed.name.empty() ? feed.url : feed.name) : feed.title;
        outline.append_attribute("type") = "rss";
        outline.append_attribute("text") = label.c_str();
        outline.append_attribute("title") = label.c_str();
        outline.append_attribute("xmlUrl") = feed.url.c_str();
        if (!feed.html_url.empty()) outline.append_attribute("htmlUrl") = feed.html_url.c_str();
        if (!feed.tags.empty()) {
            std::string categories;
            for (const auto& tag : feed.tags) {
                if (!categories.empty()) categories += ',';
                categories += tag;
            }
            outline.append_attribute("category") = categories.c_str();
        }
        if (!feed.name.empty()) outline.append_attribute(kNameAttribute) = feed.name.c_str();
    }
    std::ostringstream out;
    doc.save(out, "  ", pugi::format_indent, pugi::encoding_utf8);
    return out.str();
}

}  // namespace herald::cli
