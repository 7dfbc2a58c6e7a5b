#include "run_command.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <fmt/core.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace herald::clients {
namespace {

// Owns one file descriptor.
class UniqueFd {
public:
    explicit UniqueFd(int fd) : fd_(fd) {}
    ~UniqueFd() {
        if (fd_ >= 0) ::close(fd_);
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    [[nodiscard]] int get() const { return fd_; }

private:
    int fd_;
};

// The payload goes through an in-memory file rather than a pipe: a command that never reads
// stdin cannot block us, and one that reads it twice (seek) still works.
tl::expected<int, std::string> payload_file(const std::string& payload) {
    const int fd = ::memfd_create("herald-payload", MFD_CLOEXEC);
    if (fd < 0) return tl::unexpected(std::string("memfd_create: ") + std::strerror(errno));
    std::string_view rest = payload;
    while (!rest.empty()) {
        const auto written = ::write(fd, rest.data(), rest.size());
        if (written < 0 && errno == EINTR) continue;
        if (written < 0) {
            ::close(fd);
            return tl::unexpected(std::string("payload write: ") + std::strerror(errno));
        }
        rest.remove_prefix(static_cast<std::size_t>(written));
    }
    ::lseek(fd, 0, SEEK_SET);
    return fd;
}

// The caller's environment with our HERALD_* values in place of any inherited ones.
std::vector<std::string> environment_for(const client::Event& event) {
    std::vector<std::string> env;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        const std::string_view text(*entry);
        if (text.starts_with("HERALD_SEQ=") || text.starts_with("HERALD_KIND=") ||
            text.starts_with("HERALD_FEED=") || text.starts_with("HERALD_TITLE=") ||
            text.starts_with("HERALD_LINK=")) {
            continue;
        }
        env.emplace_back(text);
    }
    env.push_back("HERALD_SEQ=" + std::to_string(event.seq));
    env.push_back("HERALD_KIND=" + event.kind);
    env.push_back("HERALD_FEED=" + event.feed);
    env.push_back("HERALD_TITLE=" + event.title);
    env.push_back("HERALD_LINK=" + event.link);
    return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
    std::vector<char*> result;
    result.reserve(strings.size() + 1);
    for (auto& text : strings) result.push_back(text.data());
    result.push_back(nullptr);
    return result;
}

// posix_spawn's attribute and file-action objects, destroyed on every path.
struct SpawnSetup {
    posix_spawnattr_t attr;
    posix_spawn_file_actions_t actions;
    SpawnSetup() {
        posix_spawnattr_init(&attr);
        posix_spawn_file_actions_init(&actions);
    }
    ~SpawnSetup() {
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attr);
    }
    SpawnSetup(const SpawnSetup&) = delete;
    SpawnSetup& operator=(const SpawnSetup&) = delete;
};

}  // namespace

std::string CommandResult::describe() const {
    if (exit_code > 128) return fmt::format("was killed by signal {}", exit_code - 128);
    return fmt::format("exited with status {}", exit_code);
}

tl::expected<CommandResult, std::string> run_command(const std::vector<std::string>& command,
                                                     const client::Event& event) {
    auto stdin_fd = payload_file(event.payload);
    if (!stdin_fd) return tl::unexpected(stdin_fd.error());
    UniqueFd payload(*stdin_fd);

    SpawnSetup setup;
    posix_spawn_file_actions_adddup2(&setup.actions, payload.get(), STDIN_FILENO);
    // We block SIGTERM/SIGINT and ignore SIGPIPE; the command must start with neither.
    sigset_t empty;
    sigemptyset(&empty);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGTERM);
    sigaddset(&defaults, SIGINT);
    posix_spawnattr_setsigmask(&setup.attr, &empty);
    posix_spawnattr_setsigdefault(&setup.attr, &defaults);
    posix_spawnattr_setflags(&setup.attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    auto args = command;
    auto env = environment_for(event);
    auto argv = pointers(args);
    auto envp = pointers(env);
    pid_t pid = 0;
    const int spawned =
        posix_spawnp(&pid, argv[0], &setup.actions, &setup.attr, argv.data(), envp.data());
    if (spawned != 0) {
        return tl::unexpected(fmt::format("cannot run {}: {}", command[0], std::strerror(spawned)));
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return tl::unexpected(std::string("waitpid: ") + std::strerror(errno));
    }
    if (WIFSIGNALED(status)) return CommandResult{128 + WTERMSIG(status)};
    return CommandResult{WEXITSTATUS(status)};
}

}  // namespace herald::clients
