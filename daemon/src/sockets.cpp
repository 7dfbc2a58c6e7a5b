#include "sockets.hpp"

#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <zmq_addon.hpp>

namespace herald::daemon {
namespace {

namespace fs = std::filesystem;

// Restores the process umask when the bind is done, whatever happens.
class UmaskGuard {
public:
    explicit UmaskGuard(mode_t mask) : previous_(::umask(mask)) {}
    ~UmaskGuard() { ::umask(previous_); }
    UmaskGuard(const UmaskGuard&) = delete;
    UmaskGuard& operator=(const UmaskGuard&) = delete;

private:
    mode_t previous_;
};

// A replay page runs to megabytes: ZeroMQ takes over the string's buffer instead of copying
// it (and faulting in the copy's pages); its I/O thread frees the string once it is sent.
zmq::message_t owned_message(std::string text) {
    auto owned = std::make_unique<std::string>(std::move(text));
    void* data = owned->data();
    const std::size_t size = owned->size();
    zmq::message_t message(
        data, size, [](void*, void* hint) { delete static_cast<std::string*>(hint); }, owned.get());
    owned.release();  // the message owns it now
    return message;
}

}  // namespace

void bind_endpoint(zmq::socket_t& socket, const std::string& endpoint) {
    try {
        if (!endpoint.starts_with("ipc://")) {
            socket.bind(endpoint);
            return;
        }
        fs::path path = endpoint.substr(6);
        std::error_code ec;
        fs::create_directories(path.parent_path(), ec);
        fs::remove(path, ec);
        {
            // Bound owner/group-only from the first instant, not chmod-ed afterwards only.
            UmaskGuard guard(S_IRWXO | S_IXUSR | S_IXGRP);
            socket.bind(endpoint);
        }
        fs::permissions(path,
                        fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                            fs::perms::group_write,
                        ec);
    } catch (const zmq::error_t& e) {
        throw std::runtime_error("cannot bind " + endpoint + ": " + e.what());
    }
}

void bind_endpoints(zmq::socket_t& socket, const std::vector<std::string>& endpoints,
                    const std::optional<CurveServerKeys>& curve) {
    if (!curve) {
        for (const std::string& endpoint : endpoints) bind_endpoint(socket, endpoint);
        return;
    }
    // Options are copied into an endpoint when it is bound: plain ones first, then CURVE.
    for (const std::string& endpoint : endpoints) {
        if (!endpoint.starts_with("tcp://")) bind_endpoint(socket, endpoint);
    }
    enable_curve_server(socket, *curve);
    for (const std::string& endpoint : endpoints) {
        if (endpoint.starts_with("tcp://")) bind_endpoint(socket, endpoint);
    }
}

Publisher::Publisher(zmq::context_t& context, const std::vector<std::string>& endpoints,
                     const std::optional<CurveServerKeys>& curve)
    : socket_(context, zmq::socket_type::pub), monitor_(context, zmq::socket_type::pair) {
    socket_.set(zmq::sockopt::sndhwm, kPublishHighWaterMark);
    socket_.set(zmq::sockopt::linger, static_cast<int>(kPublishLinger.count()));
    // One Publisher per context, so the fixed inproc name cannot clash.
    constexpr const char* kMonitor = "inproc://herald-publish-monitor";
    if (zmq_socket_monitor(socket_.handle(), kMonitor,
                           ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED) == 0) {
        monitor_.set(zmq::sockopt::linger, 0);
        monitor_.connect(kMonitor);
    }
    bind_endpoints(socket_, endpoints, curve);
}

std::int64_t Publisher::connections() {
    // Bounded per call; events beyond wait for the next call.
    for (int i = 0; i < 10'000; ++i) {
        zmq::message_t event;
        zmq::message_t address;
        try {
            if (!monitor_.recv(event, zmq::recv_flags::dontwait)) break;
            if (event.more()) (void)monitor_.recv(address, zmq::recv_flags::dontwait);
        } catch (const zmq::error_t&) {
            break;
        }
        std::uint16_t kind = 0;
        if (event.size() < sizeof kind) continue;
        std::memcpy(&kind, event.data(), sizeof kind);
        if (kind == ZMQ_EVENT_ACCEPTED) ++connections_;
        if (kind == ZMQ_EVENT_DISCONNECTED && connections_ > 0) --connections_;
    }
    return connections_;
}

void Publisher::publish(std::string_view topic, std::string_view payload) {
    try {
        socket_.send(zmq::buffer(topic), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
        socket_.send(zmq::buffer(payload), zmq::send_flags::dontwait);
    } catch (const zmq::error_t&) {
        // PUB does not fail on slow peers; an error here means the context is closing. Nothing
        // is lost for good: the event is in the store and replayable.
    }
}

ControlSocket::ControlSocket(zmq::context_t& context, const std::string& endpoint,
                             const std::optional<CurveServerKeys>& curve)
    : socket_(context, zmq::socket_type::router) {
    socket_.set(zmq::sockopt::linger, static_cast<int>(kControlLinger.count()));
    socket_.set(zmq::sockopt::maxmsgsize, kMaxWireMessage);
    bind_endpoints(socket_, {endpoint}, curve);
}

void ControlSocket::serve(const Handler& handler) {
    // Bounded: at most this many requests per call, so a flood cannot starve the main loop.
    for (int served = 0; served < 256; ++served) {
        std::vector<zmq::message_t> frames;
        try {
            if (!zmq::recv_multipart(socket_, std::back_inserter(frames),
                                     zmq::recv_flags::dontwait)) {
                return;
            }
        } catch (const zmq::error_t&) {
            return;
        }
        if (frames.size() < 2) continue;  // no identity or no body: nothing to answer
        // REQ peers put an empty delimiter after the identity; DEALER peers may not.
        std::size_t body_index = frames[1].size() == 0 && frames.size() > 2 ? 2 : 1;
        std::string reply;
        if (frames.size() != body_index + 1) {
            reply = error_reply("expected one JSON frame");
        } else if (frames[body_index].size() > kMaxRequestBytes) {
            reply = error_reply("request too large");
        } else {
            auto request =
                nlohmann::json::parse(frames[body_index].to_string_view(), nullptr, false);
            if (request.is_discarded() || !request.is_object()) {
                reply = error_reply("request is not a JSON object");
            } else if (!request.contains("op") || !request["op"].is_string()) {
                reply = error_reply("missing \"op\"");
            } else {
                reply = handler(request);
            }
        }
        try {
            socket_.send(frames[0], zmq::send_flags::sndmore | zmq::send_flags::dontwait);
            if (body_index == 2) {
                socket_.send(zmq::message_t{},
                             zmq::send_flags::sndmore | zmq::send_flags::dontwait);
            }
            socket_.send(owned_message(std::move(reply)), zmq::send_flags::dontwait);
        } catch (const zmq::error_t&) {
            // The peer went away; ROUTER drops replies to unknown peers anyway.
        }
    }
}

std::string format_time_ms(std::chrono::system_clock::time_point time) {
    auto millis = std::chrono::time_point_cast<std::chrono::milliseconds>(time);
    auto seconds = std::chrono::floor<std::chrono::seconds>(millis);
    return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", seconds,
                       static_cast<int>((millis - seconds).count()));
}

std::string error_reply(std::string_view message) {
    return nlohmann::json{{"ok", false}, {"error", message}}.dump();
}

}  // namespace herald::daemon
