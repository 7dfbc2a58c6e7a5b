#include "subscriber_app.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <poll.h>
#include <signal.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <herald/config.hpp>

namespace herald::clients {

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
    auto subscriber = client::Subscriber::open(std::move(options), std::move(logger));
    if (!subscriber) return tl::unexpected(subscriber.error().message);
    return std::move(*subscriber);
}

}  // namespace herald::clients
