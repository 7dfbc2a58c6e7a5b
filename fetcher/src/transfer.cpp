#include "transfer.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <new>
#include <utility>

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "http_headers.hpp"

namespace herald::fetcher::detail {
namespace {

// Feed types first, so servers doing content negotiation pick a feed over an HTML page.
constexpr const char* kAcceptHeader =
    "Accept: application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5";
// Bigger than curl's 16 KiB default: a typical feed arrives in one or two reads.
constexpr long kReceiveBuffer = 128L * 1024;

bool has_line_break(const std::string& value) {
    return value.find_first_of("\r\n") != std::string::npos;
}

bool is_denied(const curl_sockaddr& address) {
    if (address.family == AF_INET) {
        sockaddr_in in4{};
        std::memcpy(&in4, &address.addr, std::min<std::size_t>(address.addrlen, sizeof in4));
        return is_private_ipv4(ntohl(in4.sin_addr.s_addr));
    }
    if (address.family == AF_INET6) {
        sockaddr_in6 in6{};
        std::memcpy(&in6, &address.addr, std::min<std::size_t>(address.addrlen, sizeof in6));
        std::array<unsigned char, 16> bytes{};
        std::memcpy(bytes.data(), &in6.sin6_addr, bytes.size());
        return is_private_ipv6(bytes);
    }
    return true;  // neither IPv4 nor IPv6: nothing a feed should need
}

std::chrono::milliseconds info_time(CURL* easy, CURLINFO info) {
    curl_off_t micros = 0;
    curl_easy_getinfo(easy, info, &micros);
    return std::chrono::duration_cast<Milliseconds>(std::chrono::microseconds{micros});
}

}  // namespace

Transfer::Transfer(FetchRequest request, std::string host_key, CurlEasy easy)
    : request_(std::move(request)), host_key_(std::move(host_key)), easy_(std::move(easy)) {}

bool Transfer::configure(const FetcherOptions& options) {
    CURL* const easy = easy_.get();
    max_body_ = options.max_body;
    deny_private_ = options.deny_private;
    const std::string scheme = split_url(request_.url).value_or(UrlParts{}).scheme;
    const bool is_file = request_.allow_file && scheme == "file";

    if (!build_request_headers()) return false;

    CURLcode code = CURLE_OK;
    const auto set = [&](CURLoption option, auto value) {
        if (code == CURLE_OK) code = curl_easy_setopt(easy, option, value);
    };
    set(CURLOPT_URL, request_.url.c_str());
    set(CURLOPT_PRIVATE, static_cast<void*>(this));
    set(CURLOPT_ERRORBUFFER, error_buffer_.data());
    set(CURLOPT_NOSIGNAL, 1L);
    set(CURLOPT_WRITEFUNCTION, &Transfer::on_body);
    set(CURLOPT_WRITEDATA, static_cast<void*>(this));
    set(CURLOPT_HEADERFUNCTION, &Transfer::on_header);
    set(CURLOPT_HEADERDATA, static_cast<void*>(this));
    set(CURLOPT_OPENSOCKETFUNCTION, &Transfer::on_open_socket);
    set(CURLOPT_OPENSOCKETDATA, static_cast<void*>(this));
    set(CURLOPT_USERAGENT, options.user_agent.c_str());
    set(CURLOPT_HTTPHEADER, request_headers_.get());
    // "" = every encoding this libcurl decodes (gzip, deflate, br, zstd); bodies arrive decoded.
    set(CURLOPT_ACCEPT_ENCODING, "");
    // file:// only for owner-written URLs, and never as a redirect target.
    set(CURLOPT_PROTOCOLS_STR, is_file ? "file" : "http,https");
    set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    set(CURLOPT_FOLLOWLOCATION, 1L);
    set(CURLOPT_MAXREDIRS, static_cast<long>(options.max_redirects));
    set(CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
    set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
    if (options.low_speed_bytes > 0) {
        set(CURLOPT_LOW_SPEED_LIMIT, static_cast<long>(options.low_speed_bytes));
        set(CURLOPT_LOW_SPEED_TIME,
            std::max(1L, static_cast<long>(options.low_speed_time.count() / 1000)));
    }
    // A declared length over the cap fails before any byte is kept; the write callback
    // still enforces the cap on decoded bytes.
    set(CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.max_body));
    set(CURLOPT_BUFFERSIZE, kReceiveBuffer);
    set(CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
    // Wait for an HTTP/2 connection to the same host rather than opening a parallel one. Only
    // for https, where ALPN settles that at the handshake; over http libcurl would hold every
    // other transfer to the host until the first response (FetcherTest.DestroyingWith...).
    if (scheme == "https") set(CURLOPT_PIPEWAIT, 1L);
    if (request_.insecure_tls) {
        set(CURLOPT_SSL_VERIFYPEER, 0L);
        set(CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (code != CURLE_OK) {
        std::snprintf(error_buffer_.data(), error_buffer_.size(), "%s", curl_easy_strerror(code));
        return false;
    }
    return true;
}

bool Transfer::build_request_headers() {
    const auto add = [this](const std::string& line) {
        // Appending to a list returns its unchanged head; null means out of memory.
        curl_slist* const list = curl_slist_append(request_headers_.get(), line.c_str());
        if (list == nullptr) return false;
        if (!request_headers_) request_headers_.reset(list);
        return true;
    };
    bool ok = add(kAcceptHeader);
    // Validators go back byte for byte; one with a line break would inject a header.
    if (!request_.etag.empty() && !has_line_break(request_.etag))
        ok = ok && add("If-None-Match: " + request_.etag);
    if (!request_.last_modified.empty() && !has_line_break(request_.last_modified))
        ok = ok && add("If-Modified-Since: " + request_.last_modified);
    return ok;
}

size_t Transfer::on_body(char* data, size_t size, size_t count, void* self) noexcept {
    auto& transfer = *static_cast<Transfer*>(self);
    const size_t bytes = size * count;
    // Only a success carries a feed. An error page is not read at all: its status and headers
    // are all we use, and an endless one must not run until the timeout.
    if (transfer.current_status_ >= 300) {
        transfer.skipped_error_page_ = true;
        return 0;
    }
    // Enforced on decoded bytes, so a gzip bomb stops at the cap; returning short aborts.
    if (bytes > transfer.max_body_ - std::min(transfer.max_body_, transfer.body_.size())) {
        transfer.too_large_ = true;
        return 0;
    }
    try {
        if (transfer.body_.empty()) transfer.reserve_body();
        transfer.body_.append(data, bytes);
    } catch (const std::bad_alloc&) {
        transfer.too_large_ = true;
        return 0;
    }
    return bytes;
}

void Transfer::reserve_body() {
    // One allocation for the announced length (uncompressed bodies; a compressed one grows from
    // there), never more than the cap.
    curl_off_t length = -1;
    curl_easy_getinfo(easy_.get(), CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
    if (length > 0) body_.reserve(std::min(static_cast<std::size_t>(length), max_body_));
}

size_t Transfer::on_header(char* data, size_t size, size_t count, void* self) noexcept {
    const size_t bytes = size * count;
    try {
        static_cast<Transfer*>(self)->header_line(std::string_view(data, bytes));
    } catch (const std::bad_alloc&) {
        return 0;
    }
    return bytes;
}

curl_socket_t Transfer::on_open_socket(void* self, curlsocktype purpose,
                                       curl_sockaddr* address) noexcept {
    auto& transfer = *static_cast<Transfer*>(self);
    // Checked here, after DNS and for every connection, so neither a redirect nor a DNS answer
    // that changes between polls reaches a private address.
    if (transfer.deny_private_ && purpose == CURLSOCKTYPE_IPCXN && is_denied(*address)) {
        transfer.denied_address_ = true;
        return CURL_SOCKET_BAD;
    }
    // CLOEXEC: commands the daemon may run must not inherit feed connections.
    return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

void Transfer::header_line(std::string_view line) {
    if (const auto status = parse_status_line(line)) {
        ++responses_;
        if (responses_ == 1) first_status_ = *status;
        current_status_ = *status;
        headers_ = ResponseHeaders{};
        return;
    }
    const auto field = split_header(line);
    if (!field) return;
    const auto keep = [&](std::string_view name, std::string& into) {
        if (iequals(field->name, name)) into.assign(field->value);
    };
    keep("etag", headers_.etag);
    keep("last-modified", headers_.last_modified);
    keep("content-type", headers_.content_type);
    keep("cache-control", headers_.cache_control);
    keep("expires", headers_.expires);
    keep("date", headers_.date);
    keep("retry-after", headers_.retry_after);
    keep("location", headers_.location);
    if (responses_ == 1) keep("location", first_location_);
}

FetchOutcome Transfer::finish(CURLcode result, TimePoint now) {
    FetchOutcome outcome;
    outcome.token = request_.token;
    read_timings(outcome);
    char* effective = nullptr;
    curl_easy_getinfo(easy_.get(), CURLINFO_EFFECTIVE_URL, &effective);
    outcome.final_url = effective != nullptr ? effective : request_.url;
    long status = 0;
    curl_easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &status);
    outcome.http_status = static_cast<int>(status);
    note_permanent_redirect(outcome);
    // An error page, skipped or too big to keep, is still just its HTTP status.
    const bool is_error_page =
        current_status_ >= 300 &&
        ((result == CURLE_WRITE_ERROR && skipped_error_page_) || result == CURLE_FILESIZE_EXCEEDED);
    if (result != CURLE_OK && !is_error_page) {
        outcome.kind = OutcomeKind::kError;
        outcome.error = curl_error(result);
        return outcome;
    }
    outcome.content_type = headers_.content_type;
    if (!headers_.retry_after.empty())
        outcome.retry_after = parse_retry_after(headers_.retry_after, now);
    outcome.cache_lifetime =
        parse_cache_lifetime(headers_.cache_control, headers_.expires, headers_.date, now);
    classify_status(outcome);
    return outcome;
}

void Transfer::classify_status(FetchOutcome& outcome) {
    const int status = outcome.http_status;
    if (status == 0 || (status >= 200 && status < 300)) {  // 0: a file:// read
        outcome.kind = OutcomeKind::kOk;
        outcome.body = std::move(body_);
        outcome.timings.body_bytes = outcome.body.size();
        outcome.etag = headers_.etag;
        outcome.last_modified = headers_.last_modified;
    } else if (status == 304) {
        outcome.kind = OutcomeKind::kNotModified;
        // A 304 may refresh the validators; without new ones the old ones stay valid.
        outcome.etag = headers_.etag.empty() ? request_.etag : headers_.etag;
        outcome.last_modified =
            headers_.last_modified.empty() ? request_.last_modified : headers_.last_modified;
    } else if (status == 410) {
        outcome.kind = OutcomeKind::kGone;
        outcome.error.message = "HTTP 410 Gone";
    } else if (status == 429 || (status == 503 && outcome.retry_after)) {
        outcome.kind = OutcomeKind::kRateLimited;
        outcome.error.message = fmt::format("HTTP {} (rate limited)", status);
    } else {
        outcome.kind = OutcomeKind::kError;
        outcome.error = {ErrorKind::kHttp, fmt::format("HTTP {}", status)};
    }
}

FetchError Transfer::curl_error(CURLcode result) const {
    const std::string detail =
        error_buffer_[0] != '\0' ? std::string(error_buffer_.data()) : curl_easy_strerror(result);
    if (too_large_ || result == CURLE_FILESIZE_EXCEEDED)
        return {ErrorKind::kTooLarge,
                fmt::format("body larger than max_body ({} bytes)", max_body_)};
    if (denied_address_)
        return {ErrorKind::kDeniedAddress, "refused: resolves to a private or loopback address"};
    // Checked by hand: depending on how libcurl was built, a redirect to a scheme it lacks
    // fails with a generic code rather than CURLE_UNSUPPORTED_PROTOCOL.
    if (const auto scheme = refused_redirect_scheme())
        return {ErrorKind::kRefusedScheme, "redirect to a refused scheme: " + *scheme + ":"};
    switch (result) {
        case CURLE_UNSUPPORTED_PROTOCOL:
            return {ErrorKind::kRefusedScheme, responses_ > 0
                                                   ? "redirect to a refused scheme: " + detail
                                                   : "refused scheme: " + detail};
        case CURLE_URL_MALFORMAT:
            return {ErrorKind::kInvalidUrl, detail};
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
            return {ErrorKind::kDns, detail};
        case CURLE_COULDNT_CONNECT:
            return {ErrorKind::kConnect, detail};
        case CURLE_OPERATION_TIMEDOUT:
            return {ErrorKind::kTimeout, detail};
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CIPHER:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_ISSUER_ERROR:
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        case CURLE_SSL_INVALIDCERTSTATUS:
        case CURLE_SSL_SHUTDOWN_FAILED:
        case CURLE_USE_SSL_FAILED:
            return {ErrorKind::kTls, detail};
        case CURLE_TOO_MANY_REDIRECTS:
            return {ErrorKind::kTooManyRedirects, detail};
        case CURLE_FILE_COULDNT_READ_FILE:
        case CURLE_READ_ERROR:
            return {ErrorKind::kFile, detail};
        case CURLE_PARTIAL_FILE:
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_BAD_CONTENT_ENCODING:
        case CURLE_WEIRD_SERVER_REPLY:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
        case CURLE_HTTP3:
            return {ErrorKind::kProtocol, detail};
        default:
            return {ErrorKind::kInternal, detail};
    }
}

std::optional<std::string> Transfer::refused_redirect_scheme() const {
    if (headers_.location.empty()) return std::nullopt;
    char* effective = nullptr;
    curl_easy_getinfo(easy_.get(), CURLINFO_EFFECTIVE_URL, &effective);
    const auto target =
        resolve_url(effective != nullptr ? effective : request_.url, headers_.location);
    const auto parts = target ? split_url(*target) : std::nullopt;
    if (!parts || parts->scheme == "http" || parts->scheme == "https") return std::nullopt;
    return parts->scheme;
}

void Transfer::read_timings(FetchOutcome& outcome) const {
    CURL* const easy = easy_.get();
    auto& timings = outcome.timings;
    timings.total = info_time(easy, CURLINFO_TOTAL_TIME_T);
    timings.name_lookup = info_time(easy, CURLINFO_NAMELOOKUP_TIME_T);
    timings.connect = info_time(easy, CURLINFO_CONNECT_TIME_T);
    timings.start_transfer = info_time(easy, CURLINFO_STARTTRANSFER_TIME_T);
    curl_off_t downloaded = 0;
    curl_easy_getinfo(easy, CURLINFO_SIZE_DOWNLOAD_T, &downloaded);
    long header_bytes = 0;
    curl_easy_getinfo(easy, CURLINFO_HEADER_SIZE, &header_bytes);
    timings.wire_bytes = static_cast<std::uint64_t>(downloaded) +
                         static_cast<std::uint64_t>(std::max(0L, header_bytes));
}

void Transfer::note_permanent_redirect(FetchOutcome& outcome) const {
    if ((first_status_ != 301 && first_status_ != 308) || first_location_.empty()) return;
    auto target = resolve_url(request_.url, first_location_);
    if (!target) return;
    const auto parts = split_url(*target);
    if (parts && (parts->scheme == "http" || parts->scheme == "https"))
        outcome.permanent_redirect = std::move(*target);
}

}  // namespace herald::fetcher::detail
