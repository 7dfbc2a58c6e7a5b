#pragma once
// The daemon's ZeroMQ sockets: Publisher (PUB on every publish endpoint) and ControlSocket
// (ROUTER). Both belong to the main thread. Constructors throw std::runtime_error when an
// endpoint cannot be bound (a start-up failure); afterwards nothing throws.
//
// CURVE: with keys given, tcp:// endpoints are CURVE servers (the ZapHandler decides who gets
// in) while ipc:// endpoints stay plain, guarded by their file permissions.
//
// High-water mark: PUB keeps at most kPublishHighWaterMark messages per subscriber and then
// drops (ZeroMQ's PUB never blocks the publisher). A subscriber that lags further sees a seq
// gap or a heartbeat ahead of it and fills the gap with the control `replay` op.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "curve.hpp"

namespace herald::daemon {

inline constexpr int kPublishHighWaterMark = 10'000;
// On close, unsent messages get this long to leave; never an unbounded wait at exit.
inline constexpr std::chrono::milliseconds kPublishLinger{1000};
inline constexpr std::chrono::milliseconds kControlLinger{200};
// Requests above kMaxRequestBytes get an error reply; ZeroMQ drops peers sending more than
// kMaxWireMessage in one frame before we ever see it.
inline constexpr std::size_t kMaxRequestBytes = 64 * 1024;
inline constexpr std::int64_t kMaxWireMessage = 1 << 20;

// Binds `endpoint`; ipc socket files are created owner/group-only (0660) in a directory that is
// created if missing; a stale socket file (we hold the state lock) is replaced.
void bind_endpoint(zmq::socket_t& socket, const std::string& endpoint);
// Binds every endpoint; with `curve`, the tcp:// ones as CURVE servers (bound last).
void bind_endpoints(zmq::socket_t& socket, const std::vector<std::string>& endpoints,
                    const std::optional<CurveServerKeys>& curve);

class Publisher {
public:
    Publisher(zmq::context_t& context, const std::vector<std::string>& endpoints,
              const std::optional<CurveServerKeys>& curve = std::nullopt);

    // Two frames: topic, payload. Never blocks (PUB drops for slow subscribers).
    void publish(std::string_view topic, std::string_view payload);
    // Connections to the PUB endpoints now (subscribers, counted from the socket monitor's
    // accepted/disconnected events). Call it every few seconds: it drains those events.
    [[nodiscard]] std::int64_t connections();

private:
    zmq::socket_t socket_;
    zmq::socket_t monitor_;  // PAIR receiving socket_'s monitor events
    std::int64_t connections_ = 0;
};

class ControlSocket {
public:
    using Handler = std::function<std::string(const nlohmann::json& request)>;

    ControlSocket(zmq::context_t& context, const std::string& endpoint,
                  const std::optional<CurveServerKeys>& curve = std::nullopt);

    [[nodiscard]] zmq::socket_t& socket() { return socket_; }
    // Answers every request waiting now (non-blocking). Malformed requests are answered with
    // {"ok":false,"error":...} without calling `handler`.
    void serve(const Handler& handler);

private:
    zmq::socket_t socket_;
};

// UTC RFC 3339 with milliseconds: "2026-11-25T20:15:00.123Z".
[[nodiscard]] std::string format_time_ms(std::chrono::system_clock::time_point time);

// {"ok":false,"error":MESSAGE}
[[nodiscard]] std::string error_reply(std::string_view message);

}  // namespace herald::daemon
