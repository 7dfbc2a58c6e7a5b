#include "context.hpp"

#include <cstdlib>
#include <iostream>

#include <fmt/core.h>
#include <nlohmann/json.hpp>
#include <sys/ioctl.h>
#include <unistd.h>

namespace herald::cli {

int report(const Failure& failure) {
    std::cerr << "herald: " << failure.message << '\n';
    return failure.exit_code;
}

Output make_output(const GlobalOptions& global) {
    Output output;
    output.json = global.json;
    output.is_tty = ::isatty(STDOUT_FILENO) == 1;
    // Read once in main's thread before anything else runs.
    const char* no_color = std::getenv("NO_COLOR");  // NOLINT(concurrency-mt-unsafe)
    const char* term = std::getenv("TERM");          // NOLINT(concurrency-mt-unsafe)
    output.colour = output.is_tty && (no_color == nullptr || *no_color == '\0') &&
                    !(term != nullptr && std::string_view(term) == "dumb");
    if (output.is_tty) {
        winsize size{};
        if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) {
            output.width = size.ws_col;
        } else {
            output.width = 80;
        }
    }
    return output;
}

std::string paint(const Output& output, Colour colour, std::string_view text) {
    if (!output.colour) return std::string(text);
    const char* code = "";
    switch (colour) {
        case Colour::kRed:
            code = "31";
            break;
        case Colour::kGreen:
            code = "32";
            break;
        case Colour::kYellow:
            code = "33";
            break;
        case Colour::kDim:
            code = "2";
            break;
        case Colour::kBold:
            code = "1";
            break;
    }
    return fmt::format("\x1b[{}m{}\x1b[0m", code, text);
}

Outcome<config::Config> load_config(const GlobalOptions& global) {
    std::optional<std::filesystem::path> explicit_path;
    if (!global.config_path.empty()) explicit_path = global.config_path;
    auto loaded = config::load(explicit_path, config::Environment::from_process());
    if (!loaded) return fail(kExitFailure, loaded.error().to_string());
    return std::move(*loaded);
}

Failure store_failure(const store::StoreError& error, std::string_view context) {
    const int code = error.kind == store::StoreErrorKind::kNotFound ? kExitNotFound : kExitFailure;
    // The store's own "no feed 'x'" already says what was not found.
    if (context.empty() || code == kExitNotFound) return Failure{code, error.message};
    return Failure{code, fmt::format("{}: {}", context, error.message)};
}

Outcome<store::Store> open_store_read(const config::Config& config) {
    const auto path = config.daemon.database();
    store::OpenOptions options;
    options.read_only = true;
    options.search = config.store.search;
    auto opened = store::Store::open(path, options);
    if (!opened) {
        if (opened.error().kind == store::StoreErrorKind::kNotFound) {
            // Not "not found" in the exit-code sense: there is simply nothing stored yet.
            return fail(kExitFailure,
                        fmt::format("no store at {} yet: start heraldd or add a feed first",
                                    path.string()));
        }
        return tl::unexpected(store_failure(opened.error(), ""));
    }
    return std::move(*opened);
}

Outcome<store::Store> open_store_write(const config::Config& config) {
    std::error_code ignored;
    std::filesystem::create_directories(config.daemon.state_dir, ignored);
    store::OpenOptions options;
    options.search = config.store.search;
    options.keep_items = config.store.keep_items;
    options.keep_days = config.store.keep_days;
    options.keep_events = config.store.keep_events;
    auto opened = store::Store::open(config.daemon.database(), options);
    if (!opened) return tl::unexpected(store_failure(opened.error(), ""));
    return std::move(*opened);
}

SysSeconds now_seconds() {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

std::string time_text(std::optional<SysSeconds> time) {
    return time ? parser::format_time(*time) : "null";
}

std::chrono::seconds effective_interval(const store::FeedRecord& feed,
                                        const config::FetchConfig& fetch) {
    const auto wanted = feed.interval.value_or(fetch.default_interval);
    return std::clamp(wanted, fetch.min_interval, std::max(fetch.min_interval, fetch.max_interval));
}

std::string feed_json(const store::FeedRecord& feed, const config::FetchConfig& fetch) {
    const auto time_or_null = [](const std::optional<SysSeconds>& time) {
        return time ? nlohmann::json(parser::format_time(*time)) : nlohmann::json(nullptr);
    };
    nlohmann::ordered_json json;
    json["name"] = feed.name;
    json["url"] = feed.url;
    json["title"] = feed.title ? nlohmann::json(*feed.title) : nlohmann::json(nullptr);
    json["tags"] = feed.tags;
    json["state"] = store::feed_state_name(feed.state);
    json["interval"] = effective_interval(feed, fetch).count();
    json["last_polled"] = time_or_null(feed.fetch.last_polled);
    json["next_poll"] = time_or_null(feed.fetch.next_poll);
    json["last_status"] =
        feed.fetch.last_status ? nlohmann::json(*feed.fetch.last_status) : nlohmann::json(nullptr);
    json["last_error"] =
        feed.fetch.last_error ? nlohmann::json(*feed.fetch.last_error) : nlohmann::json(nullptr);
    json["items"] = feed.item_count;
    return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace herald::cli
