// parse_bench: herald::parser::parse against plain pugi::xml_document::load_buffer, in one run,
// on the same bytes held in memory (bench/gen_corpus.py writes the corpus).
//
//   parse_bench CORPUS_DIR [--runs N] [--limit N] [--only herald|pugixml] [--no-memory]
//               [--no-big]
//   parse_bench --peak-rss FILE [--pugixml]      (child mode, used by the above)
//
// Sets: CORPUS_DIR/feeds/*.xml (the ~1,000 feeds) and, when present, big/big-10mb.xml and
// big/big-50mb.xml. Each run times every set with herald, with pugixml, and with herald's parse
// followed by to_json (what `herald parse` costs); runs are interleaved so both sides see the
// same machine load, and the best of N runs counts. Peak memory of one parse of the 50 MB file
// is measured in a fresh child process: VmHWM growth over the baseline with the file loaded.
// Output: human-readable lines and `figure KEY VALUE` lines for bench/parse.sh and bench/run.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <herald/parser.hpp>

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Options {
    fs::path corpus;
    int runs = 5;
    std::size_t limit = std::numeric_limits<std::size_t>::max();
    std::string only;  // "herald", "pugixml" or empty for both (--only is for profiling)
    bool memory = true;
    bool big = true;                        // --no-big: the per-feed corpus only (profiling)
    std::optional<fs::path> peak_rss_file;  // child mode
    bool peak_rss_pugixml = false;
};

// One group of documents timed together; `key` names its figures.
struct DocSet {
    std::string key;
    std::string label;
    std::vector<std::string> docs;
    std::size_t bytes = 0;
};

// Wall time and this thread's CPU time. On a machine shared with other work the CPU time is
// the steadier figure (time spent preempted is not counted), so ratios are given in both.
class Stopwatch {
public:
    [[nodiscard]] double wall_seconds() const {
        return std::chrono::duration<double>(Clock::now() - wall_).count();
    }
    [[nodiscard]] double cpu_seconds() const { return thread_cpu() - cpu_; }

private:
    static double thread_cpu() {
        timespec now{};
        ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
        return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
    }
    Clock::time_point wall_ = Clock::now();
    double cpu_ = thread_cpu();
};

struct Timing {
    double best_seconds = std::numeric_limits<double>::infinity();
    double best_cpu_seconds = std::numeric_limits<double>::infinity();
    std::size_t items = 0;       // parsed items (or pugixml nodes under the root), as a checksum
    std::size_t failed = 0;      // documents herald rejected
    std::size_t bozo = 0;        // documents herald repaired: none in a generated corpus
    std::size_t json_bytes = 0;  // to_json output, when timed

    void record(const Stopwatch& watch) {
        best_seconds = std::min(best_seconds, watch.wall_seconds());
        best_cpu_seconds = std::min(best_cpu_seconds, watch.cpu_seconds());
    }
    [[nodiscard]] double cpu_mbps(std::size_t bytes) const {
        return static_cast<double>(bytes) / best_cpu_seconds / 1e6;
    }
    [[nodiscard]] double mbps(std::size_t bytes) const {
        return static_cast<double>(bytes) / best_seconds / 1e6;
    }
};

std::optional<std::string> read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return std::move(text).str();
}

void figure(std::string_view key, double value) {
    std::printf("figure %.*s %.4f\n", static_cast<int>(key.size()), key.data(), value);
}

// Throughput of each variant on one set; the result of every parse feeds a checksum, so the
// compiler cannot drop the work.
void time_herald(const DocSet& set, Timing& timing, bool with_json) {
    const Stopwatch watch;
    std::size_t items = 0;
    std::size_t failed = 0;
    std::size_t bozo = 0;
    std::size_t json_bytes = 0;
    for (const auto& doc : set.docs) {
        auto parsed = herald::parser::parse(doc);
        if (!parsed) {
            ++failed;
            continue;
        }
        items += parsed->items.size();
        if (parsed->bozo) ++bozo;
        if (with_json) json_bytes += herald::parser::to_json(*parsed).size();
    }
    timing.record(watch);
    timing.items = items;
    timing.json_bytes = json_bytes;
    timing.failed = failed;
    timing.bozo = bozo;
}

