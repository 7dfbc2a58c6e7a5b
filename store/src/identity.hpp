#pragma once
// Item identity and change detection, without SQLite: pure functions, tested in identity_test.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <herald/parser.hpp>

namespace herald::store::detail {

// How a feed's items are told apart; a feed only ever moves down this list.
enum class KeyRule : int { kGuid = 0, kLink = 1, kHash = 2 };

// A fetch may have this share of unusable keys (missing, blank, repeated) before the feed
// falls back to the next rule: 1 in 20 (5%).
inline constexpr std::size_t kDegradedOneIn = 20;

// Stable 64-bit FNV-1a: stored in the database, so it must never change.
[[nodiscard]] std::uint64_t stable_hash(std::string_view bytes,
                                        std::uint64_t seed = 14695981039346656037ull);

// Identity under each rule; nullopt when the item has no usable value for it.
[[nodiscard]] std::optional<std::int64_t> guid_key(const parser::Item& item);
[[nodiscard]] std::optional<std::int64_t> link_key(const parser::Item& item);
[[nodiscard]] std::int64_t content_key(const parser::Item& item);  // title + date + content bytes
[[nodiscard]] std::optional<std::int64_t> key_for(const parser::Item& item, KeyRule rule);

// The identity stored for an item: guid text (up to kMaxTextKey bytes) under the guid rule,
// otherwise a hash. `hash` is always set, for telling keys apart within one fetch.
inline constexpr std::size_t kMaxTextKey = 512;

struct IdentityKey {
    std::optional<std::string> text;
    std::int64_t hash = 0;
};

// The key under `rule`, falling back per item to the next rule when this item lacks a value.
[[nodiscard]] IdentityKey identity_key(const parser::Item& item, KeyRule rule);

// The rule to use for this fetch: `current`, or a later one if too many keys are unusable.
[[nodiscard]] KeyRule choose_rule(std::span<const parser::Item> items, KeyRule current);

// Title/link/summary/content bytes, hashed eight bytes at a step: re-seen items are compared
// by this alone (an unchanged item costs one lookup and one hash).
[[nodiscard]] std::int64_t raw_hash(const parser::Item& item);
// The same fields with whitespace runs collapsed and trimmed: an edit that only moves
// whitespace is not an update. Only computed when raw_hash differs.
[[nodiscard]] std::int64_t normalised_hash(const parser::Item& item);

}  // namespace herald::store::detail
