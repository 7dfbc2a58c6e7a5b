#pragma once
// Human output for the terminal: relative times, columns fitted to a width, cut at character
// (not byte) boundaries, colour only when wanted. Pure functions; tested in format_test.cpp.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace herald::cli {

using SysSeconds = std::chrono::sys_seconds;

// "just now", "42 s ago", "3 min ago", "5 h ago", "2 days ago", "in 4 min"; older than 60
// days: the date "2026-01-31".
[[nodiscard]] std::string relative_time(SysSeconds when, SysSeconds now);

// Characters (UTF-8 code points) in `text`: the width used for alignment.
[[nodiscard]] std::size_t display_width(std::string_view text);

// At most `width` characters; a cut text ends with "…".
[[nodiscard]] std::string cut(std::string_view text, std::size_t width);

// Control characters (newlines, tabs, escape sequences from feed titles) become spaces, so one
// item stays one line and a feed cannot drive the terminal.
[[nodiscard]] std::string one_line(std::string_view text);

struct Column {
    std::string header;
    bool align_right = false;
};

// Rows under headers, columns separated by two spaces. Only the last column is cut so the
// whole line fits in `width` (nullopt: never cut, e.g. when piped).
[[nodiscard]] std::string format_table(const std::vector<Column>& columns,
                                       const std::vector<std::vector<std::string>>& rows,
                                       std::optional<std::size_t> width);

// HTML to plain text for `items show`: tags dropped, block ends as newlines, entities decoded.
[[nodiscard]] std::string html_to_text(std::string_view html);

// "15m", "1h", "90s", "2d" for an interval in seconds.
[[nodiscard]] std::string short_duration(std::chrono::seconds duration);

}  // namespace herald::cli
