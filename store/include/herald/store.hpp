#pragma once
// herald::store — feeds, deduplicated items and the gap-free event log, in one SQLite file.
//
// Contract:
// - One writer (the daemon) and any number of readers (the CLI, opened with read_only) may use
//   the same file at once: WAL journal, busy_timeout, BEGIN IMMEDIATE for writes. A Store object
//   owns one connection; use it from one thread at a time (open one Store per thread).
// - apply() writes a batch of feed outcomes in ONE transaction (group commit); each feed's part
//   is atomic (a SAVEPOINT): its new items, updates, fetch state and events, or none of them.
//   It returns the events it wrote, in seq order, with their exact payload JSON: publish them
//   only after apply() returned (they are committed by then).
// - Items are deduplicated per feed by a stable identity: the guid/id; else the link; else a hash
//   of title + date + content. A feed whose guids are missing, blank or repeated in more than 5%
//   of a fetch falls back to the next rule for good (remembered per feed). A known identity whose
//   title, link, summary or content changed (whitespace-normalised) gives item.updated.
// - Events (item.new, item.updated, feed.error, feed.ok) take seq 1, 2, 3 ... from a counter row,
//   in the same transaction as the change. replay() gives back the exact payload bytes that
//   apply() returned, even after the item was edited or removed by retention.
// - Retention runs when the writer calls prune() (the daemon: every few minutes, outside a
//   poll's apply): bodies of items beyond keep_items per feed or dated before keep_days go, but
//   their identity keys stay as tombstones, so they never come back as new. The event log keeps
//   at least the last keep_events events; replay of a pruned range is kPruned.
// - Every writer (the daemon, and the CLI for feed commands) must pass the configured `search`:
//   a writer opening with the other value builds or drops the FTS5 index to match.
// - Feeds removed with remove_feed() are tombstoned the same way: hidden from list_feeds(), items
//   dropped to tombstones; adding the same URL again revives the feed with its identities, so
//   nothing old is announced as new.
// - Errors: every fallible call returns StoreError (never throws). SQLITE_BUSY stays kBusy
//   (retryable); messages name the file and what to do.
// - No network, no logging: callers decide what to log.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include <herald/parser.hpp>

namespace herald::store {

using Time = parser::Time;  // whole seconds, UTC
using Clock = std::chrono::system_clock;

enum class StoreErrorKind {
    kBusy,      // another writer holds the lock longer than busy_timeout: retry later
    kCorrupt,   // the file is damaged or not a database
    kReadOnly,  // opened read-only, or the file/directory is not writable
    kFull,      // disk or quota full
    kNotFound,  // no such feed/item, or no database file (read-only open)
    kConflict,  // name or URL already used by another feed
    kPruned,    // replay of a range that event retention already removed
    kSchema,    // made by a newer herald, or needs a migration a reader cannot do
    kInvalid,   // a bad argument (empty URL, bad name, search disabled, ...)
    kIo,        // any other SQLite or file system failure
};

[[nodiscard]] std::string_view error_kind_name(StoreErrorKind kind);

struct StoreError {
    StoreErrorKind kind = StoreErrorKind::kIo;
    int sqlite_code = 0;         // SQLite extended result code, 0 when not from SQLite
    std::string message;         // names the file and what to do
    std::int64_t first_seq = 0;  // kPruned: the first seq still held
};

template <typename T>
using Result = tl::expected<T, StoreError>;

struct OpenOptions {
    bool read_only = false;       // readers: never writes, never migrates
    bool search = true;           // keep the FTS5 index (writers build or drop it to match)
    std::int64_t keep_items = 0;  // per feed; 0 keeps all
    std::int64_t keep_days = 0;   // item age; 0 keeps forever
    std::int64_t keep_events = 1'000'000;  // at least this many events stay; 0 keeps all
    std::chrono::milliseconds busy_timeout{5000};
};

// ---- feeds ----

enum class FeedState { kOk, kError, kGone, kDisabled };
enum class FeedSource { kConfig, kCli };

[[nodiscard]] std::string_view feed_state_name(FeedState state);  // "ok", "error", ...

// What the scheduler and fetcher need between polls; written back whole by apply().
struct FetchState {
    std::optional<std::string> etag;           // exactly as received
    std::optional<std::string> last_modified;  // exactly as received
    std::optional<Time> next_poll;             // null: due now
    std::optional<Time> last_polled;
    std::optional<Time> retry_after;  // 429/503: no request before this
    std::optional<int> last_status;   // HTTP status of the last response
    std::optional<std::string> last_error;
    int error_count = 0;                            // consecutive failures (drives backoff)
    std::optional<std::string> redirect_candidate;  // 301/308 target seen once

