#include "feed_add.hpp"

#include <iostream>
#include <memory>

#include <fmt/core.h>
#include <unistd.h>

#include <herald/fetcher.hpp>
#include <herald/parser.hpp>

#include "context.hpp"
#include "discover.hpp"

namespace herald::cli {
namespace {

struct AddArgs {
    std::string url;
    std::string name;
    std::string interval;
    std::vector<std::string> tags;
    int pick = 0;
    bool no_check = false;
};

struct CheckedFeed {
    std::string url;
    std::optional<std::string> title;
    std::size_t items = 0;
    std::string format;
};

// A path on disk becomes a file:// URL, a bare host name an https:// one.
std::string normalise_url(const std::string& text) {
    if (text.find("://") != std::string::npos) return text;
    std::error_code ec;
    if (std::filesystem::exists(text, ec)) {
        return "file://" + std::filesystem::absolute(text, ec).lexically_normal().string();
    }
    return "https://" + text;
}

Outcome<fetcher::FetchOutcome> fetch_once(fetcher::Fetcher& fetcher, const std::string& url,
                                          std::chrono::milliseconds timeout) {
    fetcher.submit(fetcher::FetchRequest{1, url, "", "", /*allow_file=*/true, false});
    const auto deadline = std::chrono::steady_clock::now() + timeout + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
        auto outcomes = fetcher.poll(std::chrono::milliseconds(250));
        if (outcomes.empty()) continue;
        auto outcome = std::move(outcomes.front());
        if (outcome.kind == fetcher::OutcomeKind::kOk) return outcome;
        std::string why = outcome.error.message;
        if (why.empty() && outcome.http_status != 0) {
            why = fmt::format("HTTP {}", outcome.http_status);
        }
        if (why.empty()) why = std::string(fetcher::to_string(outcome.kind));
        return fail(kExitFailure, fmt::format("cannot fetch {}: {}", url, why));
    }
    return fail(kExitFailure, fmt::format("cannot fetch {}: no answer in time", url));
}

Outcome<std::size_t> choose(const std::vector<DiscoveredFeed>& found, const std::string& page,
                            int pick) {
    if (pick != 0) {
        if (pick < 1 || static_cast<std::size_t>(pick) > found.size()) {
            return fail(kExitUsage,
                        fmt::format("--pick {}: {} lists feeds 1 to {}", pick, page, found.size()));
        }
        return static_cast<std::size_t>(pick - 1);
    }
    if (found.size() == 1) return std::size_t{0};
    std::cerr << page << " links to " << found.size() << " feeds:\n";
    for (std::size_t i = 0; i < found.size(); ++i) {
        std::cerr << fmt::format("  {}. {}  {} ({})\n", i + 1,
                                 found[i].title.empty() ? "-" : one_line(found[i].title),
                                 found[i].url, found[i].type);
    }
    if (::isatty(STDIN_FILENO) != 1 || ::isatty(STDERR_FILENO) != 1) {
        return fail(kExitUsage, "several feeds found: choose one with --pick N");
    }
    std::cerr << fmt::format("pick one [1-{}]: ", found.size());
    std::string answer;
    if (!std::getline(std::cin, answer)) return fail(kExitUsage, "no feed chosen");
    try {
        const auto number = std::stoul(answer);
        if (number >= 1 && number <= found.size()) return number - 1;
    } catch (const std::exception&) {
        // Falls through to the usage error below.
    }
    return fail(kExitUsage, fmt::format("not a choice between 1 and {}: {}", found.size(), answer));
}

Outcome<CheckedFeed> check_feed(fetcher::Fetcher& fetcher, const std::string& url,
                                const config::Config& config, int pick, bool may_discover) {
    auto fetched = fetch_once(fetcher, url, config.fetch.timeout);
    if (!fetched) return tl::unexpected(fetched.error());
    parser::ParseOptions options;
    options.content_type = fetched->content_type;
    options.base_url = fetched->final_url.empty() ? url : fetched->final_url;
    const auto parsed = parser::parse(fetched->body, options);
    if (parsed) {
        return CheckedFeed{url, parsed->feed.title, parsed->items.size(),
                           std::string(parser::format_name(parsed->format))};
    }
    if (!may_discover || !looks_like_html(fetched->body)) {
        return fail(kExitFailure, fmt::format("{} is not a feed: {}", url, parsed.error().message));
    }
    const auto found = discover_feeds(fetched->body, options.base_url);
    if (found.empty()) {
        return fail(kExitNotFound,
                    fmt::format("{} is an HTML page that links to no RSS, Atom or JSON feed", url));
    }
    auto index = choose(found, url, pick);
    if (!index) return tl::unexpected(index.error());
    return check_feed(fetcher, found[*index].url, config, 0, false);
}

int run_add(const GlobalOptions& global, const AddArgs& args) {
    const auto output = make_output(global);
    auto config = load_config(global);
    if (!config) return report(config.error());
    store::FeedSpec spec;
    spec.tags = args.tags;
    if (!args.interval.empty()) {
        const auto interval = config::parse_duration(args.interval);
        if (!interval || *interval < std::chrono::seconds(1)) {
            return report({kExitUsage, "--interval: not a duration: " + args.interval});
        }
        spec.interval = std::chrono::duration_cast<std::chrono::seconds>(*interval);
    }
    CheckedFeed checked{normalise_url(args.url), std::nullopt, 0, ""};
    if (!args.no_check) {
        const fetcher::CurlGlobal curl;
        fetcher::FetcherOptions options;
        options.user_agent = config->fetch.user_agent;
        options.timeout = config->fetch.timeout;
        options.max_body = static_cast<std::size_t>(config->fetch.max_body);
        fetcher::Fetcher fetcher(curl, options);
        auto found = check_feed(fetcher, checked.url, *config, args.pick, true);
        if (!found) return report(found.error());
        checked = std::move(*found);
    }
    spec.url = checked.url;
    spec.name = args.name.empty() ? config::slug_from_url(spec.url) : args.name;
    if (!config::is_valid_name(spec.name)) {
        return report({kExitUsage, fmt::format("--name {}: use a-z, 0-9 and '-'", spec.name)});
    }
    auto store = open_store_write(*config);
    if (!store) return report(store.error());
    auto added = store->add_feed(spec);
    if (!added) return report(store_failure(added.error(), "cannot add " + spec.url));
    if (output.json) {
        std::cout << feed_json(*added, config->fetch) << '\n';
        return kExitOk;
    }
    std::cout << fmt::format("added {}: {}\n", paint(output, Colour::kBold, added->name),
                             added->url);
    if (!args.no_check) {
        std::cout << fmt::format("  {} ({}, {} items now); heraldd polls it within a second\n",
                                 one_line(checked.title.value_or("untitled feed")), checked.format,
                                 checked.items);
    }
    return kExitOk;
}

}  // namespace

void register_feed_add(CLI::App& feeds, const GlobalOptions& global, int& status) {
    auto args = std::make_shared<AddArgs>();
    auto* add = feeds.add_subcommand("add", "Subscribe to a feed (or the feed an HTML page names)");
    add->add_option("url", args->url, "feed or page URL (or a local file)")->required();
    add->add_option("--name", args->name, "feed name, a slug [a-z0-9-] (default: from the URL)");
    add->add_option("--interval", args->interval, "poll interval, e.g. 15m (default: config)");
    add->add_option("--tag", args->tags, "tag (repeatable)");
    add->add_option("--pick", args->pick, "which of a page's feeds to take (1-based)");
    add->add_flag("--no-check", args->no_check, "subscribe without fetching the URL first");
    add->callback([&global, &status, args] { status = run_add(global, *args); });
}

}  // namespace herald::cli
