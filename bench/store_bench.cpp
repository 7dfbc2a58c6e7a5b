// store_bench: herald's store against raw SQLite doing the same work, in one run.
//
//   store_bench [--items N] [--per-feed K] [--feeds-per-batch B] [--dir DIR] [--keep]
//
// Raw SQLite: the same rows (2 KB bodies) through one prepared INSERT OR IGNORE with a
// UNIQUE(feed, guid) key, the same batch per transaction, WAL + synchronous=FULL like the
// store, and the same FTS5 table when search is on. Prints items/s with search off and on,
// known items re-seen/s, bytes per stored item against payload bytes (search index apart),
// and the latency of `items list --limit 50` and of a search on the resulting store.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <herald/store.hpp>

namespace {

namespace store = herald::store;
using Steady = std::chrono::steady_clock;

struct Options {
    long items = 200'000;
    int per_feed = 50;         // new items per feed per poll
    int feeds_per_batch = 10;  // feeds per group commit
    int feeds = 100;
    std::filesystem::path dir = std::filesystem::temp_directory_path() / "herald-store-bench";
    bool keep = false;
    bool profile_store = false;  // --profile-store: only the store's search-off ingest, for perf
    bool queries_only = false;   // --queries-only: fill a search-on store, time list and search
    std::filesystem::path replay_db;  // --replay DB: Store::replay over an existing store
};

// Deterministic words: xorshift over a syllable table, so FTS5 sees a realistic vocabulary.
class Words {
public:
    explicit Words(std::uint64_t seed) : state_(seed * 0x9e3779b97f4a7c15ull + 1) {}
    std::string word() {
        static constexpr const char* kSyllables[] = {"ka", "lo", "mi", "ne", "ru", "sa", "ti",
                                                     "vo", "ze", "da", "fi", "gu", "ho", "je",
                                                     "pa", "qu", "re", "so", "tu", "wy"};
        int count = 1 + static_cast<int>(next() % 3);
        std::string out;
        for (int i = 0; i < count; ++i) out += kSyllables[next() % 20];
        return out;
    }
    std::string text(std::size_t bytes) {
        std::string out;
        out.reserve(bytes + 16);
        while (out.size() < bytes) {
            out += word();
            out += ' ';
        }
        out.resize(bytes);
        return out;
    }

private:
    std::uint64_t next() {
        state_ ^= state_ << 13;
        state_ ^= state_ >> 7;
        state_ ^= state_ << 17;
        return state_;
    }
    std::uint64_t state_;
};

herald::parser::Item make_item(int feed, long n) {
    Words words(static_cast<std::uint64_t>(feed) * 1'000'003 + static_cast<std::uint64_t>(n));
    herald::parser::Item item;
    item.id = "urn:feed" + std::to_string(feed) + ":item" + std::to_string(n);
    item.title = words.text(60);
    item.link = "https://feed" + std::to_string(feed) + ".example.org/posts/" + std::to_string(n);
    item.author = "Author " + std::to_string(feed);
    item.published = herald::parser::Time(std::chrono::seconds(1'700'000'000 + n * 60));
    item.summary = words.text(200);
    item.content = words.text(2048);
    return item;
}

std::size_t payload_bytes(const herald::parser::Item& item) {
    return item.id->size() + item.title->size() + item.link->size() + item.author->size() +
           item.summary->size() + item.content->size() + 8;  // + the date
}

// Batch b: feeds_per_batch feeds, each with per_feed items; the i-th poll of a feed brings
// its items i*per_feed ... Every batch is built before its timer starts.
struct Batch {
    std::vector<int> feeds;
    std::vector<std::vector<herald::parser::Item>> items;
};

Batch make_batch(const Options& options, long batch_index) {
    Batch batch;
    for (int i = 0; i < options.feeds_per_batch; ++i) {
        long slot = batch_index * options.feeds_per_batch + i;
        int feed = static_cast<int>(slot % options.feeds);
        long poll = slot / options.feeds;
        std::vector<herald::parser::Item> items;
        for (int k = 0; k < options.per_feed; ++k) {
            items.push_back(make_item(feed, poll * options.per_feed + k));
        }
        batch.feeds.push_back(feed);
        batch.items.push_back(std::move(items));
    }
    return batch;
}

long batch_count(const Options& options) {
    long per_batch = static_cast<long>(options.per_feed) * options.feeds_per_batch;
    return std::max(1L, options.items / per_batch);
}

double seconds_since(Steady::time_point start) {
    return std::chrono::duration<double>(Steady::now() - start).count();
}

std::uintmax_t file_bytes(const std::filesystem::path& db) {
    std::error_code ignored;
    std::uintmax_t total = std::filesystem::file_size(db, ignored);
    auto wal = std::filesystem::file_size(db.string() + "-wal", ignored);
    return total + (ignored ? 0 : wal);
}

struct StoreRun {
    double seconds = 0;
    double cpu_seconds = 0;  // this process's CPU time: what is left when the disk is fast
    long items = 0;
    std::size_t payload = 0;
};

[[noreturn]] void die(const std::string& message) {
    std::fprintf(stderr, "store_bench: %s\n", message.c_str());
    std::exit(1);
}

store::Store open_store(const std::filesystem::path& db, bool search) {
    store::OpenOptions options;
    options.search = search;
    auto opened = store::Store::open(db, options);
    if (!opened) die(opened.error().message);
    return std::move(*opened);
}

std::vector<std::int64_t> add_feeds(store::Store& db, int feeds) {
    std::vector<std::int64_t> ids;
    for (int f = 0; f < feeds; ++f) {
        std::string name = "feed" + std::to_string(f);
        auto added = db.add_feed({"https://" + name + ".example.org/rss", name, {}, {}});
        if (!added) die(added.error().message);
        ids.push_back(added->id);
    }
    return ids;
}

// Applies every batch; `expect_new` checks that the store saw what the run meant to measure.
StoreRun run_store(store::Store& db, const std::vector<std::int64_t>& ids, const Options& options,
                   bool expect_new) {
    StoreRun run;
    for (long b = 0; b < batch_count(options); ++b) {
        Batch batch = make_batch(options, b);
        std::vector<store::FeedOutcome> outcomes;
        for (std::size_t i = 0; i < batch.feeds.size(); ++i) {
            store::FeedOutcome outcome;
            outcome.feed_id = ids[static_cast<std::size_t>(batch.feeds[i])];
            herald::parser::ParsedFeed parsed;
            for (const auto& item : batch.items[i]) run.payload += payload_bytes(item);
            parsed.items = std::move(batch.items[i]);
            outcome.parsed = std::move(parsed);
            outcome.fetch.last_status = 200;
            outcomes.push_back(std::move(outcome));
        }
        auto start = Steady::now();
        auto cpu_start = std::clock();
        auto result = db.apply(outcomes);
        run.cpu_seconds += static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
        run.seconds += seconds_since(start);
        if (!result) die(result.error().message);
        run.items += expect_new ? result->new_items : result->unchanged_items;
    }
    return run;
}

StoreRun run_raw(const std::filesystem::path& path, const Options& options, bool search) {
    SQLite::Database db(path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, 5000);
    db.execAndGet("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = FULL");
    db.exec(
        "CREATE TABLE items (id INTEGER PRIMARY KEY, feed_id INTEGER NOT NULL, guid TEXT NOT "
        "NULL, title TEXT, link TEXT, published INTEGER, author TEXT, summary TEXT, content "
        "TEXT, UNIQUE (feed_id, guid))");
    if (search) {
        db.exec(
            "CREATE VIRTUAL TABLE items_fts USING fts5 (title, summary, content, "
            "content='items', content_rowid='id')");
    }
    SQLite::Statement insert(db,
                             "INSERT OR IGNORE INTO items (feed_id, guid, title, link, published, "
                             "author, summary, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    std::optional<SQLite::Statement> fts;
    if (search) {
        fts.emplace(db,
                    "INSERT INTO items_fts (rowid, title, summary, content) VALUES (?, ?, ?, ?)");
    }
    StoreRun run;
    for (long b = 0; b < batch_count(options); ++b) {
        Batch batch = make_batch(options, b);
        auto start = Steady::now();
        auto cpu_start = std::clock();
        db.exec("BEGIN IMMEDIATE");
        for (std::size_t i = 0; i < batch.feeds.size(); ++i) {
            for (const auto& item : batch.items[i]) {
                insert.reset();
                insert.bind(1, batch.feeds[i]);
                insert.bind(2, *item.id);
                insert.bind(3, *item.title);
                insert.bind(4, *item.link);
                insert.bind(5,
                            static_cast<std::int64_t>(item.published->time_since_epoch().count()));
                insert.bind(6, *item.author);
                insert.bind(7, *item.summary);
                insert.bind(8, *item.content);
                if (insert.exec() == 0) continue;
                ++run.items;
                if (fts) {
                    fts->reset();
                    fts->bind(1, db.getLastInsertRowid());
                    fts->bind(2, *item.title);
                    fts->bind(3, *item.summary);
                    fts->bind(4, *item.content);
                    fts->exec();
                }
            }
        }
        db.exec("COMMIT");
        run.cpu_seconds += static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
        run.seconds += seconds_since(start);
    }
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    return run;
}

void checkpoint(const std::filesystem::path& path) {
    SQLite::Database db(path.string(), SQLite::OPEN_READWRITE);
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

template <typename F>
double median_ms(int runs, F&& body) {
    std::vector<double> samples;
    for (int i = 0; i < runs; ++i) {
        auto start = Steady::now();
        body();
        samples.push_back(seconds_since(start) * 1000.0);
    }
    std::sort(samples.begin(), samples.end());
    return samples[samples.size() / 2];
}

void time_queries(const std::filesystem::path& on_db, long items) {
    store::OpenOptions reader;
    reader.read_only = true;
    auto db = store::Store::open(on_db, reader);
    if (!db) die(db.error().message);
    std::size_t listed = 0;
    std::size_t found = 0;
    double list_ms = median_ms(21, [&] {
        listed = db->list_items({std::nullopt, std::nullopt, 50}).value().size();
    });
    double list_feed_ms = median_ms(21, [&] {
        listed = std::min(listed, db->list_items({"feed7", std::nullopt, 50}).value().size());
    });
    std::string word = Words(12345).word() + Words(777).word().substr(0, 2) + "*";
    double search_ms = median_ms(21, [&] {
        found =
            db->search_items(Words(4242).word(), {std::nullopt, std::nullopt, 50}).value().size();
    });
    double prefix_ms = median_ms(21, [&] {
        (void)db->search_items(word, {std::nullopt, std::nullopt, 50}).value();
    });
    std::printf(
        "on %ld items: items list --limit 50: %.2f ms (--feed: %.2f ms)  search: %.2f ms "
        "(%zu hits shown; prefix %.2f ms)\n",
        items, list_ms, list_feed_ms, search_ms, found, prefix_ms);
    if (listed != 50) die("list returned too few items");
}

Options parse_options(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) die("missing value for " + arg);
            return argv[++i];
        };
        if (arg == "--items") {
            options.items = std::stol(value());
        } else if (arg == "--per-feed") {
            options.per_feed = std::stoi(value());
        } else if (arg == "--feeds-per-batch") {
            options.feeds_per_batch = std::stoi(value());
        } else if (arg == "--dir") {
            options.dir = value();
        } else if (arg == "--keep") {
            options.keep = true;
        } else if (arg == "--profile-store") {
            options.profile_store = true;
        } else if (arg == "--queries-only") {
            options.queries_only = true;
        } else if (arg == "--replay") {
            options.replay_db = value();
        } else {
            die("usage: store_bench [--items N] [--per-feed K] [--feeds-per-batch B] [--dir DIR] "
                "[--keep] | --replay DB");
        }
    }
    return options;
}

// Store::replay alone (no socket), pages of 1000 as the control op serves them: the server
// side of bench/bus.sh. Read-only, so it runs on a store a daemon holds.
int replay_only(const std::filesystem::path& path) {
    store::OpenOptions open;
    open.read_only = true;
    auto db = store::Store::open(path, open);
    if (!db) die(db.error().message);
    double best = 0;
    double best_cpu = 0;  // per CPU second: what is left when other processes share the cores
    for (int pass = 0; pass < 3; ++pass) {
        std::int64_t after = 0;
        std::int64_t events = 0;
        std::size_t bytes = 0;
        auto started = Steady::now();
        std::clock_t cpu_started = std::clock();
        for (int page = 0; page < 10'000'000; ++page) {
            auto replayed = db->replay(after, 1000);
            if (!replayed) die(replayed.error().message);
            if (replayed->empty()) break;
            events += static_cast<std::int64_t>(replayed->size());
            for (const auto& event : *replayed) bytes += event.payload.size();
            after = replayed->back().seq;
        }
        double seconds = std::chrono::duration<double>(Steady::now() - started).count();
        double cpu = static_cast<double>(std::clock() - cpu_started) / CLOCKS_PER_SEC;
        double rate = static_cast<double>(events) / seconds;
        best = std::max(best, rate);
        best_cpu = std::max(best_cpu, static_cast<double>(events) / std::max(cpu, 1e-9));
        std::printf(
            "Store::replay pass %d: %lld events, %.0f B/payload, %.3f s = %.0f events/s\n",
            pass + 1, static_cast<long long>(events),
            static_cast<double>(bytes) / static_cast<double>(std::max<std::int64_t>(events, 1)),
            seconds, rate);
    }
    std::printf("Store::replay best: %.0f events/s, %.0f events per CPU second\n", best, best_cpu);
    return 0;
}

int run(int argc, char** argv) {
    Options options = parse_options(argc, argv);
    if (!options.replay_db.empty()) return replay_only(options.replay_db);
    std::filesystem::remove_all(options.dir);
    std::filesystem::create_directories(options.dir);
    const auto off_db = options.dir / "store-search-off.db";
    const auto on_db = options.dir / "store-search-on.db";
    long per_batch = static_cast<long>(options.per_feed) * options.feeds_per_batch;
    std::printf("store_bench: %ld items, %ld per transaction (%d feeds x %d), 2 KB bodies\n",
                batch_count(options) * per_batch, per_batch, options.feeds_per_batch,
                options.per_feed);

    if (options.profile_store) {
        auto db = open_store(off_db, false);
        auto ids = add_feeds(db, options.feeds);
        auto run = run_store(db, ids, options, true);
        std::printf("store, search off: %.0f new items/s, %.0f per CPU second\n",
                    static_cast<double>(run.items) / run.seconds,
                    static_cast<double>(run.items) / run.cpu_seconds);
        Options round = options;
        round.feeds_per_batch = options.feeds;
        for (int pass = 0; pass < 3; ++pass) {
            run = run_store(db, ids, round, false);
            std::printf("re-seen: %.0f items/s, %.0f per CPU second\n",
                        static_cast<double>(run.items) / run.seconds,
                        static_cast<double>(run.items) / run.cpu_seconds);
        }
        return 0;
    }
    if (options.queries_only) {
        StoreRun filled;
        {
            auto db = open_store(on_db, true);
            auto ids = add_feeds(db, options.feeds);
            filled = run_store(db, ids, options, true);
        }
        checkpoint(on_db);
        std::printf("filled a search-on store: %.0f new items/s\n",
                    static_cast<double>(filled.items) / filled.seconds);
        time_queries(on_db, filled.items);
        if (!options.keep) std::filesystem::remove_all(options.dir);
        return 0;
    }
    auto raw_off = run_raw(options.dir / "raw-search-off.db", options, false);
    StoreRun new_off, seen, new_on;
    {
        auto db = open_store(off_db, false);
        auto ids = add_feeds(db, options.feeds);
        new_off = run_store(db, ids, options, true);
        // A poll round re-sees every feed: all feeds' outcomes in one group commit.
        Options round = options;
        round.feeds_per_batch = options.feeds;
        seen = run_store(db, ids, round, false);
    }
    auto raw_on = run_raw(options.dir / "raw-search-on.db", options, true);
    {
        auto db = open_store(on_db, true);
        auto ids = add_feeds(db, options.feeds);
        new_on = run_store(db, ids, options, true);
    }
    checkpoint(off_db);
    checkpoint(on_db);

    auto rate = [](const StoreRun& run) { return static_cast<double>(run.items) / run.seconds; };
    std::printf("new items/s, search off: store %.0f  raw %.0f  ratio %.2f\n", rate(new_off),
                rate(raw_off), rate(new_off) / rate(raw_off));
    std::printf("new items/s, search on:  store %.0f  raw %.0f  ratio %.2f\n", rate(new_on),
                rate(raw_on), rate(new_on) / rate(raw_on));
    std::printf("known items re-seen/s:   store %.0f (%d feeds x %d per commit)\n", rate(seen),
                options.feeds, options.per_feed);
    auto cpu = [](const StoreRun& run) {
        return static_cast<double>(run.items) / std::max(run.cpu_seconds, 1e-9);
    };
    std::printf(
        "per CPU second (no I/O wait): new off store %.0f raw %.0f; new on store %.0f raw %.0f; "
        "re-seen %.0f\n",
        cpu(new_off), cpu(raw_off), cpu(new_on), cpu(raw_on), cpu(seen));

    double payload = static_cast<double>(new_off.payload) / static_cast<double>(new_off.items);
    double off_bytes = static_cast<double>(file_bytes(off_db)) / static_cast<double>(new_off.items);
    double on_bytes = static_cast<double>(file_bytes(on_db)) / static_cast<double>(new_on.items);
    double raw_bytes = static_cast<double>(file_bytes(options.dir / "raw-search-off.db")) /
                       static_cast<double>(raw_off.items);
    std::printf(
        "bytes/item: payload %.0f  store %.0f (%.2fx)  raw %.0f (%.2fx)  search index %.0f\n",
        payload, off_bytes, off_bytes / payload, raw_bytes, raw_bytes / payload,
        on_bytes - off_bytes);

    time_queries(on_db, new_on.items);
    if (!options.keep) std::filesystem::remove_all(options.dir);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {  // SQLite and file system failures in the raw runs
        std::fprintf(stderr, "store_bench: %s\n", e.what());
        return 1;
    }
}
