// to_json: the object `herald parse` prints, keys in the contract's order.
#include <nlohmann/json.hpp>

#include <herald/parser.hpp>

namespace herald::parser {
namespace {

using nlohmann::ordered_json;

template <typename T>
ordered_json optional_value(const std::optional<T>& value) {
    return value ? ordered_json(*value) : ordered_json(nullptr);
}

ordered_json optional_time(const std::optional<Time>& value) {
    return value ? ordered_json(format_time(*value)) : ordered_json(nullptr);
}

ordered_json feed_object(const FeedInfo& info) {
    ordered_json out = ordered_json::object();
    out["title"] = optional_value(info.title);
    out["link"] = optional_value(info.link);
    out["subtitle"] = optional_value(info.subtitle);
    out["language"] = optional_value(info.language);
    out["updated"] = optional_time(info.updated);
    out["author"] = optional_value(info.author);
    out["generator"] = optional_value(info.generator);
    out["image"] = optional_value(info.image);
    out["id"] = optional_value(info.id);
    out["ttl"] = optional_value(info.ttl);
    return out;
}

ordered_json item_object(const Item& item) {
    ordered_json out = ordered_json::object();
    out["id"] = optional_value(item.id);
    out["title"] = optional_value(item.title);
    out["link"] = optional_value(item.link);
    out["published"] = optional_time(item.published);
    out["updated"] = optional_time(item.updated);
    out["author"] = optional_value(item.author);
    out["summary"] = optional_value(item.summary);
    out["content"] = optional_value(item.content);
    out["categories"] = item.categories;
    ordered_json enclosures = ordered_json::array();
    for (const auto& enclosure : item.enclosures) {
        ordered_json e = ordered_json::object();
        e["url"] = enclosure.url;
        e["type"] = optional_value(enclosure.type);
        e["length"] = optional_value(enclosure.length);
        enclosures.push_back(std::move(e));
    }
    out["enclosures"] = std::move(enclosures);
    return out;
}

}  // namespace

std::string to_json(const ParsedFeed& feed) {
    ordered_json out = ordered_json::object();
    out["format"] = format_name(feed.format);
    out["bozo"] = feed.bozo;
    out["warnings"] = feed.warnings;
    out["feed"] = feed_object(feed.feed);
    ordered_json items = ordered_json::array();
    for (const auto& item : feed.items) items.push_back(item_object(item));
    out["items"] = std::move(items);
    // Invalid UTF-8 can only come from a bug upstream; replace it rather than throw.
    return out.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

}  // namespace herald::parser
