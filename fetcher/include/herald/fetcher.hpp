#pragma once
// herald::fetcher — downloads feeds over HTTP(S) and decides when each feed is polled next.
//
// Fetching. One `Fetcher` drives every transfer through a single libcurl multi event loop (no
// thread per feed). The caller submits `FetchRequest`s and collects `FetchOutcome`s from
// `poll()`. Requests beyond `concurrency` (or beyond `per_host` for one host) wait in a queue
// inside the fetcher, so any number may be submitted. Connections are kept alive and reused,
// HTTP/2 is used where offered, and the DNS cache is shared by all transfers.
//
// Values in, values out: the fetcher knows no database and no parser. The caller passes the
// validators it kept (ETag, Last-Modified) and gets the new ones back in the outcome, together
// with the body (decompressed, at most `max_body` bytes), the final URL, a permanent move, Gone,
// Retry-After, cache lifetime, an error kind and message, and timings. Every transfer ends in
// exactly one outcome; HTTP 304 and 410 are outcomes, not errors.
//
// Scheduling (`next_poll`, `startup_spread`) is pure: time and randomness are parameters, so the
// same inputs always give the same decision.
//
// Ownership and threads. `CurlGlobal` is created once by `main` before any `Fetcher` and outlives
// them all (no static initialisation). A `Fetcher` is used from one thread only, except
// `wakeup()`, which any thread may call to make a blocked `poll()` return early.
//
// Errors. Transfer failures are values inside `FetchOutcome` (`error`). Only construction
// failures (curl cannot initialise) throw, as start-up errors do elsewhere in herald.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace herald::fetcher {

using Clock = std::chrono::system_clock;
using TimePoint = Clock::time_point;
using Seconds = std::chrono::seconds;
using Milliseconds = std::chrono::milliseconds;

inline constexpr std::size_t kDefaultMaxBody = std::size_t{16} * 1024 * 1024;
inline constexpr int kDefaultMaxRedirects = 5;
// Retry-After, Cache-Control and Expires are never honoured beyond this.
inline constexpr Seconds kMaxServerDelay{24 * 3600};

// RAII for curl_global_init / curl_global_cleanup. Create exactly one, in main, before any
// Fetcher; it must outlive every Fetcher. Throws std::runtime_error when curl cannot start.
class CurlGlobal {
public:
    CurlGlobal();
    ~CurlGlobal();
    CurlGlobal(const CurlGlobal&) = delete;
    CurlGlobal& operator=(const CurlGlobal&) = delete;
    CurlGlobal(CurlGlobal&&) = delete;
    CurlGlobal& operator=(CurlGlobal&&) = delete;

    // The libcurl version string, for `--version` and logs.
    [[nodiscard]] static std::string_view curl_version() noexcept;
};

