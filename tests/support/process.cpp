#include "process.hpp"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <stdexcept>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;  // NOLINT: POSIX gives no header for it

namespace herald::test {
namespace {

namespace fs = std::filesystem;

std::string random_suffix() {
    std::random_device random;
    std::ostringstream text;
    text << std::hex << random() << random();
    return text.str();
}

std::vector<std::string> child_environment(const ProcessOptions& options) {
    std::map<std::string, std::string> vars;
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        std::string_view text{*entry};
        auto equals = text.find('=');
        if (equals == std::string_view::npos) continue;
        vars[std::string{text.substr(0, equals)}] = std::string{text.substr(equals + 1)};
    }
    for (const auto& name : options.unset_env) vars.erase(name);
    for (const auto& [name, value] : options.env) vars[name] = value;
    std::vector<std::string> result;
    result.reserve(vars.size());
    for (const auto& [name, value] : vars) result.push_back(name + "=" + value);
    return result;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
    std::vector<char*> result;
    result.reserve(strings.size() + 1);
    for (auto& text : strings) result.push_back(text.data());
    result.push_back(nullptr);
    return result;
}

// posix_spawn's C objects, destroyed whatever happens.
class SpawnSetup {
public:
    SpawnSetup() {
        posix_spawn_file_actions_init(&actions_);
        posix_spawnattr_init(&attributes_);
    }
    ~SpawnSetup() {
        posix_spawn_file_actions_destroy(&actions_);
        posix_spawnattr_destroy(&attributes_);
    }
    SpawnSetup(const SpawnSetup&) = delete;
    SpawnSetup& operator=(const SpawnSetup&) = delete;
    posix_spawn_file_actions_t* actions() { return &actions_; }
    posix_spawnattr_t* attributes() { return &attributes_; }

private:
    posix_spawn_file_actions_t actions_{};
    posix_spawnattr_t attributes_{};
};

}  // namespace

TempDir::TempDir(std::string_view prefix) {
    for (int attempt = 0; attempt < 100; ++attempt) {
        fs::path candidate = fs::path{"/tmp"} / (std::string{prefix} + "-" + random_suffix());
        std::error_code ec;
        if (fs::create_directory(candidate, ec)) {
            path_ = candidate;
            return;
        }
    }
    throw std::runtime_error("cannot create a temporary directory under /tmp");
}

TempDir::~TempDir() {
    if (path_.empty()) return;
    std::error_code ec;
    fs::remove_all(path_, ec);
}

TempDir::TempDir(TempDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}

TempDir& TempDir::operator=(TempDir&& other) noexcept {
    if (this != &other) {
        std::error_code ec;
        if (!path_.empty()) fs::remove_all(path_, ec);
        path_ = std::exchange(other.path_, {});
    }
    return *this;
}

fs::path TempDir::write(const fs::path& relative, std::string_view text) const {
    fs::path file = path_ / relative;
    fs::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (!out) throw std::runtime_error("cannot write " + file.string());
    return file;
}

