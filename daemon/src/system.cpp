#include "system.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <string>

#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

namespace herald::daemon {
namespace {

namespace fs = std::filesystem;

std::string errno_text() {
    return std::strerror(errno);
}

sigset_t handled_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    return set;
}

std::string read_holder_pid(int fd) {
    char buffer[32] = {};
    ssize_t got = ::pread(fd, buffer, sizeof buffer - 1, 0);
    std::string pid = got > 0 ? std::string(buffer, static_cast<std::size_t>(got)) : "";
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
    return pid.empty() ? "unknown" : pid;
}

}  // namespace

LockFile::LockFile(const fs::path& state_dir) : path_(state_dir / "heraldd.lock") {
    // Group-readable: herald group members may see which pid runs.
    fd_ = UniqueFd(::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640));
    if (!fd_.valid()) {
        throw std::runtime_error("cannot open lock file " + path_.string() + ": " + errno_text());
    }
    if (::flock(fd_.get(), LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK) {
            throw std::runtime_error("another heraldd (pid " + read_holder_pid(fd_.get()) +
                                     ") is running on " + state_dir.string() + " (holds " +
                                     path_.string() + ")");
        }
        throw std::runtime_error("cannot lock " + path_.string() + ": " + errno_text());
    }
    std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd_.get(), 0) != 0 ||
        ::pwrite(fd_.get(), pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
        throw std::runtime_error("cannot write lock file " + path_.string() + ": " + errno_text());
    }
}

Signals::Signals() {
    sigset_t set = handled_signals();
    // Process-wide on purpose: threads started later inherit the mask, so only the signalfd
    // ever sees these signals.
    if (::pthread_sigmask(SIG_BLOCK, &set, nullptr) != 0) {
        throw std::runtime_error("cannot block signals");
    }
    ::signal(SIGPIPE, SIG_IGN);
    fd_ = UniqueFd(::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
    if (!fd_.valid()) throw std::runtime_error("signalfd failed: " + errno_text());
}

Signals::~Signals() {
    sigset_t set = handled_signals();
    ::pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

SignalKind Signals::read() {
    signalfd_siginfo info{};
    ssize_t got = ::read(fd_.get(), &info, sizeof info);
    if (got != static_cast<ssize_t>(sizeof info)) return SignalKind::kNone;
    return info.ssi_signo == SIGHUP ? SignalKind::kReload : SignalKind::kStop;
}

WakeFd::WakeFd() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    if (!fd_.valid()) throw std::runtime_error("eventfd failed: " + errno_text());
}

void WakeFd::notify() const noexcept {
    std::uint64_t one = 1;
    // A full counter (EAGAIN) still wakes the reader, so the result is irrelevant.
    [[maybe_unused]] ssize_t ignored = ::write(fd_.get(), &one, sizeof one);
}

void WakeFd::drain() const noexcept {
    std::uint64_t count = 0;
    [[maybe_unused]] ssize_t ignored = ::read(fd_.get(), &count, sizeof count);
}

Notifier::Notifier() {
    const char* socket = std::getenv("NOTIFY_SOCKET");  // NOLINT(concurrency-mt-unsafe)
    enabled_ = socket != nullptr && *socket != '\0';
    std::uint64_t usec = 0;
    if (enabled_ && sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
        watchdog_interval_ = std::chrono::microseconds{usec / 2};
    }
}

void Notifier::send(std::string_view text) const {
    if (!enabled_) return;
    std::string message{text};
    sd_notify(0, message.c_str());
}

void Notifier::ready() const {
    send("READY=1");
}
void Notifier::reloading() const {
    send("RELOADING=1");
}
void Notifier::stopping() const {
    send("STOPPING=1");
}
void Notifier::status(std::string_view text) const {
    send("STATUS=" + std::string{text});
}

void Notifier::watchdog(std::chrono::steady_clock::time_point now) {
    if (!watchdog_interval_ || now < last_watchdog_ + *watchdog_interval_) return;
    send("WATCHDOG=1");
    last_watchdog_ = now;
}

std::optional<std::chrono::steady_clock::time_point> Notifier::next_watchdog() const {
    if (!watchdog_interval_) return std::nullopt;
    return last_watchdog_ + *watchdog_interval_;
}

}  // namespace herald::daemon
