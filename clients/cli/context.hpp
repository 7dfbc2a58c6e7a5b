#pragma once
// What every CLI command needs: the config, the store (read-only for queries), the daemon's
// control socket, and how to print (JSON or a terminal table, colour or not) and fail (one
// line on stderr, an exit code that tells "not found" and usage errors from failures).

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include <herald/config.hpp>
#include <herald/store.hpp>

#include "commands.hpp"
#include "format.hpp"

namespace herald::cli {

struct Failure {
    int exit_code = kExitFailure;
    std::string message;
};

template <typename T>
using Outcome = tl::expected<T, Failure>;

[[nodiscard]] inline tl::unexpected<Failure> fail(int exit_code, std::string message) {
    return tl::unexpected(Failure{exit_code, std::move(message)});
}

// Prints "herald: MESSAGE" on stderr; returns the exit code.
int report(const Failure& failure);

struct Output {
    bool json = false;
    bool is_tty = false;
    bool colour = false;               // a tty, NO_COLOR unset, TERM not dumb
    std::optional<std::size_t> width;  // the terminal's columns; nullopt when not a tty
};

[[nodiscard]] Output make_output(const GlobalOptions& global);

enum class Colour { kRed, kGreen, kYellow, kDim, kBold };
[[nodiscard]] std::string paint(const Output& output, Colour colour, std::string_view text);

[[nodiscard]] Outcome<config::Config> load_config(const GlobalOptions& global);
// Queries: read-only, never creates the database, works while heraldd writes (WAL).
[[nodiscard]] Outcome<store::Store> open_store_read(const config::Config& config);
// Feed changes: creates the database when heraldd never ran.
[[nodiscard]] Outcome<store::Store> open_store_write(const config::Config& config);
// A store error as a Failure: kNotFound exits 3, the rest 1.
[[nodiscard]] Failure store_failure(const store::StoreError& error, std::string_view context);

[[nodiscard]] SysSeconds now_seconds();
[[nodiscard]] std::string time_text(std::optional<SysSeconds> time);  // RFC 3339 or "null"

// The interval heraldd polls a feed at (contract: clamp(interval or default, min, max)).
[[nodiscard]] std::chrono::seconds effective_interval(const store::FeedRecord& feed,
                                                      const config::FetchConfig& fetch);

// A feed as the contract's JSON object, compact, one line.
[[nodiscard]] std::string feed_json(const store::FeedRecord& feed,
                                    const config::FetchConfig& fetch);

}  // namespace herald::cli
