// herald-exec: runs a command once per new event, in seq order, at least once across restarts.
#include <algorithm>
#include <chrono>
#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <herald/client.hpp>
#include <herald/config.hpp>

#include "run_command.hpp"
#include "subscriber_app.hpp"

namespace {

using namespace std::chrono_literals;
using herald::client::Cursor;
using herald::client::Event;

using herald::clients::kExitFailure;
using herald::clients::kExitOk;
using herald::clients::kExitUsage;
constexpr auto kMaxRetryDelay = std::chrono::milliseconds(5min);

struct ExecArgs {
    herald::clients::SubscribeArgs subscribe;
    std::string cursor;
    int retries = 3;
    std::string retry_delay = "1s";
    std::vector<std::string> command;
};

enum class Outcome { kHandled, kStopped, kCannotRun };

std::string seconds_text(std::chrono::milliseconds delay) {
    if (delay < std::chrono::seconds(1)) return fmt::format("{}ms", delay.count());
    return fmt::format("{:.1f}s", static_cast<double>(delay.count()) / 1000.0);
}

// Runs the command until it succeeds or has failed `retries` more times, backing off between.
Outcome handle(const ExecArgs& args, std::chrono::milliseconds first_delay, const Event& event,
               herald::clients::StopSignals& signals, spdlog::logger& logger) {
    auto delay = first_delay;
    for (int attempt = 0; attempt <= args.retries; ++attempt) {
        const auto result = herald::clients::run_command(args.command, event);
        if (!result) {
            logger.error("{}", result.error());
            return Outcome::kCannotRun;
        }
        if (result->is_success()) return Outcome::kHandled;
        const auto what = fmt::format("command for seq {} ({} {}) {}", event.seq, event.kind,
                                      event.feed, result->describe());
        if (attempt == args.retries) {
            logger.error("{}; giving up after {} attempts and moving on", what, attempt + 1);
            return Outcome::kHandled;
        }
        logger.warn("{} (attempt {} of {}); retrying in {}", what, attempt + 1, args.retries + 1,
                    seconds_text(delay));
        if (!signals.wait(delay)) return Outcome::kStopped;
        delay = std::min(delay * 2, kMaxRetryDelay);
    }
    return Outcome::kHandled;
}

int run(const ExecArgs& args) {
    auto logger = herald::clients::make_logger("herald-exec");
    const auto delay = herald::config::parse_duration(args.retry_delay);
    if (!delay) {
        std::cerr << "herald-exec: --retry-delay: not a duration: " << args.retry_delay << '\n';
        return kExitUsage;
    }
    const std::filesystem::path cursor_path = args.cursor;
    herald::clients::SubscribeArgs subscribe = args.subscribe;
    subscribe.cursor = cursor_path;
    herald::clients::StopSignals signals;
    auto subscriber = herald::clients::open_subscriber(subscribe, signals, logger);
    if (!subscriber) {
        std::cerr << "herald-exec: " << subscriber.error() << '\n';
        return kExitFailure;
    }
    herald::clients::CursorKeeper keeper(cursor_path);
    const auto save = [&](const std::optional<Cursor>& position) {
        auto saved = keeper.save(position);
        if (!saved) logger->error("{}", saved.error().message);
        return saved.has_value();
    };
    while (!signals.is_stopping()) {
        auto event = subscriber->next(1s);
        if (!event) {
            logger->error("{}", event.error().message);
            return kExitFailure;
        }
        if (!*event) {
            // Idle: events other topics skipped still move the cursor.
            if (!save(subscriber->position())) return kExitFailure;
            continue;
        }
        const Event& current = **event;
        switch (handle(args, *delay, current, signals, *logger)) {
            case Outcome::kHandled:
                break;
            case Outcome::kStopped:
                // This event is not handled: the cursor stays just before it.
                return save(Cursor{subscriber->position()->store, current.seq - 1}) ? kExitOk
                                                                                    : kExitFailure;
            case Outcome::kCannotRun:
                save(Cursor{subscriber->position()->store, current.seq - 1});
                return kExitFailure;
        }
        if (!save(subscriber->position())) return kExitFailure;
    }
    return save(subscriber->position()) ? kExitOk : kExitFailure;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{
        "herald-exec: run a command once per herald event, payload on stdin, HERALD_SEQ, "
        "HERALD_KIND, HERALD_FEED, HERALD_TITLE, HERALD_LINK in its environment"};
    app.set_version_flag("--version", std::string("herald-exec ") + HERALD_VERSION);
    ExecArgs args;
    herald::clients::add_subscribe_options(app, args.subscribe);
    app.add_option("--cursor", args.cursor,
                   "file that keeps the position; it moves past an event once its command "
                   "succeeded (or failed every retry)")
        ->required();
    app.add_option("--retries", args.retries, "retries of a failing command (default 3)")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--retry-delay", args.retry_delay,
                   "first backoff delay, doubled per retry (default 1s)");
    app.add_option("command", args.command, "COMMAND [ARGS...] after --")->required();
    return herald::clients::parse_and_run(app, argc, argv, "herald-exec",
                                          [&] { return run(args); });
}