Process Process::start(const fs::path& program, std::vector<std::string> args,
                       ProcessOptions options) {
    Process process;
    if (!options.stdout_file || !options.stderr_file) process.output_dir_.emplace("herald-out");
    process.stdout_path_ = options.stdout_file.value_or(process.output_dir_->path() / "stdout");
    process.stderr_path_ = options.stderr_file.value_or(process.output_dir_->path() / "stderr");

    SpawnSetup setup;
    const std::string stdin_path = options.stdin_file.value_or("/dev/null").string();
    const std::string stdout_path = process.stdout_path_.string();
    const std::string stderr_path = process.stderr_path_.string();
    posix_spawn_file_actions_addopen(setup.actions(), 0, stdin_path.c_str(), O_RDONLY, 0);
    posix_spawn_file_actions_addopen(setup.actions(), 1, stdout_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(setup.actions(), 2, stderr_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    std::string cwd = options.cwd ? options.cwd->string() : std::string{};
    if (options.cwd) posix_spawn_file_actions_addchdir_np(setup.actions(), cwd.c_str());

    // The child starts with default signal handling and nothing blocked, whatever the test
    // runner did, so the signals a test sends reach the program's own handling.
    sigset_t empty;
    sigemptyset(&empty);
    sigset_t defaults;
    sigemptyset(&defaults);
    for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCHLD, SIGUSR1, SIGUSR2}) {
        sigaddset(&defaults, sig);
    }
    posix_spawnattr_setsigmask(setup.attributes(), &empty);
    posix_spawnattr_setsigdefault(setup.attributes(), &defaults);
    posix_spawnattr_setflags(setup.attributes(), POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    args.insert(args.begin(), program.string());
    std::vector<char*> argv = pointers(args);
    std::vector<std::string> env_strings = child_environment(options);
    std::vector<char*> envp = pointers(env_strings);
    const std::string program_text = program.string();
    pid_t pid = -1;
    int rc = posix_spawn(&pid, program_text.c_str(), setup.actions(), setup.attributes(),
                         argv.data(), envp.data());
    if (rc != 0) {
        throw std::runtime_error("cannot spawn " + program_text + ": " + std::strerror(rc));
    }
    process.pid_ = pid;
    return process;
}

Process::~Process() {
    kill();
}

Process::Process(Process&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      exit_code_(other.exit_code_),
      output_dir_(std::move(other.output_dir_)),
      stdout_path_(std::move(other.stdout_path_)),
      stderr_path_(std::move(other.stderr_path_)) {}

Process& Process::operator=(Process&& other) noexcept {
    if (this != &other) {
        kill();
        pid_ = std::exchange(other.pid_, -1);
        exit_code_ = other.exit_code_;
        output_dir_ = std::move(other.output_dir_);
        stdout_path_ = std::move(other.stdout_path_);
        stderr_path_ = std::move(other.stderr_path_);
    }
    return *this;
}

bool Process::reap(bool block) {
    if (pid_ <= 0 || exit_code_) return true;
    int status = 0;
    pid_t result = 0;
    do {
        result = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
    } while (result < 0 && errno == EINTR);
    if (result == 0) return false;
    if (result < 0) {
        exit_code_ = -1;  // not our child any more; nothing left to wait for
    } else if (WIFEXITED(status)) {
        exit_code_ = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        exit_code_ = 128 + WTERMSIG(status);
    } else {
        return false;
    }
    return true;
}

bool Process::signal(int signal_number) {
    if (pid_ <= 0 || exit_code_) return false;
    return ::kill(pid_, signal_number) == 0;
}

std::optional<int> Process::wait(std::chrono::milliseconds timeout) {
    wait_until([&] { return reap(false); }, timeout, std::chrono::milliseconds{2});
    return exit_code_;
}

bool Process::running() {
    return !reap(false);
}

void Process::kill() {
    if (pid_ <= 0 || exit_code_) return;
    ::kill(pid_, SIGKILL);
    reap(true);
}

std::string Process::stdout_text() const {
    return read_file(stdout_path_);
}
std::string Process::stderr_text() const {
    return read_file(stderr_path_);
}

std::string Process::last_stderr_line() const {
    std::string text = stderr_text();
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    auto newline = text.rfind('\n');
    return newline == std::string::npos ? text : text.substr(newline + 1);
}

int free_tcp_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("socket() failed");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof address;
    // The sockets API takes sockaddr*; this cast is how it is meant to be used.
    auto* generic = reinterpret_cast<sockaddr*>(&address);
    if (::bind(fd, generic, length) != 0 || ::getsockname(fd, generic, &length) != 0) {
        ::close(fd);
        throw std::runtime_error("cannot bind an ephemeral port on 127.0.0.1");
    }
    ::close(fd);
    return ntohs(address.sin_port);
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

fs::path program_path(std::string_view name) {
    if (const char* binary_dir = std::getenv("HERALD_BINARY_DIR");  // NOLINT(concurrency-mt-unsafe)
        binary_dir != nullptr && *binary_dir != '\0') {
        return fs::path{binary_dir} / "bin" / name;
    }
    std::error_code ec;
    fs::path self = fs::read_symlink("/proc/self/exe", ec);
    return self.parent_path().parent_path() / "bin" / name;
}

}  // namespace herald::test
