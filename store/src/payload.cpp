#include "payload.hpp"

#include <cstdio>

#include <nlohmann/json.hpp>

namespace herald::store {
namespace detail {
namespace {

using Json = nlohmann::ordered_json;

Json nullable(const std::optional<std::string>& text) {
    return text ? Json(*text) : Json();
}

Json array_or_empty(const std::optional<std::string>& text) {
    if (!text) return Json::array();
    Json parsed = Json::parse(*text, nullptr, false);
    return parsed.is_discarded() ? Json::array() : parsed;
}

// Bytes of the valid UTF-8 sequence at the start of `text`, or 0 when it is not one.
std::size_t utf8_sequence_length(std::string_view text) {
    auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    auto continuation = [&](std::size_t i) { return i < text.size() && (byte(i) & 0xC0) == 0x80; };
    unsigned char lead = byte(0);
    if (lead >= 0xC2 && lead <= 0xDF) return continuation(1) ? 2 : 0;
    if (lead >= 0xE0 && lead <= 0xEF) {
        if (!continuation(1) || !continuation(2)) return 0;
        if (lead == 0xE0 && byte(1) < 0xA0) return 0;   // overlong
        if (lead == 0xED && byte(1) >= 0xA0) return 0;  // surrogates
        return 3;
    }
    if (lead >= 0xF0 && lead <= 0xF4) {
        if (!continuation(1) || !continuation(2) || !continuation(3)) return 0;
        if (lead == 0xF0 && byte(1) < 0x90) return 0;   // overlong
        if (lead == 0xF4 && byte(1) >= 0x90) return 0;  // beyond U+10FFFF
        return 4;
    }
    return 0;
}

std::optional<std::int64_t> seconds_of(const std::optional<Time>& time) {
    if (!time) return std::nullopt;
    return time->time_since_epoch().count();
}

// Appends `text` as a JSON string. Invalid UTF-8 from a broken feed becomes U+FFFD, so a
// payload is always valid JSON. Hand-written: payloads are built for every new item, and this
// runs several times faster than building a json object and dumping it.
void append_string(std::string& out, std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    std::size_t i = 0;
    const std::size_t n = text.size();
    while (i < n) {
        std::size_t run = i;
        while (run < n) {
            auto c = static_cast<unsigned char>(text[run]);
            if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) break;
            ++run;
        }
        out.append(text.data() + i, run - i);
        i = run;
        if (i >= n) break;
        auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            out += '\\';
            switch (c) {
                case '"':
                    out += '"';
                    break;
                case '\\':
                    out += '\\';
                    break;
                case '\n':
                    out += 'n';
                    break;
                case '\r':
                    out += 'r';
                    break;
                case '\t':
                    out += 't';
                    break;
                case '\b':
                    out += 'b';
                    break;
                case '\f':
                    out += 'f';
                    break;
                default:
                    out += "u00";
                    out += kHex[c >> 4];
                    out += kHex[c & 0xf];
            }
            ++i;
            continue;
        }
        std::size_t length = utf8_sequence_length(text.substr(i));
        if (length == 0) {
            out += "\xEF\xBF\xBD";
            ++i;
        } else {
            out.append(text.data() + i, length);
            i += length;
        }
    }
    out += '"';
}

void append_key(std::string& out, const char* key) {
    out += '"';
    out += key;
    out += "\":";
}

void append_nullable(std::string& out, const std::optional<std::string>& text) {
    if (text) {
        append_string(out, *text);
    } else {
        out += "null";
    }
}

void append_time(std::string& out, const std::optional<std::int64_t>& seconds) {
    if (!seconds) {
        out += "null";
        return;
    }
    out += '"';
    out += parser::format_time(Time(std::chrono::seconds(*seconds)));
    out += '"';
}

// The contract's item object, in the contract's key order, without the closing brace.
void append_item(std::string& out, std::int64_t id, const Body& body, bool initial) {
    out += "{\"id\":";
    out += std::to_string(id);
    out += ',';
    append_key(out, "guid");
    append_nullable(out, body.guid);
    out += ',';
    append_key(out, "title");
    append_nullable(out, body.title);
    out += ',';
    append_key(out, "link");
    append_nullable(out, body.link);
    out += ',';
    append_key(out, "published");
    append_time(out, body.published);
    out += ',';
    append_key(out, "updated");
    append_time(out, body.updated);
    out += ',';
    append_key(out, "author");
    append_nullable(out, body.author);
    out += ',';
    append_key(out, "summary");
    append_nullable(out, body.summary);
    out += ',';
    append_key(out, "content");
    append_nullable(out, body.content);
    out += ',';
    // Stored as JSON made by json::dump, so they go in as they are.
    append_key(out, "categories");
    out += body.categories ? *body.categories : "[]";
    out += ',';
    append_key(out, "enclosures");
    out += body.enclosures ? *body.enclosures : "[]";
    out += ',';
    append_key(out, "initial");
    out += initial ? "true" : "false";
}

}  // namespace

