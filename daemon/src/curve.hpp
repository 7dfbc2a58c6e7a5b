#pragma once
// CURVE for the daemon's tcp:// endpoints: the server side of ZeroMQ's CurveZMQ handshake and a
// ZAP handler (RFC 27, inproc://zeromq.zap.01) that admits only the configured client keys.
//
// ZeroMQ asks the ZAP handler of the socket's context during every CURVE handshake; with no
// handler bound it would admit everyone, so the ZapHandler must exist before any CURVE endpoint
// is bound (Daemon declares it before the sockets) and outlive them.
//
// Threads: ZapHandler owns one thread and its socket (bound on the constructing thread, then
// used by that thread only). The admitted keys are fixed at construction: changing them takes
// a restart. The constructor throws std::runtime_error when the handler cannot be bound.
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/logger.h>
#include <zmq.hpp>

namespace herald::daemon {

// The ZAP domain of herald's CURVE endpoints (requests for other domains are refused).
inline constexpr const char* kZapDomain = "herald";

struct CurveServerKeys {
    std::string secret_key;  // Z85
};

// Makes the socket a CURVE server for endpoints bound from now on (ZeroMQ copies a socket's
// options into each endpoint when it is bound, so ipc:// endpoints bound before stay plain).
void enable_curve_server(zmq::socket_t& socket, const CurveServerKeys& keys);

class ZapHandler {
public:
    // `clients`: the admitted public keys, Z85.
    ZapHandler(zmq::context_t& context, const std::vector<std::string>& clients,
               std::shared_ptr<spdlog::logger> logger);
    ~ZapHandler();
    ZapHandler(const ZapHandler&) = delete;
    ZapHandler& operator=(const ZapHandler&) = delete;

private:
    std::jthread thread_;
};

// Decodes a Z85 key to its 32 bytes; empty when malformed.
[[nodiscard]] std::string decode_z85_key(const std::string& z85);

}  // namespace herald::daemon
