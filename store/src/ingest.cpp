// Store::apply: a batch of poll outcomes in one transaction, each feed in its own SAVEPOINT.

#include <algorithm>
#include <unordered_set>

#include <SQLiteCpp/Exception.h>
#include <sqlite3.h>

#include "feeds.hpp"
#include "identity.hpp"
#include "impl.hpp"

namespace herald::store {
namespace detail {
namespace {

// One feed's row as apply() needs it, plus the event counter shared by the batch.
struct FeedContext {
    std::int64_t id = 0;
    int status = 0;
    std::optional<std::string> last_error;
    bool has_succeeded = false;
    KeyRule rule = KeyRule::kGuid;
    std::optional<std::int64_t> snapshot_id;
    FeedSnapshot snapshot;  // current name, url, title
    bool snapshot_checked = false;
    std::int64_t at_ms = 0;
};

struct Batch {
    std::int64_t seq = 0;  // last seq written
    ApplyResult result;
};

std::optional<FeedContext> load_context(Store::Impl& impl, std::int64_t feed_id) {
    auto& select = impl.statement(
        "SELECT status, last_error, has_succeeded, key_rule, snapshot_id, name, url, title "
        "FROM feeds WHERE id = ?");
    select.bind(1, feed_id);
    if (!select.executeStep()) return std::nullopt;
    FeedContext feed;
    feed.id = feed_id;
    feed.status = select.getColumn(0).getInt();
    feed.last_error = opt_text(select.getColumn(1));
    feed.has_succeeded = select.getColumn(2).getInt() != 0;
    feed.rule = static_cast<KeyRule>(std::clamp(select.getColumn(3).getInt(), 0, 2));
    feed.snapshot_id = opt_int(select.getColumn(4));
    feed.snapshot = {select.getColumn(5).getString(), select.getColumn(6).getString(),
                     opt_text(select.getColumn(7))};
    return feed;
}

// Events carry the feed's name/url/title as they were: a new snapshot row when they changed.
std::int64_t snapshot_for(Store::Impl& impl, FeedContext& feed) {
    if (feed.snapshot_checked) return *feed.snapshot_id;
    feed.snapshot_checked = true;
    if (feed.snapshot_id) {
        auto& select = impl.statement("SELECT name, url, title FROM feed_snapshots WHERE id = ?");
        select.bind(1, *feed.snapshot_id);
        if (select.executeStep() && select.getColumn(0).getString() == feed.snapshot.name &&
            select.getColumn(1).getString() == feed.snapshot.url &&
            opt_text(select.getColumn(2)) == feed.snapshot.title) {
            return *feed.snapshot_id;
        }
    }
    auto& insert = impl.statement("INSERT INTO feed_snapshots (name, url, title) VALUES (?, ?, ?)");
    insert.bind(1, feed.snapshot.name);
    insert.bind(2, feed.snapshot.url);
    bind_opt(insert, 3, feed.snapshot.title);
    insert.exec();
    feed.snapshot_id = impl.db.getLastInsertRowid();
    auto& update = impl.statement("UPDATE feeds SET snapshot_id = ? WHERE id = ?");
    update.bind(1, *feed.snapshot_id);
    update.bind(2, feed.id);
    update.exec();
    return *feed.snapshot_id;
}

void emit(Store::Impl& impl, Batch& batch, FeedContext& feed, EventKind kind,
          std::optional<std::int64_t> item_id, const Body* body,
          const std::optional<std::string>& error) {
    std::int64_t snapshot = snapshot_for(impl, feed);
    std::int64_t seq = ++batch.seq;
    auto& insert = impl.statement(
        "INSERT INTO events (seq, kind, at_ms, snapshot_id, item_id, error) "
        "VALUES (?, ?, ?, ?, ?, ?)");
    insert.bind(1, seq);
    insert.bind(2, static_cast<int>(kind));
    insert.bind(3, feed.at_ms);
    insert.bind(4, snapshot);
    bind_opt(insert, 5, item_id);
    bind_opt(insert, 6, error);
    insert.exec();
    EventFields fields{seq,     kind, feed.at_ms, &impl.store_id, &feed.snapshot,
                       item_id, body, &error};
    batch.result.events.push_back(Event{seq, kind, feed.snapshot.name, event_payload(fields)});
}

void fts_write(Store::Impl& impl, bool remove, std::int64_t item_id, const Body& body) {
    if (!impl.search) return;
    impl.pending_fts.push_back({remove, item_id, body.title, body.summary, body.content});
}

// Moves every identity of the feed to the rule it falls back to (a rule only ever degrades).
void rekey(Store::Impl& impl, std::int64_t feed_id, KeyRule rule) {
    auto& update = impl.statement(
        rule == KeyRule::kLink
            ? "UPDATE OR IGNORE identities SET key = coalesce(link_hash, content_hash) "
              "WHERE feed_id = ?"
            : "UPDATE OR IGNORE identities SET key = content_hash WHERE feed_id = ?");
    update.bind(1, feed_id);
    update.exec();
    auto& save = impl.statement("UPDATE feeds SET key_rule = ? WHERE id = ?");
    save.bind(1, static_cast<int>(rule));
    save.bind(2, feed_id);
    save.exec();
}

void bind_key(SQLite::Statement& statement, int index, const IdentityKey& key) {
    if (key.text) {
        statement.bind(index, *key.text);
    } else {
        statement.bind(index, key.hash);
    }
}

struct Known {
    std::int64_t item_id = 0;
    std::int64_t raw_hash = 0;
};

std::optional<Known> find_identity(Store::Impl& impl, std::int64_t feed_id,
                                   const IdentityKey& key) {
    auto& select =
        impl.statement("SELECT item_id, raw_hash FROM identities WHERE feed_id = ? AND key = ?");
    select.bind(1, feed_id);
    bind_key(select, 2, key);
    if (!select.executeStep()) return std::nullopt;
    return Known{select.getColumn(0).getInt64(), select.getColumn(1).getInt64()};
}

void write_hashes(Store::Impl& impl, std::int64_t feed_id, const IdentityKey& key,
                  const parser::Item& item, std::int64_t raw) {
    auto& update = impl.statement(
        "UPDATE identities SET raw_hash = ?, link_hash = ?, content_hash = ? "
        "WHERE feed_id = ? AND key = ?");
    update.bind(1, raw);
    bind_opt(update, 2, link_key(item));
    update.bind(3, content_key(item));
    update.bind(4, feed_id);
    bind_key(update, 5, key);
    update.exec();
}

void insert_item(Store::Impl& impl, Batch& batch, FeedContext& feed, const parser::Item& item,
                 const IdentityKey& key, std::int64_t raw) {
    Body body = body_of(item, !feed.has_succeeded);
    std::int64_t seen = feed.at_ms / 1000;
    std::int64_t dated = body.published ? *body.published : body.updated ? *body.updated : seen;
    std::int64_t seq = batch.seq + 1;
    auto& insert = impl.statement(
        "INSERT INTO items (feed_id, seq, cur_seq, initial, first_seen, sort_time, published, "
        "updated, guid, title, link, author, categories, enclosures, summary, content) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, feed.id);
    insert.bind(2, seq);
    insert.bind(3, seq);
    insert.bind(4, body.initial ? 1 : 0);
    insert.bind(5, seen);
    insert.bind(6, std::min(dated, seen));  // a date in the future must not pin it on top
    bind_body(insert, 7, body);
    insert.exec();
    std::int64_t item_id = impl.db.getLastInsertRowid();
    auto& identity = impl.statement(
        "INSERT INTO identities (feed_id, key, item_id, raw_hash, link_hash, content_hash) "
        "VALUES (?, ?, ?, ?, ?, ?)");
    identity.bind(1, feed.id);
    bind_key(identity, 2, key);
    identity.bind(3, item_id);
    identity.bind(4, raw);
    bind_opt(identity, 5, link_key(item));
    identity.bind(6, content_key(item));
    identity.exec();
    fts_write(impl, false, item_id, body);
    emit(impl, batch, feed, EventKind::kItemNew, item_id, &body, std::nullopt);
    ++batch.result.new_items;
}

enum class Change { kNone, kUpdated };

// The title, link, summary and content that decide whether an item changed.
parser::Item compared_fields(const Body& body) {
    parser::Item item;
    item.title = body.title;
    item.link = body.link;
    item.summary = body.summary;
    item.content = body.content;
    return item;
}

// A known identity whose bytes changed: an update unless only whitespace moved (compared with
// the stored body, so new items need no normalised hash). The old body stays for the events
// that showed it.
Change update_item(Store::Impl& impl, Batch& batch, FeedContext& feed, const parser::Item& item,
                   std::int64_t item_id) {
    static const std::string select_sql =
        std::string("SELECT cur_seq, initial, ") + kBodyColumns + " FROM items WHERE id = ?";
    auto& select = impl.statement(select_sql.c_str());
    select.bind(1, item_id);
    if (!select.executeStep()) return Change::kNone;  // a tombstone: never resurrected
    std::int64_t old_seq = select.getColumn(0).getInt64();
    Body old_body = read_body(select, 2);
    old_body.initial = select.getColumn(1).getInt() != 0;
    select.reset();
    if (normalised_hash(compared_fields(old_body)) == normalised_hash(item)) return Change::kNone;

    auto& keep = impl.statement(
        "INSERT OR IGNORE INTO versions (seq, item_id, initial, published, updated, guid, title, "
        "link, author, categories, enclosures, summary, content) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    keep.bind(1, old_seq);
    keep.bind(2, item_id);
    keep.bind(3, old_body.initial ? 1 : 0);
    bind_body(keep, 4, old_body);
    keep.exec();

    Body body = body_of(item, old_body.initial);
    auto& update = impl.statement(
        "UPDATE items SET cur_seq = ?, published = ?, updated = ?, guid = ?, title = ?, link = ?, "
        "author = ?, categories = ?, enclosures = ?, summary = ?, content = ? WHERE id = ?");
    update.bind(1, batch.seq + 1);
    bind_body(update, 2, body);
    update.bind(12, item_id);
    update.exec();
    fts_write(impl, true, item_id, old_body);
    fts_write(impl, false, item_id, body);
    emit(impl, batch, feed, EventKind::kItemUpdated, item_id, &body, std::nullopt);
    ++batch.result.updated_items;
    return Change::kUpdated;
}

void ingest_items(Store::Impl& impl, Batch& batch, FeedContext& feed,
                  const std::vector<parser::Item>& items) {
    KeyRule rule = choose_rule(items, feed.rule);
    if (rule != feed.rule) {
        rekey(impl, feed.id, rule);
        feed.rule = rule;
    }
    std::unordered_set<std::int64_t> seen;
    // Feeds list newest first; storing oldest first keeps ids and seqs in publication order.
    for (auto it = items.rbegin(); it != items.rend(); ++it) {
        const parser::Item& item = *it;
        IdentityKey key = identity_key(item, rule);
        if (!seen.insert(key.hash).second) continue;  // repeated within this fetch: first copy wins
        std::int64_t raw = raw_hash(item);
        auto known = find_identity(impl, feed.id, key);
        if (!known) {
            insert_item(impl, batch, feed, item, key, raw);
            continue;
        }
        if (known->raw_hash == raw) {  // the common case: nothing changed, nothing written
            ++batch.result.unchanged_items;
            continue;
        }
        if (update_item(impl, batch, feed, item, known->item_id) == Change::kNone) {
            ++batch.result.unchanged_items;
        }
        write_hashes(impl, feed.id, key, item, raw);
    }
}

void apply_state(Store::Impl& impl, Batch& batch, FeedContext& feed, const FeedOutcome& outcome) {
    int status = outcome.gone ? 2 : outcome.error ? 1 : 0;
    FetchState fetch = outcome.fetch;
    if (outcome.error && !fetch.last_error) fetch.last_error = outcome.error;
    if (outcome.gone) {
        std::optional<std::string> error =
            fetch.last_error ? fetch.last_error : std::optional<std::string>("HTTP 410 Gone");
        if (feed.status != 2)
            emit(impl, batch, feed, EventKind::kFeedError, std::nullopt, nullptr, error);
    } else if (outcome.error) {
        if (feed.status != 1 || feed.last_error != outcome.error) {
            emit(impl, batch, feed, EventKind::kFeedError, std::nullopt, nullptr, outcome.error);
        }
    } else if (feed.status != 0) {
        emit(impl, batch, feed, EventKind::kFeedOk, std::nullopt, nullptr, std::nullopt);
    }
    auto& update = impl.statement(
        "UPDATE feeds SET status = ?, etag = ?, last_modified = ?, next_poll = ?, "
        "last_polled = ?, retry_after = ?, last_status = ?, last_error = ?, error_count = ?, "
        "redirect_candidate = ?, has_succeeded = has_succeeded OR ? WHERE id = ?");
    update.bind(1, status);
    bind_opt(update, 2, fetch.etag);
    bind_opt(update, 3, fetch.last_modified);
    bind_time(update, 4, fetch.next_poll);
    bind_time(update, 5, fetch.last_polled);
    bind_time(update, 6, fetch.retry_after);
    bind_opt(update, 7, fetch.last_status);
    bind_opt(update, 8, status == 0 ? std::optional<std::string>() : fetch.last_error);
    update.bind(9, fetch.error_count);
    bind_opt(update, 10, fetch.redirect_candidate);
    update.bind(11, outcome.parsed ? 1 : 0);
    update.bind(12, feed.id);
    update.exec();
}

void apply_feed_info(Store::Impl& impl, FeedContext& feed, const FeedOutcome& outcome) {
    if (outcome.new_url && *outcome.new_url != feed.snapshot.url) {
        auto& update = impl.statement(
            "UPDATE feeds SET url = ?1 WHERE id = ?2 AND NOT EXISTS "
            "(SELECT 1 FROM feeds WHERE url = ?1)");
        update.bind(1, *outcome.new_url);
        update.bind(2, feed.id);
        if (update.exec() > 0) {
            feed.snapshot.url = *outcome.new_url;
            bump_feeds_version(impl);
        }
    }
    if (outcome.parsed && outcome.parsed->feed.title &&
        outcome.parsed->feed.title != feed.snapshot.title) {
        feed.snapshot.title = outcome.parsed->feed.title;
        auto& update = impl.statement("UPDATE feeds SET title = ? WHERE id = ?");
        bind_opt(update, 1, feed.snapshot.title);
        update.bind(2, feed.id);
        update.exec();
    }
}

bool apply_one(Store::Impl& impl, Batch& batch, const FeedOutcome& outcome) {
    auto feed = load_context(impl, outcome.feed_id);
    if (!feed) return false;
    auto at = outcome.at == Clock::time_point{} ? Clock::now() : outcome.at;
    feed->at_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
    apply_feed_info(impl, *feed, outcome);
    apply_state(impl, batch, *feed, outcome);
    if (outcome.parsed && !outcome.error && !outcome.gone) {
        std::int64_t new_before = batch.result.new_items;
        ingest_items(impl, batch, *feed, outcome.parsed->items);
        if (batch.result.new_items > new_before) {
            auto& count =
                impl.statement("UPDATE feeds SET item_count = item_count + ? WHERE id = ?");
            count.bind(1, batch.result.new_items - new_before);
            count.bind(2, feed->id);
            count.exec();
        }
    }
    return true;
}

// Data this feed brought that breaks a constraint: roll back only this feed.
bool is_feed_local(const SQLite::Exception& e) {
    int code = e.getErrorCode();
    return code == SQLITE_CONSTRAINT || code == SQLITE_MISMATCH || code == SQLITE_TOOBIG ||
           code == SQLITE_RANGE;
}

}  // namespace
}  // namespace detail

Result<ApplyResult> Store::apply(std::span<const FeedOutcome> outcomes) {
    if (impl_->options.read_only) return tl::unexpected(impl_->requires_writer());
    return impl_->run([&]() -> Result<ApplyResult> {
        detail::WriteTransaction transaction(*impl_);
        impl_->pending_fts.clear();
        detail::Batch batch;
        batch.seq = detail::read_meta_int(*impl_, "last_seq");
        for (const auto& outcome : outcomes) {
            std::int64_t seq_before = batch.seq;
            ApplyResult saved_counts{{},
                                     batch.result.new_items,
                                     batch.result.updated_items,
                                     batch.result.unchanged_items,
                                     {},
                                     {}};
            std::size_t events_before = batch.result.events.size();
            std::size_t fts_before = impl_->pending_fts.size();
            impl_->db.exec("SAVEPOINT feed");
            try {
                if (!detail::apply_one(*impl_, batch, outcome)) {
                    batch.result.unknown_feeds.push_back(outcome.feed_id);
                }
                impl_->db.exec("RELEASE feed");
            } catch (const SQLite::Exception& e) {
                if (!detail::is_feed_local(e)) throw;
                impl_->db.exec("ROLLBACK TO feed");
                impl_->db.exec("RELEASE feed");
                batch.seq = seq_before;
                batch.result.events.resize(events_before);
                impl_->pending_fts.resize(fts_before);
                batch.result.new_items = saved_counts.new_items;
                batch.result.updated_items = saved_counts.updated_items;
                batch.result.unchanged_items = saved_counts.unchanged_items;
                batch.result.failed_feeds.push_back({outcome.feed_id, impl_->error(e)});
            }
        }
        detail::flush_fts(*impl_);
        detail::write_meta_int(*impl_, "last_seq", batch.seq);
        transaction.commit();
        return std::move(batch.result);
    });
}

}  // namespace herald::store
