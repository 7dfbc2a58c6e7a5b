#pragma once
// Event payloads and the CLI's item JSON. Built from stored values only, so a replay rebuilds
// the very bytes that were published (store_test ReplayGivesPublishedBytes).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <herald/parser.hpp>
#include <herald/store.hpp>

namespace herald::store::detail {

// An item body as stored (items or versions row).
struct Body {
    std::optional<std::string> guid, title, link, author, summary, content;
    std::optional<std::int64_t> published, updated;     // unix seconds
    std::optional<std::string> categories, enclosures;  // JSON arrays; null when empty
    bool initial = false;
};

struct FeedSnapshot {
    std::string name;
    std::string url;
    std::optional<std::string> title;
};

[[nodiscard]] Body body_of(const parser::Item& item, bool initial);
[[nodiscard]] parser::Item item_of(const Body& body);

[[nodiscard]] std::optional<std::string> categories_json(const std::vector<std::string>& list);
[[nodiscard]] std::optional<std::string> enclosures_json(
    const std::vector<parser::Enclosure>& list);

// `text` as a JSON string literal, quotes included (invalid UTF-8 becomes U+FFFD).
[[nodiscard]] std::string json_string(std::string_view text);

// "2026-11-25T20:14:21.123Z"
[[nodiscard]] std::string format_time_ms(std::int64_t unix_ms);

struct EventFields {
    std::int64_t seq = 0;
    EventKind kind = EventKind::kItemNew;
    std::int64_t at_ms = 0;
    const std::string* store_id = nullptr;
    const FeedSnapshot* feed = nullptr;
    std::optional<std::int64_t> item_id;
    const Body* body = nullptr;                         // item events
    const std::optional<std::string>* error = nullptr;  // feed.error
};

[[nodiscard]] std::string event_payload(const EventFields& fields);

// The same payload from parts read in place (replay: views into a result row, valid until the
// row steps), through the same writer, so replay and apply() give the same bytes.
struct BodyView {
    std::optional<std::string_view> guid, title, link, author, summary, content;
    std::optional<std::int64_t> published, updated;
    std::optional<std::string_view> categories, enclosures;
    bool initial = false;
};
[[nodiscard]] BodyView view_of(const Body& body);

// `"store":ID,"feed":{...}`: the part every event of one feed snapshot shares (replay keeps
// it per snapshot instead of escaping the same names again for every event).
[[nodiscard]] std::string store_and_feed_json(const std::string& store_id,
                                              const FeedSnapshot& feed);

struct EventView {
    std::int64_t seq = 0;
    EventKind kind = EventKind::kItemNew;
    std::string_view at;              // format_time_ms(at_ms)
    std::string_view store_and_feed;  // store_and_feed_json()
    std::optional<std::int64_t> item_id;
    const BodyView* body = nullptr;         // item events
    std::optional<std::string_view> error;  // feed.error
};

void append_event_payload(std::string& out, const EventView& event);

}  // namespace herald::store::detail
