#include "metrics.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

namespace herald::daemon {
namespace {

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void sample(std::string& out, std::string_view name, std::int64_t value) {
    out += fmt::format("{} {}\n", name, value);
}

void labelled(std::string& out, std::string_view name, std::string_view label,
              std::string_view label_value, std::int64_t value) {
    out += fmt::format("{}{{{}=\"{}\"}} {}\n", name, label, label_value, value);
}

std::size_t index_of(PollResult result) {
    return static_cast<std::size_t>(result);
}

}  // namespace

void Metrics::record_poll(PollResult result, std::chrono::milliseconds duration,
                          std::uint64_t bytes) {
    ++polls_[index_of(result)];
    bytes_ += bytes;
    const double seconds = std::chrono::duration<double>(duration).count();
    ++duration_count_;
    duration_sum_ += seconds;
    for (std::size_t i = 0; i < kPollDurationBuckets.size(); ++i) {
        if (seconds <= kPollDurationBuckets[i]) {
            ++buckets_[i];
            break;
        }
    }
}

void Metrics::record_items(std::int64_t new_items, std::int64_t updated_items) {
    new_items_ += new_items;
    updated_items_ += updated_items;
}

std::int64_t Metrics::polls(PollResult result) const {
    return polls_[index_of(result)];
}

std::string Metrics::render(const MetricsGauges& gauges) const {
    std::string out;
    out.reserve(4096);
    header(out, "herald_polls_total", "counter", "Feed polls finished, by result.");
    labelled(out, "herald_polls_total", "result", "ok", polls_[index_of(PollResult::kOk)]);
    labelled(out, "herald_polls_total", "result", "not_modified",
             polls_[index_of(PollResult::kNotModified)]);
    labelled(out, "herald_polls_total", "result", "error", polls_[index_of(PollResult::kError)]);

    header(out, "herald_fetched_bytes_total", "counter",
           "Bytes received by polls (headers and encoded bodies; file:// feeds: bytes read).");
    out += fmt::format("herald_fetched_bytes_total {}\n", bytes_);

    header(out, "herald_items_total", "counter", "Items stored, by kind (new or updated).");
    labelled(out, "herald_items_total", "kind", "new", new_items_);
    labelled(out, "herald_items_total", "kind", "updated", updated_items_);

    header(out, "herald_feed_errors_total", "counter",
           "feed.error events: a feed started failing or its error changed.");
    sample(out, "herald_feed_errors_total", feed_error_events_);

    header(out, "herald_events_published_total", "counter", "Events published (not heartbeats).");
    sample(out, "herald_events_published_total", published_);

    header(out, "herald_store_failures_total", "counter",
           "Feed outcomes the store could not write (they are polled again).");
    sample(out, "herald_store_failures_total", store_failures_);

    header(out, "herald_poll_duration_seconds", "histogram", "Duration of poll requests.");
    std::int64_t cumulative = 0;
    for (std::size_t i = 0; i < kPollDurationBuckets.size(); ++i) {
        cumulative += buckets_[i];
        out += fmt::format("herald_poll_duration_seconds_bucket{{le=\"{}\"}} {}\n",
                           kPollDurationBuckets[i], cumulative);
    }
    out += fmt::format("herald_poll_duration_seconds_bucket{{le=\"+Inf\"}} {}\n", duration_count_);
    out += fmt::format("herald_poll_duration_seconds_sum {}\n", duration_sum_);
    out += fmt::format("herald_poll_duration_seconds_count {}\n", duration_count_);

    header(out, "herald_feeds", "gauge", "Feeds by state.");
    labelled(out, "herald_feeds", "state", "ok", gauges.feeds_ok);
    labelled(out, "herald_feeds", "state", "error", gauges.feeds_error);
    labelled(out, "herald_feeds", "state", "gone", gauges.feeds_gone);
    labelled(out, "herald_feeds", "state", "disabled", gauges.feeds_disabled);

    header(out, "herald_feeds_due", "gauge", "Feeds due for a poll now.");
    sample(out, "herald_feeds_due", gauges.feeds_due);
    header(out, "herald_polls_in_flight", "gauge", "Polls being fetched, parsed or stored.");
    sample(out, "herald_polls_in_flight", gauges.in_flight);
    header(out, "herald_items", "gauge", "Items held in the store.");
    sample(out, "herald_items", gauges.items);
    header(out, "herald_last_seq", "gauge", "Sequence number of the last event published.");
    sample(out, "herald_last_seq", gauges.last_seq);
    if (gauges.subscribers) {
        header(out, "herald_publish_connections", "gauge",
               "Connections to the PUB endpoints (subscribers).");
        sample(out, "herald_publish_connections", *gauges.subscribers);
    }
    header(out, "herald_start_time_seconds", "gauge", "Start time of heraldd (Unix seconds).");
    sample(out, "herald_start_time_seconds",
           std::chrono::duration_cast<std::chrono::seconds>(gauges.started_at.time_since_epoch())
               .count());
    return out;
}

tl::expected<void, std::string> write_metrics_file(const std::filesystem::path& path,
                                                   const std::string& text) {
    // Not *.prom: node_exporter only reads files ending in .prom, so it never sees the temp.
    const std::filesystem::path temp = path.string() + ".tmp";
    const auto failure = [&](const char* what) {
        const int error = errno;
        ::unlink(temp.c_str());
        return tl::unexpected(fmt::format("cannot write metrics {}: {}: {}", path.string(), what,
                                          std::strerror(error)));
    };
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return failure("open");
    std::size_t written = 0;
    // Bounded: each round writes something or fails.
    while (written < text.size()) {
        const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ::close(fd);
            return failure("write");
        }
        written += static_cast<std::size_t>(n);
    }
    if (::close(fd) != 0) return failure("close");
    if (::rename(temp.c_str(), path.c_str()) != 0) return failure("rename");
    return {};
}

}  // namespace herald::daemon
