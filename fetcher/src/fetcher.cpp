#include <algorithm>
#include <atomic>
#include <cctype>
#include <deque>
#include <stdexcept>
#include <unordered_map>
#include <utility>

#include <curl/curl.h>

#include <herald/fetcher.hpp>

#include "curl_handles.hpp"
#include "http_headers.hpp"
#include "transfer.hpp"

namespace herald::fetcher {
namespace {

using detail::CurlEasy;
using detail::CurlMulti;
using detail::Transfer;

// Per host: requests waiting for a slot and transfers running. Our own queue, not curl's,
// because curl's total timeout would tick while a transfer waits for a host slot inside curl.
struct HostQueue {
    std::deque<FetchRequest> waiting;
    std::size_t running = 0;
    bool is_scheduled = false;  // listed in Impl::ready_hosts_
};

FetchOutcome refused(FetchRequest& request, ErrorKind kind, std::string message) {
    FetchOutcome outcome;
    outcome.token = request.token;
    outcome.final_url = std::move(request.url);
    outcome.error = {kind, std::move(message)};
    return outcome;
}

bool contains_herald(std::string_view text) {
    std::string lower(text);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return lower.find("herald") != std::string::npos;
}

}  // namespace

CurlGlobal::CurlGlobal() {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        throw std::runtime_error("curl_global_init failed");
    }
}

CurlGlobal::~CurlGlobal() {
    curl_global_cleanup();
}

std::string_view CurlGlobal::curl_version() noexcept {
    return ::curl_version();
}

std::string_view to_string(OutcomeKind kind) noexcept {
    switch (kind) {
        case OutcomeKind::kOk:
            return "ok";
        case OutcomeKind::kNotModified:
            return "not_modified";
        case OutcomeKind::kGone:
            return "gone";
        case OutcomeKind::kRateLimited:
            return "rate_limited";
        case OutcomeKind::kError:
            return "error";
    }
    return "unknown";
}

std::string_view to_string(ErrorKind kind) noexcept {
    switch (kind) {
        case ErrorKind::kNone:
            return "none";
        case ErrorKind::kInvalidUrl:
            return "invalid_url";
        case ErrorKind::kRefusedScheme:
            return "refused_scheme";
        case ErrorKind::kDns:
            return "dns";
        case ErrorKind::kConnect:
            return "connect";
        case ErrorKind::kDeniedAddress:
            return "denied_address";
        case ErrorKind::kTimeout:
            return "timeout";
        case ErrorKind::kTls:
            return "tls";
        case ErrorKind::kTooLarge:
            return "too_large";
        case ErrorKind::kTooManyRedirects:
            return "too_many_redirects";
        case ErrorKind::kHttp:
            return "http";
        case ErrorKind::kFile:
            return "file";
        case ErrorKind::kProtocol:
            return "protocol";
        case ErrorKind::kInternal:
            return "internal";
    }
    return "unknown";
}

std::string_view to_string(DelayReason reason) noexcept {
    switch (reason) {
        case DelayReason::kInterval:
            return "interval";
        case DelayReason::kServerAsked:
            return "server_asked";
        case DelayReason::kBackoff:
            return "backoff";
        case DelayReason::kRetryAfter:
            return "retry_after";
        case DelayReason::kGone:
            return "gone";
    }
    return "unknown";
}

