#pragma once
// Process plumbing of heraldd: the state-directory lock, signals as a file descriptor, a
// cross-thread wake-up fd, and systemd notification. Each owns its fds (RAII) and throws
// std::runtime_error only from constructors (start-up failures, reported by main).
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "unique_fd.hpp"

namespace herald::daemon {

// An exclusive flock on STATE_DIR/heraldd.lock holding our pid. A second daemon on the same
// directory fails with a message naming the holder's pid. The lock dies with the process, so a
// SIGKILLed daemon never leaves a stale lock behind.
class LockFile {
public:
    explicit LockFile(const std::filesystem::path& state_dir);
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
    UniqueFd fd_;
};

enum class SignalKind { kNone, kStop, kReload };

// Blocks SIGTERM, SIGINT and SIGHUP for the whole process (call before starting threads, so
// every thread inherits the mask) and reads them from a signalfd in the main loop. SIGPIPE is
// ignored. The destructor unblocks them again.
class Signals {
public:
    Signals();
    ~Signals();
    Signals(const Signals&) = delete;
    Signals& operator=(const Signals&) = delete;

    [[nodiscard]] int fd() const { return fd_.get(); }
    // The next pending signal, kNone when none is pending (non-blocking).
    [[nodiscard]] SignalKind read();

private:
    UniqueFd fd_;
};

// An eventfd that other threads signal to wake the main loop's poll.
class WakeFd {
public:
    WakeFd();
    [[nodiscard]] int fd() const { return fd_.get(); }
    void notify() const noexcept;  // thread-safe
    void drain() const noexcept;

private:
    UniqueFd fd_;
};

// sd_notify when $NOTIFY_SOCKET is set; otherwise every call is a no-op. Messages are sent
// from the main loop only, so WATCHDOG=1 proves that loop is alive.
class Notifier {
public:
    Notifier();
    void ready() const;
    void reloading() const;
    void stopping() const;
    void status(std::string_view text) const;
    // WATCHDOG=1 when the watchdog is on and half its interval has passed since the last one.
    void watchdog(std::chrono::steady_clock::time_point now);
    // When the next watchdog ping is due (nullopt: watchdog off).
    [[nodiscard]] std::optional<std::chrono::steady_clock::time_point> next_watchdog() const;

private:
    void send(std::string_view text) const;

    bool enabled_ = false;
    std::optional<std::chrono::microseconds> watchdog_interval_;  // half of WATCHDOG_USEC
    std::chrono::steady_clock::time_point last_watchdog_{};
};

}  // namespace herald::daemon
