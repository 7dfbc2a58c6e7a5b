#include "daemon.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>

namespace herald::daemon {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kVersionCheckEvery = 500ms;  // CLI feed edits are noticed within a second
constexpr auto kScanEvery = 1s;
// Results free room under the in-flight caps (feeds and bytes): rescan that soon, so a backlog
// of due feeds is not held to one room-full a second (a scan reads every feed row).
constexpr auto kRescanAfterResults = 100ms;
constexpr auto kStatusEvery = 2s;
constexpr auto kPruneEvery = std::chrono::hours{1};
constexpr auto kMetricsEvery = 15s;     // node_exporter's textfile collector reads on scrape
constexpr std::size_t kMaxBatch = 512;  // outcomes per transaction
// Items per transaction: a batch's events, FTS rows and parsed feeds stay in memory until its
// commit, so a batch of big feeds is cut by items too (peak RSS; the store time of
// bench/e2e.sh at 10,000 feeds did not grow: FTS5 flushes every ~1 MB of terms anyway).
constexpr std::size_t kMaxBatchItems = 2048;

store::OpenOptions open_options(const config::StoreConfig& store) {
    store::OpenOptions options;
    options.search = store.search;
    options.keep_items = store.keep_items;
    options.keep_days = store.keep_days;
    options.keep_events = store.keep_events;
    return options;
}

void make_state_dir(const fs::path& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (!fs::is_directory(dir)) {
        throw std::runtime_error("cannot create state directory " + dir.string() +
                                 (ec ? ": " + ec.message() : std::string{}));
    }
}

// Counts one finished poll: its result, request duration and bytes received.
void record_poll(Metrics& metrics, const FetchResult& result, bool failed) {
    const auto& outcome = result.outcome;
    PollResult kind = PollResult::kError;
    if (!failed && outcome.kind == fetcher::OutcomeKind::kOk) kind = PollResult::kOk;
    if (!failed && outcome.kind == fetcher::OutcomeKind::kNotModified) {
        kind = PollResult::kNotModified;
    }
    const auto& timings = outcome.timings;
    // file:// reads receive nothing over a wire: count the bytes read.
    metrics.record_poll(kind, timings.total,
                        timings.wire_bytes > 0 ? timings.wire_bytes : timings.body_bytes);
}

std::string store_error(const store::StoreError& error) {
    return fmt::format("{} ({})", error.message, store::error_kind_name(error.kind));
}

std::int64_t realtime_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Benchmark hook (bench/bus.sh, docs/performance.md): with HERALD_COMMIT_TRACE=FILE set at
// start, one line per published batch, "first_seq last_seq commit_done_realtime_ns".
TraceFile open_commit_trace() {
    const char* path = std::getenv("HERALD_COMMIT_TRACE");  // NOLINT(concurrency-mt-unsafe)
    if (path == nullptr || *path == '\0') return {nullptr, &std::fclose};
    return {std::fopen(path, "a"), &std::fclose};
}

}  // namespace

std::string OnceSummary::line() const {
    return fmt::format(
        "polled {} feeds: {} ok (200), {} not modified (304), {} errors; {} new items, {} "
        "updated; {:.2f} s",
        feeds, ok, not_modified, errors, new_items, updated_items, seconds);
}

Daemon::Daemon(config::Config config, DaemonOptions options, const fetcher::CurlGlobal& curl,
               std::shared_ptr<spdlog::logger> logger, bool once)
    : config_(std::move(config)),
      options_(std::move(options)),
      logger_(std::move(logger)),
      policy_(poll_policy(config_.fetch)),
      random_(std::random_device{}()),
      started_at_(std::chrono::system_clock::now()),
      commit_trace_(open_commit_trace()) {
    make_state_dir(config_.daemon.state_dir);
    lock_ = std::make_unique<LockFile>(config_.daemon.state_dir);
    auto opened = store::Store::open(config_.daemon.database(), open_options(config_.store));
    if (!opened) throw std::runtime_error(store_error(opened.error()));
    store_.emplace(std::move(*opened));
    // Group members (the CLI of a user in the herald group) may read the store.
    std::error_code ec;
    fs::permissions(config_.daemon.database(), fs::perms::group_read, fs::perm_options::add, ec);
    sync_config_feeds();
    last_seq_ = store_->last_seq().value_or(0);

    std::optional<CurveServerKeys> curve;
    if (config_.daemon.has_curve()) {
        zap_ = std::make_unique<ZapHandler>(context_, config_.daemon.curve_clients, logger_);
        curve = CurveServerKeys{config_.daemon.curve_secret_key};
    }
    publisher_ = std::make_unique<Publisher>(context_, config_.daemon.publish, curve);
    if (!once) control_ = std::make_unique<ControlSocket>(context_, config_.daemon.control, curve);
    // Parsed results waiting for the store count as in flight: a slow store then slows the
    // fetching instead of piling parsed feeds up in memory.
    max_in_flight_ =
        static_cast<std::size_t>(config_.fetch.concurrency) + 2 * options_.parse_workers;
    pipeline_ = std::make_unique<Pipeline>(curl, fetcher_options(config_.fetch),
                                           options_.parse_workers, wake_);
    logger_->info("store {} ({}), last seq {}, {} publish endpoint(s), control {}",
                  config_.daemon.database().string(), store_->store_id(), last_seq_,
                  config_.daemon.publish.size(), once ? "off (--once)" : config_.daemon.control);
}

