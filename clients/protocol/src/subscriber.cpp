// Subscriber: live events from SUB, holes filled from the control `replay` op.
//
// The invariant: every seq <= pos_ was returned or did not match the topics, and pending_
// holds seq pos_+1, pos_+2, ... without holes. A live event that would leave a hole is not
// kept; a replay from the end of pending_ fetches it together with whatever was missed.
#include <algorithm>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include <spdlog/logger.h>
#include <zmq.h>
#include <zmq.hpp>

#include <herald/client.hpp>

#include "curve.hpp"

namespace herald::client {
namespace {

using Clock = std::chrono::steady_clock;

// Each subscriber has its own context, so one fixed inproc name cannot clash.
constexpr const char* kMonitorEndpoint = "inproc://herald-subscriber-monitor";
// Live messages taken per poll before looking at pending events and signals again.
constexpr int kMaxLiveBatch = 1000;
// Rounds (pop, replay or poll) per next() call; the deadline ends it long before.
constexpr int kMaxRounds = 100000;
// Large receive queue: a burst of events while we run a command should not be dropped
// (replay would recover them, but it costs a round trip each time).
constexpr int kReceiveHighWaterMark = 100000;

}  // namespace

struct Subscriber::Impl {
    SubscriberOptions options;
    std::shared_ptr<spdlog::logger> logger;
    zmq::context_t context{1};
    zmq::socket_t sub{context, zmq::socket_type::sub};
    zmq::socket_t monitor{context, zmq::socket_type::pair};
    ControlClient control;

    bool position_known = false;
    std::string store;  // empty: not known yet
    std::int64_t pos = 0;
    std::deque<Event> pending;
    bool replay_needed = true;
    Clock::time_point next_replay{};
    bool daemon_away = false;

    Impl(SubscriberOptions opts, std::shared_ptr<spdlog::logger> log)
        : options(std::move(opts)),
          logger(std::move(log)),
          control(options.control_endpoint, options.request_timeout, options.curve) {}

    [[nodiscard]] std::int64_t horizon() const {
        return pending.empty() ? pos : pending.back().seq;
    }

    void request_replay() {
        if (!replay_needed) next_replay = Clock::now();
        replay_needed = true;
    }

    // Takes on the store id the daemon reports; a different one than ours means our seqs
    // mean nothing there, so start over from its beginning. Returns false after a reset.
    bool adopt_store(const std::string& reported) {
        if (reported.empty() || reported == store) return true;
        if (store.empty()) {
            store = reported;
            return true;
        }
        if (logger) {
            logger->warn("store changed from {} to {}: starting over from its first event", store,
                         reported);
        }
        store = reported;
        reset_to_start();
        return false;
    }

    void reset_to_start() {
        pos = 0;
        pending.clear();
        position_known = true;
        request_replay();
    }

    std::optional<Event> pop_pending() {
        while (!pending.empty()) {
            Event event = std::move(pending.front());
            pending.pop_front();
            pos = event.seq;
            if (topic_matches(options.topics, event.topic())) return event;
        }
        return std::nullopt;
    }

    void note_daemon_away(const ClientError& error) {
        if (!daemon_away && logger) logger->warn("{}; waiting for it", error.message);
        daemon_away = true;
        next_replay = Clock::now() + options.retry_delay;
    }

    void note_daemon_back() {
        if (daemon_away && logger) logger->info("reached heraldd at {}", control.endpoint());
        daemon_away = false;
    }

    // The live end: the daemon's last seq when we first reach it.
    tl::expected<void, ClientError> find_live_end() {
        auto page = control.replay(0, 1);
        if (!page) return tl::unexpected(page.error());
        note_daemon_back();
        adopt_store(page->events.empty() ? page->store : page->events.front().store);
        if (!position_known) {
            pos = page->last_seq;
            position_known = true;
        }
        replay_needed = horizon() < page->last_seq;
        return {};
    }

    tl::expected<void, ClientError> replay_page() {
        auto page = control.replay(horizon(), kMaxReplayLimit);
        if (!page && page.error().kind == ClientErrorKind::kPruned &&
            page.error().first_seq > horizon() + 1) {
            // Nothing can bring those events back: go on from the oldest one still kept.
            if (logger) {
                logger->warn("events {}..{} were deleted by retention; continuing at {}",
                             horizon() + 1, page.error().first_seq - 1, page.error().first_seq);
            }
            pending.clear();
            pos = page.error().first_seq - 1;
            next_replay = Clock::now();
            return {};
        }
        if (!page) return tl::unexpected(page.error());
        note_daemon_back();
        if (!adopt_store(page->store)) return {};
        for (auto& event : page->events) {
            if (!adopt_store(event.store)) return {};
            if (event.seq <= horizon()) continue;
            if (event.seq > horizon() + 1 && logger) {
                // Retention pruned them; nothing can bring them back.
                logger->warn("events {}..{} are no longer in the store; continuing at {}",
                             horizon() + 1, event.seq - 1, event.seq);
            }
            pending.push_back(std::move(event));
        }
        if (page->last_seq < horizon() && !store.empty()) {
            // Seqs never go down within one store: this is another store that did not say so.
            if (logger) {
                logger->warn("position {} is past the daemon's last seq {}: starting over",
                             horizon(), page->last_seq);
            }
            store.clear();
            reset_to_start();
            return {};
        }
        replay_needed = !page->events.empty() && horizon() < page->last_seq;
        return {};
    }

    tl::expected<void, ClientError> replay_once() {
        auto done = position_known ? replay_page() : find_live_end();
        if (done) return {};
        if (done.error().kind == ClientErrorKind::kEndpoint) return done;
        note_daemon_away(done.error());
        return {};
    }

