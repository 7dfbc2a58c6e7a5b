#pragma once
// HttpServer: a real, fault-injecting HTTP/1.1 server on 127.0.0.1 for tests.
//
// It listens on an ephemeral port and serves each connection on its own thread, with
// keep-alive. Responses are scripted per path: a fixed response, a list where the n-th request
// gets the n-th response (the last one repeats), or a handler that sees the request. A response
// can be delayed, trickled, compressed (gzip/deflate by the server), cut off mid-body, or
// endless. Every request is recorded (method, target, headers, time, connection), as are the
// connections and the requests in progress per Host header, so tests can check politeness.
//
// Ownership: the destructor stops the server, unblocks every connection and joins all threads.
// Thread-safety: every public method may be called from any thread while the server runs.
// Handlers run on connection threads. Setup failures throw std::runtime_error.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace herald::test {

struct HttpHeader {
    std::string name;
    std::string value;
};

enum class ContentEncoding { kIdentity, kGzip, kDeflate };

struct Response {
    int status = 200;
    // Sent as given. The server adds Content-Length (or chunked framing) and, for
    // `encoding`, Content-Encoding; a script may add its own Content-Encoding for a
    // pre-encoded body such as gzip_bomb().
    std::vector<HttpHeader> headers;
    std::string body;
    ContentEncoding encoding = ContentEncoding::kIdentity;  // applied to `body` by the server
    std::chrono::milliseconds delay{0};                     // wait before the status line
    // Trickle: the body goes out `trickle_bytes` at a time, `trickle_every` apart.
    std::size_t trickle_bytes = 0;
    std::chrono::milliseconds trickle_every{0};
    // Announce the whole body, send only this many bytes, then close the connection.
    std::optional<std::size_t> close_after;
    // A chunked body that never ends (repeats `body`, or 'x's) until the client hangs up.
    bool endless = false;
    bool close = false;  // Connection: close after this response

    static Response ok(std::string body, std::string content_type = "application/rss+xml");
    static Response with_status(int status, std::string body = {});
    static Response not_modified();
    static Response redirect(int status, std::string location);
    Response& header(std::string name, std::string value);
};

struct RecordedRequest {
    std::string method;
    std::string target;  // as sent, e.g. "/feed.xml?x=1"
    std::string path;    // target without the query
    std::vector<HttpHeader> headers;
    std::chrono::steady_clock::time_point at;
    std::size_t connection = 0;  // 1-based id of the connection it came on
    std::size_t index = 0;       // 0-based number of this request among those for its path

    // The first header of that name (case-insensitive).
    [[nodiscard]] std::optional<std::string> header(std::string_view name) const;
};

// Receives the request; returns the response to send.
using Handler = std::function<Response(const RecordedRequest& request)>;

// gzip/zlib-deflate of `data` (what Content-Encoding gzip/deflate mean).
[[nodiscard]] std::string gzip(std::string_view data);
[[nodiscard]] std::string zlib_deflate(std::string_view data);
// A gzip member that inflates to `size` zero bytes (about 4.5 KiB per MiB).
[[nodiscard]] std::string gzip_bomb(std::size_t size);

class HttpServer {
public:
    HttpServer();
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
    // "http://127.0.0.1:PORT" + path; host_url uses another name for the same server, e.g.
    // "localhost", so one server can stand in for two hosts.
    [[nodiscard]] std::string url(std::string_view path) const;
    [[nodiscard]] std::string host_url(std::string_view host, std::string_view path) const;

    void set(const std::string& path, Response response);
    void script(const std::string& path, std::vector<Response> responses);
    void handle(const std::string& path, Handler handler);

    [[nodiscard]] std::vector<RecordedRequest> requests() const;
    [[nodiscard]] std::vector<RecordedRequest> requests(std::string_view path) const;
    [[nodiscard]] std::size_t request_count() const;
    [[nodiscard]] std::size_t request_count(std::string_view path) const;
    // Waits (bounded) until at least `count` requests arrived in total.
    [[nodiscard]] bool wait_for_requests(std::size_t count,
                                         std::chrono::milliseconds timeout) const;

    // Most requests ever in progress at once for a Host header value (e.g. "127.0.0.1:PORT").
    // A request is in progress from when it was read until just before its last byte is sent.
    [[nodiscard]] std::size_t max_concurrent(std::string_view host) const;
    // Across all hosts.
    [[nodiscard]] std::size_t max_concurrent() const;
    [[nodiscard]] std::size_t connections_accepted() const;

private:
    struct Route;
    struct Connection;

    void accept_loop();
    void serve(Connection& connection);
    [[nodiscard]] Response respond(RecordedRequest& request);
    void begin_request(const std::string& host);
    void end_request(const std::string& host);
    bool wait_or_stop(std::chrono::milliseconds duration);
    bool send_response(Connection& connection, const Response& response, const std::string& host,
                       bool keep_alive);

    int listen_fd_ = -1;
    int stop_fd_ = -1;  // eventfd: readable once the server stops
    std::uint16_t port_ = 0;

    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    bool stopping_ = false;
    std::map<std::string, std::shared_ptr<Route>, std::less<>> routes_;
    std::vector<RecordedRequest> requests_;
    std::map<std::string, std::size_t, std::less<>> in_progress_;
    std::map<std::string, std::size_t, std::less<>> max_in_progress_;
    std::size_t total_in_progress_ = 0;
    std::size_t max_total_in_progress_ = 0;
    std::vector<std::unique_ptr<Connection>> connections_;
    std::size_t connections_accepted_ = 0;
    std::thread acceptor_;
};

}  // namespace herald::test