Daemon::~Daemon() {
    if (pipeline_) pipeline_->stop();
}

void Daemon::sync_config_feeds() {
    std::vector<config::FeedConfig> feeds = config_.feeds;
    if (config_.is_builtin() && feeds.empty()) feeds = config::builtin_feeds(options_.examples_dir);
    auto specs = feed_specs(feeds);
    auto report = store_->upsert_config_feeds(specs);
    if (!report) {
        logger_->error("cannot sync config feeds: {}", store_error(report.error()));
        return;
    }
    logger_->info("config feeds: {} listed, {} added, {} updated, {} disabled", specs.size(),
                  report->added, report->updated, report->disabled);
    scan_now_ = true;
}

void Daemon::scan(bool all_enabled) {
    if (in_flight_.size() >= max_in_flight_) return;
    // Both caps: feeds (concurrency) and bytes (bodies and parsed feeds the pipeline holds).
    const std::size_t room = std::min(max_in_flight_ - in_flight_.size(), pipeline_->room());
    if (room == 0 && !all_enabled) return;
    auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    auto due =
        all_enabled ? store_->list_feeds() : store_->due_feeds(now, room + in_flight_.size());
    if (!due) {
        logger_->error("cannot read due feeds: {}", store_error(due.error()));
        return;
    }
    std::vector<store::FeedRecord> feeds;
    for (auto& feed : *due) {
        if (in_flight_.contains(feed.id)) continue;
        if (all_enabled && (!feed.enabled || feed.state == store::FeedState::kGone)) continue;
        feeds.push_back(std::move(feed));
    }
    if (all_enabled) {
        waiting_ = std::move(feeds);
        summary_.feeds = static_cast<std::int64_t>(waiting_.size());
        return;
    }
    if (feeds.size() > room) feeds.resize(room);
    submit(std::move(feeds));
}

void Daemon::submit(std::vector<store::FeedRecord> feeds) {
    if (feeds.empty()) return;
    std::vector<fetcher::FetchRequest> requests;
    requests.reserve(feeds.size());
    for (auto& feed : feeds) {
        requests.push_back(make_request(feed));
        const std::int64_t id = feed.id;
        in_flight_.insert_or_assign(id, std::move(feed));
    }
    logger_->debug("submitted {} feed(s), {} in flight", requests.size(), in_flight_.size());
    pipeline_->submit(std::move(requests));
}

void Daemon::handle_results() {
    wake_.drain();
    auto results = pipeline_->take_results();
    auto now = std::chrono::system_clock::now();
    std::size_t pending_items = 0;
    for (auto& result : results) {
        auto found = in_flight_.find(result.feed_id);
        if (found == in_flight_.end()) continue;  // submitted before a reload removed it
        store::FeedRecord feed = std::move(found->second);
        in_flight_.erase(found);
        summary_.parse_time += result.parse_time;
        try {
            auto outcome = make_outcome(feed, result, policy_, now, random_(), memory_[feed.id]);
            record_poll(metrics_, result, outcome.error.has_value());
            if (outcome.error) {
                ++summary_.errors;
                if (outcome.error != feed.fetch.last_error) {
                    logger_->warn("feed {}: {}", feed.name, *outcome.error);
                }
            } else if (result.outcome.kind == fetcher::OutcomeKind::kNotModified) {
                ++summary_.not_modified;
            } else if (result.outcome.kind == fetcher::OutcomeKind::kOk) {
                ++summary_.ok;
            } else if (outcome.gone) {
                logger_->warn("feed {}: 410 Gone, no more polls", feed.name);
            }
            if (outcome.new_url) logger_->info("feed {} moved to {}", feed.name, *outcome.new_url);
            if (outcome.parsed) pending_items += outcome.parsed->items.size();
            pending_.push_back(std::move(outcome));
        } catch (const std::exception& e) {
            // A bug must not take the daemon down: count it; the feed stays due and retries.
            ++summary_.errors;
            record_poll(metrics_, result, true);
            logger_->error("feed {}: unexpected failure: {}", feed.name, e.what());
        }
        if (pending_.size() >= kMaxBatch || pending_items >= kMaxBatchItems) {
            commit_pending();
            pending_items = 0;
        }
    }
    commit_pending();
    if (!results.empty()) next_scan_ = std::min(next_scan_, Clock::now() + kRescanAfterResults);
}