    void handle_live(std::string_view payload) {
        auto event = parse_event(payload);
        if (!event) {
            if (logger) logger->warn("ignoring a malformed event: {}", event.error().message);
            return;
        }
        if (!adopt_store(event->store)) return;
        if (event->is_heartbeat()) {
            if (!position_known) {
                pos = event->seq;
                position_known = true;
            }
            if (event->seq > horizon()) request_replay();
            return;
        }
        if (!position_known) {
            pos = event->seq - 1;
            position_known = true;
        }
        if (event->seq <= horizon()) return;
        if (event->seq == horizon() + 1) {
            pending.push_back(std::move(*event));
            return;
        }
        request_replay();
    }

    void drain_live() {
        for (int i = 0; i < kMaxLiveBatch; ++i) {
            std::vector<zmq::message_t> frames;
            zmq::message_t frame;
            if (!sub.recv(frame, zmq::recv_flags::dontwait)) return;
            frames.push_back(std::move(frame));
            while (frames.back().more() && frames.size() < 8) {
                zmq::message_t part;
                if (!sub.recv(part, zmq::recv_flags::dontwait)) break;
                frames.push_back(std::move(part));
            }
            if (frames.size() == 2) handle_live(frames[1].to_string_view());
        }
    }

    void drain_monitor() {
        for (int i = 0; i < kMaxLiveBatch; ++i) {
            zmq::message_t header;
            if (!monitor.recv(header, zmq::recv_flags::dontwait)) return;
            std::uint16_t id = 0;
            if (header.size() >= sizeof id) std::memcpy(&id, header.data(), sizeof id);
            while (header.more()) {
                zmq::message_t rest;
                if (!monitor.recv(rest, zmq::recv_flags::dontwait)) break;
                header = std::move(rest);
            }
            // A (re)connect may follow a daemon restart: replay whatever it published since.
            if (id == ZMQ_EVENT_CONNECTED) request_replay();
        }
    }

    // Waits for socket traffic, the wake fd or `wait`; returns false when woken.
    bool wait_for_input(std::chrono::milliseconds wait) {
        std::vector<zmq::pollitem_t> items{{sub.handle(), 0, ZMQ_POLLIN, 0},
                                           {monitor.handle(), 0, ZMQ_POLLIN, 0}};
        if (options.wake_fd >= 0) items.push_back({nullptr, options.wake_fd, ZMQ_POLLIN, 0});
        zmq::poll(items, wait);
        if (options.wake_fd >= 0 && (items[2].revents & ZMQ_POLLIN) != 0) return false;
        if ((items[1].revents & ZMQ_POLLIN) != 0) drain_monitor();
        if ((items[0].revents & ZMQ_POLLIN) != 0) drain_live();
        return true;
    }

    tl::expected<std::optional<Event>, ClientError> next(std::chrono::milliseconds timeout) {
        const auto deadline = Clock::now() + timeout;
        for (int round = 0; round < kMaxRounds; ++round) {
            if (auto event = pop_pending()) return event;
            auto now = Clock::now();
            if (replay_needed && now >= next_replay) {
                if (auto done = replay_once(); !done) return tl::unexpected(done.error());
                continue;
            }
            if (now >= deadline) break;
            auto until = deadline;
            if (replay_needed) until = std::min(until, next_replay);
            const auto wait = std::chrono::ceil<std::chrono::milliseconds>(until - now);
            if (!wait_for_input(std::max(wait, std::chrono::milliseconds(0)))) break;
        }
        return std::optional<Event>{};
    }
};

tl::expected<Subscriber, ClientError> Subscriber::open(SubscriberOptions options,
                                                       std::shared_ptr<spdlog::logger> logger) {
    const std::string endpoint = options.publish_endpoint;
    try {
        auto impl = std::make_unique<Impl>(std::move(options), std::move(logger));
        auto& sub = impl->sub;
        sub.set(zmq::sockopt::linger, 0);
        sub.set(zmq::sockopt::rcvhwm, kReceiveHighWaterMark);
        sub.set(zmq::sockopt::subscribe, "heartbeat/");
        if (impl->options.topics.empty()) sub.set(zmq::sockopt::subscribe, "");
        for (const auto& topic : impl->options.topics) sub.set(zmq::sockopt::subscribe, topic);
        if (zmq_socket_monitor(sub.handle(), kMonitorEndpoint, ZMQ_EVENT_CONNECTED) != 0) {
            throw zmq::error_t();
        }
        impl->monitor.connect(kMonitorEndpoint);
        detail::apply_curve(sub, impl->options.curve, impl->options.publish_endpoint);
        sub.connect(impl->options.publish_endpoint);
        if (impl->options.start) {
            impl->position_known = true;
            impl->pos = impl->options.start->seq;
            impl->store = impl->options.start->store;
        }
        return Subscriber(std::move(impl));
    } catch (const zmq::error_t& e) {
        return tl::unexpected(ClientError{ClientErrorKind::kEndpoint,
                                          "cannot subscribe to " + endpoint + ": " + e.what()});
    }
}

Subscriber::Subscriber(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Subscriber::~Subscriber() = default;
Subscriber::Subscriber(Subscriber&&) noexcept = default;
Subscriber& Subscriber::operator=(Subscriber&&) noexcept = default;

tl::expected<std::optional<Event>, ClientError> Subscriber::next(
    std::chrono::milliseconds timeout) {
    try {
        return impl_->next(timeout);
    } catch (const zmq::error_t& e) {
        return tl::unexpected(
            ClientError{ClientErrorKind::kProtocol, std::string("subscriber: ") + e.what()});
    }
}

std::optional<Cursor> Subscriber::position() const {
    if (!impl_->position_known) return std::nullopt;
    return Cursor{impl_->store, impl_->pos};
}

}  // namespace herald::client
