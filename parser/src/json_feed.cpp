// JSON Feed 1.0 and 1.1 (jsonfeed.org), read with nlohmann's non-throwing parser.
#include <nlohmann/json.hpp>

#include "formats.hpp"

namespace herald::parser::detail {
namespace {

using nlohmann::json;

// nlohmann's parser is iterative, but a 100k-deep array still costs a heap node per level;
// feeds never nest deeper than a few levels, so deeper input is refused before parsing.
constexpr int kMaxJsonDepth = 64;

bool exceeds_depth(std::string_view text) {
    int depth = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\') {
                ++i;
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            if (++depth > kMaxJsonDepth) return true;
        } else if (c == '}' || c == ']') {
            --depth;
        }
    }
    return false;
}

std::optional<std::string> string_at(const json& object, const char* key) {
    const auto it = object.find(key);
    if (it == object.end() || !it->is_string()) return std::nullopt;
    const auto text = trim(it->get_ref<const std::string&>());
    if (text.empty()) return std::nullopt;
    return std::string(text);
}

std::optional<Time> date_at(const json& object, const char* key) {
    const auto text = string_at(object, key);
    return text ? parse_date(*text) : std::nullopt;
}

// 1.1's "authors" array, or 1.0's "author" object; the first named person.
std::optional<std::string> author_of(const json& object) {
    if (const auto it = object.find("authors"); it != object.end() && it->is_array()) {
        for (const auto& person : *it) {
            if (!person.is_object()) continue;
            if (auto name = string_at(person, "name")) return name;
        }
    }
    if (const auto it = object.find("author"); it != object.end() && it->is_object()) {
        return string_at(*it, "name");
    }
    return std::nullopt;
}

Item read_item(const json& object) {
    Item item;
    item.id = string_at(object, "id");
    if (!item.id) {
        // JSON Feed allows numeric ids, though it asks for strings.
        if (const auto it = object.find("id"); it != object.end() && it->is_number_integer()) {
            item.id = std::to_string(it->get<std::int64_t>());
        }
    }
    item.title = string_at(object, "title");
    item.link = string_at(object, "url");
    if (!item.link) item.link = string_at(object, "external_url");
    item.published = date_at(object, "date_published");
    item.updated = date_at(object, "date_modified");
    item.author = author_of(object);
    item.summary = string_at(object, "summary");
    item.content = string_at(object, "content_html");
    if (!item.content) item.content = string_at(object, "content_text");
    if (const auto it = object.find("tags"); it != object.end() && it->is_array()) {
        for (const auto& tag : *it) {
            if (tag.is_string() && !trim(tag.get_ref<const std::string&>()).empty()) {
                item.categories.emplace_back(trim(tag.get_ref<const std::string&>()));
            }
        }
    }
    if (const auto it = object.find("attachments"); it != object.end() && it->is_array()) {
        for (const auto& attachment : *it) {
            if (!attachment.is_object()) continue;
            auto url = string_at(attachment, "url");
            if (!url) continue;
            Enclosure enclosure{std::move(*url), string_at(attachment, "mime_type"), {}};
            if (const auto size = attachment.find("size_in_bytes");
                size != attachment.end() && size->is_number_integer()) {
                enclosure.length = size->get<std::int64_t>();
            }
            item.enclosures.push_back(std::move(enclosure));
        }
    }
    finish_item(item);
    return item;
}

}  // namespace

tl::expected<ParsedFeed, ParseError> read_json_feed(std::string_view text,
                                                    Diagnostics& diagnostics) {
    if (exceeds_depth(text)) {
        return tl::unexpected(ParseError{ParseErrorKind::kTooDeep, "JSON nested too deeply"});
    }
    const json document = json::parse(text, nullptr, false);
    if (document.is_discarded() || !document.is_object()) {
        return tl::unexpected(ParseError{ParseErrorKind::kNotAFeed, "not a feed: invalid JSON"});
    }
    const auto version = string_at(document, "version").value_or("");
    if (version.find("jsonfeed.org/version/") == std::string::npos) {
        return tl::unexpected(
            ParseError{ParseErrorKind::kNotAFeed, "not a feed: JSON without a JSON Feed version"});
    }
    ParsedFeed feed;
    feed.format =
        version.find("version/1.1") != std::string::npos ? Format::kJson11 : Format::kJson10;
    feed.bozo = diagnostics.bozo;
    feed.warnings = diagnostics.warnings;
    FeedInfo& info = feed.feed;
    info.title = string_at(document, "title");
    info.link = string_at(document, "home_page_url");
    info.subtitle = string_at(document, "description");
    info.language = string_at(document, "language");
    info.author = author_of(document);
    info.image = string_at(document, "icon");
    if (!info.image) info.image = string_at(document, "favicon");
    info.id = string_at(document, "feed_url");
    if (const auto it = document.find("items"); it != document.end() && it->is_array()) {
        for (const auto& entry : *it) {
            if (entry.is_object()) feed.items.push_back(read_item(entry));
        }
    }
    for (auto& item : feed.items) {
        if (!item.author) item.author = info.author;
    }
    return feed;
}

}  // namespace herald::parser::detail