void Daemon::commit_pending() {
    if (pending_.empty()) return;
    auto started = Clock::now();
    auto applied = store_->apply(pending_);
    const std::int64_t commit_done_ns = commit_trace_ ? realtime_ns() : 0;
    summary_.store_time += Clock::now() - started;
    if (!applied) {
        if (applied.error().kind == store::StoreErrorKind::kBusy) {
            logger_->warn("store busy, {} outcome(s) kept for the next try", pending_.size());
            return;
        }
        // The feeds' next_poll did not move, so they are polled again soon.
        summary_.store_error = store_error(applied.error());
        logger_->error("cannot store {} outcome(s): {}", pending_.size(), summary_.store_error);
        summary_.unstored += static_cast<std::int64_t>(pending_.size());
        metrics_.record_store_failure(static_cast<std::int64_t>(pending_.size()));
        pending_.clear();
        return;
    }
    // Publish before freeing the batch's parsed feeds: subscribers wait for nothing else.
    publish(applied->events);
    if (commit_trace_ && !applied->events.empty()) {
        // Written after publishing, so the write adds nothing to the latency it measures.
        fmt::print(commit_trace_.get(), "{} {} {}\n", applied->events.front().seq,
                   applied->events.back().seq, commit_done_ns);
        std::fflush(commit_trace_.get());  // the benchmark reads it while heraldd runs
    }
    pending_.clear();
    summary_.new_items += applied->new_items;
    summary_.updated_items += applied->updated_items;
    metrics_.record_items(applied->new_items, applied->updated_items);
}

void Daemon::publish(const std::vector<store::Event>& events) {
    for (const store::Event& event : events) {
        publisher_->publish(event.topic(), event.payload);
        last_seq_ = event.seq;
        if (event.kind == store::EventKind::kFeedError) metrics_.record_feed_error_event();
    }
    metrics_.record_published(static_cast<std::int64_t>(events.size()));
    if (!events.empty())
        logger_->debug("published {} event(s), last seq {}", events.size(), last_seq_);
}

