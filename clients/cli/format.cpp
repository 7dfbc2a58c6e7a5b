#include "format.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/core.h>

namespace herald::cli {
namespace {

bool is_continuation(unsigned char byte) {
    return (byte & 0xC0) == 0x80;
}

std::string_view plural(std::int64_t n, std::string_view one, std::string_view many) {
    return n == 1 ? one : many;
}

}  // namespace

std::string relative_time(SysSeconds when, SysSeconds now) {
    using namespace std::chrono;
    const auto delta = now - when;
    const bool is_future = delta.count() < 0;
    const auto seconds = std::abs(delta.count());
    if (seconds < 5) return "just now";
    if (seconds >= 60LL * 24 * 3600) {
        const year_month_day date{floor<days>(when)};
        return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(date.year()),
                           static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
    }
    std::string amount;
    if (seconds < 60) {
        amount = fmt::format("{} s", seconds);
    } else if (seconds < 3600) {
        amount = fmt::format("{} min", seconds / 60);
    } else if (seconds < 48 * 3600) {
        amount = fmt::format("{} h", seconds / 3600);
    } else {
        const auto count = seconds / 86400;
        amount = fmt::format("{} {}", count, plural(count, "day", "days"));
    }
    return is_future ? "in " + amount : amount + " ago";
}

// The length of the colour escape ("\x1b[...m") at `at`, or 0 when there is none.
std::size_t escape_length(std::string_view text, std::size_t at) {
    if (text[at] != '\x1b' || at + 1 >= text.size() || text[at + 1] != '[') return 0;
    const auto end = text.find('m', at + 2);
    return end == std::string_view::npos ? 0 : end - at + 1;
}

std::size_t display_width(std::string_view text) {
    std::size_t width = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (const auto skip = escape_length(text, i); skip > 0) {
            i += skip - 1;
        } else if (!is_continuation(static_cast<unsigned char>(text[i]))) {
            ++width;
        }
    }
    return width;
}

std::string cut(std::string_view text, std::size_t width) {
    if (display_width(text) <= width) return std::string(text);
    if (width == 0) return {};
    std::string result;
    std::size_t kept = 0;
    bool is_coloured = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (const auto skip = escape_length(text, i); skip > 0) {
            result.append(text.substr(i, skip));
            is_coloured = true;
            i += skip - 1;
            continue;
        }
        if (!is_continuation(static_cast<unsigned char>(text[i]))) {
            if (kept == width - 1) break;
            ++kept;
        }
        result += text[i];
    }
    // The reset the cut removed, so the colour does not leak into the next line.
    return result + "…" + (is_coloured ? "\x1b[0m" : "");
}

std::string one_line(std::string_view text) {
    std::string result;
    result.reserve(text.size());
    bool last_was_space = false;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        const bool is_blank = byte < 0x20 || byte == 0x7F || c == ' ';
        if (is_blank) {
            if (!last_was_space && !result.empty()) result += ' ';
            last_was_space = true;
            continue;
        }
        result += c;
        last_was_space = false;
    }
    while (!result.empty() && result.back() == ' ') result.pop_back();
    return result;
}

std::string format_table(const std::vector<Column>& columns,
                         const std::vector<std::vector<std::string>>& rows,
                         std::optional<std::size_t> width) {
    std::vector<std::size_t> widths(columns.size(), 0);
    for (std::size_t i = 0; i < columns.size(); ++i) widths[i] = display_width(columns[i].header);
    for (const auto& row : rows) {
        for (std::size_t i = 0; i < columns.size() && i < row.size(); ++i) {
            widths[i] = std::max(widths[i], display_width(row[i]));
        }
    }
    const auto render = [&](const std::vector<std::string>& cells) {
        std::string line;
        for (std::size_t i = 0; i < columns.size(); ++i) {
            const std::string cell = i < cells.size() ? cells[i] : "";
            const bool is_last = i + 1 == columns.size();
            if (i > 0) line += "  ";
            if (is_last) {
                const auto used = display_width(line);
                line += width ? cut(cell, *width > used ? *width - used : 0) : cell;
                break;
            }
            const auto pad = std::string(widths[i] - display_width(cell), ' ');
            line += columns[i].align_right ? pad + cell : cell + pad;
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        return line + "\n";
    };
    std::vector<std::string> headers;
    for (const auto& column : columns) headers.push_back(column.header);
    std::string text = render(headers);
    for (const auto& row : rows) text += render(row);
    return text;
}

std::string html_to_text(std::string_view html) {
    std::string text;
    std::size_t pos = 0;
    while (pos < html.size()) {
        const char c = html[pos];
        if (c == '<') {
            const auto end = html.find('>', pos);
            if (end == std::string_view::npos) break;
            std::string tag;
            for (std::size_t i = pos + 1; i < end && tag.size() < 4; ++i) {
                const char t = html[i];
                if (std::isalnum(static_cast<unsigned char>(t)) == 0 && t != '/') break;
                tag += static_cast<char>(std::tolower(static_cast<unsigned char>(t)));
            }
            if (tag == "br" || tag == "br/" || tag == "/p" || tag == "/div" || tag == "/li" ||
                tag == "/h1" || tag == "/h2" || tag == "/h3" || tag == "/tr") {
                text += '\n';
            } else if (tag == "li") {
                text += "- ";
            }
            pos = end + 1;
            continue;
        }
        if (c == '&') {
            const auto semi = html.find(';', pos);
            if (semi != std::string_view::npos && semi - pos <= 8) {
                const auto name = html.substr(pos + 1, semi - pos - 1);
                const std::string_view replacement = name == "amp"    ? "&"
                                                     : name == "lt"   ? "<"
                                                     : name == "gt"   ? ">"
                                                     : name == "quot" ? "\""
                                                     : name == "#39"  ? "'"
                                                     : name == "nbsp" ? " "
                                                                      : "";
                if (!replacement.empty()) {
                    text += replacement;
                    pos = semi + 1;
                    continue;
                }
            }
        }
        text += c;
        ++pos;
    }
    // Collapse runs of blank lines and trailing spaces.
    std::string result;
    int newlines = 0;
    for (const char c : text) {
        if (c == '\n') {
            while (!result.empty() && result.back() == ' ') result.pop_back();
            if (++newlines > 2) continue;
        } else if (c != '\r') {
            if (newlines > 0 && c == ' ') continue;
            newlines = 0;
        }
        if (c != '\r') result += c;
    }
    while (!result.empty() && (result.back() == '\n' || result.back() == ' ')) result.pop_back();
    const auto first = result.find_first_not_of("\n ");
    return first == std::string::npos ? std::string() : result.substr(first);
}

std::string short_duration(std::chrono::seconds duration) {
    const auto s = duration.count();
    if (s % 86400 == 0 && s >= 86400) return fmt::format("{}d", s / 86400);
    if (s % 3600 == 0 && s >= 3600) return fmt::format("{}h", s / 3600);
    if (s % 60 == 0 && s >= 60) return fmt::format("{}m", s / 60);
    return fmt::format("{}s", s);
}

}  // namespace herald::cli
