#include "schema.hpp"

#include <array>
#include <string>

namespace herald::store::detail {
namespace {

// Version 1: feeds, items, identities (tombstones outlive items), events and the bodies that
// old events still point at.
constexpr const char* kVersion1 = R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;
CREATE TABLE feeds (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  url TEXT NOT NULL UNIQUE,
  title TEXT,
  tags TEXT,
  status INTEGER NOT NULL DEFAULT 0,      -- 0 ok, 1 error, 2 gone
  enabled INTEGER NOT NULL DEFAULT 1,
  removed INTEGER NOT NULL DEFAULT 0,     -- tombstone of `feeds rm`
  source INTEGER NOT NULL DEFAULT 1,      -- 0 config, 1 cli
  interval_s INTEGER,
  etag TEXT, last_modified TEXT, next_poll INTEGER, last_polled INTEGER, retry_after INTEGER,
  last_status INTEGER, last_error TEXT, error_count INTEGER NOT NULL DEFAULT 0,
  redirect_candidate TEXT,
  has_succeeded INTEGER NOT NULL DEFAULT 0,
  key_rule INTEGER NOT NULL DEFAULT 0,    -- 0 guid, 1 link, 2 hash; only ever rises
  item_count INTEGER NOT NULL DEFAULT 0,  -- items with bodies, kept in step (no count(*))
  snapshot_id INTEGER
);
-- name/url/title as events carried them: an old event replays with the feed's old name.
CREATE TABLE feed_snapshots (id INTEGER PRIMARY KEY, name TEXT NOT NULL, url TEXT NOT NULL,
                             title TEXT);
-- One row per identity ever seen; it stays when the item's body goes (tombstone). `key` is
-- the guid text under the guid rule (guids tend to rise with publication, so a poll's new
-- identities land on few index pages), else a 64-bit hash of the link or content.
CREATE TABLE identities (
  feed_id INTEGER NOT NULL,
  key NOT NULL,
  item_id INTEGER NOT NULL,
  raw_hash INTEGER NOT NULL,
  link_hash INTEGER,
  content_hash INTEGER NOT NULL,
  PRIMARY KEY (feed_id, key)
) WITHOUT ROWID;
-- Small columns first, bodies last. cur_seq: the event that wrote the current body.
-- AUTOINCREMENT: an id is never reused after retention deleted the newest rows, because
-- tombstones and old events still name it.
CREATE TABLE items (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  feed_id INTEGER NOT NULL REFERENCES feeds(id),
  seq INTEGER NOT NULL,
  cur_seq INTEGER NOT NULL,
  initial INTEGER NOT NULL,
  first_seen INTEGER NOT NULL,
  sort_time INTEGER NOT NULL,
  published INTEGER, updated INTEGER,
  guid TEXT, title TEXT, link TEXT, author TEXT, categories TEXT, enclosures TEXT,
  summary TEXT, content TEXT
);
CREATE INDEX items_by_time ON items (sort_time);
-- A body some held event still shows, after the item changed or left: keyed by that event.
CREATE TABLE versions (
  seq INTEGER PRIMARY KEY,
  item_id INTEGER NOT NULL,
  initial INTEGER NOT NULL,
  published INTEGER, updated INTEGER,
  guid TEXT, title TEXT, link TEXT, author TEXT, categories TEXT, enclosures TEXT,
  summary TEXT, content TEXT
);
-- seq is assigned from meta.last_seq (never rowid reuse); kind 0 new, 1 updated, 2 error, 3 ok.
CREATE TABLE events (
  seq INTEGER PRIMARY KEY,
  kind INTEGER NOT NULL,
  at_ms INTEGER NOT NULL,
  snapshot_id INTEGER NOT NULL,
  item_id INTEGER,
  error TEXT
);
INSERT INTO meta (key, value) VALUES ('last_seq', 0), ('feeds_version', 0);
)sql";

// Version 2: `items list --feed` newest first without scanning other feeds.
constexpr const char* kVersion2 = R"sql(
CREATE INDEX items_by_feed ON items (feed_id, sort_time);
)sql";

constexpr std::array<const char*, kSchemaVersion> kMigrations = {kVersion1, kVersion2};

constexpr const char* kCreateSearch = R"sql(
CREATE VIRTUAL TABLE items_fts USING fts5 (title, summary, content, content='items',
                                           content_rowid='id');
INSERT INTO items_fts (items_fts) VALUES ('rebuild');
)sql";

}  // namespace

int schema_version(SQLite::Database& db) {
    return db.execAndGet("PRAGMA user_version").getInt();
}

void migrate(SQLite::Database& db, int target) {
    for (int version = schema_version(db) + 1; version <= target; ++version) {
        db.exec(kMigrations[static_cast<std::size_t>(version - 1)]);
        db.exec("PRAGMA user_version = " + std::to_string(version));
    }
}

bool has_search_index(SQLite::Database& db) {
    return db.tableExists("items_fts");
}

void sync_search_index(SQLite::Database& db, bool enabled) {
    bool present = has_search_index(db);
    if (enabled && !present) db.exec(kCreateSearch);
    if (!enabled && present) db.exec("DROP TABLE items_fts");
}

}  // namespace herald::store::detail
