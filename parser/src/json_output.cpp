// to_json: the object `herald parse` prints, keys in the contract's order. Written directly
// into one string: building nlohmann objects first cost more than the parse itself. The output
// is byte for byte what nlohmann's dump() gives (parser_test's ToJson tests compare the two);
// a string that is not valid UTF-8 (a bug upstream) sends the whole feed through nlohmann,
// which replaces the bad bytes instead of throwing.
#include "json_output.hpp"

#include <nlohmann/json.hpp>

#include <herald/parser.hpp>

#include "utf8.hpp"

namespace herald::parser {
namespace {

using nlohmann::ordered_json;

// ---- through nlohmann (the reference, and the fallback for invalid UTF-8) -----------------

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

// ---- direct writer -------------------------------------------------------------------------

class JsonWriter {
public:
    explicit JsonWriter(std::string& out) : out_(out) {}

    [[nodiscard]] bool is_valid() const { return is_valid_; }

    void open(char bracket) {
        separate();
        out_.push_back(bracket);
        is_first_ = true;
    }
    void close(char bracket) {
        out_.push_back(bracket);
        is_first_ = false;
    }
    // `name` is one of the contract's keys: plain ASCII, nothing to escape.
    template <typename T>
    void field(std::string_view name, const T& content) {
        key(name);
        value(content);
    }
    void key(std::string_view name) {
        separate();
        out_.push_back('"');
        out_.append(name);
        out_.append("\":");
        is_first_ = true;  // the value that follows needs no comma
    }

    void value(std::string_view text) {
        separate();
        append_string(text);
    }
    void value(bool flag) {
        separate();
        out_.append(flag ? "true" : "false");
    }
    void value(std::int64_t number) {
        separate();
        out_.append(std::to_string(number));
    }
    void null() {
        separate();
        out_.append("null");
    }
    template <typename T>
    void value(const std::optional<T>& optional) {
        if (optional) {
            value(*optional);
        } else {
            null();
        }
    }
    void value(const std::optional<Time>& time) {
        if (time) {
            value(std::string_view(format_time(*time)));
        } else {
            null();
        }
    }
    void value(const std::vector<std::string>& strings) {
        open('[');
        for (const auto& text : strings) value(std::string_view(text));
        close(']');
    }

private:
    void separate() {
        if (!is_first_) out_.push_back(',');
        is_first_ = false;
    }

    // As nlohmann's dump(-1, ' ', false): UTF-8 kept, '"', '\' and controls escaped.
    void append_string(std::string_view text) {
        static constexpr char kHex[] = "0123456789abcdef";
        const auto* p = reinterpret_cast<const unsigned char*>(text.data());
        out_.push_back('"');
        std::size_t copied = 0;
        for (std::size_t i = 0; i < text.size();) {
            const unsigned c = p[i];
            if (c >= 0x80) {
                const std::size_t length = detail::utf8_sequence_length(p + i, text.size() - i);
                is_valid_ = is_valid_ && length > 0;
                i += length > 0 ? length : 1;
                continue;
            }
            if (c >= 0x20 && c != '"' && c != '\\') {
                ++i;
                continue;
            }
            out_.append(text.substr(copied, i - copied));
            switch (c) {
                case '"':
                    out_.append("\\\"");
                    break;
                case '\\':
                    out_.append("\\\\");
                    break;
                case '\b':
                    out_.append("\\b");
                    break;
                case '\t':
                    out_.append("\\t");
                    break;
                case '\n':
                    out_.append("\\n");
                    break;
                case '\f':
                    out_.append("\\f");
                    break;
                case '\r':
                    out_.append("\\r");
                    break;
                default:
                    out_.append("\\u00");
                    out_.push_back(kHex[c >> 4U]);
                    out_.push_back(kHex[c & 0xFU]);
            }
            copied = ++i;
        }
        out_.append(text.substr(copied));
        out_.push_back('"');
    }

    std::string& out_;
    bool is_first_ = true;
    bool is_valid_ = true;
};

void write_feed_info(JsonWriter& json, const FeedInfo& info) {
    json.open('{');
    json.field("title", info.title);
    json.field("link", info.link);
    json.field("subtitle", info.subtitle);
    json.field("language", info.language);
    json.field("updated", info.updated);
    json.field("author", info.author);
    json.field("generator", info.generator);
    json.field("image", info.image);
    json.field("id", info.id);
    json.field("ttl", info.ttl);
    json.close('}');
}

void write_item(JsonWriter& json, const Item& item) {
    json.open('{');
    json.field("id", item.id);
    json.field("title", item.title);
    json.field("link", item.link);
    json.field("published", item.published);
    json.field("updated", item.updated);
    json.field("author", item.author);
    json.field("summary", item.summary);
    json.field("content", item.content);
    json.field("categories", item.categories);
    json.key("enclosures");
    json.open('[');
    for (const auto& enclosure : item.enclosures) {
        json.open('{');
        json.field("url", std::string_view(enclosure.url));
        json.field("type", enclosure.type);
        json.field("length", enclosure.length);
        json.close('}');
    }
    json.close(']');
    json.close('}');
}

}  // namespace

namespace detail {

std::string to_json_with_nlohmann(const ParsedFeed& feed) {
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

}  // namespace detail

std::string to_json(const ParsedFeed& feed) {
    std::string out;
    out.reserve(4096);
    JsonWriter json(out);
    json.open('{');
    json.field("format", format_name(feed.format));
    json.field("bozo", feed.bozo);
    json.field("warnings", feed.warnings);
    json.key("feed");
    write_feed_info(json, feed.feed);
    json.key("items");
    json.open('[');
    for (const auto& item : feed.items) write_item(json, item);
    json.close(']');
    json.close('}');
    if (!json.is_valid()) return detail::to_json_with_nlohmann(feed);
    return out;
}

}  // namespace herald::parser
