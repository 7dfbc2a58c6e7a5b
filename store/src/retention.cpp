// The event log read back (replay), retention (prune), and the self-checks.

#include <memory>
#include <string_view>
#include <unordered_map>

#include <SQLiteCpp/Exception.h>
#include <sqlite3.h>

#include "feeds.hpp"
#include "impl.hpp"

namespace herald::store {
namespace detail {

std::int64_t first_held_seq(Store::Impl& impl) {
    auto& select = impl.statement("SELECT min(seq) FROM events");
    select.executeStep();
    if (!select.getColumn(0).isNull()) return select.getColumn(0).getInt64();
    return read_meta_int(impl, "last_seq") + 1;
}

void flush_fts(Store::Impl& impl) {
    for (const auto& write : impl.pending_fts) {
        auto& statement = impl.statement(
            write.remove ? "INSERT INTO items_fts (items_fts, rowid, title, summary, content) "
                           "VALUES ('delete', ?, ?, ?, ?)"
                         : "INSERT INTO items_fts (rowid, title, summary, content) "
                           "VALUES (?, ?, ?, ?)");
        statement.bind(1, write.rowid);
        bind_opt(statement, 2, write.title);
        bind_opt(statement, 3, write.summary);
        bind_opt(statement, 4, write.content);
        statement.exec();
    }
    impl.pending_fts.clear();
}

void tombstone_item(Store::Impl& impl, std::int64_t item_id) {
    static const std::string select_sql = std::string("SELECT cur_seq, initial, feed_id, ") +
                                          kBodyColumns + " FROM items WHERE id = ?";
    auto& select = impl.statement(select_sql.c_str());
    select.bind(1, item_id);
    if (!select.executeStep()) return;
    std::int64_t cur_seq = select.getColumn(0).getInt64();
    std::int64_t feed_id = select.getColumn(2).getInt64();
    Body body = read_body(select, 3);
    body.initial = select.getColumn(1).getInt() != 0;
    select.reset();
    auto& count = impl.statement("UPDATE feeds SET item_count = item_count - 1 WHERE id = ?");
    count.bind(1, feed_id);
    count.exec();
    if (cur_seq >= first_held_seq(impl)) {
        // A held event still shows this body: keep it for replay.
        auto& keep = impl.statement(
            "INSERT OR IGNORE INTO versions (seq, item_id, initial, published, updated, guid, "
            "title, link, author, categories, enclosures, summary, content) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        keep.bind(1, cur_seq);
        keep.bind(2, item_id);
        keep.bind(3, body.initial ? 1 : 0);
        bind_body(keep, 4, body);
        keep.exec();
    }
    if (impl.search) {
        impl.pending_fts.push_back({true, item_id, body.title, body.summary, body.content});
        flush_fts(impl);
    }
    auto& remove = impl.statement("DELETE FROM items WHERE id = ?");
    remove.bind(1, item_id);
    remove.exec();
}

namespace {

std::int64_t count(Store::Impl& impl, const char* sql) {
    auto& select = impl.statement(sql);
    select.executeStep();
    return select.getColumn(0).getInt64();
}

// The event log read back in one pass: each event row joined with the body it showed (a
// versions row when the item changed or left since, else the item itself), read in place.
constexpr const char* kReplaySql =
    "SELECT e.seq, e.kind, e.at_ms, e.item_id, e.error, e.snapshot_id, v.seq, "
    "v.initial, v.published, v.updated, v.guid, v.title, v.link, v.author, v.categories, "
    "v.enclosures, v.summary, v.content, "
    "i.initial, i.published, i.updated, i.guid, i.title, i.link, i.author, i.categories, "
    "i.enclosures, i.summary, i.content "
    "FROM events e LEFT JOIN versions v ON v.seq = e.seq "
    "LEFT JOIN items i ON v.seq IS NULL AND i.id = e.item_id AND i.cur_seq = e.seq "
    "WHERE e.seq > ? ORDER BY e.seq LIMIT ?";
constexpr int kVersionSeq = 6;
constexpr int kVersionBody = 7;  // initial, then the body columns in kBodyColumns order
constexpr int kItemBody = 18;

// The replay statement, prepared per call on the raw handle: SQLiteCpp 3.2.1 keeps a
// statement's sqlite3_stmt private, and its Column objects cost a shared_ptr copy each, ~30
// per event. Finalized on every path (unique_ptr), so no read snapshot outlives the call.
struct Finalize {
    void operator()(sqlite3_stmt* statement) const noexcept { sqlite3_finalize(statement); }
};
using RawStatement = std::unique_ptr<sqlite3_stmt, Finalize>;

RawStatement prepare(SQLite::Database& db, const char* sql) {
    sqlite3_stmt* statement = nullptr;
    int rc = sqlite3_prepare_v2(db.getHandle(), sql, -1, &statement, nullptr);
    RawStatement owned(statement);
    if (rc != SQLITE_OK) throw SQLite::Exception(db.getHandle(), rc);
    return owned;
}

// True for a row, false at the end; failures become SQLite::Exception like SQLiteCpp's.
bool step(SQLite::Database& db, sqlite3_stmt* statement) {
    int rc = sqlite3_step(statement);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw SQLite::Exception(db.getHandle(), rc);
}

// Raw column reads: the text stays in SQLite's row buffer, valid until the next step.
std::optional<std::string_view> text_at(sqlite3_stmt* row, int column) {
    if (sqlite3_column_type(row, column) == SQLITE_NULL) return std::nullopt;
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(row, column));
    return std::string_view(text, static_cast<std::size_t>(sqlite3_column_bytes(row, column)));
}
std::optional<std::int64_t> int_at(sqlite3_stmt* row, int column) {
    if (sqlite3_column_type(row, column) == SQLITE_NULL) return std::nullopt;
    return sqlite3_column_int64(row, column);
}

// The body columns from `first` on: initial, published, updated, guid, title, link, author,
// categories, enclosures, summary, content; nullopt when the row has none (not an item event,
// or its body is gone: the payload then carries no item, as it did before).
std::optional<BodyView> body_view_at(sqlite3_stmt* row, int first) {
    if (sqlite3_column_type(row, first) == SQLITE_NULL) return std::nullopt;
    BodyView body;
    body.initial = sqlite3_column_int(row, first) != 0;
    body.published = int_at(row, first + 1);
    body.updated = int_at(row, first + 2);
    body.guid = text_at(row, first + 3);
    body.title = text_at(row, first + 4);
    body.link = text_at(row, first + 5);
    body.author = text_at(row, first + 6);
    body.categories = text_at(row, first + 7);
    body.enclosures = text_at(row, first + 8);
    body.summary = text_at(row, first + 9);
    body.content = text_at(row, first + 10);
    return body;
}

// A feed snapshot's name and its `"store":..,"feed":{..}` JSON, kept for one replay call.
struct SnapshotText {
    std::string name;
    std::string json;
};

const SnapshotText& snapshot_text(Store::Impl& impl,
                                  std::unordered_map<std::int64_t, SnapshotText>& cache,
                                  std::int64_t id) {
    auto found = cache.find(id);
    if (found != cache.end()) return found->second;
    auto& select = impl.statement("SELECT name, url, title FROM feed_snapshots WHERE id = ?");
    select.bind(1, id);
    FeedSnapshot feed;
    if (select.executeStep()) {
        feed = FeedSnapshot{select.getColumn(0).getString(), select.getColumn(1).getString(),
                            opt_text(select.getColumn(2))};
    }
    select.reset();
    SnapshotText text{feed.name, store_and_feed_json(impl.store_id, feed)};
    return cache.emplace(id, std::move(text)).first->second;
}

std::size_t text_bytes(const std::optional<BodyView>& body) {
    if (!body) return 0;
    std::size_t bytes = 0;
    for (const auto* text :
         {&body->guid, &body->title, &body->link, &body->author, &body->categories,
          &body->enclosures, &body->summary, &body->content}) {
        bytes += *text ? (*text)->size() : 0;
    }
    return bytes;
}

std::vector<std::int64_t> ids(Store::Impl& impl, SQLite::Statement& select) {
    std::vector<std::int64_t> out;
    while (select.executeStep()) out.push_back(select.getColumn(0).getInt64());
    select.reset();
    (void)impl;
    return out;
}

void problem_if(Store::Impl& impl, CheckReport& report, const char* sql, const char* what) {
    std::int64_t n = count(impl, sql);
    if (n > 0) report.problems.push_back(std::to_string(n) + " " + what);
}

}  // namespace
}  // namespace detail

namespace detail {
namespace {

std::optional<StoreError> pruned_before(Store::Impl& impl, std::int64_t after) {
    std::int64_t first = first_held_seq(impl);
    if (after >= first - 1 || first <= 1) return std::nullopt;
    StoreError error =
        make_error(StoreErrorKind::kPruned, "events after " + std::to_string(after) +
                                                " were pruned; the oldest held is " +
                                                std::to_string(first) + ": start from there");
    error.first_seq = first;
    return error;
}

// Calls on_event(event, feed_name, size_hint) for each event after `after` (at most `limit`),
// in seq order, until it returns false. The views in `event` live until it returns.
template <typename OnEvent>
void read_events(Store::Impl& impl, std::int64_t after, int limit, OnEvent&& on_event) {
    auto select = prepare(impl.db, kReplaySql);
    sqlite3_stmt* row = select.get();
    sqlite3_bind_int64(row, 1, after);
    sqlite3_bind_int(row, 2, std::clamp(limit, 1, 1000));
    std::unordered_map<std::int64_t, SnapshotText> snapshots;
    std::int64_t at_ms = 0;
    std::string at;
    while (step(impl.db, row)) {
        if (at.empty() || sqlite3_column_int64(row, 2) != at_ms) {
            at_ms = sqlite3_column_int64(row, 2);  // a poll's events share one time
            at = format_time_ms(at_ms);
        }
        const auto& feed = snapshot_text(impl, snapshots, sqlite3_column_int64(row, 5));
        auto item_id = int_at(row, 3);
        std::optional<BodyView> body;
        if (item_id) {
            body = body_view_at(row, sqlite3_column_type(row, kVersionSeq) == SQLITE_NULL
                                         ? kItemBody
                                         : kVersionBody);
        }
        EventView event{sqlite3_column_int64(row, 0),
                        static_cast<EventKind>(sqlite3_column_int(row, 1)),
                        at,
                        feed.json,
                        item_id,
                        body ? &*body : nullptr,
                        text_at(row, 4)};
        const std::size_t bytes = text_bytes(body);
        if (!on_event(event, feed.name, 256 + feed.json.size() + bytes + bytes / 16)) break;
    }
}

}  // namespace
}  // namespace detail

Result<std::vector<Event>> Store::replay(std::int64_t after, int limit) {
    return impl_->run([&]() -> Result<std::vector<Event>> {
        if (auto pruned = detail::pruned_before(*impl_, after)) {
            return tl::unexpected(std::move(*pruned));
        }
        std::vector<Event> events;
        detail::read_events(*impl_, after, limit,
                            [&](const detail::EventView& event, const std::string& feed_name,
                                std::size_t size_hint) {
                                Event out{event.seq, event.kind, feed_name, {}};
                                out.payload.reserve(size_hint);
                                detail::append_event_payload(out.payload, event);
                                events.push_back(std::move(out));
                                return true;
                            });
        return events;
    });
}

Result<ReplayJson> Store::replay_json(std::int64_t after, int limit, std::int64_t through,
                                      std::string_view head) {
    return impl_->run([&]() -> Result<ReplayJson> {
        if (auto pruned = detail::pruned_before(*impl_, after)) {
            return tl::unexpected(std::move(*pruned));
        }
        ReplayJson page;
        page.payloads = head;
        detail::read_events(
            *impl_, after, limit,
            [&](const detail::EventView& event, const std::string&, std::size_t size_hint) {
                if (event.seq > through) return false;
                if (page.count > 0) page.payloads += ',';
                // One allocation for the page, sized from its first event (a size hint errs
                // high); later growth is geometric. Growing by small steps instead cost a
                // fresh mmap and its page faults per step: a third of heraldd's replay time.
                if (page.count == 0) {
                    page.payloads.reserve(head.size() +
                                          static_cast<std::size_t>(std::clamp(limit, 1, 1000)) *
                                              size_hint);
                }
                detail::append_event_payload(page.payloads, event);
                ++page.count;
                page.last_seq = event.seq;
                return true;
            });
        return page;
    });
}

Result<std::int64_t> Store::last_seq() {
    return impl_->run(
        [&]() -> Result<std::int64_t> { return detail::read_meta_int(*impl_, "last_seq"); });
}

Result<PruneReport> Store::prune(Time now) {
    if (impl_->options.read_only) return tl::unexpected(impl_->requires_writer());
    return impl_->run([&]() -> Result<PruneReport> {
        const auto& options = impl_->options;
        PruneReport report;
        detail::WriteTransaction transaction(*impl_);
        if (options.keep_events > 0) {
            auto& remove = impl_->statement("DELETE FROM events WHERE seq <= ?");
            remove.bind(1, detail::read_meta_int(*impl_, "last_seq") - options.keep_events);
            report.events_deleted = remove.exec();
            auto& versions = impl_->statement("DELETE FROM versions WHERE seq < ?");
            versions.bind(1, detail::first_held_seq(*impl_));
            versions.exec();
        }
        std::vector<std::int64_t> doomed;
        if (options.keep_days > 0) {
            auto& old = impl_->statement("SELECT id FROM items WHERE sort_time < ?");
            old.bind(1, static_cast<std::int64_t>(now.time_since_epoch().count()) -
                            options.keep_days * 86400);
            doomed = detail::ids(*impl_, old);
        }
        if (options.keep_items > 0) {
            auto& crowded =
                impl_->statement("SELECT feed_id FROM items GROUP BY feed_id HAVING count(*) > ?");
            crowded.bind(1, options.keep_items);
            for (std::int64_t feed : detail::ids(*impl_, crowded)) {
                auto& extra = impl_->statement(
                    "SELECT id FROM items WHERE feed_id = ? "
                    "ORDER BY sort_time DESC, id DESC LIMIT -1 OFFSET ?");
                extra.bind(1, feed);
                extra.bind(2, options.keep_items);
                auto more = detail::ids(*impl_, extra);
                doomed.insert(doomed.end(), more.begin(), more.end());
            }
        }
        for (std::int64_t id : doomed) detail::tombstone_item(*impl_, id);
        report.items_tombstoned = static_cast<std::int64_t>(doomed.size());
        transaction.commit();
        return report;
    });
}

Result<CheckReport> Store::check() {
    return impl_->run([&]() -> Result<CheckReport> {
        CheckReport report;
        auto& integrity = impl_->statement("PRAGMA integrity_check");
        while (integrity.executeStep()) {
            std::string line = integrity.getColumn(0).getString();
            if (line != "ok") report.problems.push_back("integrity: " + line);
        }
        std::int64_t last = detail::read_meta_int(*impl_, "last_seq");
        auto& span = impl_->statement("SELECT count(*), min(seq), max(seq) FROM events");
        span.executeStep();
        std::int64_t n = span.getColumn(0).getInt64();
        if (n > 0) {
            std::int64_t low = span.getColumn(1).getInt64();
            std::int64_t high = span.getColumn(2).getInt64();
            if (high != last) {
                report.problems.push_back("last event " + std::to_string(high) +
                                          " differs from the counter " + std::to_string(last));
            }
            if (high - low + 1 != n) {
                report.problems.push_back("event seqs " + std::to_string(low) + ".." +
                                          std::to_string(high) + " have gaps (" +
                                          std::to_string(n) + " events)");
            }
        }
        span.reset();
        detail::problem_if(
            *impl_, report,
            "SELECT count(*) FROM events WHERE item_id IS NOT NULL AND item_id NOT IN "
            "(SELECT id FROM items) AND item_id NOT IN (SELECT item_id FROM identities)",
            "events name an item that is neither stored nor a tombstone");
        detail::problem_if(
            *impl_, report,
            "SELECT count(*) FROM events e WHERE e.item_id IS NOT NULL AND NOT EXISTS "
            "(SELECT 1 FROM versions v WHERE v.seq = e.seq) AND NOT EXISTS "
            "(SELECT 1 FROM items i WHERE i.id = e.item_id AND i.cur_seq = e.seq)",
            "item events cannot be replayed (their body is missing)");
        detail::problem_if(*impl_, report,
                           "SELECT count(*) FROM (SELECT item_id FROM identities "
                           "GROUP BY item_id HAVING count(*) > 1)",
                           "items have more than one identity");
        detail::problem_if(*impl_, report,
                           "SELECT count(*) FROM feeds f WHERE item_count != "
                           "(SELECT count(*) FROM items WHERE feed_id = f.id)",
                           "feeds have a wrong item count");
        detail::problem_if(*impl_, report,
                           "SELECT count(*) FROM items WHERE id NOT IN "
                           "(SELECT item_id FROM identities)",
                           "items have no identity");
        report.ok = report.problems.empty();
        return report;
    });
}

Result<StoreStatus> Store::status(Time now) {
    return impl_->run([&]() -> Result<StoreStatus> {
        StoreStatus status;
        status.store_id = impl_->store_id;
        auto& feeds = impl_->statement(
            "SELECT count(*), sum(enabled = 1 AND status = 0), sum(enabled = 1 AND status = 1), "
            "sum(enabled = 1 AND status = 2), sum(enabled = 0), "
            "sum(enabled = 1 AND status != 2 AND coalesce(next_poll, 0) <= ?1 "
            "AND coalesce(retry_after, 0) <= ?1) FROM feeds WHERE removed = 0");
        feeds.bind(1, static_cast<std::int64_t>(now.time_since_epoch().count()));
        feeds.executeStep();
        status.feeds = feeds.getColumn(0).getInt64();
        status.feeds_ok = feeds.getColumn(1).getInt64();
        status.feeds_error = feeds.getColumn(2).getInt64();
        status.feeds_gone = feeds.getColumn(3).getInt64();
        status.feeds_disabled = feeds.getColumn(4).getInt64();
        status.feeds_due = feeds.getColumn(5).getInt64();
        feeds.reset();
        status.items = detail::count(*impl_, "SELECT count(*) FROM items");
        status.tombstones = detail::count(*impl_, "SELECT count(*) FROM identities") - status.items;
        status.last_seq = detail::read_meta_int(*impl_, "last_seq");
        std::int64_t first = detail::first_held_seq(*impl_);
        status.first_seq = first > status.last_seq ? 0 : first;
        return status;
    });
}

}  // namespace herald::store
