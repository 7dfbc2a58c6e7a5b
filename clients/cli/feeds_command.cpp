// `herald feeds list|add|rm|show`.
#include <iostream>
#include <memory>

#include <fmt/core.h>

#include "context.hpp"
#include "feed_add.hpp"

namespace herald::cli {
namespace {

std::string state_text(const Output& output, const store::FeedRecord& feed) {
    const auto name = std::string(store::feed_state_name(feed.state));
    switch (feed.state) {
        case store::FeedState::kOk:
            return paint(output, Colour::kGreen, name);
        case store::FeedState::kError:
            return paint(output, Colour::kRed, name);
        default:
            return paint(output, Colour::kDim, name);
    }
}

std::string when(const std::optional<SysSeconds>& time, SysSeconds now) {
    return time ? relative_time(*time, now) : "-";
}

int run_list(const GlobalOptions& global) {
    const auto output = make_output(global);
    auto config = load_config(global);
    if (!config) return report(config.error());
    auto store = open_store_read(*config);
    if (!store) return report(store.error());
    const auto feeds = store->list_feeds();
    if (!feeds) return report(store_failure(feeds.error(), "cannot list feeds"));
    if (output.json) {
        for (const auto& feed : *feeds) std::cout << feed_json(feed, config->fetch) << '\n';
        return kExitOk;
    }
    if (feeds->empty()) {
        std::cerr << "no feeds yet: add one with `herald feeds add URL`\n";
        return kExitOk;
    }
    const auto now = now_seconds();
    std::vector<std::vector<std::string>> rows;
    for (const auto& feed : *feeds) {
        std::string about = one_line(feed.title.value_or(feed.url));
        if (feed.state == store::FeedState::kError && feed.fetch.last_error) {
            about = paint(output, Colour::kRed, one_line(*feed.fetch.last_error));
        }
        rows.push_back({feed.name, state_text(output, feed), std::to_string(feed.item_count),
                        when(feed.fetch.last_polled, now), when(feed.fetch.next_poll, now), about});
    }
    std::cout << format_table(
        {{"NAME"}, {"STATE"}, {"ITEMS", true}, {"POLLED"}, {"NEXT"}, {"TITLE / ERROR"}}, rows,
        output.width);
    return kExitOk;
}

int run_show(const GlobalOptions& global, const std::string& which) {
    const auto output = make_output(global);
    auto config = load_config(global);
    if (!config) return report(config.error());
    auto store = open_store_read(*config);
    if (!store) return report(store.error());
    const auto feed = store->find_feed(which);
    if (!feed) return report(store_failure(feed.error(), "no feed " + which));
    if (output.json) {
        std::cout << feed_json(*feed, config->fetch) << '\n';
        return kExitOk;
    }
    const auto now = now_seconds();
    std::string tags;
    for (const auto& tag : feed->tags) tags += (tags.empty() ? "" : ", ") + tag;
    const auto line = [](std::string_view key, const std::string& value) {
        std::cout << fmt::format("{:<12} {}\n", key, value);
    };
    line("name", feed->name);
    line("url", feed->url);
    line("title", one_line(feed->title.value_or("-")));
    line("tags", tags.empty() ? "-" : tags);
    line("state", state_text(output, *feed));
    line("interval", short_duration(effective_interval(*feed, config->fetch)));
    line("last polled", when(feed->fetch.last_polled, now));
    line("next poll", when(feed->fetch.next_poll, now));
    line("last status", feed->fetch.last_status ? std::to_string(*feed->fetch.last_status) : "-");
    if (feed->fetch.last_error) {
        line("last error", paint(output, Colour::kRed, one_line(*feed->fetch.last_error)));
    }
    line("items", std::to_string(feed->item_count));
    return kExitOk;
}

int run_remove(const GlobalOptions& global, const std::string& which) {
    const auto output = make_output(global);
    auto config = load_config(global);
    if (!config) return report(config.error());
    auto store = open_store_write(*config);
    if (!store) return report(store.error());
    const auto feed = store->find_feed(which);
    if (!feed) return report(store_failure(feed.error(), "no feed " + which));
    if (auto removed = store->remove_feed(which); !removed) {
        return report(store_failure(removed.error(), "cannot remove " + which));
    }
    if (output.json) {
        std::cout << fmt::format(R"({{"removed":"{}"}})", feed->name) << '\n';
    } else {
        std::cout << "removed " << feed->name << " (" << feed->url << ")\n";
    }
    return kExitOk;
}

}  // namespace

void register_feeds(CLI::App& app, const GlobalOptions& global, int& status) {
    auto* feeds = app.add_subcommand("feeds", "List, add, remove and show subscribed feeds");
    feeds->require_subcommand(1);

    auto* list = feeds->add_subcommand("list", "List the feeds and how they are doing");
    list->callback([&global, &status] { status = run_list(global); });

    auto which = std::make_shared<std::string>();
    auto* show = feeds->add_subcommand("show", "Show one feed");
    show->add_option("feed", *which, "feed name or URL")->required();
    show->callback([&global, &status, which] { status = run_show(global, *which); });

    auto* remove = feeds->add_subcommand("rm", "Unsubscribe (its items stay as tombstones)");
    remove->add_option("feed", *which, "feed name or URL")->required();
    remove->callback([&global, &status, which] { status = run_remove(global, *which); });

    register_feed_add(*feeds, global, status);
}

}  // namespace herald::cli