void time_pugixml(const DocSet& set, Timing& timing) {
    const Stopwatch watch;
    std::size_t nodes = 0;
    for (const auto& doc : set.docs) {
        pugi::xml_document xml;
        if (xml.load_buffer(doc.data(), doc.size())) {
            nodes += static_cast<std::size_t>(
                std::distance(xml.document_element().begin(), xml.document_element().end()));
        }
    }
    timing.record(watch);
    timing.items = nodes;
}

struct SetResult {
    Timing herald;
    Timing pugixml;
    Timing herald_json;
};

SetResult measure(const DocSet& set, const Options& options) {
    SetResult result;
    bool herald = options.only.empty() || options.only == "herald";
    bool pugixml = options.only.empty() || options.only == "pugixml";
    for (int run = 0; run < options.runs; ++run) {
        if (pugixml) time_pugixml(set, result.pugixml);
        if (herald) time_herald(set, result.herald, false);
        if (herald && options.only.empty()) time_herald(set, result.herald_json, true);
    }
    return result;
}

bool timed(const Timing& timing) {
    return timing.best_seconds < std::numeric_limits<double>::infinity();
}

// One line per variant, wall MB/s then CPU MB/s; figures KEY (wall) and KEY with _cpu.
void report_speed(std::string_view label, const std::string& key, const Timing& timing,
                  std::size_t bytes) {
    std::printf("  %-22.*s %8.1f MB/s wall %8.1f MB/s cpu\n", static_cast<int>(label.size()),
                label.data(), timing.mbps(bytes), timing.cpu_mbps(bytes));
    figure(key + "_mbps", timing.mbps(bytes));
    figure(key + "_cpu_mbps", timing.cpu_mbps(bytes));
}

void report(const DocSet& set, const SetResult& result, const Options& options) {
    std::printf("%s (%zu docs, %.1f MB), best of %d runs:\n", set.label.c_str(), set.docs.size(),
                static_cast<double>(set.bytes) / 1e6, options.runs);
    const std::string& key = set.key;
    if (timed(result.pugixml)) {
        report_speed("pugixml load_buffer", "pugixml_" + key, result.pugixml, set.bytes);
    }
    if (!timed(result.herald)) return;
    report_speed("herald parse", "herald_" + key, result.herald, set.bytes);
    const double items_per_s =
        static_cast<double>(result.herald.items) / result.herald.best_cpu_seconds;
    std::printf("  %zu items (%.0f items/s cpu), %zu docs rejected, %zu bozo\n",
                result.herald.items, items_per_s, result.herald.failed, result.herald.bozo);
    figure("herald_" + key + "_items_per_s", items_per_s);
    figure("herald_" + key + "_rejected", static_cast<double>(result.herald.failed));
    figure("herald_" + key + "_bozo", static_cast<double>(result.herald.bozo));
    if (timed(result.herald_json)) {
        report_speed("herald parse+to_json", "herald_json_" + key, result.herald_json, set.bytes);
    }
    if (timed(result.pugixml)) {
        const double cost = result.herald.best_seconds / result.pugixml.best_seconds;
        const double cpu_cost = result.herald.best_cpu_seconds / result.pugixml.best_cpu_seconds;
        std::printf("  herald/pugixml cost    %8.2fx wall %8.2fx cpu  (goal <= 1.5x: %s)\n", cost,
                    cpu_cost, cpu_cost <= 1.5 ? "met" : "NOT met");
        figure("herald_pugixml_cost_" + key, cost);
        figure("herald_pugixml_cpu_cost_" + key, cpu_cost);
    }
}

// ---- peak memory, in a child process so earlier allocations do not hide the peak ----------

std::optional<long> status_kb(std::string_view field) {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.starts_with(field) && line.size() > field.size() && line[field.size()] == ':') {
            return std::strtol(line.c_str() + field.size() + 1, nullptr, 10);
        }
    }
    return std::nullopt;
}

