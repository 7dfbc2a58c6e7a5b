// herald-tail: prints heraldd's events as they arrive, replaying first what it missed.
#include <chrono>
#include <cstdio>
#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <unistd.h>

#include <herald/client.hpp>

#include "subscriber_app.hpp"

namespace {

using namespace std::chrono_literals;
using herald::client::Event;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
// Cursor writes are fsynced: during a long replay save at most this often, and when idle.
constexpr auto kCursorSaveInterval = 200ms;

struct TailArgs {
    std::string config_path;
    std::vector<std::string> topics;
    std::optional<std::int64_t> since;
    std::optional<std::string> cursor;
    bool json = false;
    std::string publish;
    std::string control;
    std::string curve_server_key;
    std::string curve_key;
};

std::string readable(const Event& event) {
    std::string text = event.kind == "feed.error" ? event.error : event.title;
    if (!event.link.empty()) text += (text.empty() ? "" : "  ") + event.link;
    return fmt::format("{:>6}  {:<12}  {:<16}  {}", event.seq, event.kind, event.feed, text);
}

bool print(const Event& event, bool json) {
    const auto line = (json ? event.payload : readable(event)) + "\n";
    return std::fwrite(line.data(), 1, line.size(), stdout) == line.size() &&
           std::fflush(stdout) == 0;
}

int run(const TailArgs& args) {
    auto logger = herald::clients::make_logger("herald-tail");
    std::optional<std::filesystem::path> cursor_path;
    if (args.cursor) cursor_path = *args.cursor;
    herald::clients::StopSignals signals;
    auto subscriber = herald::clients::open_subscriber(
        {args.config_path, args.publish, args.control, args.topics, args.since, cursor_path,
         args.curve_server_key, args.curve_key},
        signals, logger);
    if (!subscriber) {
        std::cerr << "herald-tail: " << subscriber.error() << '\n';
        return kExitFailure;
    }
    herald::clients::CursorKeeper keeper(cursor_path);
    auto last_save = std::chrono::steady_clock::now();
    const auto save = [&]() -> bool {
        last_save = std::chrono::steady_clock::now();
        auto saved = keeper.save(subscriber->position());
        if (!saved) logger->error("{}", saved.error().message);
        return saved.has_value();
    };
    while (!signals.is_stopping()) {
        auto event = subscriber->next(1s);
        if (!event) {
            logger->error("{}", event.error().message);
            return kExitFailure;
        }
        if (*event && !print(**event, args.json)) {
            // The reader is gone (a closed pipe): what was printed counts as handled.
            save();
            return kExitOk;
        }
        const bool is_idle = !*event;
        if ((is_idle || std::chrono::steady_clock::now() - last_save >= kCursorSaveInterval) &&
            !save()) {
            return kExitFailure;
        }
    }
    return save() ? kExitOk : kExitFailure;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"herald-tail: print herald's events as they arrive (resumable)"};
    app.set_version_flag("--version", std::string("herald-tail ") + HERALD_VERSION);
    TailArgs args;
    app.add_option("--config", args.config_path, "configuration file");
    app.add_option("--topic", args.topics,
                   "topic prefix to follow, e.g. item.new/ or item.new/bbc/ (repeatable)");
    auto* since =
        app.add_option("--since", args.since, "replay the events after this seq first (exclusive)");
    auto* cursor = app.add_option("--cursor", args.cursor,
                                  "file that keeps the position across runs (saved atomically)");
    since->excludes(cursor);
    app.add_flag("--json", args.json, "print each event's JSON payload, one per line");
    app.add_option("--publish", args.publish, "PUB endpoint to use instead of the config's");
    app.add_option("--control", args.control, "control endpoint to use instead of the config's");
    app.add_option("--curve-server-key", args.curve_server_key,
                   "heraldd's CURVE public key (Z85 or key file) for tcp endpoints");
    app.add_option("--curve-key", args.curve_key,
                   "this client's CURVE key file (from `herald keygen`) or secret key");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? kExitOk : kExitUsage;
    }
    try {
        return run(args);
    } catch (const std::exception& e) {
        std::cerr << "herald-tail: " << e.what() << '\n';
        return kExitFailure;
    }
}