struct Fetcher::Impl {
    explicit Impl(FetcherOptions opts) : options(std::move(opts)), multi(curl_multi_init()) {
        if (!multi) throw std::runtime_error("curl_multi_init failed");
        options.concurrency = std::max<std::size_t>(1, options.concurrency);
        // The contract promises sites a User-Agent that names herald, whatever the config says.
        if (!contains_herald(options.user_agent)) {
            options.user_agent += options.user_agent.empty() ? "herald" : " (herald)";
        }
        options.per_host = std::max<std::size_t>(1, options.per_host);
        // A guard behind our own per-host queue: also holds for hosts reached by redirect.
        curl_multi_setopt(multi.get(), CURLMOPT_MAX_HOST_CONNECTIONS,
                          static_cast<long>(options.per_host));
        curl_multi_setopt(multi.get(), CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
        curl_multi_setopt(multi.get(), CURLMOPT_MAXCONNECTS,
                          static_cast<long>(options.concurrency + options.per_host));
    }

    ~Impl() {
        // Transfers must leave the multi before either is cleaned up.
        for (auto& [easy, transfer] : running) curl_multi_remove_handle(multi.get(), easy);
    }

    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;

    void submit(FetchRequest request);
    void start_waiting();
    void start(HostQueue& host, const std::string& host_key);
    void collect(std::vector<FetchOutcome>& out);
    void perform();

    FetcherOptions options;
    CurlMulti multi;
    std::unordered_map<std::string, HostQueue> hosts;
    std::deque<std::string> ready_hosts;  // hosts with waiting requests and a free slot
    std::unordered_map<CURL*, std::unique_ptr<Transfer>> running;
    std::vector<FetchOutcome> finished;  // completed outside poll (refused at submit)
    std::size_t waiting_count = 0;
    std::atomic<bool> woken{false};
};

void Fetcher::Impl::submit(FetchRequest request) {
    const auto parts = detail::split_url(request.url);
    if (!parts) {
        finished.push_back(refused(request, ErrorKind::kInvalidUrl, "not a valid URL"));
        return;
    }
    const bool is_http = parts->scheme == "http" || parts->scheme == "https";
    const bool is_file = parts->scheme == "file";
    if (!is_http && !(is_file && request.allow_file)) {
        auto message = is_file ? std::string("file:// URLs are allowed only from the config")
                               : "refused scheme " + parts->scheme + ":";
        finished.push_back(refused(request, ErrorKind::kRefusedScheme, std::move(message)));
        return;
    }
    const std::string key = is_file ? std::string("file:") : parts->host;
    auto& host = hosts[key];
    host.waiting.push_back(std::move(request));
    ++waiting_count;
    if (!host.is_scheduled && host.running < options.per_host) {
        host.is_scheduled = true;
        ready_hosts.push_back(key);
    }
}

void Fetcher::Impl::start_waiting() {
    // Round robin over hosts, so one host with many feeds does not starve the others.
    while (running.size() < options.concurrency && !ready_hosts.empty()) {
        const std::string key = std::move(ready_hosts.front());
        ready_hosts.pop_front();
        auto& host = hosts[key];
        host.is_scheduled = false;
        if (host.waiting.empty() || host.running >= options.per_host) continue;
        start(host, key);
        if (!host.waiting.empty() && host.running < options.per_host) {
            host.is_scheduled = true;
            ready_hosts.push_back(key);
        } else if (host.waiting.empty() && host.running == 0) {
            hosts.erase(key);  // its only request failed to start
        }
    }
}

void Fetcher::Impl::start(HostQueue& host, const std::string& host_key) {
    FetchRequest request = std::move(host.waiting.front());
    host.waiting.pop_front();
    --waiting_count;
    // A fresh handle per transfer: reusing one through curl_easy_reset measured ~30% slower
    // in bench/fetch.sh (it keeps a small receive buffer). Connections live in the multi.
    CurlEasy easy(curl_easy_init());
    if (!easy) {
        finished.push_back(refused(request, ErrorKind::kInternal, "curl_easy_init failed"));
        return;
    }
    auto transfer = std::make_unique<Transfer>(std::move(request), host_key, std::move(easy));
    if (!transfer->configure(options) ||
        curl_multi_add_handle(multi.get(), transfer->easy()) != CURLM_OK) {
        auto outcome = transfer->finish(CURLE_FAILED_INIT, Clock::now());
        finished.push_back(std::move(outcome));
        return;
    }
    ++host.running;
    CURL* const key = transfer->easy();
    running.emplace(key, std::move(transfer));
}

void Fetcher::Impl::perform() {
    int still_running = 0;
    curl_multi_perform(multi.get(), &still_running);
}

void Fetcher::Impl::collect(std::vector<FetchOutcome>& out) {
    int queued = 0;
    // Bounded: each message is one finished transfer, and there are at most `running` of them.
    for (std::size_t guard = 0; guard <= options.concurrency; ++guard) {
        CURLMsg* message = curl_multi_info_read(multi.get(), &queued);
        if (message == nullptr) break;
        if (message->msg != CURLMSG_DONE) continue;
        CURL* const easy = message->easy_handle;
        const CURLcode result = message->data.result;
        const auto found = running.find(easy);
        if (found == running.end()) continue;
        auto transfer = std::move(found->second);
        running.erase(found);
        curl_multi_remove_handle(multi.get(), easy);
        out.push_back(transfer->finish(result, Clock::now()));

        const auto host_entry = hosts.find(transfer->host_key());
        if (host_entry == hosts.end()) continue;
        auto& host = host_entry->second;
        --host.running;
        if (!host.waiting.empty() && !host.is_scheduled) {
            host.is_scheduled = true;
            ready_hosts.push_back(host_entry->first);
        } else if (host.waiting.empty() && host.running == 0) {
            hosts.erase(host_entry);  // keeps the map as small as the work in hand
        }
    }
}

Fetcher::Fetcher(const CurlGlobal& /*curl: proves curl_global_init ran*/, FetcherOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}
Fetcher::~Fetcher() = default;
Fetcher::Fetcher(Fetcher&&) noexcept = default;
Fetcher& Fetcher::operator=(Fetcher&&) noexcept = default;

void Fetcher::submit(FetchRequest request) {
    impl_->submit(std::move(request));
}

std::vector<FetchOutcome> Fetcher::poll(Milliseconds max_wait) {
    auto& impl = *impl_;
    std::vector<FetchOutcome> out = std::move(impl.finished);
    impl.finished.clear();
    const auto deadline = std::chrono::steady_clock::now() + max_wait;
    // Bounded by the deadline; each round waits inside curl_multi_poll for socket activity,
    // curl's next timer or a wakeup().
    for (int round = 0; round < 1'000'000; ++round) {
        impl.start_waiting();
        impl.perform();
        impl.collect(out);
        std::ranges::move(impl.finished, std::back_inserter(out));
        impl.finished.clear();
        if (!out.empty() || impl.woken.exchange(false)) break;
        const auto left =
            std::chrono::duration_cast<Milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        int ready = 0;
        const auto wait = std::min<Milliseconds::rep>(left.count(), 3'600'000);  // fits an int
        curl_multi_poll(impl.multi.get(), nullptr, 0, static_cast<int>(wait), &ready);
    }
    return out;
}

void Fetcher::wakeup() noexcept {
    impl_->woken.store(true);
    curl_multi_wakeup(impl_->multi.get());
}

std::size_t Fetcher::in_flight() const noexcept {
    return impl_->waiting_count + impl_->running.size() + impl_->finished.size();
}

std::size_t Fetcher::running() const noexcept {
    return impl_->running.size();
}

const FetcherOptions& Fetcher::options() const noexcept {
    return impl_->options;
}

}  // namespace herald::fetcher
