// `herald refresh [NAME]` and `herald status`: the running daemon, through its control socket.
#include <iostream>
#include <memory>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <herald/client.hpp>

#include "context.hpp"
#include "subscriber_app.hpp"

namespace herald::cli {
namespace {

using namespace std::chrono_literals;

// Long enough for a busy daemon, short enough that `status` with none running feels instant.
constexpr auto kControlTimeout = 1500ms;

// An ipc:// endpoint whose socket file is missing has no daemon behind it: say so at once
// instead of waiting for the timeout.
bool is_missing_ipc(const std::string& endpoint) {
    constexpr std::string_view kIpc = "ipc://";
    if (!endpoint.starts_with(kIpc)) return false;
    std::error_code ignored;
    return !std::filesystem::exists(endpoint.substr(kIpc.size()), ignored);
}

Outcome<client::ControlClient> control_for(const GlobalOptions& global,
                                           const config::Config& config) {
    auto curve = clients::resolve_curve(global.curve_server_key, global.curve_key);
    if (!curve) return fail(kExitUsage, curve.error());
    return client::ControlClient(client::connectable_endpoint(config.daemon.control),
                                 kControlTimeout, std::move(*curve));
}

int run_refresh(const GlobalOptions& global, const std::string& feed) {
    const auto output = make_output(global);
    auto config = load_config(global);
    if (!config) return report(config.error());
    if (!feed.empty()) {
        if (auto store = open_store_read(*config)) {
            if (auto known = store->find_feed(feed); !known) {
                return report(store_failure(known.error(), "no feed " + feed));
            }
        }
    }
    nlohmann::json request{{"op", "refresh"}};
    if (!feed.empty()) request["feed"] = feed;
    auto made = control_for(global, *config);
    if (!made) return report(made.error());
    auto& control = *made;
    if (is_missing_ipc(control.endpoint())) {
        return report(
            {kExitFailure, "heraldd is not running (no socket at " + control.endpoint() + ")"});
    }
    const auto reply = control.request(request.dump());
    if (!reply) {
        if (reply.error().kind == client::ClientErrorKind::kTimeout) {
            return report(
                {kExitFailure, "heraldd is not running (no reply on " + control.endpoint() + ")"});
        }
        return report({kExitFailure, "refresh: " + reply.error().message});
    }
    if (output.json) {
        std::cout << *reply << '\n';
    } else {
        std::cout << "refresh requested for " << (feed.empty() ? "every feed" : feed) << '\n';
    }
    return kExitOk;
}

struct StatusFacts {
    std::optional<nlohmann::json> daemon;  // the daemon's status reply, when it answered
    std::optional<store::StoreStatus> store;
    std::vector<std::pair<std::string, std::string>> errors;  // feed name, last error
    std::string database;
};

void print_status(const Output& output, const StatusFacts& facts) {
    const auto line = [](std::string_view key, const std::string& value) {
        std::cout << fmt::format("{:<10} {}\n", key, value);
    };
    std::string daemon = paint(output, Colour::kYellow, "not running");
    if (facts.daemon) {
        daemon = paint(output, Colour::kGreen, "running");
        const auto& reply = *facts.daemon;
        if (reply.contains("pid") && reply["pid"].is_number_integer()) {
            daemon += fmt::format(" (pid {}", reply["pid"].get<std::int64_t>());
            if (reply.contains("version") && reply["version"].is_string()) {
                daemon += ", version " + reply["version"].get<std::string>();
            }
            daemon += ")";
        }
    }
    line("daemon", daemon);
    line("database", facts.database);
    if (!facts.store) {
        line("store", "none yet");
        return;
    }
    const auto& s = *facts.store;
    line("store", s.store_id);
    line("feeds",
         fmt::format("{} ({} ok, {} error, {} gone, {} disabled), {} due now", s.feeds, s.feeds_ok,
                     s.feeds_error, s.feeds_gone, s.feeds_disabled, s.feeds_due));
    line("items", std::to_string(s.items));
    line("last seq", std::to_string(s.last_seq));
    for (const auto& [name, error] : facts.errors) {
        line("error", paint(output, Colour::kRed, name + ": " + one_line(error)));
    }
}

void print_status_json(const StatusFacts& facts) {
    nlohmann::ordered_json json;
    json["running"] = facts.daemon.has_value();
    json["daemon"] = facts.daemon ? *facts.daemon : nlohmann::json(nullptr);
    json["database"] = facts.database;
    if (facts.store) {
        const auto& s = *facts.store;
        json["store"] = s.store_id;
        json["feeds"] = s.feeds;
        json["feeds_ok"] = s.feeds_ok;
        json["feeds_error"] = s.feeds_error;
        json["feeds_gone"] = s.feeds_gone;
        json["feeds_disabled"] = s.feeds_disabled;
        json["feeds_due"] = s.feeds_due;
        json["items"] = s.items;
        json["last_seq"] = s.last_seq;
    } else {
        json["store"] = nullptr;
    }
    auto errors = nlohmann::json::array();
    for (const auto& [name, error] : facts.errors) {
        errors.push_back({{"feed", name}, {"error", error}});
    }
    json["errors"] = errors;
    std::cout << json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

// `herald status --prometheus`: the daemon's metrics text, as in its metrics_file.
int run_prometheus(const GlobalOptions& global, const config::Config& config) {
    auto made = control_for(global, config);
    if (!made) return report(made.error());
    auto& control = *made;
    const Failure absent{kExitNotFound,
                         "heraldd is not running (no reply on " + control.endpoint() + ")"};
    if (is_missing_ipc(control.endpoint())) return report(absent);
    const auto reply = control.request(R"({"op":"status"})");
    if (!reply) {
        if (reply.error().kind == client::ClientErrorKind::kTimeout) return report(absent);
        return report({kExitFailure, "status: " + reply.error().message});
    }
    const auto json = nlohmann::json::parse(*reply, nullptr, false);
    if (json.is_discarded() || !json.contains("prometheus") || !json["prometheus"].is_string()) {
        return report({kExitFailure, "this heraldd does not report metrics (too old?)"});
    }
    std::cout << json["prometheus"].get<std::string>() << std::flush;
    return kExitOk;
}

int run_status(const GlobalOptions& global, bool prometheus) {
    const auto output = make_output(global);
    auto config = load_config(global);
    if (!config) return report(config.error());
    if (prometheus) return run_prometheus(global, *config);
    StatusFacts facts;
    facts.database = config->daemon.database().string();
    auto made = control_for(global, *config);
    if (!made) return report(made.error());
    auto& control = *made;
    if (!is_missing_ipc(control.endpoint())) {
        if (const auto reply = control.request(R"({"op":"status"})")) {
            auto json = nlohmann::json::parse(*reply, nullptr, false);
            // The metrics text belongs to --prometheus, not to the status object.
            if (json.is_object()) json.erase("prometheus");
            if (!json.is_discarded()) facts.daemon = std::move(json);
        }
    }
    if (std::filesystem::exists(config->daemon.database())) {
        auto store = open_store_read(*config);
        if (!store) return report(store.error());
        auto status = store->status(now_seconds());
        if (!status) return report(store_failure(status.error(), "status"));
        facts.store = *status;
        if (auto feeds = store->list_feeds()) {
            for (const auto& feed : *feeds) {
                if (feed.state == store::FeedState::kError) {
                    facts.errors.emplace_back(feed.name, feed.fetch.last_error.value_or("?"));
                }
            }
        }
    }
    if (output.json) {
        print_status_json(facts);
    } else {
        print_status(output, facts);
    }
    return kExitOk;
}

}  // namespace

void register_daemon(CLI::App& app, const GlobalOptions& global, int& status) {
    auto feed = std::make_shared<std::string>();
    auto* refresh = app.add_subcommand("refresh", "Ask the running heraldd to poll now");
    refresh->add_option("feed", *feed, "only this feed (name or URL)");
    refresh->callback([&global, &status, feed] { status = run_refresh(global, *feed); });

    auto prometheus = std::make_shared<bool>(false);
    auto* show = app.add_subcommand("status", "Daemon state, feeds due, errors, last seq");
    show->add_flag("--prometheus", *prometheus,
                   "print the daemon's metrics in Prometheus text format (exit 3 without one)");
    show->callback([&global, &status, prometheus] { status = run_status(global, *prometheus); });
}

}  // namespace herald::cli