    bool operator==(const FetchState&) const = default;
};

struct FeedSpec {
    std::string url;
    std::string name;  // slug [a-z0-9-], unique
    std::optional<std::chrono::seconds> interval;
    std::vector<std::string> tags;
};

struct FeedRecord {
    std::int64_t id = 0;
    std::string name;
    std::string url;
    std::optional<std::string> title;  // from the feed document
    std::vector<std::string> tags;
    FeedState state = FeedState::kOk;  // kDisabled whenever !enabled
    bool enabled = true;
    FeedSource source = FeedSource::kCli;
    std::optional<std::chrono::seconds> interval;
    FetchState fetch;
    bool has_succeeded = false;   // a poll worked once (items after that are not `initial`)
    std::int64_t item_count = 0;  // items with bodies (tombstones not counted)
};

struct SyncReport {
    int added = 0;
    int updated = 0;
    int disabled = 0;  // config feeds no longer in the config
};

// ---- ingest ----

// One poll's result for one feed. Exactly one of: parsed (200 with a feed), not modified
// (neither parsed nor error: a 304), error (network, HTTP, parse; feed.error when it is new),
// gone (410). `fetch` is stored as given (the daemon owns the scheduling arithmetic); a success
// after failures gives feed.ok. Items of a parsed outcome are deduplicated and stored; the
// first parsed outcome of a feed marks its items `initial`.
struct FeedOutcome {
    std::int64_t feed_id = 0;
    Clock::time_point at{};                    // when the poll ended; the events' "at" (epoch: now)
    FetchState fetch;                          // stored as given
    std::optional<parser::ParsedFeed> parsed;  // 200 and parsed
    std::optional<std::string> error;          // the poll failed (network, HTTP, parse): error text
    bool gone = false;                         // 410: state gone, no more polls
    std::optional<std::string> new_url;        // a confirmed permanent redirect
};

enum class EventKind { kItemNew, kItemUpdated, kFeedError, kFeedOk };

[[nodiscard]] std::string_view event_kind_name(EventKind kind);  // "item.new", ...

struct Event {
    std::int64_t seq = 0;
    EventKind kind = EventKind::kItemNew;
    std::string feed_name;
    std::string payload;  // the JSON as published (contract "Events"), compact, one line

    [[nodiscard]] std::string topic() const;  // "KIND/FEED-NAME/"
};

// A replay page for a wire reply: the payloads joined by commas (the inside of a JSON array),
// built in one buffer instead of one string per event.
struct ReplayJson {
    std::string payloads;       // head, then the payloads as published, ',' between them
    std::int64_t count = 0;     // payloads in it
    std::int64_t last_seq = 0;  // of the last one; 0 when empty
};

struct FeedFailure {
    std::int64_t feed_id = 0;
    StoreError error;
};

struct ApplyResult {
    std::vector<Event> events;  // committed, in seq order
    std::int64_t new_items = 0;
    std::int64_t updated_items = 0;
    std::int64_t unchanged_items = 0;
    std::vector<std::int64_t> unknown_feeds;  // outcomes skipped: no such feed id
    // Outcomes rolled back alone (a constraint broken by this feed's data); the rest of the
    // batch committed. Busy, full-disk and I/O errors fail the whole apply() instead.
    std::vector<FeedFailure> failed_feeds;
};

// ---- items ----

struct StoredItem {
    std::int64_t id = 0;
    std::int64_t feed_id = 0;
    std::string feed_name;
    std::int64_t seq = 0;  // of its item.new event
    bool initial = false;
    Time first_seen{};
    parser::Item item;
};

struct ItemQuery {
    std::optional<std::string> feed;  // name or URL
    std::optional<Time> since;        // items dated (or first seen) at or after
    int limit = 50;                   // 1..10000
};

// An item as the CLI prints it: the event payload's item object plus "feed" and "seq".
[[nodiscard]] std::string item_json(const StoredItem& item);

// ---- maintenance ----

struct PruneReport {
    std::int64_t items_tombstoned = 0;
    std::int64_t events_deleted = 0;
};

struct CheckReport {
    bool ok = true;
    std::vector<std::string> problems;  // one line each; empty when ok
};

struct StoreStatus {
    std::string store_id;
    std::int64_t feeds = 0;  // all not removed
    std::int64_t feeds_ok = 0;
    std::int64_t feeds_error = 0;
    std::int64_t feeds_gone = 0;
    std::int64_t feeds_disabled = 0;
    std::int64_t feeds_due = 0;  // at `now`
    std::int64_t items = 0;      // with bodies
    std::int64_t tombstones = 0;
    std::int64_t first_seq = 0;  // oldest event held (0: none)
    std::int64_t last_seq = 0;
};

class Store {
public:
    // Opens (and for writers creates and migrates) the database at `path`.
    [[nodiscard]] static Result<Store> open(const std::filesystem::path& path,
                                            const OpenOptions& options = {});

