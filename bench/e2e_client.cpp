// e2e_client: the subscriber side of bench/e2e.sh and bench/bus.sh.
//
//   e2e_client replay CONTROL [--parse] [--pid HERALDD_PID]
//                                         replays every event (pages of 1000), prints events/s
//                                         (and per CPU second of the client and of heraldd).
//                                         Events are counted by scanning for `{"seq":`, which
//                                         only starts a payload (inside a JSON string the quote
//                                         is escaped); --parse also parses each reply whole.
//   e2e_client listen EVENTS SECONDS [TRACE]
//                                         counts live events until SECONDS of silence, prints
//                                         events/s; with TRACE (heraldd's HERALD_COMMIT_TRACE
//                                         file: "first_seq last_seq commit_done_realtime_ns" per
//                                         published batch) also commit->subscriber latency:
//                                         CLOCK_REALTIME at receipt minus the batch's commit.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>
#include <unistd.h>
#include <zmq.hpp>
#include <zmq_addon.hpp>

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::string_view kPayloadStart = R"({"seq":)";

// Events in a replay reply and the seq of the last one.
struct PageScan {
    std::int64_t events = 0;
    std::int64_t last_seq = -1;
};

PageScan scan_page(std::string_view reply) {
    PageScan scan;
    std::size_t at = reply.find(kPayloadStart);
    std::size_t last = std::string_view::npos;
    while (at != std::string_view::npos) {
        ++scan.events;
        last = at;
        at = reply.find(kPayloadStart, at + kPayloadStart.size());
    }
    if (last != std::string_view::npos) {
        scan.last_seq = std::strtoll(reply.data() + last + kPayloadStart.size(), nullptr, 10);
    }
    return scan;
}

