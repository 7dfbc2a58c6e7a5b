// The event log read back (replay), retention (prune), and the self-checks.

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

std::optional<Body> body_at(Store::Impl& impl, std::int64_t seq, std::int64_t item_id) {
    static const std::string version_sql =
        std::string("SELECT initial, ") + kBodyColumns + " FROM versions WHERE seq = ?";
    auto& version = impl.statement(version_sql.c_str());
    version.bind(1, seq);
    if (version.executeStep()) {
        Body body = read_body(version, 1);
        body.initial = version.getColumn(0).getInt() != 0;
        return body;
    }
    static const std::string item_sql =
        std::string("SELECT initial, ") + kBodyColumns + " FROM items WHERE id = ? AND cur_seq = ?";
    auto& item = impl.statement(item_sql.c_str());
    item.bind(1, item_id);
    item.bind(2, seq);
    if (!item.executeStep()) return std::nullopt;
    Body body = read_body(item, 1);
    body.initial = item.getColumn(0).getInt() != 0;
    return body;
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

Result<std::vector<Event>> Store::replay(std::int64_t after, int limit) {
    return impl_->run([&]() -> Result<std::vector<Event>> {
        std::int64_t first = detail::first_held_seq(*impl_);
        if (after < first - 1 && first > 1) {
            StoreError error = detail::make_error(StoreErrorKind::kPruned,
                                                  "events after " + std::to_string(after) +
                                                      " were pruned; the oldest held is " +
                                                      std::to_string(first) + ": start from there");
            error.first_seq = first;
            return tl::unexpected(std::move(error));
        }
        auto& select = impl_->statement(
            "SELECT e.seq, e.kind, e.at_ms, e.item_id, e.error, s.name, s.url, s.title "
            "FROM events e JOIN feed_snapshots s ON s.id = e.snapshot_id "
            "WHERE e.seq > ? ORDER BY e.seq LIMIT ?");
        select.bind(1, after);
        select.bind(2, std::clamp(limit, 1, 1000));
        std::vector<Event> events;
        while (select.executeStep()) {
            std::int64_t seq = select.getColumn(0).getInt64();
            auto kind = static_cast<EventKind>(select.getColumn(1).getInt());
            auto item_id = detail::opt_int(select.getColumn(3));
            std::optional<std::string> error = detail::opt_text(select.getColumn(4));
            detail::FeedSnapshot feed{select.getColumn(5).getString(),
                                      select.getColumn(6).getString(),
                                      detail::opt_text(select.getColumn(7))};
            std::optional<detail::Body> body;
            if (item_id) body = detail::body_at(*impl_, seq, *item_id);
            detail::EventFields fields{
                seq,   kind,    select.getColumn(2).getInt64(), &impl_->store_id,
                &feed, item_id, body ? &*body : nullptr,        &error};
            events.push_back(Event{seq, kind, feed.name, detail::event_payload(fields)});
        }
        return events;
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