void Daemon::prune() {
    auto report =
        store_->prune(std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
    if (!report) {
        logger_->warn("retention failed: {}", store_error(report.error()));
    } else if (report->items_tombstoned > 0 || report->events_deleted > 0) {
        logger_->info("retention: {} item(s) dropped, {} event(s) deleted",
                      report->items_tombstoned, report->events_deleted);
    }
}

void Daemon::handle_signals() {
    for (int i = 0; i < 16; ++i) {
        switch (signals_.read()) {
            case SignalKind::kNone:
                return;
            case SignalKind::kStop:
                if (!stopping_) logger_->info("stopping");
                stopping_ = true;
                break;
            case SignalKind::kReload:
                if (auto error = reload()) {
                    logger_->error("reload refused, old config kept: {}", error->to_string());
                }
                break;
        }
    }
}

void Daemon::heartbeat() {
    nlohmann::json payload{{"kind", "heartbeat"},
                           {"store", store_->store_id()},
                           {"last_seq", last_seq_},
                           {"at", format_time_ms(std::chrono::system_clock::now())}};
    publisher_->publish("heartbeat/", payload.dump());
}

void Daemon::update_status() {
    auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    auto status = store_->status(now);
    (void)publisher_->connections();  // drains the monitor's events between metrics renders
    if (!status) return;
    notifier_.status(fmt::format("{} feeds, {} due, {} failing, {} in flight, last seq {}",
                                 status->feeds, status->feeds_due, status->feeds_error,
                                 in_flight_.size(), last_seq_));
}

void Daemon::on_timers(SteadyTime now) {
    notifier_.watchdog(now);
    if (now >= next_version_check_) {
        next_version_check_ = now + kVersionCheckEvery;
        auto version = store_->feeds_version();
        if (version && *version != feeds_version_) {
            if (feeds_version_ >= 0) logger_->info("feeds changed in the store");
            feeds_version_ = *version;
            scan_now_ = true;
        }
    }
    if (scan_now_ || now >= next_scan_) {
        scan_now_ = false;
        next_scan_ = now + kScanEvery;
        scan(false);
    }
    if (now >= next_heartbeat_) {
        next_heartbeat_ = now + config_.daemon.heartbeat;
        heartbeat();
    }
    if (now >= next_status_) {
        next_status_ = now + kStatusEvery;
        update_status();
    }
    if (now >= next_prune_) {
        next_prune_ = now + kPruneEvery;
        prune();
    }
    if (now >= next_metrics_) {
        next_metrics_ = now + kMetricsEvery;
        write_metrics();
    }
}

std::chrono::milliseconds Daemon::poll_timeout(SteadyTime now) const {
    SteadyTime next =
        std::min({next_version_check_, next_scan_, next_heartbeat_, next_status_, next_metrics_});
    if (auto watchdog = notifier_.next_watchdog()) next = std::min(next, *watchdog);
    auto wait = std::chrono::ceil<std::chrono::milliseconds>(next - now);
    return std::clamp(wait, std::chrono::milliseconds{0}, std::chrono::milliseconds{1000});
}

void Daemon::wait_for_work(std::chrono::milliseconds timeout) {
    std::vector<zmq::pollitem_t> items{
        {nullptr, signals_.fd(), ZMQ_POLLIN, 0},
        {nullptr, wake_.fd(), ZMQ_POLLIN, 0},
    };
    if (control_) items.push_back({control_->socket().handle(), 0, ZMQ_POLLIN, 0});
    try {
        zmq::poll(items, timeout);
    } catch (const zmq::error_t& e) {
        if (e.num() != EINTR) logger_->warn("poll failed: {}", e.what());
    }
}

int Daemon::run() {
    auto now = Clock::now();
    next_heartbeat_ = next_status_ = next_scan_ = next_version_check_ = next_metrics_ = now;
    next_prune_ = now + std::chrono::minutes{1};
    notifier_.ready();
    logger_->info("heraldd {} ready", config::version());
    while (!stopping_) {
        wait_for_work(poll_timeout(Clock::now()));
        handle_signals();
        if (stopping_) break;
        if (control_)
            control_->serve(
                [this](const nlohmann::json& request) { return handle_request(request); });
        handle_results();
        on_timers(Clock::now());
    }
    notifier_.stopping();
    // Stop new transfers; what was already fetched and parsed is still stored and published.
    pipeline_->stop();
    handle_results();
    write_metrics();
    logger_->info("stopped at seq {}", last_seq_);
    return 0;
}

OnceSummary Daemon::run_once() {
    auto started = Clock::now();
    scan(true);
    std::reverse(waiting_.begin(), waiting_.end());  // pop_back keeps the store's order
    while (!stopping_ && (!waiting_.empty() || !in_flight_.empty())) {
        std::vector<store::FeedRecord> batch;
        const std::size_t room = pipeline_->room();
        while (!waiting_.empty() && in_flight_.size() + batch.size() < max_in_flight_ &&
               batch.size() < room) {
            batch.push_back(std::move(waiting_.back()));
            waiting_.pop_back();
        }
        // Hands the records already submitted back to the heap (peak RSS at 10,000 feeds).
        if (waiting_.size() < waiting_.capacity() / 2) waiting_.shrink_to_fit();
        submit(std::move(batch));
        wait_for_work(std::chrono::milliseconds{1000});
        handle_signals();
        handle_results();
    }
    pipeline_->stop();
    handle_results();
    // Outcomes still waiting here met a busy store on their last try: this run did not keep them.
    summary_.unstored += static_cast<std::int64_t>(pending_.size());
    summary_.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    write_metrics();
    using Seconds = std::chrono::duration<double>;
    logger_->info("once: {:.3f} s wall; parse {:.3f} s (summed over workers); store {:.3f} s",
                  summary_.seconds, Seconds(summary_.parse_time).count(),
                  Seconds(summary_.store_time).count());
    return summary_;
}

}  // namespace herald::daemon
