#include "sockets.hpp"

#include <filesystem>
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

Publisher::Publisher(zmq::context_t& context, const std::vector<std::string>& endpoints)
    : socket_(context, zmq::socket_type::pub) {
    socket_.set(zmq::sockopt::sndhwm, kPublishHighWaterMark);
    socket_.set(zmq::sockopt::linger, static_cast<int>(kPublishLinger.count()));
    for (const std::string& endpoint : endpoints) bind_endpoint(socket_, endpoint);
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

ControlSocket::ControlSocket(zmq::context_t& context, const std::string& endpoint)
    : socket_(context, zmq::socket_type::router) {
    socket_.set(zmq::sockopt::linger, static_cast<int>(kControlLinger.count()));
    socket_.set(zmq::sockopt::maxmsgsize, kMaxWireMessage);
    bind_endpoint(socket_, endpoint);
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
            socket_.send(zmq::buffer(reply), zmq::send_flags::dontwait);
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
