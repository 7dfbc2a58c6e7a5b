#include "fake_daemon.hpp"

#include <algorithm>
#include <condition_variable>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include <stdlib.h>
#include <zmq.hpp>

namespace herald::client::testing {

TempDir::TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr ? base : "/tmp") + "/herald-client-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
}

TempDir::~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

std::string make_payload(std::int64_t seq, const std::string& kind, const std::string& store,
                         const std::string& feed, const std::string& title) {
    nlohmann::ordered_json payload{
        {"seq", seq},
        {"kind", kind},
        {"at", "2026-11-25T20:00:00.000Z"},
        {"store", store},
        {"feed",
         {{"name", feed}, {"url", "https://" + feed + ".example/feed.xml"}, {"title", feed}}}};
    if (kind.starts_with("item.")) {
        payload["item"] = {{"id", seq},
                           {"guid", "guid-" + std::to_string(seq)},
                           {"title", title},
                           {"link", "https://" + feed + ".example/" + std::to_string(seq)},
                           {"published", nullptr},
                           {"updated", nullptr},
                           {"author", nullptr},
                           {"summary", nullptr},
                           {"content", nullptr},
                           {"categories", nlohmann::json::array()},
                           {"enclosures", nlohmann::json::array()},
                           {"initial", false}};
    } else if (kind == "feed.error") {
        payload["error"] = title;
    }
    return payload.dump();
}

FakeDaemon::FakeDaemon(const std::filesystem::path& dir, std::string store)
    : publish_endpoint("ipc://" + (dir / "events").string()),
      control_endpoint("ipc://" + (dir / "control").string()),
      store_(std::move(store)) {
    // Bind before returning, so the endpoints exist once the constructor is done.
    std::mutex ready_mutex;
    std::condition_variable ready;
    bool is_ready = false;
    thread_ = std::jthread([&, this](std::stop_token stop) {
        zmq::context_t context(1);
        zmq::socket_t pub(context, zmq::socket_type::xpub);
        zmq::socket_t router(context, zmq::socket_type::router);
        pub.set(zmq::sockopt::linger, 0);
        pub.set(zmq::sockopt::xpub_verbose, 1);
        router.set(zmq::sockopt::linger, 0);
        pub.bind(publish_endpoint);
        router.bind(control_endpoint);
        {
            std::lock_guard lock(ready_mutex);
            is_ready = true;
        }
        ready.notify_one();
        while (!stop.stop_requested()) {
            std::vector<zmq::pollitem_t> items{{pub.handle(), 0, ZMQ_POLLIN, 0},
                                               {router.handle(), 0, ZMQ_POLLIN, 0}};
            zmq::poll(items, std::chrono::milliseconds(5));
            zmq::message_t message;
            while (pub.recv(message, zmq::recv_flags::dontwait)) {
                const auto text = message.to_string();
                if (!text.empty() && text[0] == 1) {
                    std::lock_guard lock(mutex_);
                    subscriptions_.push_back(text.substr(1));
                }
            }
            zmq::message_t identity;
            while (router.recv(identity, zmq::recv_flags::dontwait)) {
                zmq::message_t empty;
                zmq::message_t body;
                (void)router.recv(empty);
                (void)router.recv(body);
                const auto reply = answer(body.to_string());
                router.send(identity, zmq::send_flags::sndmore);
                router.send(zmq::message_t(), zmq::send_flags::sndmore);
                router.send(zmq::buffer(reply));
            }
            std::deque<std::pair<std::string, std::string>> sending;
            {
                std::lock_guard lock(mutex_);
                sending.swap(outbox_);
            }
            for (auto& [topic, payload] : sending) {
                pub.send(zmq::buffer(topic), zmq::send_flags::sndmore);
                pub.send(zmq::buffer(payload));
            }
        }
    });
    std::unique_lock lock(ready_mutex);
    ready.wait(lock, [&] { return is_ready; });
}

FakeDaemon::~FakeDaemon() {
    thread_.request_stop();
    thread_.join();
}

std::string FakeDaemon::answer(const std::string& request) {
    const auto json = nlohmann::json::parse(request, nullptr, false);
    if (json.is_discarded() || !json.is_object()) return R"({"ok":false,"error":"bad request"})";
    const auto op = json.value("op", std::string());
    std::lock_guard lock(mutex_);
    if (op == "status") {
        return nlohmann::json{{"ok", true}, {"last_seq", log_.size()}, {"store", store_}}.dump();
    }
    if (op != "replay") return R"({"ok":false,"error":"unknown op"})";
    ++replay_requests_;
    const auto after = json.value("after", std::int64_t{0});
    const auto limit = std::min<std::int64_t>(json.value("limit", 100), 1000);
    if (after + 1 < first_seq_ && first_seq_ <= static_cast<std::int64_t>(log_.size())) {
        return nlohmann::json{{"ok", false}, {"error", "events pruned"}, {"first_seq", first_seq_}}
            .dump();
    }
    auto events = nlohmann::ordered_json::array();
    for (auto seq = std::max<std::int64_t>(after, 0) + 1;
         seq <= static_cast<std::int64_t>(log_.size()) &&
         static_cast<std::int64_t>(events.size()) < limit;
         ++seq) {
        events.push_back(nlohmann::ordered_json::parse(log_[static_cast<std::size_t>(seq - 1)]));
    }
    nlohmann::ordered_json reply{{"ok", true}, {"events", events}, {"last_seq", log_.size()}};
    return reply.dump();
}

std::int64_t FakeDaemon::append(const std::string& kind, const std::string& feed,
                                const std::string& title) {
    std::lock_guard lock(mutex_);
    const auto seq = static_cast<std::int64_t>(log_.size()) + 1;
    log_.push_back(make_payload(seq, kind, store_, feed, title));
    return seq;
}

void FakeDaemon::publish(std::int64_t seq) {
    std::lock_guard lock(mutex_);
    const auto& payload = log_.at(static_cast<std::size_t>(seq - 1));
    const auto json = nlohmann::json::parse(payload);
    outbox_.emplace_back(
        json["kind"].get<std::string>() + "/" + json["feed"]["name"].get<std::string>() + "/",
        payload);
}

std::int64_t FakeDaemon::emit(const std::string& kind, const std::string& feed,
                              const std::string& title) {
    const auto seq = append(kind, feed, title);
    publish(seq);
    return seq;
}

void FakeDaemon::heartbeat() {
    std::lock_guard lock(mutex_);
    outbox_.emplace_back("heartbeat/", nlohmann::json{{"kind", "heartbeat"},
                                                      {"store", store_},
                                                      {"last_seq", log_.size()},
                                                      {"at", "2026-11-25T20:00:00Z"}}
                                           .dump());
}

void FakeDaemon::publish_raw(std::string topic, std::string payload) {
    std::lock_guard lock(mutex_);
    outbox_.emplace_back(std::move(topic), std::move(payload));
}

void FakeDaemon::prune_before(std::int64_t first_seq) {
    std::lock_guard lock(mutex_);
    first_seq_ = first_seq;
}

bool FakeDaemon::has_subscription(const std::string& prefix) const {
    std::lock_guard lock(mutex_);
    return std::find(subscriptions_.begin(), subscriptions_.end(), prefix) != subscriptions_.end();
}

int FakeDaemon::replay_requests() const {
    std::lock_guard lock(mutex_);
    return replay_requests_;
}

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (int round = 0; round < 100000; ++round) {
        if (condition()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return condition();
}

std::int64_t FakeDaemon::last_seq() const {
    std::lock_guard lock(mutex_);
    return static_cast<std::int64_t>(log_.size());
}

}  // namespace herald::client::testing
