#pragma once
// One transfer: its easy handle, its callbacks' state, and how it ends as a FetchOutcome.
// Owned by the Fetcher's event loop (fetcher.cpp); lives from start to completion.
#include <array>
#include <optional>
#include <string>

#include <curl/curl.h>

#include <herald/fetcher.hpp>

#include "curl_handles.hpp"

namespace herald::fetcher::detail {

// Headers of the response being received. Reset at each status line, so after a redirect
// chain they hold the final response's.
struct ResponseHeaders {
    std::string etag;
    std::string last_modified;
    std::string content_type;
    std::string cache_control;
    std::string expires;
    std::string date;
    std::string retry_after;
    std::string location;
};

class Transfer {
public:
    Transfer(FetchRequest request, std::string host_key, CurlEasy easy);
    Transfer(const Transfer&) = delete;
    Transfer& operator=(const Transfer&) = delete;

    // Sets every option on the easy handle; false when curl refused one (message in error()).
    [[nodiscard]] bool configure(const FetcherOptions& options);

    [[nodiscard]] CURL* easy() const noexcept { return easy_.get(); }
    [[nodiscard]] const std::string& host_key() const noexcept { return host_key_; }
    [[nodiscard]] std::uint64_t token() const noexcept { return request_.token; }

    // Builds the outcome once curl reports the transfer done with `result`.
    [[nodiscard]] FetchOutcome finish(CURLcode result, TimePoint now);

private:
    [[nodiscard]] bool build_request_headers();
    static size_t on_body(char* data, size_t size, size_t count, void* self) noexcept;
    static size_t on_header(char* data, size_t size, size_t count, void* self) noexcept;
    static curl_socket_t on_open_socket(void* self, curlsocktype purpose,
                                        curl_sockaddr* address) noexcept;
    void header_line(std::string_view line);
    void reserve_body();
    [[nodiscard]] FetchError curl_error(CURLcode result) const;
    [[nodiscard]] std::optional<std::string> refused_redirect_scheme() const;
    void classify_status(FetchOutcome& outcome);
    void read_timings(FetchOutcome& outcome) const;
    void note_permanent_redirect(FetchOutcome& outcome) const;

    FetchRequest request_;
    std::string host_key_;
    CurlEasy easy_;
    CurlSlist request_headers_;
    std::size_t max_body_ = 0;
    std::string body_;
    ResponseHeaders headers_;
    int responses_ = 0;  // status lines seen (one per hop of a redirect chain)
    int first_status_ = 0;
    int current_status_ = 0;  // of the response being received; 0 for file://
    std::string first_location_;
    bool too_large_ = false;
    bool skipped_error_page_ = false;
    bool deny_private_ = false;
    bool denied_address_ = false;
    std::array<char, CURL_ERROR_SIZE> error_buffer_{};
};

}  // namespace herald::fetcher::detail
