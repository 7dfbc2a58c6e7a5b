#pragma once
// herald::parser — bytes of a feed document in, a normalised feed model out.
//
// Formats: RSS 0.90/0.91/0.92/2.0, RSS 1.0 (RDF), Atom 0.3/1.0, JSON Feed 1.0/1.1.
// The parser does no I/O, keeps no global state and logs nothing: every function here is
// pure and thread-safe. Recoverable damage (bad entities, wrong encodings, truncation) gives a
// ParsedFeed with `bozo = true` and a warning per repair; only input that is not a feed at all
// gives a ParseError. Memory stays within a small multiple of the input size and time is
// linear in it, whatever the input (no DTDs, no external entities, bounded nesting).
//
// This header also owns the shared model types (Item, FeedInfo), since every other component
// sits above the parser.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace herald::parser {

using Time = std::chrono::sys_seconds;

enum class Format { kRss090, kRss091, kRss092, kRss20, kRss10, kAtom03, kAtom10, kJson10, kJson11 };

// The contract's name for a format: "rss2.0", "atom1.0", "json1.1", ...
[[nodiscard]] std::string_view format_name(Format format);

struct Enclosure {
    std::string url;
    std::optional<std::string> type;
    std::optional<std::int64_t> length;  // bytes

    bool operator==(const Enclosure&) const = default;
};

struct Item {
    std::optional<std::string> id;     // the feed's own guid/id, as written
    std::optional<std::string> title;  // plain text
    std::optional<std::string> link;   // absolute
    std::optional<Time> published;
    std::optional<Time> updated;
    std::optional<std::string> author;   // a person's name (email only when no name)
    std::optional<std::string> summary;  // HTML kept
    std::optional<std::string> content;  // HTML kept
    std::vector<std::string> categories;
    std::vector<Enclosure> enclosures;

    bool operator==(const Item&) const = default;
};

struct FeedInfo {
    std::optional<std::string> title;
    std::optional<std::string> link;
    std::optional<std::string> subtitle;
    std::optional<std::string> language;
    std::optional<Time> updated;
    std::optional<std::string> author;
    std::optional<std::string> generator;
    std::optional<std::string> image;
    std::optional<std::string> id;
    std::optional<std::int64_t> ttl;  // minutes (RSS <ttl>)
    // sy:updatePeriod × sy:updateFrequency, for the scheduler; not part of `herald parse`.
    std::optional<std::chrono::seconds> update_period;

    bool operator==(const FeedInfo&) const = default;
};

struct ParsedFeed {
    Format format = Format::kRss20;
    bool bozo = false;                  // input was not well-formed and was recovered
    std::vector<std::string> warnings;  // one line per repair
    FeedInfo feed;
    std::vector<Item> items;
};

enum class ParseErrorKind {
    kEmpty,     // no bytes, or only whitespace
    kNotAFeed,  // well-formed or not, it is no RSS/Atom/JSON Feed (an HTML page, junk)
    kTooDeep,   // nesting beyond any sane feed
};

struct ParseError {
    ParseErrorKind kind;
    std::string message;
};

struct ParseOptions {
    // The HTTP Content-Type header, if any; its charset wins over the document's (RFC 7303).
    std::string_view content_type;
    // The document's URL, used to resolve relative links after any xml:base.
    std::string_view base_url;
};

[[nodiscard]] tl::expected<ParsedFeed, ParseError> parse(std::string_view bytes,
                                                         const ParseOptions& options = {});

// Parses a date as feeds write it (RFC 822/2822 and breakages, RFC 3339, ISO 8601, W3C-DTF,
// asctime, some non-English month names). Nothing is taken from today's date: an incomplete
// date that would need it gives nullopt.
[[nodiscard]] std::optional<Time> parse_date(std::string_view text);

// UTC "YYYY-MM-DDTHH:MM:SSZ".
[[nodiscard]] std::string format_time(Time time);

// The JSON object `herald parse` prints (see the contract), compact, one line.
[[nodiscard]] std::string to_json(const ParsedFeed& feed);

}  // namespace herald::parser
