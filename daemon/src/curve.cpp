#include "curve.hpp"

#include <array>
#include <stdexcept>

#include <zmq.h>
#include <zmq_addon.hpp>

namespace herald::daemon {
namespace {

constexpr const char* kZapEndpoint = "inproc://zeromq.zap.01";
constexpr std::size_t kKeyBytes = 32;
constexpr std::size_t kZ85KeyLength = 40;
// How often the handler looks at its stop token while no handshake is waiting.
constexpr std::chrono::milliseconds kStopCheck{100};
// Denied keys are logged once each, up to this many (a scan must not flood the log).
constexpr std::size_t kMaxLoggedDenials = 100;

struct ZapReply {
    const char* code;
    const char* text;
};

ZapReply decide(const std::vector<zmq::message_t>& request, const std::set<std::string>& allowed,
                std::string& client_key) {
    // RFC 27: version, request id, domain, address, routing id, mechanism, credentials...
    if (request.size() < 7 || request[0].to_string_view() != "1.0") {
        return {"500", "malformed ZAP request"};
    }
    if (request[2].to_string_view() != kZapDomain) return {"400", "unknown domain"};
    if (request[5].to_string_view() != "CURVE" || request[6].size() != kKeyBytes) {
        return {"400", "CURVE required"};
    }
    client_key = request[6].to_string();
    if (!allowed.contains(client_key)) return {"400", "client key not authorised"};
    return {"200", "OK"};
}

std::string encode_z85(const std::string& key) {
    std::array<char, kZ85KeyLength + 1> text{};
    if (key.size() != kKeyBytes ||
        zmq_z85_encode(text.data(), reinterpret_cast<const std::uint8_t*>(key.data()),
                       key.size()) == nullptr) {
        return "?";
    }
    return std::string(text.data(), kZ85KeyLength);
}

void serve(const std::stop_token& stop, zmq::socket_t socket, std::set<std::string> allowed,
           const std::shared_ptr<spdlog::logger>& logger) {
    std::set<std::string> logged;
    while (!stop.stop_requested()) {
        std::vector<zmq::message_t> request;
        try {
            std::vector<zmq::pollitem_t> items{{socket.handle(), 0, ZMQ_POLLIN, 0}};
            if (zmq::poll(items, kStopCheck) <= 0) continue;
            if (!zmq::recv_multipart(socket, std::back_inserter(request),
                                     zmq::recv_flags::dontwait)) {
                continue;
            }
            std::string client_key;
            const ZapReply reply = decide(request, allowed, client_key);
            if (std::string_view{reply.code} != "200" && logged.size() < kMaxLoggedDenials &&
                logged.insert(client_key).second) {
                logger->warn("CURVE: refused a client ({}), key {}", reply.text,
                             client_key.empty() ? std::string{"none"} : encode_z85(client_key));
            }
            const std::string request_id =
                request.size() > 1 ? request[1].to_string() : std::string{};
            std::array<zmq::const_buffer, 6> frames{zmq::str_buffer("1.0"),
                                                    zmq::buffer(request_id),
                                                    zmq::buffer(std::string_view{reply.code}),
                                                    zmq::buffer(std::string_view{reply.text}),
                                                    zmq::str_buffer(""),
                                                    zmq::str_buffer("")};
            zmq::send_multipart(socket, frames);
        } catch (const zmq::error_t& e) {
            if (e.num() == ETERM) return;
            // A REP socket that failed mid-exchange: keep serving; the handshake times out.
            logger->warn("ZAP handler: {}", e.what());
        }
    }
}

}  // namespace

void enable_curve_server(zmq::socket_t& socket, const CurveServerKeys& keys) {
    socket.set(zmq::sockopt::curve_server, 1);
    socket.set(zmq::sockopt::curve_secretkey, keys.secret_key);
    socket.set(zmq::sockopt::zap_domain, kZapDomain);
}

std::string decode_z85_key(const std::string& z85) {
    if (z85.size() != kZ85KeyLength) return {};
    std::array<std::uint8_t, kKeyBytes> key{};
    if (zmq_z85_decode(key.data(), z85.c_str()) == nullptr) return {};
    return std::string(reinterpret_cast<const char*>(key.data()), key.size());
}

ZapHandler::ZapHandler(zmq::context_t& context, const std::vector<std::string>& clients,
                       std::shared_ptr<spdlog::logger> logger) {
    std::set<std::string> allowed;
    for (const std::string& client : clients) {
        std::string key = decode_z85_key(client);
        if (key.empty()) throw std::runtime_error("malformed CURVE client key " + client);
        allowed.insert(std::move(key));
    }
    zmq::socket_t socket(context, zmq::socket_type::rep);
    socket.set(zmq::sockopt::linger, 0);
    try {
        socket.bind(kZapEndpoint);
    } catch (const zmq::error_t& e) {
        throw std::runtime_error(std::string{"cannot bind the ZAP handler: "} + e.what());
    }
    // The socket moves to the thread here and is used by it alone from then on.
    thread_ = std::jthread([socket = std::move(socket), allowed = std::move(allowed),
                            logger = std::move(logger)](const std::stop_token& stop) mutable {
        serve(stop, std::move(socket), std::move(allowed), logger);
    });
}

ZapHandler::~ZapHandler() {
    thread_.request_stop();
    if (thread_.joinable()) thread_.join();
}

}  // namespace herald::daemon