struct FetcherOptions {
    std::string user_agent = "herald/0.1.0";  // " (herald)" is appended if it lacks "herald"
    std::size_t concurrency = 64;             // transfers in flight at once
    std::size_t per_host = 2;                 // transfers (and connections) per host name
    Milliseconds timeout{30'000};             // whole transfer, redirects included
    Milliseconds connect_timeout{10'000};
    std::size_t max_body = kDefaultMaxBody;  // decompressed bytes; more is error kTooLarge
    int max_redirects = kDefaultMaxRedirects;
    // Refuse connections to loopback, private, link-local and unspecified addresses, checked
    // after DNS for every connection (redirects included). For multi-user installations.
    bool deny_private = false;
    // Abort when fewer than `low_speed_bytes` per second arrive for `low_speed_time`
    // (0 bytes disables it). The total `timeout` applies regardless.
    std::size_t low_speed_bytes = 1;
    Milliseconds low_speed_time{30'000};
};

struct FetchRequest {
    std::uint64_t token = 0;  // the caller's id (e.g. the feed id), echoed in the outcome
    std::string url;
    // Validators from the last response, sent back byte for byte as If-None-Match /
    // If-Modified-Since when non-empty.
    std::string etag;
    std::string last_modified;
    bool allow_file = false;    // file:// allowed: only for URLs the owner wrote (config, CLI)
    bool insecure_tls = false;  // accept any certificate (opt-in per feed)
};

enum class OutcomeKind {
    kOk,           // 2xx (or a file read): body holds the content
    kNotModified,  // 304: nothing to parse
    kGone,         // 410: stop polling
    kRateLimited,  // 429, or 503 with Retry-After: see retry_after
    kError,        // see error
};

enum class ErrorKind {
    kNone,
    kInvalidUrl,        // not a URL at all
    kRefusedScheme,     // not http/https (or file:// without allow_file), also after a redirect
    kDns,               // name did not resolve
    kConnect,           // connection refused / unreachable
    kDeniedAddress,     // deny_private: resolved to a private or loopback address
    kTimeout,           // connect, total or low-speed timeout
    kTls,               // certificate or handshake failure
    kTooLarge,          // body over max_body (after decompression)
    kTooManyRedirects,  // more than max_redirects
    kHttp,              // an HTTP status that is neither success nor one of the kinds above
    kFile,              // file:// could not be read
    kProtocol,          // malformed response, connection dropped mid-body, bad encoding
    kInternal,          // curl failed in an unexpected way (message has details)
};

struct FetchError {
    ErrorKind kind = ErrorKind::kNone;
    std::string message;  // one line, for logs and feed.error events
};

struct FetchTimings {
    Milliseconds total{0};
    Milliseconds name_lookup{0};     // from start, as curl reports it
    Milliseconds connect{0};         // from start
    Milliseconds start_transfer{0};  // first byte, from start
    std::uint64_t body_bytes = 0;    // decompressed bytes kept
    std::uint64_t wire_bytes = 0;    // bytes received (headers and encoded body)
};

struct FetchOutcome {
    std::uint64_t token = 0;
    OutcomeKind kind = OutcomeKind::kError;
    int http_status = 0;  // of the final response; 0 when none (network error, file://)
    std::string body;     // decompressed; only for kOk (error pages are not even read)
    std::string content_type;
    std::string final_url;  // after redirects
    // Validators to keep for the next request. On 304 these are the response's when it sent
    // new ones, else the request's. Empty when the server sent none.
    std::string etag;
    std::string last_modified;
    // The target of a 301/308 when the first hop of the chain was one (http/https only).
    std::optional<std::string> permanent_redirect;
    std::optional<TimePoint> retry_after;  // Retry-After (seconds or HTTP date), capped at 1 day
    // How long the server says the response stays fresh: Cache-Control max-age, else
    // Expires minus Date; capped at kMaxServerDelay. Absent when not stated or no-cache.
    std::optional<Seconds> cache_lifetime;
    FetchError error;  // kind kNone unless kind == kError (kRateLimited and kGone have messages)
    FetchTimings timings;

    [[nodiscard]] bool is_success() const noexcept {
        return kind == OutcomeKind::kOk || kind == OutcomeKind::kNotModified;
    }
};

[[nodiscard]] std::string_view to_string(OutcomeKind kind) noexcept;
[[nodiscard]] std::string_view to_string(ErrorKind kind) noexcept;

class Fetcher {
public:
    // Throws std::runtime_error when the curl multi handle cannot be created.
    Fetcher(const CurlGlobal& curl, FetcherOptions options);
    ~Fetcher();
    Fetcher(const Fetcher&) = delete;
    Fetcher& operator=(const Fetcher&) = delete;
    // A moved-from Fetcher may only be destroyed or assigned to.
    Fetcher(Fetcher&&) noexcept;
    Fetcher& operator=(Fetcher&&) noexcept;

    // Queues a request; it starts when a slot (global and per host) is free. A request that
    // cannot start (bad URL, refused scheme) yields its error outcome from the next poll().
    void submit(FetchRequest request);

    // Runs transfers and returns the outcomes that completed, waiting at most `max_wait` for the
    // first one (it may return early and empty, e.g. after wakeup()).
    [[nodiscard]] std::vector<FetchOutcome> poll(Milliseconds max_wait);

    // Thread-safe: makes a poll() that is waiting return now (or the next one return at once).
    void wakeup() noexcept;

    // Submitted requests whose outcome has not been returned yet (queued + running + done).
    [[nodiscard]] std::size_t in_flight() const noexcept;
    // Of those, transfers running now (inside curl).
    [[nodiscard]] std::size_t running() const noexcept;

    [[nodiscard]] const FetcherOptions& options() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// ---- Scheduling -------------------------------------------------------------------------------

struct PollPolicy {
    Seconds min_interval{5 * 60};
    Seconds default_interval{3600};
    Seconds max_interval{24 * 3600};
};

// Per-feed scheduling state. The caller (the store) keeps it between polls and across restarts.
struct ScheduleState {
    std::optional<Seconds> interval;  // the feed's configured interval, if any
    std::uint32_t consecutive_errors = 0;
    // Grows by one per poll that found nothing new, halves when something changed; the interval
    // stretches with it toward max_interval.
    std::uint32_t unchanged_polls = 0;
    std::string redirect_candidate;  // target of the 301/308 seen on the previous poll
};

// What the caller learned from the body, when there was one.
struct PollFacts {
    std::optional<Seconds> feed_ttl;  // RSS <ttl> or sy:updatePeriod/Frequency, in seconds
    bool changed = true;              // a 200 brought new or updated items
    bool parse_failed = false;        // a 200 whose body is not a feed: counts as an error
};

enum class DelayReason {
    kInterval,     // the feed's (adaptive) interval
    kServerAsked,  // Cache-Control / Expires / ttl asked for longer
    kBackoff,      // consecutive errors
    kRetryAfter,   // 429/503 Retry-After
    kGone,         // 410: do not poll again
};

struct Decision {
    TimePoint next_poll;  // TimePoint::max() when gone
    ScheduleState state;  // to store for the next call
    Seconds delay{0};     // next_poll - now, jitter included
    DelayReason reason = DelayReason::kInterval;
    std::optional<std::string> new_url;  // 301/308 seen on 2 consecutive polls: move the feed
    bool gone = false;                   // 410: mark the feed gone and stop polling it
};

[[nodiscard]] std::string_view to_string(DelayReason reason) noexcept;

// clamp(configured or default interval, min_interval, max_interval).
[[nodiscard]] Seconds base_interval(const PollPolicy& policy,
                                    std::optional<Seconds> configured) noexcept;

// Decides when to poll a feed again after `outcome`. `random` is any uniformly random value
// (the caller draws it), used for jitter; equal inputs give equal decisions.
[[nodiscard]] Decision next_poll(const PollPolicy& policy, const ScheduleState& state,
                                 const FetchOutcome& outcome, TimePoint now, const PollFacts& facts,
                                 std::uint64_t random);

// At start-up, a feed whose stored next-poll time has passed is polled at a random point in
// [now, now + window) instead of all at once; a feed not yet due keeps its time.
[[nodiscard]] TimePoint startup_spread(TimePoint due, TimePoint now, Seconds window,
                                       std::uint64_t random) noexcept;

}  // namespace herald::fetcher
