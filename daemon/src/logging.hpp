#pragma once
// The daemon's one logger, made in main and passed down (no spdlog registry, no default logger).
#include <memory>

#include <spdlog/logger.h>

#include <herald/config.hpp>

namespace herald::daemon {

// A logger writing to stderr. Under journald (stderr is the stream $JOURNAL_STREAM names) each
// line starts with a "<N>" syslog priority and carries no time stamp (journald adds one);
// otherwise lines carry a UTC time stamp and the level name.
[[nodiscard]] std::shared_ptr<spdlog::logger> make_logger(config::LogLevel level);

void set_level(spdlog::logger& logger, config::LogLevel level);

}  // namespace herald::daemon
