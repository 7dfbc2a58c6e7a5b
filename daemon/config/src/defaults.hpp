#pragma once
// Private helpers shared by config.cpp (TOML) and lookup.cpp (lookup order, defaults).
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <herald/config.hpp>

namespace herald::config::detail {

// Fills state_dir, publish and control when the file left them out.
[[nodiscard]] tl::expected<void, ConfigError> fill_defaults(Config& config, const Environment& env);

// Gives every unnamed feed a unique slug derived from its URL (never one of `taken`).
void name_feeds(std::vector<FeedConfig>& feeds, std::set<std::string> taken);

[[nodiscard]] bool is_feed_url(std::string_view url);

}  // namespace herald::config::detail
