#include "logging.hpp"

#include <cstdlib>
#include <string>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <sys/stat.h>

namespace herald::daemon {
namespace {

// "%*" in the pattern: the syslog priority journald reads from the start of a line.
class PriorityFlag final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& message, const std::tm& /*time*/,
                spdlog::memory_buf_t& dest) override {
        const char* prefix = "<6>";
        switch (message.level) {
            case spdlog::level::trace:
            case spdlog::level::debug:
                prefix = "<7>";
                break;
            case spdlog::level::info:
                prefix = "<6>";
                break;
            case spdlog::level::warn:
                prefix = "<4>";
                break;
            case spdlog::level::err:
                prefix = "<3>";
                break;
            case spdlog::level::critical:
                prefix = "<2>";
                break;
            default:
                break;
        }
        dest.append(prefix, prefix + 3);
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<PriorityFlag>();
    }
};

// $JOURNAL_STREAM is "DEV:INODE" of the stream systemd connected; it only counts when stderr
// still is that stream (a child could inherit the variable with stderr redirected).
bool stderr_is_journal() {
    const char* stream = std::getenv("JOURNAL_STREAM");  // NOLINT(concurrency-mt-unsafe)
    if (stream == nullptr || *stream == '\0') return false;
    struct stat info {};
    if (::fstat(2, &info) != 0) return false;
    std::string expected = std::to_string(info.st_dev) + ":" + std::to_string(info.st_ino);
    return expected == stream;
}

spdlog::level::level_enum to_spdlog(config::LogLevel level) {
    switch (level) {
        case config::LogLevel::kTrace:
            return spdlog::level::trace;
        case config::LogLevel::kDebug:
            return spdlog::level::debug;
        case config::LogLevel::kInfo:
            return spdlog::level::info;
        case config::LogLevel::kWarn:
            return spdlog::level::warn;
        case config::LogLevel::kError:
            return spdlog::level::err;
        case config::LogLevel::kCritical:
            return spdlog::level::critical;
        case config::LogLevel::kOff:
            return spdlog::level::off;
    }
    return spdlog::level::info;
}

}  // namespace

std::shared_ptr<spdlog::logger> make_logger(config::LogLevel level) {
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    auto logger = std::make_shared<spdlog::logger>("heraldd", sink);
    auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    if (stderr_is_journal()) {
        formatter->add_flag<PriorityFlag>('*').set_pattern("%*%v");
    } else {
        formatter->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ heraldd[%P] %l: %v");
    }
    logger->set_formatter(std::move(formatter));
    set_level(*logger, level);
    logger->flush_on(spdlog::level::info);
    return logger;
}

void set_level(spdlog::logger& logger, config::LogLevel level) {
    logger.set_level(to_spdlog(level));
}

}  // namespace herald::daemon
