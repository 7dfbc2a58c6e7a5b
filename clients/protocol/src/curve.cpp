// CURVE keys and socket options (ZeroMQ's CurveZMQ; the daemon admits keys through ZAP).
#include "curve.hpp"

#include <array>

#include <zmq.h>

namespace herald::client {
namespace {

constexpr std::size_t kZ85Length = 40;

}  // namespace

tl::expected<CurveKeyPair, ClientError> make_curve_keypair() {
    std::array<char, kZ85Length + 1> public_key{};
    std::array<char, kZ85Length + 1> secret_key{};
    if (zmq_curve_keypair(public_key.data(), secret_key.data()) != 0) {
        return tl::unexpected(
            ClientError{ClientErrorKind::kEndpoint,
                        "cannot make a CURVE key pair: " + std::string{zmq_strerror(zmq_errno())}});
    }
    return CurveKeyPair{std::string(public_key.data(), kZ85Length),
                        std::string(secret_key.data(), kZ85Length)};
}

tl::expected<std::string, ClientError> curve_public_key(const std::string& secret_key) {
    std::array<char, kZ85Length + 1> public_key{};
    if (secret_key.size() != kZ85Length ||
        zmq_curve_public(public_key.data(), secret_key.c_str()) != 0) {
        return tl::unexpected(
            ClientError{ClientErrorKind::kProtocol, "malformed CURVE secret key"});
    }
    return std::string(public_key.data(), kZ85Length);
}

namespace detail {

void apply_curve(zmq::socket_t& socket, const std::optional<CurveKeys>& curve,
                 const std::string& endpoint) {
    if (!curve || !endpoint.starts_with("tcp://")) return;
    socket.set(zmq::sockopt::curve_serverkey, curve->server_public);
    socket.set(zmq::sockopt::curve_publickey, curve->public_key);
    socket.set(zmq::sockopt::curve_secretkey, curve->secret_key);
}

}  // namespace detail
}  // namespace herald::client
