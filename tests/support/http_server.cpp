#include "http_server.hpp"

// The server half of HttpServer: listening, one thread per connection, routing, recording, and
// sending with the scripted faults. The HTTP text itself is http_message.cpp.
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <stdexcept>
#include <utility>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http_message.hpp"

namespace herald::test {

struct HttpServer::Route {
    std::vector<Response> script;  // the n-th request gets script[min(n, size - 1)]
    Handler handler;               // used instead when set
    std::size_t served = 0;
};

struct HttpServer::Connection {
    int fd = -1;
    std::size_t id = 0;
    std::atomic<bool> done{false};
    std::thread thread;
};

namespace {

constexpr std::size_t kMaxHead = std::size_t{64} * 1024;
constexpr std::size_t kEndlessLimit = std::size_t{1} << 32;  // even "endless" stops at 4 GiB
constexpr std::size_t kMaxRequestsPerConnection = 100'000;

bool send_all(int fd, std::string_view data) {
    for (int round = 0; !data.empty() && round < 1'000'000; ++round) {
        const ssize_t sent = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (sent < 0 && errno == EINTR) continue;
        if (sent <= 0) return false;
        data.remove_prefix(static_cast<std::size_t>(sent));
    }
    return data.empty();
}

// Ends the "in progress" span of a request exactly once.
class Span {
public:
    explicit Span(std::function<void()> end) : end_(std::move(end)) {}
    ~Span() { end(); }
    Span(const Span&) = delete;
    Span& operator=(const Span&) = delete;
    void end() {
        if (end_) std::exchange(end_, nullptr)();
    }

private:
    std::function<void()> end_;
};

}  // namespace

HttpServer::HttpServer() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    stop_fd_ = ::eventfd(0, EFD_CLOEXEC);
    if (listen_fd_ < 0 || stop_fd_ < 0) throw std::runtime_error("HttpServer: socket failed");
    const int yes = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;  // ephemeral
    socklen_t length = sizeof address;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listen_fd_, 512) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        ::close(listen_fd_);
        ::close(stop_fd_);
        throw std::runtime_error("HttpServer: cannot listen on 127.0.0.1");
    }
    port_ = ntohs(address.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
}

HttpServer::~HttpServer() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto written = ::write(stop_fd_, &one, sizeof one);
    acceptor_.join();
    {
        // Unblocks connection threads stuck in send() to a client that stopped reading.
        const std::lock_guard lock(mutex_);
        for (const auto& connection : connections_) ::shutdown(connection->fd, SHUT_RDWR);
    }
    for (const auto& connection : connections_) {
        connection->thread.join();
        ::close(connection->fd);
    }
    ::close(listen_fd_);
    ::close(stop_fd_);
}

std::string HttpServer::url(std::string_view path) const {
    return host_url("127.0.0.1", path);
}

std::string HttpServer::host_url(std::string_view host, std::string_view path) const {
    return "http://" + std::string(host) + ":" + std::to_string(port_) + std::string(path);
}

void HttpServer::set(const std::string& path, Response response) {
    script(path, {std::move(response)});
}

void HttpServer::script(const std::string& path, std::vector<Response> responses) {
    auto route = std::make_shared<Route>();
    route->script = std::move(responses);
    const std::lock_guard lock(mutex_);
    routes_[path] = std::move(route);
}

void HttpServer::handle(const std::string& path, Handler handler) {
    auto route = std::make_shared<Route>();
    route->handler = std::move(handler);
    const std::lock_guard lock(mutex_);
    routes_[path] = std::move(route);
}

std::vector<RecordedRequest> HttpServer::requests() const {
    const std::lock_guard lock(mutex_);
    return requests_;
}

std::vector<RecordedRequest> HttpServer::requests(std::string_view path) const {
    const std::lock_guard lock(mutex_);
    std::vector<RecordedRequest> matching;
    std::ranges::copy_if(requests_, std::back_inserter(matching),
                         [&](const RecordedRequest& request) { return request.path == path; });
    return matching;
}

std::size_t HttpServer::request_count() const {
    const std::lock_guard lock(mutex_);
    return requests_.size();
}

std::size_t HttpServer::request_count(std::string_view path) const {
    return requests(path).size();
}

bool HttpServer::wait_for_requests(std::size_t count, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return requests_.size() >= count; });
}

std::size_t HttpServer::max_concurrent(std::string_view host) const {
    const std::lock_guard lock(mutex_);
    const auto found = max_in_progress_.find(host);
    return found == max_in_progress_.end() ? 0 : found->second;
}

std::size_t HttpServer::max_concurrent() const {
    const std::lock_guard lock(mutex_);
    return max_total_in_progress_;
}

std::size_t HttpServer::connections_accepted() const {
    const std::lock_guard lock(mutex_);
    return connections_accepted_;
}

void HttpServer::accept_loop() {
    // Ends when stop_fd_ becomes readable (destructor); each round handles one event.
    for (std::size_t round = 0; round < kMaxRequestsPerConnection * 100; ++round) {
        pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0 && errno != EINTR) return;
        if ((fds[1].revents & POLLIN) != 0) return;
        if ((fds[0].revents & POLLIN) == 0) continue;
        const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        // Responses go out in two writes (see send_response); Nagle would stall the second.
        const int yes = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
        const std::lock_guard lock(mutex_);
        // Reap finished connections so a long test does not pile up threads.
        std::erase_if(connections_, [](const std::unique_ptr<Connection>& connection) {
            if (!connection->done) return false;
            connection->thread.join();
            ::close(connection->fd);
            return true;
        });
        auto connection = std::make_unique<Connection>();
        connection->fd = fd;
        connection->id = ++connections_accepted_;
        Connection& ref = *connection;
        connection->thread = std::thread([this, &ref] {
            serve(ref);
            ::shutdown(ref.fd, SHUT_RDWR);  // the client sees the close now; fd closed at reap
            ref.done = true;
        });
        connections_.push_back(std::move(connection));
    }
}

