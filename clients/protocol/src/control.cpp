// ControlClient: REQ over the daemon's ROUTER, one JSON request and one JSON reply.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include <herald/client.hpp>

#include "curve.hpp"
#include "json_fields.hpp"

namespace herald::client {

struct ControlClient::Impl {
    std::string endpoint;
    std::chrono::milliseconds timeout;
    std::optional<CurveKeys> curve;
    zmq::context_t context{1};
    // Rebuilt after every timeout: a REQ socket that sent without a reply refuses to send
    // again, and an old reply must never be taken for the answer to a new request.
    std::optional<zmq::socket_t> socket;

    tl::expected<void, ClientError> connect() {
        if (socket) return {};
        try {
            zmq::socket_t fresh(context, zmq::socket_type::req);
            fresh.set(zmq::sockopt::linger, 0);
            detail::apply_curve(fresh, curve, endpoint);
            fresh.connect(endpoint);
            socket = std::move(fresh);
            return {};
        } catch (const zmq::error_t& e) {
            return tl::unexpected(ClientError{ClientErrorKind::kEndpoint,
                                              "control endpoint " + endpoint + ": " + e.what()});
        }
    }

    tl::expected<std::string, ClientError> exchange(std::string_view json) {
        if (auto connected = connect(); !connected) return tl::unexpected(connected.error());
        const auto timed_out = [this] {
            socket.reset();
            return tl::unexpected(
                ClientError{ClientErrorKind::kTimeout,
                            "no reply from heraldd on " + endpoint + " (is the daemon running?)"});
        };
        try {
            // With no peer connected yet the message is queued, so dontwait never drops it
            // silently; it only fails when the queue is full, which a timeout also covers.
            if (!socket->send(zmq::buffer(json), zmq::send_flags::dontwait)) return timed_out();
            std::vector<zmq::pollitem_t> items{{socket->handle(), 0, ZMQ_POLLIN, 0}};
            if (zmq::poll(items, timeout) <= 0) return timed_out();
            zmq::message_t reply;
            if (!socket->recv(reply, zmq::recv_flags::dontwait)) return timed_out();
            return reply.to_string();
        } catch (const zmq::error_t& e) {
            socket.reset();
            return tl::unexpected(ClientError{ClientErrorKind::kProtocol,
                                              "control socket " + endpoint + ": " + e.what()});
        }
    }
};

ControlClient::ControlClient(std::string endpoint, std::chrono::milliseconds timeout,
                             std::optional<CurveKeys> curve)
    : impl_(std::make_unique<Impl>()) {
    impl_->endpoint = std::move(endpoint);
    impl_->timeout = timeout;
    impl_->curve = std::move(curve);
}
ControlClient::~ControlClient() = default;
ControlClient::ControlClient(ControlClient&&) noexcept = default;
ControlClient& ControlClient::operator=(ControlClient&&) noexcept = default;

const std::string& ControlClient::endpoint() const {
    return impl_->endpoint;
}

namespace {

tl::expected<nlohmann::ordered_json, ClientError> parse_reply(const std::string& text) {
    auto reply = nlohmann::ordered_json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (reply.is_discarded() || !reply.is_object()) {
        return tl::unexpected(
            ClientError{ClientErrorKind::kProtocol, "reply is not a JSON object"});
    }
    const auto ok = reply.find("ok");
    if (ok == reply.end() || !ok->is_boolean()) {
        return tl::unexpected(ClientError{ClientErrorKind::kProtocol, "reply without \"ok\""});
    }
    if (!ok->get<bool>()) {
        auto message = detail::string_field(reply, "error");
        if (message.empty()) message = "the daemon refused";
        // A replay from before retention's cut says where the log starts now.
        if (const auto first = reply.find("first_seq");
            first != reply.end() && first->is_number_integer()) {
            return tl::unexpected(ClientError{ClientErrorKind::kPruned, std::move(message),
                                              first->get<std::int64_t>()});
        }
        return tl::unexpected(ClientError{ClientErrorKind::kRemote, std::move(message)});
    }
    return reply;
}

}  // namespace

tl::expected<std::string, ClientError> ControlClient::request(std::string_view json) {
    auto text = impl_->exchange(json);
    if (!text) return text;
    if (auto reply = parse_reply(*text); !reply) return tl::unexpected(reply.error());
    return text;
}

tl::expected<ReplayPage, ClientError> ControlClient::replay(std::int64_t after, int limit) {
    const nlohmann::json request_json{{"op", "replay"}, {"after", after}, {"limit", limit}};
    auto text = impl_->exchange(request_json.dump());
    if (!text) return tl::unexpected(text.error());
    auto reply = parse_reply(*text);
    if (!reply) return tl::unexpected(reply.error());
    const auto events = reply->find("events");
    const auto last_seq = reply->find("last_seq");
    if (events == reply->end() || !events->is_array() || last_seq == reply->end() ||
        !last_seq->is_number_integer()) {
        return tl::unexpected(
            ClientError{ClientErrorKind::kProtocol, "replay reply without events/last_seq"});
    }
    ReplayPage page;
    page.last_seq = last_seq->get<std::int64_t>();
    page.store = detail::string_field(*reply, "store");
    page.events.reserve(events->size());
    for (const auto& payload : *events) {
        auto event = event_from_json(payload, payload.dump());
        if (!event) return tl::unexpected(event.error());
        page.events.push_back(std::move(*event));
    }
    return page;
}

}  // namespace herald::client
