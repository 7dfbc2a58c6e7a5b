// e2e_client: the subscriber side of bench/e2e.sh.
//
//   e2e_client replay CONTROL_ENDPOINT         replays every event (pages of 1000), prints events/s
//   e2e_client listen EVENTS_ENDPOINT SECONDS  counts live events until SECONDS of silence, prints
//                                              events/s and the latency from each event's "at"
//                                              (when its poll ended) to its arrival, p50/p99
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <zmq.hpp>
#include <zmq_addon.hpp>

namespace {

using Clock = std::chrono::steady_clock;

int replay(const std::string& endpoint) {
    zmq::context_t context;
    zmq::socket_t socket(context, zmq::socket_type::req);
    socket.set(zmq::sockopt::linger, 0);
    socket.set(zmq::sockopt::rcvtimeo, 10000);
    socket.connect(endpoint);
    std::int64_t after = 0;
    std::int64_t events = 0;
    std::size_t bytes = 0;
    auto started = Clock::now();
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
        auto json = nlohmann::json::parse(reply.to_string_view(), nullptr, false);
        if (json.is_discarded() || json["ok"] != true) {
            std::fprintf(stderr, "e2e_client: bad reply\n");
            return 1;
        }
        const auto& page_events = json["events"];
        if (page_events.empty()) break;
        events += static_cast<std::int64_t>(page_events.size());
        after = page_events.back()["seq"].get<std::int64_t>();
    }
    double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    std::printf("replay: %lld events, %.1f MB in %.3f s = %.0f events/s\n",
                static_cast<long long>(events), static_cast<double>(bytes) / 1e6, seconds,
                static_cast<double>(events) / seconds);
    return 0;
}

// "2026-11-25T20:15:01.023Z" → system_clock time point.
std::chrono::system_clock::time_point parse_at(const std::string& text) {
    std::tm tm{};
    int millis = 0;
    std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &millis);
    auto days =
        std::chrono::sys_days{std::chrono::year{tm.tm_year} / static_cast<unsigned>(tm.tm_mon) /
                              static_cast<unsigned>(tm.tm_mday)};
    return days + std::chrono::hours{tm.tm_hour} + std::chrono::minutes{tm.tm_min} +
           std::chrono::seconds{tm.tm_sec} + std::chrono::milliseconds{millis};
}

int listen(const std::string& endpoint, int quiet_seconds) {
    zmq::context_t context;
    zmq::socket_t socket(context, zmq::socket_type::sub);
    socket.set(zmq::sockopt::rcvhwm, 0);
    socket.set(zmq::sockopt::subscribe, "item.");
    socket.set(zmq::sockopt::rcvtimeo, quiet_seconds * 1000);
    socket.connect(endpoint);
    std::printf("listening\n");
    std::fflush(stdout);
    std::vector<double> latencies;
    Clock::time_point first{};
    Clock::time_point last{};
    for (long n = 0; n < 100'000'000; ++n) {
        std::vector<zmq::message_t> frames;
        if (!zmq::recv_multipart(socket, std::back_inserter(frames))) break;
        last = Clock::now();
        if (latencies.empty()) first = last;
        auto json = nlohmann::json::parse(frames.back().to_string_view(), nullptr, false);
        if (json.is_discarded()) continue;
        auto at = parse_at(json["at"].get<std::string>());
        latencies.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::system_clock::now() - at)
                .count());
    }
    if (latencies.empty()) {
        std::printf("live: no events\n");
        return 0;
    }
    std::sort(latencies.begin(), latencies.end());
    double seconds = std::chrono::duration<double>(last - first).count();
    auto at = [&](double q) {
        return latencies[static_cast<std::size_t>(q * static_cast<double>(latencies.size() - 1))];
    };
    std::printf(
        "live: %zu events in %.3f s = %.0f events/s; poll-end→subscriber latency p50 %.1f ms, p99 "
        "%.1f ms\n",
        latencies.size(), seconds, static_cast<double>(latencies.size()) / std::max(seconds, 1e-9),
        at(0.5), at(0.99));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "replay" && argc == 3) return replay(argv[2]);
    if (mode == "listen" && argc == 4) return listen(argv[2], std::atoi(argv[3]));
    std::fprintf(stderr, "usage: e2e_client replay CONTROL | listen EVENTS QUIET_SECONDS\n");
    return 2;
}
