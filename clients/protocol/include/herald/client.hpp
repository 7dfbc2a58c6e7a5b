#pragma once
// herald::client — the client side of herald's wire contract (docs/protocol.md).
//
// - ControlClient: one JSON request, one JSON reply over the daemon's ROUTER socket (REQ side).
//   Every request has a deadline; a request that times out never leaves the socket stuck
//   (the socket is rebuilt), so a client never hangs on a dead or absent daemon.
// - Subscriber: events in seq order with nothing missed and nothing repeated. It subscribes
//   first, then replays from its position through the control `replay` op, then reads live
//   events, dropping seqs it already has. It replays again on a seq gap, on (re)connect, and
//   when a heartbeat's last_seq is ahead of it. A position that belongs to another store id
//   starts over from the beginning of the current store.
// - Cursor files: store id + seq, saved atomically (temp file, fsync, rename, fsync of the dir).
//
// Each object owns its ZeroMQ context and sockets and must be used from one thread at a time.
// Errors are values (ClientError); no function here throws for network or file trouble.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace spdlog {
class logger;
}

namespace herald::client {

enum class ClientErrorKind {
    kTimeout,   // no reply within the deadline (daemon absent, busy or gone)
    kRemote,    // the daemon answered {"ok": false, "error": ...}
    kProtocol,  // a reply or payload that is not what the contract says
    kEndpoint,  // an endpoint ZeroMQ refuses
    kIo,        // a cursor file could not be read or written
    kPruned,    // a replay from before retention's cut; first_seq is the oldest kept
};

struct ClientError {
    ClientErrorKind kind;
    std::string message;
    std::int64_t first_seq = 0;  // kPruned: the oldest event the daemon still has
};

// One published event (item.new, item.updated, feed.error, feed.ok) or a heartbeat.
struct Event {
    std::int64_t seq = 0;  // heartbeats: the daemon's last published seq
    std::string kind;      // "item.new", ..., or "heartbeat"
    std::string store;     // the store id the seq belongs to
    std::string feed;      // feed name; empty for heartbeats
    std::string title;     // item title (or feed title for feed events); may be empty
    std::string link;      // item link; may be empty
    std::string error;     // feed.error: what went wrong
    std::string payload;   // the JSON payload exactly as received

    [[nodiscard]] bool is_heartbeat() const { return kind == "heartbeat"; }
    // "KIND/FEED/" as published; "heartbeat/" for heartbeats.
    [[nodiscard]] std::string topic() const;
};

[[nodiscard]] tl::expected<Event, ClientError> parse_event(std::string_view payload);

// A bind address made connectable: tcp://*:N and tcp://0.0.0.0:N become tcp://127.0.0.1:N.
[[nodiscard]] std::string connectable_endpoint(std::string endpoint);

// True when `topic` starts with one of `prefixes`, or when there are none (everything).
[[nodiscard]] bool topic_matches(std::span<const std::string> prefixes, std::string_view topic);

// CURVE keys of a client (ZeroMQ Z85 text, 40 characters each). Used on tcp:// endpoints
// only: ipc:// endpoints are plain (guarded by file permissions).
struct CurveKeys {
    std::string server_public;  // the daemon's public key
    std::string public_key;     // this client's key pair
    std::string secret_key;
};

struct CurveKeyPair {
    std::string public_key;
    std::string secret_key;
};

// A fresh key pair (zmq_curve_keypair); kEndpoint when ZeroMQ was built without CURVE.
[[nodiscard]] tl::expected<CurveKeyPair, ClientError> make_curve_keypair();
// The public key of a secret key (zmq_curve_public); kProtocol when the key is malformed.
[[nodiscard]] tl::expected<std::string, ClientError> curve_public_key(
    const std::string& secret_key);

struct ReplayPage {
    std::vector<Event> events;  // seq > after, ascending
    std::int64_t last_seq = 0;
    std::string store;  // when the daemon says; may be empty
};

class ControlClient {
public:
    ControlClient(std::string endpoint, std::chrono::milliseconds timeout,
                  std::optional<CurveKeys> curve = std::nullopt);
    ~ControlClient();
    ControlClient(ControlClient&&) noexcept;
    ControlClient& operator=(ControlClient&&) noexcept;

    // Sends one JSON request; returns the reply text when it says "ok": true.
    [[nodiscard]] tl::expected<std::string, ClientError> request(std::string_view json);
    [[nodiscard]] tl::expected<ReplayPage, ClientError> replay(std::int64_t after, int limit);
    [[nodiscard]] const std::string& endpoint() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// The contract's replay page limit.
inline constexpr int kMaxReplayLimit = 1000;

struct Cursor {
    std::string store;     // empty: unknown, the seq is trusted in whatever store is there
    std::int64_t seq = 0;  // every event with seq <= this one is handled

    bool operator==(const Cursor&) const = default;
};

// nullopt when the file does not exist yet.
[[nodiscard]] tl::expected<std::optional<Cursor>, ClientError> load_cursor(
    const std::filesystem::path& path);
[[nodiscard]] tl::expected<void, ClientError> save_cursor(const std::filesystem::path& path,
                                                          const Cursor& cursor);

struct SubscriberOptions {
    std::string publish_endpoint;     // a PUB endpoint of the daemon
    std::string control_endpoint;     // the daemon's ROUTER endpoint
    std::vector<std::string> topics;  // topic prefixes; empty: every event
    std::optional<Cursor> start;      // nullopt: start at the live end
    std::chrono::milliseconds request_timeout{2000};
    std::chrono::milliseconds retry_delay{500};  // between replays while the daemon is away
    int wake_fd = -1;  // next() returns early when this fd is readable (a signalfd, a pipe)
    std::optional<CurveKeys> curve;  // for tcp:// endpoints of a daemon with CURVE
};

class Subscriber {
public:
    // Connects (ZeroMQ connects lazily: a daemon that is not up yet is waited for).
    [[nodiscard]] static tl::expected<Subscriber, ClientError> open(
        SubscriberOptions options, std::shared_ptr<spdlog::logger> logger);
    ~Subscriber();
    Subscriber(Subscriber&&) noexcept;
    Subscriber& operator=(Subscriber&&) noexcept;

    // The next matching event in seq order, or nullopt when `timeout` passed (or wake_fd
    // became readable) first. Heartbeats are never returned.
    [[nodiscard]] tl::expected<std::optional<Event>, ClientError> next(
        std::chrono::milliseconds timeout);

    // Everything up to here was returned by next() or does not match the topics: the value to
    // save as a cursor once the returned events are handled. nullopt while the live end is not
    // known yet (the daemon has not been reached).
    [[nodiscard]] std::optional<Cursor> position() const;

private:
    struct Impl;
    explicit Subscriber(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace herald::client
