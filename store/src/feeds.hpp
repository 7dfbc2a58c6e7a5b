#pragma once
// Feed rows: reading FeedRecords, config sync, CLI add and removal. Callers hold the
// transaction and catch SQLite::Exception.

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "impl.hpp"

namespace herald::store::detail {

[[nodiscard]] Result<FeedRecord> load_feed(Store::Impl& impl, std::string_view name_or_url);
[[nodiscard]] Result<FeedRecord> load_feed(Store::Impl& impl, std::int64_t feed_id);
// All feeds not removed, by name; or with `due_at`, those due then (earliest first, `limit`).
[[nodiscard]] std::vector<FeedRecord> load_feeds(Store::Impl& impl, std::optional<Time> due_at,
                                                 std::size_t limit);

[[nodiscard]] Result<SyncReport> sync_config_feeds(Store::Impl& impl,
                                                   std::span<const FeedSpec> specs);
[[nodiscard]] Result<std::int64_t> insert_cli_feed(Store::Impl& impl, const FeedSpec& spec);
void tombstone_feed(Store::Impl& impl, std::int64_t feed_id);

// Retention (retention.cpp): the item's body goes, its identity stays.
void tombstone_item(Store::Impl& impl, std::int64_t item_id);
[[nodiscard]] std::int64_t first_held_seq(Store::Impl& impl);

}  // namespace herald::store::detail
