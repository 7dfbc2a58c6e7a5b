// `herald opml import FILE` / `herald opml export`, and `herald db check`.
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <set>

#include <fmt/chrono.h>
#include <fmt/core.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "context.hpp"
#include "opml.hpp"

namespace herald::cli {
namespace {

// Imports shorter than this finish before a progress bar would be worth drawing.
constexpr std::size_t kProgressThreshold = 20;

struct Skipped {
    std::string url;
    std::string reason;
};

// A free name: the OPML's own (from a herald export), else one from the URL, made unique.
std::string pick_name(const OpmlFeed& feed, const std::set<std::string>& taken) {
    std::string base =
        config::is_valid_name(feed.name) ? feed.name : config::slug_from_url(feed.url);
    if (!config::is_valid_name(base)) base = "feed";
    if (!taken.contains(base)) return base;
    for (int suffix = 2; suffix < 10000; ++suffix) {
        auto candidate = fmt::format("{}-{}", base.substr(0, 58), suffix);
        if (!taken.contains(candidate)) return candidate;
    }
    return base;
}

void draw_progress(std::size_t done, std::size_t total) {
    constexpr std::size_t kBarWidth = 30;
    const auto filled = total == 0 ? kBarWidth : done * kBarWidth / total;
    std::cerr << fmt::format("\r[{}{}] {}/{}", std::string(filled, '#'),
                             std::string(kBarWidth - filled, ' '), done, total)
              << std::flush;
}

int run_import(const GlobalOptions& global, const std::string& file) {
    const auto output = make_output(global);
    std::ifstream in(file, std::ios::binary);
    if (!in) return report({kExitNotFound, "cannot read " + file});
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    const auto document = parse_opml(text);
    if (!document) return report({kExitFailure, file + ": " + document.error().message});
    auto config = load_config(global);
    if (!config) return report(config.error());
    auto store = open_store_write(*config);
    if (!store) return report(store.error());
    const auto existing = store->list_feeds();
    if (!existing) return report(store_failure(existing.error(), "cannot list feeds"));
    std::set<std::string> names;
    std::set<std::string> urls;
    for (const auto& feed : *existing) {
        names.insert(feed.name);
        urls.insert(feed.url);
    }
    std::vector<std::string> imported;
    std::vector<Skipped> skipped;
    for (const auto& url : document->duplicates) skipped.push_back({url, "duplicate in the file"});
    const bool show_progress =
        ::isatty(STDERR_FILENO) == 1 && document->feeds.size() >= kProgressThreshold;
    for (std::size_t i = 0; i < document->feeds.size(); ++i) {
        const auto& feed = document->feeds[i];
        if (show_progress) draw_progress(i, document->feeds.size());
        if (urls.contains(feed.url)) {
            skipped.push_back({feed.url, "already subscribed"});
            continue;
        }
        store::FeedSpec spec{feed.url, pick_name(feed, names), std::nullopt, feed.tags};
        auto added = store->add_feed(spec);
        if (!added) {
            if (added.error().kind != store::StoreErrorKind::kConflict &&
                added.error().kind != store::StoreErrorKind::kInvalid) {
                if (show_progress) std::cerr << '\n';
                return report(store_failure(added.error(), "cannot add " + feed.url));
            }
            skipped.push_back({feed.url, added.error().message});
            continue;
        }
        names.insert(added->name);
        urls.insert(added->url);
        imported.push_back(added->name);
    }
    if (show_progress) {
        draw_progress(document->feeds.size(), document->feeds.size());
        std::cerr << '\n';
    }
    if (output.json) {
        nlohmann::ordered_json json{{"imported", imported}, {"skipped", nlohmann::json::array()}};
        for (const auto& skip : skipped) {
            json["skipped"].push_back({{"url", skip.url}, {"reason", skip.reason}});
        }
        std::cout << json.dump() << '\n';
        return kExitOk;
    }
    std::cout << fmt::format("imported {} feeds from {}", imported.size(), file);
    std::cout << (skipped.empty() ? "\n" : fmt::format("; skipped {}:\n", skipped.size()));
    for (const auto& skip : skipped) std::cout << "  " << skip.url << " (" << skip.reason << ")\n";
    return kExitOk;
}

int run_export(const GlobalOptions& global) {
    auto config = load_config(global);
    if (!config) return report(config.error());
    auto store = open_store_read(*config);
    if (!store) return report(store.error());
    const auto feeds = store->list_feeds();
    if (!feeds) return report(store_failure(feeds.error(), "cannot list feeds"));
    std::vector<OpmlFeed> outlines;
    for (const auto& feed : *feeds) {
        outlines.push_back(OpmlFeed{feed.url, feed.title.value_or(""), "", feed.name, feed.tags});
    }
    const auto created = fmt::format("{:%a, %d %b %Y %H:%M:%S} GMT", now_seconds());
    std::cout << write_opml(outlines, "herald subscriptions", created);
    return kExitOk;
}

int run_check(const GlobalOptions& global) {
    const auto output = make_output(global);
    auto config = load_config(global);
    if (!config) return report(config.error());
    auto store = open_store_read(*config);
    if (!store) return report(store.error());
    const auto checked = store->check();
    if (!checked) return report(store_failure(checked.error(), "check"));
    if (output.json) {
        std::cout << nlohmann::json{{"ok", checked->ok}, {"problems", checked->problems}}.dump()
                  << '\n';
    } else if (checked->ok) {
        std::cout << "store ok: " << store->path().string() << '\n';
    } else {
        for (const auto& problem : checked->problems) std::cout << problem << '\n';
    }
    if (!checked->ok) {
        std::cerr << "herald: the store at " << store->path().string() << " has "
                  << checked->problems.size() << " problem(s)\n";
    }
    return checked->ok ? kExitOk : kExitFailure;
}

}  // namespace

void register_opml(CLI::App& app, const GlobalOptions& global, int& status) {
    auto* opml = app.add_subcommand("opml", "Import or export subscriptions as OPML");
    opml->require_subcommand(1);
    auto file = std::make_shared<std::string>();
    auto* import = opml->add_subcommand("import", "Subscribe to every feed of an OPML file");
    import->add_option("file", *file, "OPML file (folders become tags)")->required();
    import->callback([&global, &status, file] { status = run_import(global, *file);
});
auto* export_command = opml->add_subcommand("export", "Print the subscriptions as OPML 2.0");
export_command->callback([&global, &status] { status = run_export(global); });
}  // namespace herald::cli

void register_db(CLI::App& app, const GlobalOptions& global, int& status) {
    auto* db = app.add_subcommand("db", "Store maintenance");
    db->require_subcommand(1);
    auto* check = db->add_subcommand("check", "Integrity check of the store");
    check->callback([&global, &status] { status = run_check(global); });
}

}  // namespace herald::cli
