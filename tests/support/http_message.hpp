#pragma once
// The HTTP/1.1 text HttpServer reads and writes: a request head parsed, a response head and
// body produced, chunked framing. No sockets and no threads here (those are http_server.cpp),
// so the format can change without touching the connection handling. Private to test support.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http_server.hpp"

namespace herald::test::detail {

struct ParsedHead {
    std::string method;
    std::string target;
    std::string version;
    std::vector<HttpHeader> headers;
};

// ASCII case-insensitive equality (header names and tokens).
[[nodiscard]] bool iequals(std::string_view a, std::string_view b);

// The request line and header fields of `head` (without the blank line); nullopt when the
// request line is malformed.
[[nodiscard]] std::optional<ParsedHead> parse_head(std::string_view head);

// `response.body` with `response.encoding` applied.
[[nodiscard]] std::string encoded_body(const Response& response);

// Status line and header fields up to and including the blank line: the script's headers,
// Content-Encoding when the server encodes, then Content-Length (or chunked framing for an
// endless body) and Connection: close when the connection ends after this response.
[[nodiscard]] std::string response_head(const Response& response, std::size_t body_size,
                                        bool keep_alive);

// One chunk of a chunked body.
[[nodiscard]] std::string chunk(std::string_view piece);

}  // namespace herald::test::detail
