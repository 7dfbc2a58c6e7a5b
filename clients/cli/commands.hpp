#pragma once
// The `herald` CLI's subcommands. Each adds itself to the app and returns the exit status
// its callback will set; main() runs whichever was chosen.

#include <CLI/CLI.hpp>

namespace herald::cli {

// Exit codes: 0 ok, 1 failure, 2 usage error, 3 not found.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitNotFound = 3;

struct GlobalOptions {
    std::string config_path;
    bool json = false;
    // CURVE for a tcp:// control endpoint (else $HERALD_CURVE_SERVER_KEY / $HERALD_CURVE_KEY).
    std::string curve_server_key;
    std::string curve_key;
};

// Each register_* adds a subcommand whose callback stores its exit status in `status`.
void register_parse(CLI::App& app, const GlobalOptions& global, int& status);
void register_feeds(CLI::App& app, const GlobalOptions& global, int& status);
void register_items(CLI::App& app, const GlobalOptions& global, int& status);
void register_daemon(CLI::App& app, const GlobalOptions& global, int& status);  // refresh, status
void register_keygen(CLI::App& app, const GlobalOptions& global, int& status);
void register_opml(CLI::App& app, const GlobalOptions& global, int& status);
void register_db(CLI::App& app, const GlobalOptions& global, int& status);

}  // namespace herald::cli
