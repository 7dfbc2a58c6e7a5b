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
using herald::clients::kExitFailure;
using herald::clients::kExitOk;
// Cursor writes are fsynced: during a long replay save at most this often, and when idle.
constexpr auto kCursorSaveInterval = 200ms;

struct TailArgs {
    herald::clients::SubscribeArgs subscribe;
    std::optional<std::string> cursor;
    bool json = false;
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
    herald::clients::SubscribeArgs subscribe = args.subscribe;
    if (args.cursor) subscribe.cursor = *args.cursor;
    const std::optional<std::filesystem::path> cursor_path = subscribe.cursor;
    herald::clients::StopSignals signals;
    auto subscriber = herald::clients::open_subscriber(subscribe, signals, logger);
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
    herald::clients::add_subscribe_options(app, args.subscribe);
    auto* since = app.add_option("--since", args.subscribe.since,
                                 "replay the events after this seq first (exclusive)");
    auto* cursor = app.add_option("--cursor", args.cursor,
                                  "file that keeps the position across runs (saved atomically)");
    since->excludes(cursor);
    app.add_flag("--json", args.json, "print each event's JSON payload, one per line");
    return herald::clients::parse_and_run(app, argc, argv, "herald-tail",
                                          [&] { return run(args); });
}
