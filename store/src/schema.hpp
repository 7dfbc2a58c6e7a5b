#pragma once
// The database layout and its forward migrations (PRAGMA user_version = the last one applied).
// docs: each migration is one step from the version before it; store_test MigratesFrom* opens a
// database left at every older version.

#include <SQLiteCpp/Database.h>

namespace herald::store::detail {

inline constexpr int kSchemaVersion = 2;

// 16 KiB pages: a 2 KB item body leaves little unused space at the end of a page, where 4 KiB
// pages would hold one such row each and waste almost half (see bench/store_bench.cpp).
inline constexpr int kPageSize = 16384;

// Applies migrations user_version+1 .. target inside the caller's transaction.
void migrate(SQLite::Database& db, int target);

[[nodiscard]] int schema_version(SQLite::Database& db);

// Creates and fills, or drops, the FTS5 index so that it matches `enabled`.
void sync_search_index(SQLite::Database& db, bool enabled);
[[nodiscard]] bool has_search_index(SQLite::Database& db);

}  // namespace herald::store::detail
