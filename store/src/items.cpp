// Item queries for the CLI: newest first, full-text search, one item.

#include <sstream>

#include "feeds.hpp"
#include "impl.hpp"

namespace herald::store {
namespace detail {

Body read_body(SQLite::Statement& row, int first) {
    Body body;
    body.published = opt_int(row.getColumn(first));
    body.updated = opt_int(row.getColumn(first + 1));
    body.guid = opt_text(row.getColumn(first + 2));
    body.title = opt_text(row.getColumn(first + 3));
    body.link = opt_text(row.getColumn(first + 4));
    body.author = opt_text(row.getColumn(first + 5));
    body.categories = opt_text(row.getColumn(first + 6));
    body.enclosures = opt_text(row.getColumn(first + 7));
    body.summary = opt_text(row.getColumn(first + 8));
    body.content = opt_text(row.getColumn(first + 9));
    return body;
}

// Bodies are bound without a copy (SQLITE_STATIC): `body` outlives the statement's exec, and
// Impl::statement() clears the bindings before the statement is used again.
void bind_body(SQLite::Statement& statement, int first, const Body& body) {
    auto text = [&](int index, const std::optional<std::string>& value) {
        if (value) {
            statement.bindNoCopy(index, *value);
        } else {
            statement.bind(index);
        }
    };
    bind_opt(statement, first, body.published);
    bind_opt(statement, first + 1, body.updated);
    text(first + 2, body.guid);
    text(first + 3, body.title);
    text(first + 4, body.link);
    text(first + 5, body.author);
    text(first + 6, body.categories);
    text(first + 7, body.enclosures);
    text(first + 8, body.summary);
    text(first + 9, body.content);
}

namespace {

constexpr int kMaxLimit = 10000;

#define HERALD_ITEM_SELECT                                                                     \
    "SELECT i.id, i.feed_id, f.name, i.seq, i.initial, i.first_seen, i.published, i.updated, " \
    "i.guid, i.title, i.link, i.author, i.categories, i.enclosures, i.summary, i.content "

StoredItem read_item(SQLite::Statement& row) {
    StoredItem stored;
    stored.id = row.getColumn(0).getInt64();
    stored.feed_id = row.getColumn(1).getInt64();
    stored.feed_name = row.getColumn(2).getString();
    stored.seq = row.getColumn(3).getInt64();
    stored.initial = row.getColumn(4).getInt() != 0;
    stored.first_seen = Time(std::chrono::seconds(row.getColumn(5).getInt64()));
    stored.item = item_of(read_body(row, 6));
    return stored;
}

std::vector<StoredItem> read_items(SQLite::Statement& select) {
    std::vector<StoredItem> items;
    while (select.executeStep()) items.push_back(read_item(select));
    return items;
}

// The user's words as an FTS5 query: each word quoted (so '-', ':' or '"' are never syntax),
// all required; a trailing '*' stays a prefix search.
std::string fts_query(std::string_view text) {
    std::istringstream words{std::string(text)};
    std::string word;
    std::string query;
    while (words >> word) {
        bool prefix = word.size() > 1 && word.back() == '*';
        if (prefix) word.pop_back();
        std::string quoted = "\"";
        for (char c : word) {
            if (c == '"') quoted += '"';
            quoted += c;
        }
        quoted += '"';
        if (prefix) quoted += '*';
        if (!query.empty()) query += ' ';
        query += quoted;
    }
    return query;
}

Result<std::optional<std::int64_t>> feed_filter(Store::Impl& impl, const ItemQuery& query) {
    if (!query.feed) return std::optional<std::int64_t>();
    auto feed = load_feed(impl, *query.feed);
    if (!feed) return tl::unexpected(feed.error());
    return std::optional<std::int64_t>(feed->id);
}

}  // namespace
}  // namespace detail

Result<std::vector<StoredItem>> Store::list_items(const ItemQuery& query) {
    return impl_->run([&]() -> Result<std::vector<StoredItem>> {
        auto feed = detail::feed_filter(*impl_, query);
        if (!feed) return tl::unexpected(feed.error());
        // Two statements so each can walk its own index newest first and stop at the limit.
        auto& select = impl_->statement(
            *feed ? HERALD_ITEM_SELECT
                "FROM items i JOIN feeds f ON f.id = i.feed_id WHERE i.feed_id = ?1 "
                "AND i.sort_time >= ?2 ORDER BY i.sort_time DESC, i.id DESC LIMIT ?3"
                  : HERALD_ITEM_SELECT
                "FROM items i JOIN feeds f ON f.id = i.feed_id WHERE ?1 IS NULL "
                "AND i.sort_time >= ?2 ORDER BY i.sort_time DESC, i.id DESC LIMIT ?3");
        detail::bind_opt(select, 1, *feed);
        select.bind(2, static_cast<std::int64_t>(
                           query.since ? query.since->time_since_epoch().count() : INT64_MIN));
        select.bind(3, std::clamp(query.limit, 1, detail::kMaxLimit));
        return detail::read_items(select);
    });
}

Result<std::vector<StoredItem>> Store::search_items(std::string_view text, const ItemQuery& query) {
    if (!impl_->search) {
        return tl::unexpected(detail::make_error(
            StoreErrorKind::kInvalid,
            impl_->path.string() + ": full-text search is off ([store] search = false)"));
    }
    std::string match = detail::fts_query(text);
    if (match.empty()) {
        return tl::unexpected(detail::make_error(StoreErrorKind::kInvalid, "empty search"));
    }
    return impl_->run([&]() -> Result<std::vector<StoredItem>> {
        auto feed = detail::feed_filter(*impl_, query);
        if (!feed) return tl::unexpected(feed.error());
        // Newest matches first (rowid order), which FTS5 can stop early on; ranking every
        // match by bm25 would cost time in proportion to all matches.
        auto& select = impl_->statement(
            HERALD_ITEM_SELECT
            "FROM items_fts JOIN items i ON i.id = items_fts.rowid JOIN feeds f ON f.id = "
            "i.feed_id "
            "WHERE items_fts MATCH ?1 AND (?2 IS NULL OR i.feed_id = ?2) AND i.sort_time >= ?3 "
            "ORDER BY items_fts.rowid DESC LIMIT ?4");
        select.bind(1, match);
        detail::bind_opt(select, 2, *feed);
        select.bind(3, static_cast<std::int64_t>(
                           query.since ? query.since->time_since_epoch().count() : INT64_MIN));
        select.bind(4, std::clamp(query.limit, 1, detail::kMaxLimit));
        return detail::read_items(select);
    });
}

Result<StoredItem> Store::get_item(std::int64_t id) {
    return impl_->run([&]() -> Result<StoredItem> {
        auto& select = impl_->statement(
            HERALD_ITEM_SELECT "FROM items i JOIN feeds f ON f.id = i.feed_id WHERE i.id = ?");
        select.bind(1, id);
        if (!select.executeStep()) {
            return tl::unexpected(detail::make_error(
                StoreErrorKind::kNotFound,
                "no item " + std::to_string(id) + " (never stored, or removed by retention)"));
        }
        return detail::read_item(select);
    });
}

#undef HERALD_ITEM_SELECT

}  // namespace herald::store
