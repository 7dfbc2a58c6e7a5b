// The control ops (contract "Control"): status, refresh, replay, reload. Each answers one
// JSON object; a bad request gets {"ok":false,"error":...}, never an exception.
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "daemon.hpp"
#include "logging.hpp"

namespace herald::daemon {
namespace {

constexpr int kDefaultReplayLimit = 100;
constexpr int kMaxReplayLimit = 1000;

std::optional<std::int64_t> integer_field(const nlohmann::json& request, const char* name,
                                          std::int64_t fallback) {
    if (!request.contains(name)) return fallback;
    const auto& value = request[name];
    if (!value.is_number_integer()) return std::nullopt;
    return value.get<std::int64_t>();
}

}  // namespace

std::string Daemon::handle_request(const nlohmann::json& request) {
    const std::string op = request["op"].get<std::string>();
    try {
        if (op == "status") return op_status();
        if (op == "refresh") return op_refresh(request);
        if (op == "replay") return op_replay(request);
        if (op == "reload") {
            if (auto error = reload()) return error_reply(error->to_string());
            return nlohmann::json{{"ok", true}}.dump();
        }
    } catch (const std::exception& e) {
        logger_->error("control op {} failed: {}", op, e.what());
        return error_reply(std::string{"internal error: "} + e.what());
    }
    return error_reply("unknown op \"" + op + "\" (status, refresh, replay, reload)");
}

std::string Daemon::op_status() {
    auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    auto status = store_->status(now);
    if (!status) return error_reply(status.error().message);
    nlohmann::json reply{
        {"ok", true},
        {"version", std::string{config::version()}},
        {"pid", static_cast<std::int64_t>(::getpid())},
        {"store", status->store_id},
        {"started_at", format_time_ms(started_at_)},
        {"config", config_.is_builtin() ? std::string{"(built-in)"} : config_.source.string()},
        {"last_seq", last_seq_},
        {"first_seq", status->first_seq},
        {"feeds", status->feeds},
        {"feeds_ok", status->feeds_ok},
        {"feeds_error", status->feeds_error},
        {"feeds_gone", status->feeds_gone},
        {"feeds_disabled", status->feeds_disabled},
        {"feeds_due", status->feeds_due},
        {"in_flight", in_flight_.size()},
        {"items", status->items},
        // The Prometheus exposition text, as in [daemon] metrics_file (herald status
        // --prometheus prints it).
        {"prometheus", metrics_text(&*status)},
    };
    return reply.dump();
}

std::string Daemon::metrics_text(const store::StoreStatus* status) {
    MetricsGauges gauges;
    gauges.started_at = started_at_;
    gauges.last_seq = last_seq_;
    gauges.in_flight = static_cast<std::int64_t>(in_flight_.size() + pending_.size());
    gauges.subscribers = publisher_->connections();
    if (status != nullptr) {
        gauges.feeds_ok = status->feeds_ok;
        gauges.feeds_error = status->feeds_error;
        gauges.feeds_gone = status->feeds_gone;
        gauges.feeds_disabled = status->feeds_disabled;
        gauges.feeds_due = status->feeds_due;
        gauges.items = status->items;
    }
    return metrics_.render(gauges);
}

void Daemon::write_metrics() {
    if (config_.daemon.metrics_file.empty()) return;
    auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    auto status = store_->status(now);  // unreadable: the store gauges read 0 this time
    const std::string text = metrics_text(status ? &*status : nullptr);
    if (auto written = write_metrics_file(config_.daemon.metrics_file, text); !written) {
        logger_->warn("{}", written.error());
    }
}

std::string Daemon::op_refresh(const nlohmann::json& request) {
    std::vector<std::int64_t> ids;
    if (request.contains("feed") && !request["feed"].is_null()) {
        if (!request["feed"].is_string()) return error_reply("\"feed\" must be a feed name or URL");
        auto feed = store_->find_feed(request["feed"].get<std::string>());
        if (!feed) return error_reply(feed.error().message);
        ids.push_back(feed->id);
    } else {
        auto feeds = store_->list_feeds();
        if (!feeds) return error_reply(feeds.error().message);
        for (const auto& feed : *feeds) {
            if (feed.enabled && feed.state != store::FeedState::kGone) ids.push_back(feed.id);
        }
    }
    for (std::int64_t id : ids) {
        if (auto done = store_->set_next_poll(id, std::nullopt); !done) {
            return error_reply(done.error().message);
        }
    }
    scan_now_ = true;
    return nlohmann::json{{"ok", true}, {"feeds", ids.size()}}.dump();
}

std::string Daemon::op_replay(const nlohmann::json& request) {
    auto after = integer_field(request, "after", 0);
    auto limit = integer_field(request, "limit", kDefaultReplayLimit);
    if (!after || *after < 0) return error_reply("\"after\" must be a seq (integer >= 0)");
    if (!limit || *limit < 1) return error_reply("\"limit\" must be an integer >= 1");
    // Never hand out what was not published yet (through last_seq_). The stored payloads are
    // embedded as they are: byte for byte what was published.
    auto page = store_->replay_json(
        *after, static_cast<int>(std::min<std::int64_t>(*limit, kMaxReplayLimit)), last_seq_,
        R"({"ok":true,"events":[)");
    if (!page) {
        nlohmann::json reply{{"ok", false}, {"error", page.error().message}};
        if (page.error().kind == store::StoreErrorKind::kPruned) {
            reply["first_seq"] = page.error().first_seq;
        }
        return reply.dump();
    }
    // The store wrote the reply's head; a page is ~1 MB, so it is not copied again here.
    std::string reply = std::move(page->payloads);
    reply += fmt::format(R"(],"last_seq":{}}})", last_seq_);
    return reply;
}

std::optional<config::ConfigError> Daemon::reload() {
    notifier_.reloading();
    auto loaded = config::load(options_.config_path, config::Environment::from_process());
    if (!loaded) {
        notifier_.ready();
        return loaded.error();
    }
    if (loaded->daemon.state_dir != config_.daemon.state_dir ||
        loaded->daemon.publish != config_.daemon.publish ||
        loaded->daemon.control != config_.daemon.control ||
        loaded->daemon.curve_secret_key != config_.daemon.curve_secret_key ||
        loaded->daemon.curve_clients != config_.daemon.curve_clients) {
        logger_->warn("reload: [daemon] state_dir/publish/control/curve_* changes need a restart");
    }
    const auto before = fetcher_options(config_.fetch);
    const auto after = fetcher_options(loaded->fetch);
    if (before.user_agent != after.user_agent || before.concurrency != after.concurrency ||
        before.per_host != after.per_host || before.timeout != after.timeout ||
        before.max_body != after.max_body) {
        // The fetch thread owns its Fetcher; replacing it mid-transfer is not worth the risk.
        logger_->warn("reload: [fetch] transfer settings take effect after a restart");
    }
    config::Config next = std::move(*loaded);
    next.daemon.state_dir = config_.daemon.state_dir;
    next.daemon.publish = config_.daemon.publish;
    next.daemon.control = config_.daemon.control;
    next.daemon.curve_secret_key = config_.daemon.curve_secret_key;
    next.daemon.curve_clients = config_.daemon.curve_clients;
    config_ = std::move(next);
    policy_ = poll_policy(config_.fetch);
    set_level(*logger_, config_.daemon.log_level);
    sync_config_feeds();
    logger_->info("config reloaded from {}", config_.is_builtin() ? std::string{"built-in defaults"}
                                                                  : config_.source.string());
    notifier_.ready();
    return std::nullopt;
}

}  // namespace herald::daemon
