#pragma once
// Shared pieces of the format readers (rss.cpp, atom.cpp, json_feed.cpp): diagnostics and the
// small text rules every format applies (trimming, author names, numbers, base64).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <herald/parser.hpp>

namespace herald::parser::detail {

// What was repaired on the way; becomes ParsedFeed::bozo and ::warnings.
struct Diagnostics {
    bool bozo = false;
    std::vector<std::string> warnings;

    void recovered(std::string warning) {
        bozo = true;
        add_warning(std::move(warning));
    }
    void add_warning(std::string warning) {
        // Bounded: a document with a million bad entities gets one line per kind, not a million.
        if (warnings.size() < kMaxWarnings) warnings.push_back(std::move(warning));
    }

    static constexpr std::size_t kMaxWarnings = 32;
};

[[nodiscard]] std::string_view trim(std::string_view text);

// Sets `field` to the trimmed text unless that is empty; later values win, as in feedparser.
void assign_text(std::optional<std::string>& field, std::string_view text);
// The same, moving the string in (content bodies are large: no copy).
void assign_text(std::optional<std::string>& field, std::string&& text);

// Trims `text` in place.
void trim_in_place(std::string& text);

// `jane@example.org (Jane Doe)`, `Jane Doe <jane@example.org>` → `Jane Doe`; an email alone
// stays the email.
[[nodiscard]] std::optional<std::string> author_name(std::string_view text);

// Like assign_text, but an element that is present and empty gives "" when nothing else set
// the field (feedparser reports <title/> as "", not as missing).
void assign_present(std::optional<std::string>& field, std::string_view text);
void assign_present(std::optional<std::string>& field, std::string&& text);

// author_name() of the text; a present but empty element gives "" when nothing else is set.
void assign_author(std::optional<std::string>& field, std::string_view text);

// A non-negative decimal integer ("60", " 1024 "); anything else is nullopt.
[[nodiscard]] std::optional<std::int64_t> parse_integer(std::string_view text);

// RFC 4648 base64, whitespace ignored; nullopt when the text is not base64.
[[nodiscard]] std::optional<std::string> decode_base64(std::string_view text);

// ASCII case-insensitive equality (feedparser lower-cases element names). Inline: the format
// readers call it in long chains on every element name, mostly against literals whose length
// already differs.
[[nodiscard]] inline bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    // ASCII only and no locale: std::tolower was a visible cost on every element name.
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c | 0x20) : c; };
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i] != b[i] && lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

// Applies the rules every format shares once an item is read: summary falls back to content.
void finish_item(Item& item);

// undo_double_encoding (text.hpp) on the titles of a feed read from UTF-8, and when one of
// them needed it, on its other text fields too: subtitle, authors, generator, summaries,
// contents, categories (not ids or links: those are identities). Adds one warning when it
// changed something; not bozo, the XML was fine.
void repair_double_encoding(ParsedFeed& feed);

}  // namespace herald::parser::detail