// CPU seconds (user + system) a process used so far, from /proc/PID/stat; 0 when unreadable.
double process_cpu_seconds(long pid) {
    if (pid <= 0) return 0;
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(in, line);
    auto close = line.rfind(')');  // the command name may hold spaces
    if (close == std::string::npos) return 0;
    std::istringstream fields(line.substr(close + 2));
    std::string field;
    unsigned long long ticks = 0;
    for (int index = 3; index <= 15 && fields >> field; ++index) {
        if (index == 14 || index == 15) ticks += std::stoull(field);  // utime, stime
    }
    return static_cast<double>(ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

int replay(const std::string& endpoint, bool parse, long server_pid) {
    zmq::context_t context;
    zmq::socket_t socket(context, zmq::socket_type::req);
    socket.set(zmq::sockopt::linger, 0);
    socket.set(zmq::sockopt::rcvtimeo, 10000);
    socket.connect(endpoint);
    std::int64_t after = 0;
    std::int64_t events = 0;
    std::size_t bytes = 0;
    auto started = Clock::now();
    const double server_cpu = process_cpu_seconds(server_pid);
    const std::clock_t client_cpu = std::clock();
    for (int page = 0; page < 1'000'000; ++page) {
        std::string request =
            R"({"op":"replay","limit":1000,"after":)" + std::to_string(after) + "}";
        socket.send(zmq::buffer(request), zmq::send_flags::none);
        zmq::message_t reply;
        if (!socket.recv(reply, zmq::recv_flags::none)) {
            std::fprintf(stderr, "e2e_client: no reply from %s\n", endpoint.c_str());
            return 1;
        }
        bytes += reply.size();
        std::string_view text = reply.to_string_view();
        if (!text.starts_with(R"({"ok":true,"events":[)")) {
            std::fprintf(stderr, "e2e_client: bad reply: %.200s\n", std::string(text).c_str());
            return 1;
        }
        PageScan scan = scan_page(text);
        if (parse) {
            auto json = nlohmann::json::parse(text, nullptr, false);
            if (json.is_discarded() ||
                static_cast<std::int64_t>(json["events"].size()) != scan.events) {
                std::fprintf(stderr, "e2e_client: reply does not parse or count differs\n");
                return 1;
            }
        }
        if (scan.events == 0) break;
        if (scan.last_seq <= after) {
            std::fprintf(stderr, "e2e_client: replay did not advance past %lld\n",
                         static_cast<long long>(after));
            return 1;
        }
        events += scan.events;
        after = scan.last_seq;
    }
    double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    std::printf("replay%s: %lld events, %.1f MB in %.3f s = %.0f events/s",
                parse ? " (parsed)" : "", static_cast<long long>(events),
                static_cast<double>(bytes) / 1e6, seconds, static_cast<double>(events) / seconds);
    // Per CPU second of each side: what the figure is when the cores are not shared.
    const double client = static_cast<double>(std::clock() - client_cpu) / CLOCKS_PER_SEC;
    std::printf("; client %.0f events/CPU-s", static_cast<double>(events) / std::max(client, 1e-9));
    if (server_pid > 0) {
        const double server = process_cpu_seconds(server_pid) - server_cpu;
        std::printf(", heraldd %.0f events/CPU-s",
                    static_cast<double>(events) / std::max(server, 1e-9));
    }
    std::printf("\n");
    return 0;
}

std::int64_t realtime_ns() {
    timespec now{};
    clock_gettime(CLOCK_REALTIME, &now);
    return static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

struct Batch {
    std::int64_t first_seq = 0;
    std::int64_t commit_done_ns = 0;
};

// The trace's batches by their last seq.
std::map<std::int64_t, Batch> read_trace(const std::string& path) {
    std::map<std::int64_t, Batch> batches;
    std::ifstream in(path);
    long long first = 0;
    long long last = 0;
    long long done = 0;
    for (long line = 0; line < 100'000'000 && in >> first >> last >> done; ++line) {
        batches[last] = Batch{first, done};
    }
    return batches;
}

double percentile(std::vector<double>& values, double q) {
    std::sort(values.begin(), values.end());
    return values[static_cast<std::size_t>(q * static_cast<double>(values.size() - 1))];
}

int listen(const std::string& endpoint, int quiet_seconds, const std::string& trace) {
    zmq::context_t context;
    zmq::socket_t socket(context, zmq::socket_type::sub);
    socket.set(zmq::sockopt::rcvhwm, 0);
    socket.set(zmq::sockopt::subscribe, "item.");
    socket.set(zmq::sockopt::rcvtimeo, quiet_seconds * 1000);
    socket.connect(endpoint);
    std::printf("listening\n");
    std::fflush(stdout);
    // Receipt time first, then the seq from the payload's start ({"seq":N,...}): nothing
    // heavier runs per event, so a burst is not slowed by the measurement itself.
    std::vector<std::pair<std::int64_t, std::int64_t>> received;  // seq, realtime ns
    received.reserve(1 << 20);
    Clock::time_point first{};
    Clock::time_point last{};
    std::size_t payload_bytes = 0;
    for (long n = 0; n < 100'000'000; ++n) {
        std::vector<zmq::message_t> frames;
        if (!zmq::recv_multipart(socket, std::back_inserter(frames))) break;
        std::int64_t at = realtime_ns();
        last = Clock::now();
        if (received.empty()) first = last;
        std::string_view payload = frames.back().to_string_view();
        if (!payload.starts_with(kPayloadStart)) continue;
        payload_bytes += payload.size();
        received.emplace_back(std::strtoll(payload.data() + kPayloadStart.size(), nullptr, 10), at);
    }
    if (received.empty()) {
        std::printf("live: no events\n");
        return 0;
    }
    double seconds = std::chrono::duration<double>(last - first).count();
    std::printf("live: %zu events in %.3f s = %.0f events/s through PUB, mean payload %zu bytes\n",
                received.size(), seconds,
                static_cast<double>(received.size()) / std::max(seconds, 1e-9),
                payload_bytes / received.size());
    if (trace.empty()) return 0;
    auto batches = read_trace(trace);
    std::vector<double> latencies;
    // The first event of each commit: when a subscriber first hears of it, before the rest
    // of the batch queues behind it.
    std::vector<double> first_latencies;
    for (const auto& [seq, at] : received) {
        auto batch = batches.lower_bound(seq);  // the first batch whose last_seq >= seq
        if (batch == batches.end() || batch->second.first_seq > seq) continue;
        const double latency = static_cast<double>(at - batch->second.commit_done_ns) / 1000.0;
        latencies.push_back(latency);
        if (seq == batch->second.first_seq) first_latencies.push_back(latency);
    }
    if (latencies.empty()) {
        std::printf("commit->subscriber: no traced events (is HERALD_COMMIT_TRACE set?)\n");
        return 1;
    }
    double p50 = percentile(latencies, 0.5);
    double p90 = percentile(latencies, 0.9);
    double p99 = percentile(latencies, 0.99);
    std::printf(
        "commit->subscriber latency over %zu events (%zu batches): p50 %.1f us, p90 %.1f us, "
        "p99 %.1f us, max %.1f us\n",
        latencies.size(), batches.size(), p50, p90, p99, latencies.back());
    if (!first_latencies.empty()) {
        std::printf("first event of each commit, over %zu commits: p50 %.1f us, p99 %.1f us\n",
                    first_latencies.size(), percentile(first_latencies, 0.5),
                    percentile(first_latencies, 0.99));
    }
    return 0;
}

// The floor under commit->subscriber latency on this machine: the same hop (PUB -> ipc ->
// SUB) with nothing before it, paced and sized like heraldd's commits: a burst of `burst`
// messages of `payload_bytes` every `pace`, each timed from the start of its burst as an event
// is from its commit. Both sockets in one process, each with its own context, so each side
// still crosses its own I/O thread as heraldd does. The pace matters: the longer the machine
// idles between bursts, the dearer the wake-ups.
int floor(const std::string& endpoint, std::chrono::milliseconds pace, long burst,
          std::size_t payload_bytes) {
    zmq::context_t pub_context;
    zmq::context_t sub_context;
    zmq::socket_t pub(pub_context, zmq::socket_type::pub);
    zmq::socket_t sub(sub_context, zmq::socket_type::sub);
    pub.bind(endpoint);
    sub.set(zmq::sockopt::subscribe, "item.");
    sub.set(zmq::sockopt::rcvtimeo, 2000);
    sub.connect(endpoint);
    const std::string padding(payload_bytes, 'x');
    // Until the subscription has reached the publisher (bounded: 200 tries).
    for (int attempt = 0; attempt < 200; ++attempt) {
        pub.send(zmq::str_buffer("item.x/"), zmq::send_flags::sndmore);
        pub.send(zmq::buffer(padding), zmq::send_flags::none);
        zmq::pollitem_t item{sub.handle(), 0, ZMQ_POLLIN, 0};
        if (zmq::poll(&item, 1, std::chrono::milliseconds(10)) > 0) break;
    }
    for (int n = 0; n < 1000; ++n) {  // drain the warm-up messages
        zmq::pollitem_t item{sub.handle(), 0, ZMQ_POLLIN, 0};
        if (zmq::poll(&item, 1, std::chrono::milliseconds(50)) == 0) break;
        std::vector<zmq::message_t> frames;
        (void)zmq::recv_multipart(sub, std::back_inserter(frames));
    }
    std::vector<double> latencies;
    std::vector<double> first_latencies;
    // 300 bursts, or fewer when slowly paced: about 30 s at most.
    const long count = std::clamp(30'000L / static_cast<long>(pace.count()), 40L, 300L);
    for (long n = 0; n < count; ++n) {
        const std::int64_t started = realtime_ns();
        for (long k = 0; k < burst; ++k) {
            pub.send(zmq::str_buffer("item.x/"), zmq::send_flags::sndmore);
            pub.send(zmq::buffer(padding), zmq::send_flags::none);
        }
        for (long k = 0; k < burst; ++k) {
            std::vector<zmq::message_t> frames;
            if (!zmq::recv_multipart(sub, std::back_inserter(frames))) return 1;
            const double latency = static_cast<double>(realtime_ns() - started) / 1000.0;
            latencies.push_back(latency);
            if (k == 0) first_latencies.push_back(latency);
        }
        std::this_thread::sleep_for(pace);
    }
    std::printf(
        "zmq PUB->SUB ipc floor over %zu messages, bursts of %ld x %zu bytes every %lld ms: p50 "
        "%.1f us, p99 %.1f us; first of each burst p50 %.1f us\n",
        latencies.size(), burst, payload_bytes, static_cast<long long>(pace.count()),
        percentile(latencies, 0.5), percentile(latencies, 0.99), percentile(first_latencies, 0.5));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "replay" && argc >= 3) {
        bool parse = false;
        long pid = 0;
        for (int i = 3; i < argc; ++i) {
            std::string_view arg = argv[i];
            if (arg == "--parse") parse = true;
            if (arg == "--pid" && i + 1 < argc) pid = std::atol(argv[++i]);
        }
        return replay(argv[2], parse, pid);
    }
    if (mode == "floor" && argc >= 3 && argc <= 6) {
        const long pace_ms = argc >= 4 ? std::clamp(std::atol(argv[3]), 1L, 1000L) : 20L;
        const long burst = argc >= 5 ? std::clamp(std::atol(argv[4]), 1L, 100L) : 1L;
        const long payload = argc >= 6 ? std::clamp(std::atol(argv[5]), 16L, 1L << 20) : 1200L;
        return floor(argv[2], std::chrono::milliseconds(pace_ms), burst,
                     static_cast<std::size_t>(payload));
    }
    if (mode == "listen" && (argc == 4 || argc == 5)) {
        return listen(argv[2], std::atoi(argv[3]), argc == 5 ? argv[4] : "");
    }
    std::fprintf(
        stderr,
        "usage: e2e_client replay CONTROL [--parse] [--pid PID] | listen EVENTS QUIET_SECONDS "
        "[TRACE] | floor ENDPOINT [PACE_MS [BURST [PAYLOAD_BYTES]]]\n");
    return 2;
}
