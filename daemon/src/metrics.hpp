#pragma once
// Metrics for Prometheus without an HTTP server: counters kept by the daemon's main thread and
// rendered in the text exposition format (what node_exporter's textfile collector reads).
//
// Metrics holds the counters and the poll-duration histogram; the gauges (feeds by state, last
// seq, ...) are read when rendering and passed in. render() is pure text; write_metrics_file()
// is the one function here that touches the disk. Not thread-safe: main thread only.
#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include <tl/expected.hpp>

namespace herald::daemon {

enum class PollResult { kOk, kNotModified, kError };

// Upper bounds (seconds) of the poll-duration buckets; +Inf is implied.
inline constexpr std::array<double, 10> kPollDurationBuckets{0.05, 0.1, 0.25, 0.5, 1,
                                                             2.5,  5,   10,   30,  60};

// What the daemon knows at render time (read from the store and its own state).
struct MetricsGauges {
    std::int64_t feeds_ok = 0;
    std::int64_t feeds_error = 0;
    std::int64_t feeds_gone = 0;
    std::int64_t feeds_disabled = 0;
    std::int64_t feeds_due = 0;
    std::int64_t items = 0;
    std::int64_t in_flight = 0;
    std::int64_t last_seq = 0;
    std::optional<std::int64_t> subscribers;  // PUB connections, when known
    std::chrono::system_clock::time_point started_at;
};

class Metrics {
public:
    // One finished poll: its result, how long the request took, bytes received.
    void record_poll(PollResult result, std::chrono::milliseconds duration, std::uint64_t bytes);
    void record_items(std::int64_t new_items, std::int64_t updated_items);
    void record_feed_error_event() { ++feed_error_events_; }
    void record_published(std::int64_t events) { published_ += events; }
    void record_store_failure(std::int64_t outcomes) { store_failures_ += outcomes; }

    [[nodiscard]] std::int64_t polls(PollResult result) const;

    // The whole exposition text, "# HELP"/"# TYPE" before every metric, names herald_*.
    [[nodiscard]] std::string render(const MetricsGauges& gauges) const;

private:
    std::array<std::int64_t, 3> polls_{};  // by PollResult
    std::uint64_t bytes_ = 0;
    std::int64_t new_items_ = 0;
    std::int64_t updated_items_ = 0;
    std::int64_t feed_error_events_ = 0;
    std::int64_t published_ = 0;
    std::int64_t store_failures_ = 0;
    std::array<std::int64_t, kPollDurationBuckets.size()> buckets_{};  // not cumulative
    std::int64_t duration_count_ = 0;
    double duration_sum_ = 0;
};

// Writes `text` to a temporary file in the same directory and renames it over `path`, so a
// reader (node_exporter) never sees half a file. The error is one line for the log.
[[nodiscard]] tl::expected<void, std::string> write_metrics_file(const std::filesystem::path& path,
                                                                 const std::string& text);

}  // namespace herald::daemon
