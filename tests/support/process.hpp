#pragma once
// Test helpers for tests that run real programs: TempDir, Process, wait_until, free_tcp_port.
//
// Process spawns a real program (posix_spawn, so it is safe in a test that already runs
// threads), with its stdout and stderr written to files that the test can read at any time.
// The destructor SIGKILLs and reaps a child that still runs, so a failing test never leaks
// processes. Nothing here sleeps for synchronisation: wait_until polls a predicate with a
// bounded timeout, and Process::wait polls waitpid the same way.
//
// Not thread-safe: one Process belongs to one test thread.

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <sys/types.h>

namespace herald::test {

// A fresh directory under /tmp (short, so ipc:// paths stay under the 107-byte socket limit),
// removed with everything in it on destruction.
class TempDir {
public:
    explicit TempDir(std::string_view prefix = "herald");
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    TempDir(TempDir&& other) noexcept;
    TempDir& operator=(TempDir&& other) noexcept;

    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    // Writes `text` to path()/relative (parents created); returns the full path.
    std::filesystem::path write(const std::filesystem::path& relative, std::string_view text) const;
    [[nodiscard]] std::filesystem::path operator/(const std::filesystem::path& relative) const {
        return path_ / relative;
    }

private:
    std::filesystem::path path_;
};

// Polls `predicate` until it returns true or `timeout` passes; returns its last value.
// The poll interval is short, so a met condition is seen within a few milliseconds.
template <typename Predicate>
bool wait_until(Predicate&& predicate, std::chrono::milliseconds timeout,
                std::chrono::milliseconds poll = std::chrono::milliseconds{5}) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        if (predicate()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return predicate();
        std::this_thread::sleep_for(poll);
    }
}

struct ProcessOptions {
    // Added to (or replacing entries of) the parent's environment.
    std::vector<std::pair<std::string, std::string>> env;
    // Removed from the inherited environment (e.g. NOTIFY_SOCKET, HERALD_CONFIG).
    std::vector<std::string> unset_env;
    // When set, the child's stdin reads this file; else /dev/null.
    std::optional<std::filesystem::path> stdin_file;
    // Where stdout/stderr go; default: files in a private TempDir of the Process.
    std::optional<std::filesystem::path> stdout_file;
    std::optional<std::filesystem::path> stderr_file;
    std::optional<std::filesystem::path> cwd;
};

class Process {
public:
    // Starts `program` with `args` (argv[0] is the program). Throws std::runtime_error when the
    // program cannot be spawned (a test setup failure, not an expected outcome).
    static Process start(const std::filesystem::path& program, std::vector<std::string> args,
                         ProcessOptions options = {});

    ~Process();
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;
    Process(Process&& other) noexcept;
    Process& operator=(Process&& other) noexcept;

    [[nodiscard]] pid_t pid() const { return pid_; }
    // Sends a signal; false if the process was already reaped.
    bool signal(int signal_number);
    // Waits for exit up to `timeout`; the exit code, or 128 + signal number when killed by a
    // signal; nullopt when still running after the timeout.
    std::optional<int> wait(std::chrono::milliseconds timeout);
    // True while the process has not exited (reaps it if it has).
    [[nodiscard]] bool running();
    // SIGKILL and reap (no-op when already reaped).
    void kill();

    [[nodiscard]] std::string stdout_text() const;
    [[nodiscard]] std::string stderr_text() const;
    // The last non-empty line of stderr ("" when none).
    [[nodiscard]] std::string last_stderr_line() const;

private:
    Process() = default;
    bool reap(bool block);

    pid_t pid_ = -1;
    std::optional<int> exit_code_;
    std::optional<TempDir> output_dir_;
    std::filesystem::path stdout_path_;
    std::filesystem::path stderr_path_;
};

// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read it, close).
[[nodiscard]] int free_tcp_port();

// Reads a whole file ("" when missing).
[[nodiscard]] std::string read_file(const std::filesystem::path& path);

// A program built into the build tree's bin/ ($HERALD_BINARY_DIR/bin/NAME, which ctest sets;
// else the directory of the running test binary's ../bin).
[[nodiscard]] std::filesystem::path program_path(std::string_view name);

}  // namespace herald::test
