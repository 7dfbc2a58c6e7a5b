// A complete herald subscriber in C++ (cppzmq + nlohmann/json): misses nothing, repeats nothing.
//
// Subscribe first, then replay from where we are through the control socket, then read live
// events, dropping seqs we already have. Replay again on a seq gap and whenever a heartbeat says
// the daemon is ahead (which also covers a reconnect after a daemon restart). A different store
// id means our seq numbers mean nothing there: start over from its first event.
//
// usage: herald-example-subscriber EVENTS_ENDPOINT CONTROL_ENDPOINT [AFTER_SEQ] [--max N]
#include <chrono>
#include <cstdint>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <zmq.hpp>

using nlohmann::json;

class Subscriber {
public:
    Subscriber(std::string events, std::string control, std::optional<std::int64_t> after)
        : control_endpoint_(std::move(control)), last_(after) {
        sub_.set(zmq::sockopt::linger, 0);
        sub_.set(zmq::sockopt::subscribe, "");  // every event and the heartbeats
        sub_.connect(events);                   // 1. subscribe first
    }

    // Prints events until `max` were printed (forever when max is 0).
    void run(std::int64_t max) {
        max_ = max;
        while (!last_) {  // the live end: the daemon's last seq when we first reach it
            auto reply = control(json{{"op", "replay"}, {"after", 0}, {"limit", 1}});
            if (reply && reply->value("ok", false))
                last_ = (*reply)["last_seq"].get<std::int64_t>();
        }
        replay();
        while (!done()) {  // 3. live
            std::vector<zmq::pollitem_t> items{{sub_.handle(), 0, ZMQ_POLLIN, 0}};
            if (zmq::poll(items, std::chrono::milliseconds(1000)) == 0) continue;
            zmq::message_t topic;
            zmq::message_t payload;
            if (!sub_.recv(topic) || !topic.more() || !sub_.recv(payload)) continue;
            const auto message = json::parse(payload.to_string_view(), nullptr, false);
            if (message.is_discarded()) continue;
            if (!store_.empty() && message.value("store", "") != store_) {
                start_over(message["store"]);
                replay();
            } else if (message["kind"] == "heartbeat") {
                if (message["last_seq"].get<std::int64_t>() > *last_) replay();
            } else if (message["seq"].get<std::int64_t>() == *last_ + 1) {
                deliver(message);
            } else if (message["seq"].get<std::int64_t>() > *last_ + 1) {
                replay();  // a gap: the replay brings this event too
            }
        }
    }

private:
    bool done() const { return max_ > 0 && printed_ >= max_; }

    void start_over(const std::string& store) {
        store_ = store;
        last_ = 0;
    }

    // One request, one reply; nullopt when the daemon does not answer in time.
    std::optional<json> control(const json& request) {
        zmq::socket_t req(context_, zmq::socket_type::req);  // fresh: a timed-out REQ is stuck
        req.set(zmq::sockopt::linger, 0);
        req.connect(control_endpoint_);
        req.send(zmq::buffer(request.dump()));
        std::vector<zmq::pollitem_t> items{{req.handle(), 0, ZMQ_POLLIN, 0}};
        if (zmq::poll(items, std::chrono::milliseconds(2000)) == 0) return std::nullopt;
        zmq::message_t reply;
        if (!req.recv(reply)) return std::nullopt;
        auto parsed = json::parse(reply.to_string_view(), nullptr, false);
        if (parsed.is_discarded() || !parsed.is_object()) return std::nullopt;
        return parsed;
    }

    void deliver(const json& event) {
        const auto seq = event["seq"].get<std::int64_t>();
        if (seq <= *last_) return;  // already handled
        std::string title;
        if (event.contains("item") && event["item"]["title"].is_string()) {
            title = event["item"]["title"];
        }
        std::cout << seq << ' ' << event["kind"].get<std::string>() << ' '
                  << event["feed"]["name"].get<std::string>() << ' ' << title << std::endl;
        last_ = seq;
        store_ = event["store"];
        ++printed_;
    }

    // 2. Fetch every event after last_, a page at a time.
    void replay() {
        while (!done()) {
            auto reply = control(json{{"op", "replay"}, {"after", *last_}, {"limit", 1000}});
            if (!reply) return;  // daemon away: the next heartbeat brings us back here
            if (!reply->value("ok", false)) {
                if (!reply->contains("first_seq")) return;
                last_ = (*reply)["first_seq"].get<std::int64_t>() - 1;  // retention: skip ahead
                continue;
            }
            const auto& events = (*reply)["events"];
            bool restarted = false;
            for (const auto& event : events) {
                if (!store_.empty() && event["store"] != store_) {
                    start_over(event["store"]);  // another store: start over
                    restarted = true;
                    break;
                }
                deliver(event);
            }
            if (!restarted &&
                (events.empty() || *last_ >= (*reply)["last_seq"].get<std::int64_t>())) {
                return;
            }
        }
    }

    zmq::context_t context_;
    zmq::socket_t sub_{context_, zmq::socket_type::sub};
    std::string control_endpoint_;
    std::optional<std::int64_t> last_;
    std::string store_;
    std::int64_t max_ = 0;
    std::int64_t printed_ = 0;
};

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    std::int64_t max = 0;
    for (std::size_t i = 0; i + 1 < args.size(); ++i) {
        if (args[i] == "--max") {
            max = std::stoll(args[i + 1]);
            args.erase(args.begin() + static_cast<std::ptrdiff_t>(i),
                       args.begin() + static_cast<std::ptrdiff_t>(i) + 2);
            break;
        }
    }
    if (args.size() < 2) {
        std::cerr << "usage: herald-example-subscriber EVENTS CONTROL [AFTER_SEQ] [--max N]\n";
        return 2;
    }
    std::optional<std::int64_t> after;
    if (args.size() > 2) after = std::stoll(args[2]);
    Subscriber subscriber(args[0], args[1], after);
    subscriber.run(max);
    return 0;
}
