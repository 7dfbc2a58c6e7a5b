#pragma once
// Plumbing shared by herald-tail and herald-exec: where the daemon is (config or flags), the
// stderr logger, SIGTERM/SIGINT as a pollable fd, and cursor saving. Not a library for others.

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <spdlog/logger.h>
#include <tl/expected.hpp>

#include <herald/client.hpp>

namespace CLI {
class App;
}

namespace herald::clients {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

struct Endpoints {
    std::string publish;
    std::string control;
};

// The overrides when both are given, else the config (contract lookup order) fills the gaps.
// The error is one line for stderr, naming the config key and line when it is about one.
[[nodiscard]] tl::expected<Endpoints, std::string> resolve_endpoints(
    const std::string& config_path, const std::string& publish_override,
    const std::string& control_override);

// CURVE keys for tcp:// endpoints from --curve-server-key / --curve-key values (a Z85 key or a
// key file each), else $HERALD_CURVE_SERVER_KEY / $HERALD_CURVE_KEY; nullopt when none is
// given. The client's public key is taken from its key file or derived from the secret key.
[[nodiscard]] tl::expected<std::optional<client::CurveKeys>, std::string> resolve_curve(
    std::string server_key, std::string key);

// "NAME: level: message" lines on stderr.
[[nodiscard]] std::shared_ptr<spdlog::logger> make_logger(const std::string& name);

// Blocks SIGTERM and SIGINT for the process and delivers them through a signalfd, so the
// subscriber's poll wakes on them and a running child is never interrupted mid-event.
class StopSignals {
public:
    StopSignals();
    ~StopSignals();
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;

    [[nodiscard]] int fd() const { return fd_; }
    // True once a signal arrived (it stays true).
    [[nodiscard]] bool is_stopping();
    // Waits up to `delay`; returns false when a signal ended the wait.
    [[nodiscard]] bool wait(std::chrono::milliseconds delay);

private:
    int fd_ = -1;
    bool stopping_ = false;
};

// The start position: --since SEQ, or the cursor file, or the live end.
[[nodiscard]] tl::expected<std::optional<client::Cursor>, std::string> start_position(
    std::optional<std::int64_t> since, const std::optional<std::filesystem::path>& cursor_path);

// What both programs take from their command line to reach the daemon.
struct SubscribeArgs {
    std::string config_path;
    std::string publish;  // overrides of the config's endpoints ("" = from the config)
    std::string control;
    std::vector<std::string> topics;
    std::optional<std::int64_t> since;
    std::optional<std::filesystem::path> cursor;
    // CURVE on tcp endpoints: flag values, "" = from HERALD_CURVE_SERVER_KEY / HERALD_CURVE_KEY.
    std::string curve_server_key;
    std::string curve_key;
};

// --config, --topic, --publish, --control, --curve-server-key, --curve-key into `args`.
void add_subscribe_options(CLI::App& app, SubscribeArgs& args);

// Parses the command line (--help/--version exit 0, bad usage 2), then runs `run`; anything it
// throws is one "PROGRAM: message" line on stderr and exit 1.
int parse_and_run(CLI::App& app, int argc, char** argv, const std::string& program,
                  const std::function<int()>& run);

// Resolves the endpoints and the start position and opens the subscriber, woken by `signals`.
// The error is one line for stderr (without the program's name).
[[nodiscard]] tl::expected<client::Subscriber, std::string> open_subscriber(
    const SubscribeArgs& args, const StopSignals& signals, std::shared_ptr<spdlog::logger> logger);

// Saves the subscriber's position when it moved since the last save.
class CursorKeeper {
public:
    explicit CursorKeeper(std::optional<std::filesystem::path> path) : path_(std::move(path)) {}
    [[nodiscard]] tl::expected<void, client::ClientError> save(
        const std::optional<client::Cursor>& position);

private:
    std::optional<std::filesystem::path> path_;
    std::optional<client::Cursor> saved_;
};

}  // namespace herald::clients
