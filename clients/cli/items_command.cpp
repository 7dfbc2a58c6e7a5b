// `herald items list|search|show`: read-only queries of the store, newest first.
#include <iostream>
#include <memory>

#include <fmt/core.h>

#include "context.hpp"

namespace herald::cli {
namespace {

struct ItemArgs {
    std::string feed;
    std::string since;
    int limit = 50;
    std::string query;
    std::int64_t id = 0;
};

// --since takes a date ("2026-11-25", RFC 3339, RFC 822) or an age ("2h", "3d").
Outcome<SysSeconds> parse_since(const std::string& text) {
    if (const auto date = parser::parse_date(text)) return *date;
    if (text.size() == 10) {
        if (const auto day = parser::parse_date(text + "T00:00:00Z")) return *day;
    }
    if (const auto age = config::parse_duration(text)) {
        return now_seconds() - std::chrono::duration_cast<std::chrono::seconds>(*age);
    }
    return fail(kExitUsage,
                "--since " + text + ": give a date (2026-11-25, RFC 3339) or an age (2h, 3d)");
}

Outcome<store::ItemQuery> make_query(const ItemArgs& args) {
    store::ItemQuery query;
    if (!args.feed.empty()) query.feed = args.feed;
    if (args.limit < 1 || args.limit > 10000) {
        return fail(kExitUsage, "--limit: between 1 and 10000");
    }
    query.limit = args.limit;
    if (!args.since.empty()) {
        auto since = parse_since(args.since);
        if (!since) return tl::unexpected(since.error());
        query.since = *since;
    }
    return query;
}

SysSeconds item_time(const store::StoredItem& stored) {
    return stored.item.published.value_or(stored.item.updated.value_or(stored.first_seen));
}

void print_items(const Output& output, const std::vector<store::StoredItem>& items) {
    if (output.json) {
        for (const auto& item : items) std::cout << store::item_json(item) << '\n';
        return;
    }
    if (items.empty()) {
        std::cerr << "no items\n";
        return;
    }
    const auto now = now_seconds();
    std::vector<std::vector<std::string>> rows;
    for (const auto& stored : items) {
        rows.push_back({std::to_string(stored.id), relative_time(item_time(stored), now),
                        stored.feed_name, one_line(stored.item.title.value_or("(untitled)"))});
    }
    std::cout << format_table({{"ID", true}, {"WHEN"}, {"FEED"}, {"TITLE"}}, rows, output.width);
}

// Checks --feed first so a misspelt name is "not found", not an empty list.
Outcome<void> check_feed(store::Store& store, const store::ItemQuery& query) {
    if (!query.feed) return {};
    if (auto feed = store.find_feed(*query.feed); !feed) {
        return tl::unexpected(store_failure(feed.error(), "no feed " + *query.feed));
    }
    return {};
}

int run_list(const GlobalOptions& global, const ItemArgs& args, bool is_search) {
    const auto output = make_output(global);
    auto query = make_query(args);
    if (!query) return report(query.error());
    auto config = load_config(global);
    if (!config) return report(config.error());
    auto store = open_store_read(*config);
    if (!store) return report(store.error());
    if (auto known = check_feed(*store, *query); !known) return report(known.error());
    const auto items =
        is_search ? store->search_items(args.query, *query) : store->list_items(*query);
    if (!items) return report(store_failure(items.error(), is_search ? "search" : "items"));
    print_items(output, *items);
    return kExitOk;
}

void print_item(const Output& output, const store::StoredItem& stored) {
    const auto& item = stored.item;
    std::cout << paint(output, Colour::kBold, one_line(item.title.value_or("(untitled)"))) << '\n';
    std::string about = stored.feed_name + " · " + relative_time(item_time(stored), now_seconds());
    if (item.author) about += " · " + one_line(*item.author);
    std::cout << paint(output, Colour::kDim, about) << '\n';
    if (item.link) std::cout << *item.link << '\n';
    if (!item.categories.empty()) {
        std::string categories;
        for (const auto& category : item.categories) {
            categories += (categories.empty() ? "" : ", ") + category;
        }
        std::cout << "categories: " << categories << '\n';
    }
    for (const auto& enclosure : item.enclosures) {
        std::cout << "enclosure: " << enclosure.url;
        if (enclosure.type) std::cout << " (" << *enclosure.type << ")";
        std::cout << '\n';
    }
    const auto body = html_to_text(item.content.value_or(item.summary.value_or("")));
    if (!body.empty()) std::cout << '\n' << body << '\n';
}

int run_show(const GlobalOptions& global, std::int64_t id) {
    const auto output = make_output(global);
    auto config = load_config(global);
    if (!config) return report(config.error());
    auto store = open_store_read(*config);
    if (!store) return report(store.error());
    const auto item = store->get_item(id);
    if (!item) return report(store_failure(item.error(), fmt::format("no item {}", id)));
    if (output.json) {
        std::cout << store::item_json(*item) << '\n';
    } else {
        print_item(output, *item);
    }
    return kExitOk;
}

}  // namespace

void register_items(CLI::App& app, const GlobalOptions& global, int& status) {
    auto* items = app.add_subcommand("items", "List, search and show stored items");
    items->require_subcommand(1);
    auto args = std::make_shared<ItemArgs>();

    auto* list = items->add_subcommand("list", "Items, newest first");
    list->add_option("--feed", args->feed, "only this feed (name or URL)");
    list->add_option("--since", args->since, "dated at or after: 2026-11-25, RFC 3339, or 2h");
    list->add_option("--limit", args->limit, "at most N items (default 50)");
    list->callback([&global, &status, args] { status = run_list(global, *args, false); });

    auto* search = items->add_subcommand("search", "Full-text search over title, summary, content");
    search->add_option("query", args->query, "words to find (SQLite FTS5 syntax)")->required();
    search->add_option("--feed", args->feed, "only this feed (name or URL)");
    search->add_option("--limit", args->limit, "at most N items (default 50)");
    search->callback([&global, &status, args] { status = run_list(global, *args, true); });

    auto* show = items->add_subcommand("show", "One item in full");
    show->add_option("id", args->id, "item id (from items list)")->required();
    show->callback([&global, &status, args] { status = run_show(global, args->id); });
}

}  // namespace herald::cli
