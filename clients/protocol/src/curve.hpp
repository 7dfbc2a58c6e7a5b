#pragma once
// CURVE on the client side: socket options for tcp:// endpoints (private to herald::client).
#include <optional>
#include <string>

#include <zmq.hpp>

#include <herald/client.hpp>

namespace herald::client::detail {

// Makes `socket` a CURVE client when `curve` is set and `endpoint` is tcp://; ipc:// stays
// plain. Call before connect(). Throws zmq::error_t when ZeroMQ refuses a key.
void apply_curve(zmq::socket_t& socket, const std::optional<CurveKeys>& curve,
                 const std::string& endpoint);

}  // namespace herald::client::detail
