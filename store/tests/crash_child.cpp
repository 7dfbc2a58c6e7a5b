// store_crash_child DB SEED: ingests generated fetches in a loop, one line on stdout after each
// commit, until killed (crash_test.cpp kills it with SIGKILL at random moments).

#include <cstdio>
#include <string>
#include <vector>

#include <herald/store.hpp>

namespace {

using herald::store::FeedOutcome;

constexpr int kFeeds = 4;
constexpr int kWindow = 30;  // items per fetch
constexpr long kMaxRounds = 100000;

herald::parser::Item generated(int feed, long n, long round) {
    herald::parser::Item item;
    item.id = "f" + std::to_string(feed) + "-" + std::to_string(n);
    item.link = "https://feed" + std::to_string(feed) + ".example/" + std::to_string(n);
    // Every 7th item is edited every 10 rounds: updates as well as new items.
    long edit = n % 7 == 0 ? round / 10 : 0;
    item.title = "item " + std::to_string(n) + " v" + std::to_string(edit);
    item.content = std::string(300, static_cast<char>('a' + n % 26)) + std::to_string(edit);
    return item;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: store_crash_child DB SEED\n");
        return 2;
    }
    herald::store::OpenOptions options;
    options.keep_items = 40;
    auto store = herald::store::Store::open(argv[1], options);
    if (!store) {
        std::fprintf(stderr, "%s\n", store.error().message.c_str());
        return 1;
    }
    std::vector<herald::store::FeedSpec> specs;
    for (int f = 0; f < kFeeds; ++f) {
        specs.push_back({"https://feed" + std::to_string(f) + ".example/rss",
                         "feed" + std::to_string(f),
                         {},
                         {}});
    }
    if (!store->upsert_config_feeds(specs)) return 1;
    std::vector<std::int64_t> ids;
    for (const auto& spec : specs) ids.push_back(store->find_feed(spec.name)->id);
    long start = std::stol(argv[2]) * 5;
    for (long round = start; round < start + kMaxRounds; ++round) {
        std::vector<FeedOutcome> batch;
        for (int f = 0; f < kFeeds; ++f) {
            FeedOutcome outcome;
            outcome.feed_id = ids[static_cast<std::size_t>(f)];
            if ((round + f) % 9 == 0) {
                outcome.error = "HTTP 503 round " + std::to_string(round % 2);
            } else {
                herald::parser::ParsedFeed parsed;
                for (long n = round; n > round - kWindow && n >= 0; --n) {
                    parsed.items.push_back(generated(f, n, round));
                }
                outcome.parsed = std::move(parsed);
            }
            batch.push_back(std::move(outcome));
        }
        auto result = store->apply(batch);
        if (!result) {
            std::fprintf(stderr, "%s\n", result.error().message.c_str());
            return 1;
        }
        if (round % 5 == 0 && !store->prune(herald::parser::Time{})) return 1;
        std::printf("%ld\n", round);
        std::fflush(stdout);
    }
    return 0;
}