void HttpServer::serve(Connection& connection) {
    std::string buffer;
    for (std::size_t served = 0; served < kMaxRequestsPerConnection; ++served) {
        std::size_t head_end = buffer.find("\r\n\r\n");
        for (int reads = 0; head_end == std::string::npos; ++reads) {
            if (buffer.size() > kMaxHead || reads > 100'000) return;
            pollfd fds[2] = {{connection.fd, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
            if (::poll(fds, 2, -1) < 0 && errno != EINTR) return;
            if ((fds[1].revents & POLLIN) != 0) return;
            char chunk[8192];
            const ssize_t got = ::recv(connection.fd, chunk, sizeof chunk, 0);
            if (got < 0 && errno == EINTR) continue;
            if (got <= 0) return;  // the client closed the connection
            buffer.append(chunk, static_cast<std::size_t>(got));
            head_end =
                buffer.find("\r\n\r\n", buffer.size() > static_cast<std::size_t>(got) + 3
                                            ? buffer.size() - static_cast<std::size_t>(got) - 3
                                            : 0);
        }
        auto head = detail::parse_head(std::string_view(buffer).substr(0, head_end));
        buffer.erase(0, head_end + 4);
        if (!head) return;

        RecordedRequest request;
        request.method = std::move(head->method);
        request.target = std::move(head->target);
        request.path = request.target.substr(0, request.target.find('?'));
        request.headers = std::move(head->headers);
        request.at = std::chrono::steady_clock::now();
        request.connection = connection.id;
        // GET has no body; a Content-Length body would be discarded, which tests never send.
        const std::string host = request.header("host").value_or("");
        const bool client_keeps =
            head->version == "HTTP/1.1" &&
            !detail::iequals(request.header("connection").value_or(""), "close");
        const Response response = respond(request);
        if (!send_response(connection, response, host, client_keeps && !response.close)) return;
        if (!client_keeps || response.close) return;
    }
}

Response HttpServer::respond(RecordedRequest& request) {
    std::shared_ptr<Route> route;
    {
        const std::lock_guard lock(mutex_);
        const auto exact = routes_.find(request.target);
        const auto found = exact != routes_.end() ? exact : routes_.find(request.path);
        if (found != routes_.end()) route = found->second;
        request.index = route ? route->served++ : 0;
        requests_.push_back(request);
        begin_request(request.header("host").value_or(""));
    }
    changed_.notify_all();
    if (!route) return Response::with_status(404, "no such path");
    if (route->handler) return route->handler(request);
    if (route->script.empty()) return Response::with_status(500, "empty script");
    return route->script[std::min(request.index, route->script.size() - 1)];
}

void HttpServer::begin_request(const std::string& host) {
    const std::size_t now = ++in_progress_[host];
    auto& peak = max_in_progress_[host];
    peak = std::max(peak, now);
    max_total_in_progress_ = std::max(max_total_in_progress_, ++total_in_progress_);
}

void HttpServer::end_request(const std::string& host) {
    const std::lock_guard lock(mutex_);
    --in_progress_[host];
    --total_in_progress_;
}

bool HttpServer::wait_or_stop(std::chrono::milliseconds duration) {
    if (duration.count() <= 0) return true;
    std::unique_lock lock(mutex_);
    return !changed_.wait_for(lock, duration, [&] { return stopping_; });
}

bool HttpServer::send_response(Connection& connection, const Response& response,
                               const std::string& host, bool keep_alive) {
    // In progress until just before the last byte, so the client cannot start its next request
    // before this one stops counting.
    Span span([this, host] { end_request(host); });
    const std::string body = detail::encoded_body(response);
    const std::string head = detail::response_head(response, body.size(), keep_alive);

    if (!wait_or_stop(response.delay)) return false;
    const int fd = connection.fd;
    if (response.endless) {
        const std::string piece = body.empty() ? std::string(std::size_t{16} * 1024, 'x') : body;
        const std::string chunk = detail::chunk(piece);
        if (!send_all(fd, head)) return false;
        for (std::size_t sent = 0; sent < kEndlessLimit; sent += piece.size()) {
            if (!send_all(fd, chunk) || !wait_or_stop(response.trickle_every)) return false;
        }
        return false;
    }
    if (response.close_after) {
        send_all(fd, head + body.substr(0, std::min(body.size(), *response.close_after)));
        return false;
    }
    if (response.trickle_bytes > 0) {
        if (!send_all(fd, head)) return false;
        std::string_view rest = body;
        for (std::size_t round = 0; !rest.empty() && round <= body.size(); ++round) {
            const auto piece = rest.substr(0, response.trickle_bytes);
            rest.remove_prefix(piece.size());
            if (rest.empty()) span.end();
            if (!send_all(fd, piece)) return false;
            if (!rest.empty() && !wait_or_stop(response.trickle_every)) return false;
        }
        return true;
    }
    const std::string whole = head + body;
    if (!send_all(fd, std::string_view(whole).substr(0, whole.size() - 1))) return false;
    span.end();
    return send_all(fd, std::string_view(whole).substr(whole.size() - 1));
}

}  // namespace herald::test