    Store(Store&&) noexcept;
    Store& operator=(Store&&) noexcept;
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;
    ~Store();

    [[nodiscard]] const std::string& store_id() const;  // 16 hex chars, made at creation
    [[nodiscard]] const std::filesystem::path& path() const;

    // Feeds. name_or_url matches a feed's name or its URL exactly.
    [[nodiscard]] Result<SyncReport> upsert_config_feeds(std::span<const FeedSpec> specs);
    [[nodiscard]] Result<FeedRecord> add_feed(const FeedSpec& spec);  // source kCli
    [[nodiscard]] Result<void> remove_feed(std::string_view name_or_url);
    [[nodiscard]] Result<FeedRecord> find_feed(std::string_view name_or_url);
    [[nodiscard]] Result<FeedRecord> get_feed(std::int64_t feed_id);
    [[nodiscard]] Result<std::vector<FeedRecord>> list_feeds();  // by name, removed hidden
    // Enabled, not gone, next_poll and retry_after <= now (or unset); earliest first.
    [[nodiscard]] Result<std::vector<FeedRecord>> due_feeds(Time now, std::size_t limit);
    [[nodiscard]] Result<std::optional<Time>> next_due();  // earliest poll time of any feed
    // Rises on every feed add/remove/sync/redirect, by any connection: poll it to notice CLI
    // edits (a cheap single-row read).
    [[nodiscard]] Result<std::int64_t> feeds_version();
    [[nodiscard]] Result<void> set_next_poll(std::int64_t feed_id, std::optional<Time> next_poll);

    // Ingest (writers only).
    [[nodiscard]] Result<ApplyResult> apply(std::span<const FeedOutcome> outcomes);

    // Events.
    [[nodiscard]] Result<std::vector<Event>> replay(std::int64_t after, int limit = 100);
    // The same events as replay(), none after `through` (the daemon: the last seq published).
    // `head` goes first in `payloads` (a reply's opening), so no caller copies a page again.
    [[nodiscard]] Result<ReplayJson> replay_json(std::int64_t after, int limit,
                                                 std::int64_t through, std::string_view head = {});
    [[nodiscard]] Result<std::int64_t> last_seq();

    // Items, newest first: by published (else updated, else first-seen) date, never later than
    // when first seen, so a future date cannot pin an item on top. Search is FTS5 over title,
    // summary and content: every word must match (`word*` for a prefix), newest matches first.
    [[nodiscard]] Result<std::vector<StoredItem>> list_items(const ItemQuery& query);
    [[nodiscard]] Result<std::vector<StoredItem>> search_items(std::string_view text,
                                                               const ItemQuery& query);
    [[nodiscard]] Result<StoredItem> get_item(std::int64_t id);

    // Maintenance.
    [[nodiscard]] Result<PruneReport> prune(Time now);
    [[nodiscard]] Result<CheckReport> check();
    [[nodiscard]] Result<StoreStatus> status(Time now);

    struct Impl;

private:
    explicit Store(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace herald::store