// Child mode: prints "baseline_kb peak_kb" for one parse of FILE.
int peak_rss_child(const fs::path& file, bool use_pugixml) {
    auto bytes = read_file(file);
    if (!bytes) {
        std::fprintf(stderr, "parse_bench: cannot read %s\n", file.c_str());
        return 1;
    }
    // Writing 5 to clear_refs resets VmHWM to the current RSS (Linux >= 4.0), so the baseline
    // is the process with the file loaded, not whatever the read briefly needed.
    { std::ofstream("/proc/self/clear_refs") << "5"; }
    auto baseline = status_kb("VmHWM");
    std::size_t checksum = 0;
    if (use_pugixml) {
        pugi::xml_document xml;
        checksum = xml.load_buffer(bytes->data(), bytes->size()) ? 1 : 0;
        auto peak = status_kb("VmHWM");
        std::printf("%ld %ld %zu\n", baseline.value_or(0), peak.value_or(0), checksum);
        return 0;
    }
    auto parsed = herald::parser::parse(*bytes);
    checksum = parsed ? parsed->items.size() : 0;
    auto peak = status_kb("VmHWM");
    std::printf("%ld %ld %zu\n", baseline.value_or(0), peak.value_or(0), checksum);
    return 0;
}

// Closes a pipe end when it goes out of scope.
class Fd {
public:
    explicit Fd(int fd = -1) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }
    [[nodiscard]] int get() const { return fd_; }
    void reset() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

private:
    int fd_;
};

struct PeakRss {
    long baseline_kb = 0;
    long peak_kb = 0;
    std::size_t checksum = 0;
};

