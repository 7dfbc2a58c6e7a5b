#pragma once
// `herald feeds add URL`: checks the URL once (a feed, or an HTML page whose <link
// rel="alternate"> tags name one), then subscribes.

#include <CLI/CLI.hpp>

#include "commands.hpp"

namespace herald::cli {

void register_feed_add(CLI::App& feeds, const GlobalOptions& global, int& status);

}  // namespace herald::cli
