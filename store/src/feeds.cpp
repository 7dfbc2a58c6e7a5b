#include "feeds.hpp"

#include <nlohmann/json.hpp>

namespace herald::store {

std::string_view feed_state_name(FeedState state) {
    switch (state) {
        case FeedState::kOk:
            return "ok";
        case FeedState::kError:
            return "error";
        case FeedState::kGone:
            return "gone";
        case FeedState::kDisabled:
            return "disabled";
    }
    return "ok";
}

namespace detail {
namespace {

constexpr const char* kFeedColumns =
    "id, name, url, title, tags, status, enabled, source, interval_s, etag, last_modified, "
    "next_poll, last_polled, retry_after, last_status, last_error, error_count, "
    "redirect_candidate, has_succeeded, item_count";

std::string tags_json(const std::vector<std::string>& tags) {
    return nlohmann::json(tags).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<std::string> tags_of(const SQLite::Column& column) {
    std::vector<std::string> tags;
    if (column.isNull()) return tags;
    auto parsed = nlohmann::json::parse(column.getString(), nullptr, false);
    if (!parsed.is_array()) return tags;
    for (const auto& tag : parsed) {
        if (tag.is_string()) tags.push_back(tag.get<std::string>());
    }
    return tags;
}

FeedRecord read_feed(SQLite::Statement& row) {
    FeedRecord feed;
    feed.id = row.getColumn(0).getInt64();
    feed.name = row.getColumn(1).getString();
    feed.url = row.getColumn(2).getString();
    feed.title = opt_text(row.getColumn(3));
    feed.tags = tags_of(row.getColumn(4));
    int status = row.getColumn(5).getInt();
    feed.enabled = row.getColumn(6).getInt() != 0;
    feed.state = !feed.enabled ? FeedState::kDisabled
                 : status == 1 ? FeedState::kError
                 : status == 2 ? FeedState::kGone
                               : FeedState::kOk;
    feed.source = row.getColumn(7).getInt() == 0 ? FeedSource::kConfig : FeedSource::kCli;
    if (auto seconds = opt_int(row.getColumn(8))) feed.interval = std::chrono::seconds(*seconds);
    feed.fetch.etag = opt_text(row.getColumn(9));
    feed.fetch.last_modified = opt_text(row.getColumn(10));
    feed.fetch.next_poll = opt_time(row.getColumn(11));
    feed.fetch.last_polled = opt_time(row.getColumn(12));
    feed.fetch.retry_after = opt_time(row.getColumn(13));
    if (auto status_code = opt_int(row.getColumn(14))) {
        feed.fetch.last_status = static_cast<int>(*status_code);
    }
    feed.fetch.last_error = opt_text(row.getColumn(15));
    feed.fetch.error_count = row.getColumn(16).getInt();
    feed.fetch.redirect_candidate = opt_text(row.getColumn(17));
    feed.has_succeeded = row.getColumn(18).getInt() != 0;
    feed.item_count = row.getColumn(19).getInt64();
    return feed;
}

bool is_slug(std::string_view name) {
    if (name.empty()) return false;
    for (char c : name) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
        if (!ok) return false;
    }
    return true;
}

Result<void> validate(const FeedSpec& spec) {
    if (spec.url.empty())
        return tl::unexpected(make_error(StoreErrorKind::kInvalid, "feed URL is empty"));
    if (!is_slug(spec.name)) {
        return tl::unexpected(make_error(StoreErrorKind::kInvalid,
                                         "feed name '" + spec.name + "' is not a slug [a-z0-9-]"));
    }
    return {};
}

struct FeedKey {
    std::int64_t id = 0;
    bool removed = false;
};

std::optional<FeedKey> feed_by(Store::Impl& impl, const char* sql, const std::string& value) {
    auto& select = impl.statement(sql);
    select.bind(1, value);
    if (!select.executeStep()) return std::nullopt;
    return FeedKey{select.getColumn(0).getInt64(), select.getColumn(1).getInt() != 0};
}

constexpr const char* kFeedByUrl = "SELECT id, removed FROM feeds WHERE url = ?";
constexpr const char* kFeedByName = "SELECT id, removed FROM feeds WHERE name = ?";

// Frees `name` for feed `keep`: another feed holding it is renamed NAME-ID (a removed one
// silently; a live one only when the config claims the name, which wins over the CLI).
void free_name(Store::Impl& impl, const std::string& name, std::int64_t keep) {
    auto holder = feed_by(impl, kFeedByName, name);
    if (!holder || holder->id == keep) return;
    auto& rename = impl.statement("UPDATE feeds SET name = name || '-' || id WHERE id = ?");
    rename.bind(1, holder->id);
    rename.exec();
}

void write_spec(Store::Impl& impl, std::int64_t id, const FeedSpec& spec, int source) {
    auto& update = impl.statement(
        "UPDATE feeds SET name = ?2, url = ?3, interval_s = ?4, tags = ?5, source = ?6, "
        "enabled = 1, removed = 0 WHERE id = ?1");
    update.bind(1, id);
    update.bind(2, spec.name);
    update.bind(3, spec.url);
    if (spec.interval) {
        update.bind(4, static_cast<std::int64_t>(spec.interval->count()));
    } else {
        update.bind(4);
    }
    update.bind(5, tags_json(spec.tags));
    update.bind(6, source);
    update.exec();
}

std::int64_t insert_feed(Store::Impl& impl, const FeedSpec& spec, int source) {
    auto& insert = impl.statement("INSERT INTO feeds (name, url, source) VALUES (?, ?, ?)");
    insert.bind(1, spec.name);
    insert.bind(2, spec.url);
    insert.bind(3, source);
    insert.exec();
    std::int64_t id = impl.db.getLastInsertRowid();
    write_spec(impl, id, spec, source);
    return id;
}

// Whether the row already says what the spec says (so a re-read config changes nothing).
bool matches_spec(Store::Impl& impl, std::int64_t id, const FeedSpec& spec) {
    auto& select = impl.statement(
        "SELECT count(*) FROM feeds WHERE id = ?1 AND name = ?2 AND url = ?3 AND "
        "interval_s IS ?4 AND tags = ?5 AND source = 0 AND enabled = 1 AND removed = 0");
    select.bind(1, id);
    select.bind(2, spec.name);
    select.bind(3, spec.url);
    if (spec.interval) {
        select.bind(4, static_cast<std::int64_t>(spec.interval->count()));
    } else {
        select.bind(4);
    }
    select.bind(5, tags_json(spec.tags));
    select.executeStep();
    return select.getColumn(0).getInt() > 0;
}

}  // namespace

Result<FeedRecord> load_feed(Store::Impl& impl, std::string_view name_or_url) {
    static const std::string sql = std::string("SELECT ") + kFeedColumns +
                                   " FROM feeds WHERE removed = 0 AND (name = ?1 OR url = ?1)";
    auto& select = impl.statement(sql.c_str());
    select.bind(1, std::string(name_or_url));
    if (!select.executeStep()) {
        return tl::unexpected(
            make_error(StoreErrorKind::kNotFound, "no feed '" + std::string(name_or_url) + "'"));
    }
    return read_feed(select);
}

Result<FeedRecord> load_feed(Store::Impl& impl, std::int64_t feed_id) {
    static const std::string sql =
        std::string("SELECT ") + kFeedColumns + " FROM feeds WHERE id = ?";
    auto& select = impl.statement(sql.c_str());
    select.bind(1, feed_id);
    if (!select.executeStep()) {
        return tl::unexpected(
            make_error(StoreErrorKind::kNotFound, "no feed with id " + std::to_string(feed_id)));
    }
    return read_feed(select);
}

std::vector<FeedRecord> load_feeds(Store::Impl& impl, std::optional<Time> due_at,
                                   std::size_t limit) {
    static const std::string all_sql =
        std::string("SELECT ") + kFeedColumns + " FROM feeds WHERE removed = 0 ORDER BY name";
    static const std::string due_sql =
        std::string("SELECT ") + kFeedColumns +
        " FROM feeds WHERE removed = 0 AND enabled = 1 AND status != 2 "
        "AND coalesce(next_poll, 0) <= ?1 AND coalesce(retry_after, 0) <= ?1 "
        "ORDER BY coalesce(next_poll, 0), id LIMIT ?2";
    auto& select = impl.statement(due_at ? due_sql.c_str() : all_sql.c_str());
    if (due_at) {
        select.bind(1, static_cast<std::int64_t>(due_at->time_since_epoch().count()));
        select.bind(2, static_cast<std::int64_t>(limit));
    }
    std::vector<FeedRecord> feeds;
    while (select.executeStep()) feeds.push_back(read_feed(select));
    return feeds;
}

Result<SyncReport> sync_config_feeds(Store::Impl& impl, std::span<const FeedSpec> specs) {
    SyncReport report;
    std::vector<std::int64_t> kept;
    for (const auto& spec : specs) {
        if (auto valid = validate(spec); !valid) return tl::unexpected(valid.error());
        // The URL identifies a feed; a known name with a new URL is the same feed moved.
        auto match = feed_by(impl, kFeedByUrl, spec.url);
        if (!match) match = feed_by(impl, kFeedByName, spec.name);
        if (!match) {
            free_name(impl, spec.name, 0);
            kept.push_back(insert_feed(impl, spec, 0));
            ++report.added;
            continue;
        }
        kept.push_back(match->id);
        if (matches_spec(impl, match->id, spec)) continue;
        free_name(impl, spec.name, match->id);
        write_spec(impl, match->id, spec, 0);
        ++report.updated;
    }
    auto& select =
        impl.statement("SELECT id FROM feeds WHERE source = 0 AND enabled = 1 AND removed = 0");
    std::vector<std::int64_t> stale;
    while (select.executeStep()) {
        std::int64_t id = select.getColumn(0).getInt64();
        if (std::find(kept.begin(), kept.end(), id) == kept.end()) stale.push_back(id);
    }
    for (std::int64_t id : stale) {
        // Left the config: disabled, items kept (contract "Configuration").
        auto& disable = impl.statement("UPDATE feeds SET enabled = 0 WHERE id = ?");
        disable.bind(1, id);
        disable.exec();
        ++report.disabled;
    }
    if (report.added + report.updated + report.disabled > 0) bump_feeds_version(impl);
    return report;
}

Result<std::int64_t> insert_cli_feed(Store::Impl& impl, const FeedSpec& spec) {
    if (auto valid = validate(spec); !valid) return tl::unexpected(valid.error());
    auto by_url = feed_by(impl, kFeedByUrl, spec.url);
    if (by_url && !by_url->removed) {
        return tl::unexpected(
            make_error(StoreErrorKind::kConflict, "feed " + spec.url + " is already present"));
    }
    auto by_name = feed_by(impl, kFeedByName, spec.name);
    if (by_name && !by_name->removed && (!by_url || by_name->id != by_url->id)) {
        return tl::unexpected(make_error(StoreErrorKind::kConflict,
                                         "feed name '" + spec.name + "' is already taken"));
    }
    std::int64_t id = 0;
    if (by_url) {
        // Revive the removed feed: its identities are kept, so old items stay old.
        id = by_url->id;
        free_name(impl, spec.name, id);
        write_spec(impl, id, spec, 1);
        auto& reset = impl.statement(
            "UPDATE feeds SET status = 0, next_poll = NULL, retry_after = NULL, "
            "error_count = 0, last_error = NULL WHERE id = ?");
        reset.bind(1, id);
        reset.exec();
    } else {
        free_name(impl, spec.name, 0);
        id = insert_feed(impl, spec, 1);
    }
    bump_feeds_version(impl);
    return id;
}

void tombstone_feed(Store::Impl& impl, std::int64_t feed_id) {
    std::vector<std::int64_t> items;
    auto& select = impl.statement("SELECT id FROM items WHERE feed_id = ?");
    select.bind(1, feed_id);
    while (select.executeStep()) items.push_back(select.getColumn(0).getInt64());
    for (std::int64_t item : items) tombstone_item(impl, item);
    auto& update = impl.statement("UPDATE feeds SET removed = 1, enabled = 0 WHERE id = ?");
    update.bind(1, feed_id);
    update.exec();
    bump_feeds_version(impl);
}

}  // namespace detail
}  // namespace herald::store
