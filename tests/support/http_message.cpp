#include "http_message.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <stdexcept>
#include <utility>

#include <zlib.h>

namespace herald::test {
namespace {

std::string_view trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

std::string_view reason(int status) {
    switch (status) {
        case 200:
            return "OK";
        case 204:
            return "No Content";
        case 301:
            return "Moved Permanently";
        case 302:
            return "Found";
        case 304:
            return "Not Modified";
        case 307:
            return "Temporary Redirect";
        case 308:
            return "Permanent Redirect";
        case 404:
            return "Not Found";
        case 410:
            return "Gone";
        case 429:
            return "Too Many Requests";
        case 500:
            return "Internal Server Error";
        case 503:
            return "Service Unavailable";
        default:
            return "Status";
    }
}

// Runs zlib deflate over `data` in pieces; `window_bits` 31 = gzip wrapper, 15 = zlib wrapper.
class Deflater {
public:
    Deflater(int window_bits, int level) {
        if (deflateInit2(&stream_, level, Z_DEFLATED, window_bits, 9, Z_DEFAULT_STRATEGY) != Z_OK)
            throw std::runtime_error("deflateInit2 failed");
    }
    ~Deflater() { deflateEnd(&stream_); }
    Deflater(const Deflater&) = delete;
    Deflater& operator=(const Deflater&) = delete;

    void feed(std::string_view data, int flush) {
        stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
        stream_.avail_in = static_cast<uInt>(data.size());
        std::array<char, std::size_t{64} * 1024> buffer{};
        // Each round either consumes input or produces output, so this ends.
        for (int round = 0; round < 1'000'000; ++round) {
            stream_.next_out = reinterpret_cast<Bytef*>(buffer.data());
            stream_.avail_out = static_cast<uInt>(buffer.size());
            const int result = deflate(&stream_, flush);
            if (result == Z_STREAM_ERROR) throw std::runtime_error("deflate failed");
            output_.append(buffer.data(), buffer.size() - stream_.avail_out);
            if (flush == Z_FINISH ? result == Z_STREAM_END
                                  : (stream_.avail_in == 0 && stream_.avail_out != 0))
                return;
        }
        throw std::runtime_error("deflate did not finish");
    }
    std::string take() { return std::move(output_); }

private:
    z_stream stream_{};
    std::string output_;
};

std::string compress(std::string_view data, int window_bits) {
    Deflater deflater(window_bits, Z_DEFAULT_COMPRESSION);
    deflater.feed(data, Z_FINISH);
    return deflater.take();
}

}  // namespace

namespace detail {

bool iequals(std::string_view a, std::string_view b) {
    return std::ranges::equal(
        a, b, [](unsigned char x, unsigned char y) { return std::tolower(x) == std::tolower(y); });
}

std::optional<ParsedHead> parse_head(std::string_view head) {
    ParsedHead parsed;
    auto line_end = head.find("\r\n");
    const auto request_line = head.substr(0, line_end);
    const auto first = request_line.find(' ');
    const auto last = request_line.rfind(' ');
    if (first == std::string_view::npos || last == first) return std::nullopt;
    parsed.method = request_line.substr(0, first);
    parsed.target = request_line.substr(first + 1, last - first - 1);
    parsed.version = request_line.substr(last + 1);
    while (line_end != std::string_view::npos) {
        head.remove_prefix(line_end + 2);
        line_end = head.find("\r\n");
        const auto line = head.substr(0, line_end);
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        parsed.headers.push_back(
            {std::string(line.substr(0, colon)), std::string(trim(line.substr(colon + 1)))});
    }
    return parsed;
}

std::string encoded_body(const Response& response) {
    if (response.encoding == ContentEncoding::kGzip) return gzip(response.body);
    if (response.encoding == ContentEncoding::kDeflate) return zlib_deflate(response.body);
    return response.body;
}

std::string response_head(const Response& response, std::size_t body_size, bool keep_alive) {
    std::string head = "HTTP/1.1 " + std::to_string(response.status) + " " +
                       std::string(reason(response.status)) + "\r\n";
    for (const auto& field : response.headers) head += field.name + ": " + field.value + "\r\n";
    if (response.encoding == ContentEncoding::kGzip) head += "Content-Encoding: gzip\r\n";
    if (response.encoding == ContentEncoding::kDeflate) head += "Content-Encoding: deflate\r\n";
    if (response.endless) {
        head += "Transfer-Encoding: chunked\r\n";
    } else {
        head += "Content-Length: " + std::to_string(body_size) + "\r\n";
    }
    if (!keep_alive) head += "Connection: close\r\n";
    head += "\r\n";
    return head;
}

std::string chunk(std::string_view piece) {
    char size_line[32];
    const auto [end, ec] = std::to_chars(size_line, size_line + sizeof size_line, piece.size(), 16);
    return std::string(size_line, end) + "\r\n" + std::string(piece) + "\r\n";
}

}  // namespace detail

Response Response::ok(std::string body, std::string content_type) {
    Response response;
    response.body = std::move(body);
    response.headers.push_back({"Content-Type", std::move(content_type)});
    return response;
}

Response Response::with_status(int status, std::string body) {
    Response response;
    response.status = status;
    response.body = std::move(body);
    return response;
}

Response Response::not_modified() {
    return with_status(304);
}

Response Response::redirect(int status, std::string location) {
    Response response = with_status(status);
    response.headers.push_back({"Location", std::move(location)});
    return response;
}

Response& Response::header(std::string name, std::string value) {
    headers.push_back({std::move(name), std::move(value)});
    return *this;
}

std::optional<std::string> RecordedRequest::header(std::string_view name) const {
    for (const auto& field : headers) {
        if (detail::iequals(field.name, name)) return field.value;
    }
    return std::nullopt;
}

std::string gzip(std::string_view data) {
    return compress(data, 15 + 16);
}
std::string zlib_deflate(std::string_view data) {
    return compress(data, 15);
}

std::string gzip_bomb(std::size_t size) {
    // Fastest level: still over 200:1 on zeros, and quick enough for every test run.
    Deflater deflater(15 + 16, Z_BEST_SPEED);
    const std::string zeros(std::size_t{1} << 20, '\0');
    for (std::size_t left = size; left > 0;) {
        const std::size_t piece = std::min(left, zeros.size());
        deflater.feed(std::string_view(zeros).substr(0, piece), Z_NO_FLUSH);
        left -= piece;
    }
    deflater.feed({}, Z_FINISH);
    return deflater.take();
}

}  // namespace herald::test
