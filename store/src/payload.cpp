#include "payload.hpp"

#include <cstdint>
#include <cstring>

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

// True when some byte of the 8 in `word` needs the slow path: a control character, '"', '\\'
// or a non-ASCII byte (UTF-8 to check). Bit tricks on 8 bytes at once ("determine if a word
// has a byte less than n"): exact as a yes/no answer, which is all that is asked of them.
bool needs_escape(std::uint64_t word) {
    constexpr std::uint64_t kOnes = 0x0101010101010101ull;
    constexpr std::uint64_t kHigh = 0x8080808080808080ull;
    auto has_zero = [&](std::uint64_t v) { return (v - kOnes) & ~v & kHigh; };
    const std::uint64_t control = (word - kOnes * 0x20) & ~word & kHigh;
    return (control | has_zero(word ^ (kOnes * '"')) | has_zero(word ^ (kOnes * '\\')) |
            (word & kHigh)) != 0;
}

bool plain_byte(unsigned char c) {
    return c >= 0x20 && c != '"' && c != '\\' && c < 0x80;
}

// Appends `text` as a JSON string. Invalid UTF-8 from a broken feed becomes U+FFFD, so a
// payload is always valid JSON. Hand-written: payloads are built for every new item and for
// every replayed event; plain ASCII runs are skipped 8 bytes at a time.
void append_string(std::string& out, std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    std::size_t i = 0;
    const std::size_t n = text.size();
    while (i < n) {
        std::size_t run = i;
        while (run + 8 <= n) {
            std::uint64_t word = 0;
            std::memcpy(&word, text.data() + run, sizeof word);
            if (needs_escape(word)) break;
            run += 8;
        }
        while (run < n && plain_byte(static_cast<unsigned char>(text[run]))) ++run;
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

// parser::format_time's "YYYY-MM-DDTHH:MM:SSZ" without snprintf (replay formats two dates
// per event); years it would not print with 4 digits go through it unchanged.
void append_utc(std::string& out, std::int64_t unix_seconds) {
    using namespace std::chrono;
    const sys_seconds time{seconds{unix_seconds}};
    const auto day_start = floor<days>(time);
    const year_month_day date{day_start};
    const int year = static_cast<int>(date.year());
    if (year < 0 || year > 9999) {
        out += parser::format_time(Time(seconds{unix_seconds}));
        return;
    }
    const auto in_day = static_cast<unsigned>((time - day_start).count());
    char text[] = "0000-00-00T00:00:00Z";
    auto put = [&](std::size_t at, unsigned value, std::size_t width) {
        for (std::size_t k = width; k-- > 0; value /= 10)
            text[at + k] = static_cast<char>('0' + value % 10);
    };
    put(0, static_cast<unsigned>(year), 4);
    put(5, static_cast<unsigned>(date.month()), 2);
    put(8, static_cast<unsigned>(date.day()), 2);
    put(11, in_day / 3600, 2);
    put(14, in_day / 60 % 60, 2);
    put(17, in_day % 60, 2);
    out.append(text, sizeof text - 1);
}

void append_key(std::string& out, const char* key) {
    out += '"';
    out += key;
    out += "\":";
}

void append_nullable(std::string& out, const std::optional<std::string_view>& text) {
    if (text) {
        append_string(out, *text);
    } else {
        out += "null";
    }
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
    append_utc(out, *seconds);
    out += '"';
}

std::optional<std::string_view> view(const std::optional<std::string>& text) {
    if (!text) return std::nullopt;
    return std::string_view(*text);
}

// The contract's item object, in the contract's key order, without the closing brace.
void append_item(std::string& out, std::int64_t id, const BodyView& body, bool initial) {
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
    out += body.categories ? *body.categories : std::string_view("[]");
    out += ',';
    append_key(out, "enclosures");
    out += body.enclosures ? *body.enclosures : std::string_view("[]");
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

std::string json_string(std::string_view text) {
    std::string out;
    append_string(out, text);
    return out;
}

BodyView view_of(const Body& body) {
    BodyView out;
    out.guid = view(body.guid);
    out.title = view(body.title);
    out.link = view(body.link);
    out.author = view(body.author);
    out.summary = view(body.summary);
    out.content = view(body.content);
    out.published = body.published;
    out.updated = body.updated;
    out.categories = view(body.categories);
    out.enclosures = view(body.enclosures);
    out.initial = body.initial;
    return out;
}

std::string format_time_ms(std::int64_t unix_ms) {
    std::int64_t seconds = unix_ms / 1000;
    std::int64_t millis = unix_ms % 1000;
    if (millis < 0) {
        millis += 1000;
        seconds -= 1;
    }
    std::string text;
    append_utc(text, seconds);
    const char fraction[] = {'.', static_cast<char>('0' + millis / 100),
                             static_cast<char>('0' + millis / 10 % 10),
                             static_cast<char>('0' + millis % 10)};
    text.insert(text.size() - 1, fraction, sizeof fraction);
    return text;
}

std::string store_and_feed_json(const std::string& store_id, const FeedSnapshot& feed) {
    std::string out = "\"store\":";
    append_string(out, store_id);
    out += ",\"feed\":{\"name\":";
    append_string(out, feed.name);
    out += ",\"url\":";
    append_string(out, feed.url);
    out += ",\"title\":";
    append_nullable(out, feed.title);
    out += '}';
    return out;
}

void append_event_payload(std::string& out, const EventView& event) {
    out += "{\"seq\":";
    out += std::to_string(event.seq);
    out += ",\"kind\":\"";
    out += event_kind_name(event.kind);
    out += "\",\"at\":\"";
    out += event.at;
    out += "\",";
    out += event.store_and_feed;
    if (event.body != nullptr && event.item_id) {
        bool initial = event.kind == EventKind::kItemNew && event.body->initial;
        out += ",\"item\":";
        append_item(out, *event.item_id, *event.body, initial);
        out += '}';
    }
    if (event.kind == EventKind::kFeedError) {
        out += ",\"error\":";
        append_nullable(out, event.error);
    }
    out += '}';
}

std::string event_payload(const EventFields& fields) {
    std::string out;
    std::size_t body_bytes = 0;
    std::optional<BodyView> body;
    if (fields.body != nullptr) {
        for (const auto* text :
             {&fields.body->title, &fields.body->summary, &fields.body->content}) {
            body_bytes += *text ? (*text)->size() : 0;
        }
        body = view_of(*fields.body);
    }
    out.reserve(512 + body_bytes + body_bytes / 16);
    const std::string at = format_time_ms(fields.at_ms);
    const std::string store_and_feed = store_and_feed_json(*fields.store_id, *fields.feed);
    EventView event{fields.seq,     fields.kind,    at,
                    store_and_feed, fields.item_id, body ? &*body : nullptr,
                    std::nullopt};
    if (fields.error != nullptr) event.error = view(*fields.error);
    append_event_payload(out, event);
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
    detail::append_item(out, stored.id, detail::view_of(body), stored.initial);
    out += ",\"feed\":";
    detail::append_string(out, stored.feed_name);
    out += ",\"seq\":";
    out += std::to_string(stored.seq);
    out += '}';
    return out;
}

}  // namespace herald::store