std::optional<PeakRss> spawn_peak_rss(const fs::path& file, bool use_pugixml) {
    int ends[2];
    if (::pipe2(ends, O_CLOEXEC) != 0) return std::nullopt;
    Fd read_end(ends[0]);
    Fd write_end(ends[1]);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, write_end.get(), STDOUT_FILENO);
    std::string self = "/proc/self/exe";
    std::string flag = "--peak-rss";
    std::string path = file.string();
    std::string pugixml = "--pugixml";
    std::vector<char*> argv = {self.data(), flag.data(), path.data()};
    if (use_pugixml) argv.push_back(pugixml.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    int rc = posix_spawn(&pid, self.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    write_end.reset();
    if (rc != 0) return std::nullopt;
    std::string out;
    char buffer[256];
    ssize_t got = 0;
    while ((got = ::read(read_end.get(), buffer, sizeof buffer)) > 0) {
        out.append(buffer, static_cast<std::size_t>(got));
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
    PeakRss result;
    std::istringstream fields(out);
    if (!(fields >> result.baseline_kb >> result.peak_kb >> result.checksum)) return std::nullopt;
    return result;
}

void report_memory(const fs::path& file) {
    auto size = static_cast<double>(fs::file_size(file));
    auto herald = spawn_peak_rss(file, false);
    auto pugixml = spawn_peak_rss(file, true);
    if (!herald || !pugixml) {
        std::printf("peak memory: the child process failed\n");
        return;
    }
    auto growth_mb = [](const PeakRss& rss) {
        return static_cast<double>(rss.peak_kb - rss.baseline_kb) * 1024.0 / 1e6;
    };
    double herald_mb = growth_mb(*herald);
    double pugixml_mb = growth_mb(*pugixml);
    std::printf("peak memory, one parse of %s (%.1f MB), RSS growth over the loaded file:\n",
                file.filename().c_str(), size / 1e6);
    std::printf("  herald  %8.1f MB  (%.2fx the input; goal <= 4x + constant; %zu items)\n",
                herald_mb, herald_mb * 1e6 / size, herald->checksum);
    std::printf("  pugixml %8.1f MB  (%.2fx the input)\n", pugixml_mb, pugixml_mb * 1e6 / size);
    figure("herald_big_50mb_peak_rss_mb", herald_mb);
    figure("herald_big_50mb_peak_rss_ratio", herald_mb * 1e6 / size);
    figure("pugixml_big_50mb_peak_rss_mb", pugixml_mb);
}

// ---- corpus loading and the command line --------------------------------------------------

std::optional<DocSet> load_set(std::string key, std::string label, std::vector<fs::path> files) {
    DocSet set{std::move(key), std::move(label), {}, 0};
    for (const auto& file : files) {
        auto bytes = read_file(file);
        if (!bytes) {
            std::fprintf(stderr, "parse_bench: cannot read %s\n", file.c_str());
            return std::nullopt;
        }
        set.bytes += bytes->size();
        set.docs.push_back(std::move(*bytes));
    }
    return set;
}

std::vector<fs::path> feed_files(const fs::path& dir, std::size_t limit) {
    std::vector<fs::path> files;
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(dir, error)) {
        if (entry.path().extension() == ".xml") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    if (files.size() > limit) files.resize(limit);
    return files;
}

// The manifest's item count, to show that herald found every item the generator wrote.
std::optional<long> manifest_items(const fs::path& corpus) {
    auto text = read_file(corpus / "manifest.json");
    if (!text) return std::nullopt;
    auto manifest = nlohmann::json::parse(*text, nullptr, false);
    if (manifest.is_discarded() || !manifest.contains("feed_items")) return std::nullopt;
    return manifest["feed_items"].get<long>();
}

std::optional<Options> parse_args(int argc, char** argv) {
    Options options;
    std::vector<std::string_view> args(argv + 1, argv + argc);
    for (std::size_t i = 0; i < args.size(); ++i) {
        auto value = [&]() -> std::optional<std::string_view> {
            if (i + 1 >= args.size()) return std::nullopt;
            return args[++i];
        };
        if (args[i] == "--runs" || args[i] == "--limit" || args[i] == "--only" ||
            args[i] == "--peak-rss") {
            auto flag = args[i];
            auto v = value();
            if (!v) return std::nullopt;
            if (flag == "--runs") options.runs = std::max(1, std::atoi(std::string(*v).c_str()));
            if (flag == "--limit")
                options.limit = std::strtoul(std::string(*v).c_str(), nullptr, 10);
            if (flag == "--only") options.only = *v;
            if (flag == "--peak-rss") options.peak_rss_file = fs::path(*v);
        } else if (args[i] == "--pugixml") {
            options.peak_rss_pugixml = true;
        } else if (args[i] == "--no-memory") {
            options.memory = false;
        } else if (args[i] == "--no-big") {
            options.big = false;
        } else if (!args[i].starts_with("--") && options.corpus.empty()) {
            options.corpus = args[i];
        } else {
            return std::nullopt;
        }
    }
    if (options.corpus.empty() && !options.peak_rss_file) return std::nullopt;
    if (!options.only.empty() && options.only != "herald" && options.only != "pugixml") {
        return std::nullopt;
    }
    return options;
}

}  // namespace

int main(int argc, char** argv) {
    auto options = parse_args(argc, argv);
    if (!options) {
        std::fprintf(stderr,
                     "usage: parse_bench CORPUS_DIR [--runs N] [--limit N] "
                     "[--only herald|pugixml] [--no-memory] [--no-big]\n"
                     "       parse_bench --peak-rss FILE [--pugixml]\n");
        return 2;
    }
    if (options->peak_rss_file)
        return peak_rss_child(*options->peak_rss_file, options->peak_rss_pugixml);

    std::vector<DocSet> sets;
    auto feeds = feed_files(options->corpus / "feeds", options->limit);
    if (feeds.empty()) {
        std::fprintf(stderr, "parse_bench: no feeds in %s/feeds (run bench/gen_corpus.py)\n",
                     options->corpus.c_str());
        return 1;
    }
    auto corpus = load_set("corpus", "corpus", feeds);
    if (!corpus) return 1;
    sets.push_back(std::move(*corpus));
    for (std::string_view name : {"big-10mb", "big-50mb"}) {
        if (!options->big) break;
        fs::path file = options->corpus / "big" / (std::string(name) + ".xml");
        if (!fs::exists(file)) continue;
        std::string key(name);
        std::replace(key.begin(), key.end(), '-', '_');
        auto set = load_set(key, std::string(name) + ".xml", {file});
        if (!set) return 1;
        sets.push_back(std::move(*set));
    }

    for (const auto& set : sets) {
        auto result = measure(set, *options);
        report(set, result, *options);
        if (set.key == "corpus" && options->limit == std::numeric_limits<std::size_t>::max()) {
            if (auto expected = manifest_items(options->corpus);
                expected && options->only != "pugixml") {
                std::printf(
                    "  items: herald %zu, manifest %ld%s\n", result.herald.items, *expected,
                    static_cast<long>(result.herald.items) == *expected ? "" : "  MISMATCH");
            }
        }
        std::fflush(stdout);
    }
    fs::path big50 = options->corpus / "big" / "big-50mb.xml";
    if (options->memory && options->big && fs::exists(big50)) report_memory(big50);
    return 0;
}