Body body_of(const parser::Item& item, bool initial) {
    Body body;
    body.guid = item.id;
    body.title = item.title;
    body.link = item.link;
    body.author = item.author;
    body.summary = item.summary;
    body.content = item.content;
    body.published = seconds_of(item.published);
    body.updated = seconds_of(item.updated);
    body.categories = categories_json(item.categories);
    body.enclosures = enclosures_json(item.enclosures);
    body.initial = initial;
    return body;
}

parser::Item item_of(const Body& body) {
    parser::Item item;
    item.id = body.guid;
    item.title = body.title;
    item.link = body.link;
    item.author = body.author;
    item.summary = body.summary;
    item.content = body.content;
    if (body.published) item.published = Time(std::chrono::seconds(*body.published));
    if (body.updated) item.updated = Time(std::chrono::seconds(*body.updated));
    for (const auto& category : array_or_empty(body.categories)) {
        if (category.is_string()) item.categories.push_back(category.get<std::string>());
    }
    for (const auto& enclosure : array_or_empty(body.enclosures)) {
        parser::Enclosure out;
        out.url = enclosure.value("url", "");
        if (enclosure.contains("type") && enclosure["type"].is_string()) {
            out.type = enclosure["type"].get<std::string>();
        }
        if (enclosure.contains("length") && enclosure["length"].is_number_integer()) {
            out.length = enclosure["length"].get<std::int64_t>();
        }
        item.enclosures.push_back(std::move(out));
    }
    return item;
}

std::optional<std::string> categories_json(const std::vector<std::string>& list) {
    if (list.empty()) return std::nullopt;
    return Json(list).dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::optional<std::string> enclosures_json(const std::vector<parser::Enclosure>& list) {
    if (list.empty()) return std::nullopt;
    Json array = Json::array();
    for (const auto& enclosure : list) {
        Json object;
        object["url"] = enclosure.url;
        object["type"] = nullable(enclosure.type);
        object["length"] = enclosure.length ? Json(*enclosure.length) : Json();
        array.push_back(std::move(object));
    }
    return array.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string format_time_ms(std::int64_t unix_ms) {
    std::int64_t seconds = unix_ms / 1000;
    std::int64_t millis = unix_ms % 1000;
    if (millis < 0) {
        millis += 1000;
        seconds -= 1;
    }
    std::string text = parser::format_time(Time(std::chrono::seconds(seconds)));
    char fraction[8];
    std::snprintf(fraction, sizeof fraction, ".%03d", static_cast<int>(millis));
    text.insert(text.size() - 1, fraction);
    return text;
}

std::string event_payload(const EventFields& fields) {
    std::string out;
    std::size_t body_bytes = 0;
    if (fields.body != nullptr) {
        for (const auto* text :
             {&fields.body->title, &fields.body->summary, &fields.body->content}) {
            body_bytes += *text ? (*text)->size() : 0;
        }
    }
    out.reserve(512 + body_bytes + body_bytes / 16);
    out += "{\"seq\":";
    out += std::to_string(fields.seq);
    out += ",\"kind\":\"";
    out += event_kind_name(fields.kind);
    out += "\",\"at\":\"";
    out += format_time_ms(fields.at_ms);
    out += "\",\"store\":";
    append_string(out, *fields.store_id);
    out += ",\"feed\":{\"name\":";
    append_string(out, fields.feed->name);
    out += ",\"url\":";
    append_string(out, fields.feed->url);
    out += ",\"title\":";
    append_nullable(out, fields.feed->title);
    out += '}';
    if (fields.body != nullptr && fields.item_id) {
        bool initial = fields.kind == EventKind::kItemNew && fields.body->initial;
        out += ",\"item\":";
        append_item(out, *fields.item_id, *fields.body, initial);
        out += '}';
    }
    if (fields.kind == EventKind::kFeedError) {
        out += ",\"error\":";
        if (fields.error != nullptr) {
            append_nullable(out, *fields.error);
        } else {
            out += "null";
        }
    }
    out += '}';
    return out;
}

}  // namespace detail

std::string_view event_kind_name(EventKind kind) {
    switch (kind) {
        case EventKind::kItemNew:
            return "item.new";
        case EventKind::kItemUpdated:
            return "item.updated";
        case EventKind::kFeedError:
            return "feed.error";
        case EventKind::kFeedOk:
            return "feed.ok";
    }
    return "item.new";
}

std::string Event::topic() const {
    std::string topic(event_kind_name(kind));
    topic += '/';
    topic += feed_name;
    topic += '/';
    return topic;
}

std::string item_json(const StoredItem& stored) {
    auto body = detail::body_of(stored.item, stored.initial);
    std::string out;
    detail::append_item(out, stored.id, body, stored.initial);
    out += ",\"feed\":";
    detail::append_string(out, stored.feed_name);
    out += ",\"seq\":";
    out += std::to_string(stored.seq);
    out += '}';
    return out;
}

}  // namespace herald::store
