#include "subscriber_app.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <stdexcept>

#include <CLI/CLI.hpp>
#include <poll.h>
#include <signal.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <herald/config.hpp>

namespace herald::clients {

void add_subscribe_options(CLI::App& app, SubscribeArgs& args) {
    app.add_option("--config", args.config_path, "configuration file");
    app.add_option("--topic", args.topics,
                   "topic prefix to follow, e.g. item.new/ or item.new/bbc/ (repeatable)");
    app.add_option("--publish", args.publish, "PUB endpoint to use instead of the config's");
    app.add_option("--control", args.control, "control endpoint to use instead of the config's");
    app.add_option("--curve-server-key", args.curve_server_key,
                   "heraldd's CURVE public key (Z85 or key file) for tcp endpoints");
    app.add_option("--curve-key", args.curve_key,
                   "this client's CURVE key file (from `herald keygen`) or secret key");
}

int parse_and_run(CLI::App& app, int argc, char** argv, const std::string& program,
                  const std::function<int()>& run) {
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? kExitOk : kExitUsage;
    }
    try {
        return run();
    } catch (const std::exception& e) {
        std::cerr << program << ": " << e.what() << '\n';
        return kExitFailure;
    }
}

tl::expected<Endpoints, std::string> resolve_endpoints(const std::string& config_path,
                                                       const std::string& publish_override,
                                                       const std::string& control_override) {
    Endpoints endpoints{publish_override, control_override};
    if (endpoints.publish.empty() || endpoints.control.empty()) {
        std::optional<std::filesystem::path> explicit_path;
        if (!config_path.empty()) explicit_path = config_path;
        const auto loaded = config::load(explicit_path, config::Environment::from_process());
        if (!loaded) return tl::unexpected(loaded.error().to_string());
        if (endpoints.publish.empty()) {
            if (loaded->daemon.publish.empty()) {
                return tl::unexpected(std::string("daemon.publish: no PUB endpoint configured"));
            }
            // Any of them carries every event; the first is the one to use.
            endpoints.publish = loaded->daemon.publish.front();
        }
        if (endpoints.control.empty()) endpoints.control = loaded->daemon.control;
    }
    endpoints.publish = client::connectable_endpoint(endpoints.publish);
    endpoints.control = client::connectable_endpoint(endpoints.control);
    return endpoints;
}

tl::expected<std::optional<client::CurveKeys>, std::string> resolve_curve(std::string server_key,
                                                                          std::string key) {
    const auto from_env = [](std::string& value, const char* name) {
        if (!value.empty()) return;
        const char* text = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): main thread
        if (text != nullptr) value = text;
    };
    from_env(server_key, "HERALD_CURVE_SERVER_KEY");
    from_env(key, "HERALD_CURVE_KEY");
    if (server_key.empty() && key.empty()) return std::optional<client::CurveKeys>{};
    if (server_key.empty() || key.empty()) {
        return tl::unexpected(std::string{
            "CURVE needs both the server's public key (--curve-server-key, "
            "HERALD_CURVE_SERVER_KEY) and this client's key pair (--curve-key, HERALD_CURVE_KEY)"});
    }
    client::CurveKeys keys;
    auto server = config::resolve_curve_key(server_key, false, {}, "curve-server-key");
    if (!server) return tl::unexpected(server.error().to_string());
    keys.server_public = std::move(*server);
    if (config::is_z85_key(key)) {
        keys.secret_key = key;
    } else {
        auto pair = config::read_curve_key_file(key, true);
        if (!pair) return tl::unexpected("curve-key: " + pair.error().to_string());
        keys.secret_key = pair->secret_key;
        keys.public_key = pair->public_key;
    }
    if (keys.secret_key.empty()) {
        return tl::unexpected("curve-key: no secret-key in " + key);
    }
    auto derived = client::curve_public_key(keys.secret_key);
    if (!derived) return tl::unexpected("curve-key: " + derived.error().message);
    if (!keys.public_key.empty() && keys.public_key != *derived) {
        return tl::unexpected("curve-key: the public-key in " + key +
                              " does not belong to its secret-key");
    }
    keys.public_key = std::move(*derived);
    return keys;
}

std::shared_ptr<spdlog::logger> make_logger(const std::string& name) {
    auto logger =
        std::make_shared<spdlog::logger>(name, std::make_shared<spdlog::sinks::stderr_sink_mt>());
    logger->set_pattern("%n: %l: %v");
    logger->flush_on(spdlog::level::info);
    return logger;
}

StopSignals::StopSignals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    if (sigprocmask(SIG_BLOCK, &set, nullptr) != 0) throw std::runtime_error("sigprocmask failed");
    fd_ = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (fd_ < 0) throw std::runtime_error(std::string("signalfd: ") + std::strerror(errno));
    // A reader that went away (herald-tail | head) ends us through EPIPE, not a signal.
    ::signal(SIGPIPE, SIG_IGN);
}

StopSignals::~StopSignals() {
    if (fd_ >= 0) ::close(fd_);
}

bool StopSignals::is_stopping() {
    signalfd_siginfo info;
    while (::read(fd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) stopping_ = true;
    return stopping_;
}

bool StopSignals::wait(std::chrono::milliseconds delay) {
    pollfd item{fd_, POLLIN, 0};
    const int timeout_ms = static_cast<int>(std::min<std::int64_t>(delay.count(), 1 << 30));
    ::poll(&item, 1, timeout_ms);
    return !is_stopping();
}

tl::expected<std::optional<client::Cursor>, std::string> start_position(
    std::optional<std::int64_t> since, const std::optional<std::filesystem::path>& cursor_path) {
    if (since) return client::Cursor{"", *since};
    if (!cursor_path) return std::optional<client::Cursor>{};
    auto loaded = client::load_cursor(*cursor_path);
    if (!loaded) return tl::unexpected(loaded.error().message);
    return *loaded;
}

tl::expected<void, client::ClientError> CursorKeeper::save(
    const std::optional<client::Cursor>& position) {
    if (!path_ || !position || position == saved_) return {};
    if (auto saved = client::save_cursor(*path_, *position); !saved) return saved;
    saved_ = position;
    return {};
}

tl::expected<client::Subscriber, std::string> open_subscriber(
    const SubscribeArgs& args, const StopSignals& signals, std::shared_ptr<spdlog::logger> logger) {
    const auto endpoints = resolve_endpoints(args.config_path, args.publish, args.control);
    if (!endpoints) return tl::unexpected(endpoints.error());
    const auto start = start_position(args.since, args.cursor);
    if (!start) return tl::unexpected(start.error());
    client::SubscriberOptions options;
    options.publish_endpoint = endpoints->publish;
    options.control_endpoint = endpoints->control;
    options.topics = args.topics;
    options.start = *start;
    options.wake_fd = signals.fd();
    auto curve = resolve_curve(args.curve_server_key, args.curve_key);
    if (!curve) return tl::unexpected(curve.error());
    options.curve = std::move(*curve);
    auto subscriber = client::Subscriber::open(std::move(options), std::move(logger));
    if (!subscriber) return tl::unexpected(subscriber.error().message);
    return std::move(*subscriber);
}

}  // namespace herald::clients
