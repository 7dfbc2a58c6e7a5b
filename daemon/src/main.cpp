// heraldd: polls feeds, stores their items and publishes events (contract "Programs").
// main is the only catch-all: start-up failures become one line on stderr and a non-zero exit.
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>
#include <malloc.h>
#include <unistd.h>

#include <herald/config.hpp>
#include <herald/fetcher.hpp>

#include "daemon.hpp"
#include "logging.hpp"

namespace {

namespace fs = std::filesystem;

// sysexits' EX_CONFIG: the unit's RestartPreventExitStatus keeps systemd from looping on it.
constexpr int kExitConfig = 78;

// The bundled example feeds of the built-in config: next to an installed binary first (a
// relocated install), then the source tree this binary was built from, then the install
// prefix baked in at build time.
fs::path find_examples_dir() {
    std::error_code ec;
    fs::path self = fs::read_symlink("/proc/self/exe", ec);
    std::vector<fs::path> candidates;
    if (!ec) candidates.push_back(self.parent_path().parent_path() / "share/herald/examples/feeds");
    candidates.emplace_back(HERALD_EXAMPLES_SOURCE_DIR);
    candidates.emplace_back(HERALD_EXAMPLES_INSTALL_DIR);
    for (const auto& candidate : candidates) {
        if (fs::is_directory(candidate, ec)) return candidate;
    }
    return candidates.back();
}

// Feed bodies (~100 KB, up to fetch.max_body) and libcurl's 128 KiB receive buffers get their
// own mappings, returned to the kernel on free. By default glibc raises its mmap threshold to
// the largest block freed so far, after which every body is carved from a thread's arena and
// the freed holes keep the peak RSS up; a fixed threshold stops that (peak RSS of
// `heraldd --once` over 10,000 fresh feeds: 78 -> 71 MiB, no measurable time; bench/e2e.sh).
void limit_heap_growth() {
    constexpr int kMmapThreshold = 64 * 1024;
    mallopt(M_MMAP_THRESHOLD, kMmapThreshold);
}

void print_keys() {
    for (const auto& key : herald::config::keys()) {
        std::printf("%s.%s\t%s\t%s\t%s\n", std::string{key.section}.c_str(),
                    std::string{key.name}.c_str(),
                    std::string{herald::config::key_type_name(key.type)}.c_str(),
                    std::string{key.default_value}.c_str(), std::string{key.description}.c_str());
    }
}

}  // namespace

int main(int argc, char** argv) {
    limit_heap_growth();
    CLI::App app{"heraldd: polls feeds, stores their items, publishes events over ZeroMQ"};
    std::optional<std::string> config_path;
    bool once = false;
    bool keys = false;
    app.add_option("--config", config_path, "config file (TOML)");
    app.add_flag("--once", once, "poll every enabled feed once, print a summary and exit");
    app.add_flag("--print-config-keys", keys, "list every config key (for the docs) and exit");
    app.set_version_flag("--version",
                         std::string{"heraldd "} + std::string{herald::config::version()});
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    if (keys) {
        print_keys();
        return 0;
    }
    try {
        std::optional<fs::path> explicit_path;
        if (config_path) explicit_path = *config_path;
        auto config =
            herald::config::load(explicit_path, herald::config::Environment::from_process());
        if (!config) {
            std::fprintf(stderr, "heraldd: config error: %s\n", config.error().to_string().c_str());
            return kExitConfig;
        }
        auto logger = herald::daemon::make_logger(config->daemon.log_level);
        logger->info(
            "heraldd {} starting, config {}", herald::config::version(),
            config->is_builtin() ? std::string{"built-in defaults"} : config->source.string());
        herald::fetcher::CurlGlobal curl;
        herald::daemon::DaemonOptions options;
        options.config_path = explicit_path;
        options.examples_dir = find_examples_dir();
        options.parse_workers = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 4);
        herald::daemon::Daemon daemon(std::move(*config), options, curl, logger, once);
        if (once) {
            auto summary = daemon.run_once();
            std::printf("%s\n", summary.line().c_str());
            std::fflush(stdout);
            if (summary.unstored > 0) {
                // The contract: --once fails when the store could not be written.
                std::fprintf(
                    stderr, "heraldd: %lld feed outcome(s) could not be stored: %s\n",
                    static_cast<long long>(summary.unstored),
                    summary.store_error.empty() ? "store busy" : summary.store_error.c_str());
                return 1;
            }
            return 0;
        }
        return daemon.run();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "heraldd: %s\n", e.what());
        return 1;
    }
}
