#pragma once
// OPML subscription lists: reading what other readers export (OPML 1.0/2.0, nested folders,
// OPML 2.0 `category`), and writing OPML 2.0 that reads back to the same feeds and tags.
// Pure functions; pugixml stays in opml.cpp.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace herald::cli {

struct OpmlFeed {
    std::string url;                // xmlUrl
    std::string title;              // title, else text; may be empty
    std::string html_url;           // may be empty
    std::string name;               // herald's feed name when exported by herald; else empty
    std::vector<std::string> tags;  // enclosing folders, then `category` entries; unique
};

struct OpmlDocument {
    std::vector<OpmlFeed> feeds;          // in document order, each URL once
    std::vector<std::string> duplicates;  // URLs met again after their first outline
};

struct OpmlError {
    std::string message;
};

[[nodiscard]] tl::expected<OpmlDocument, OpmlError> parse_opml(std::string_view text);

// OPML 2.0, one flat outline per feed, tags in `category` (which every reader that knows
// folders ignores harmlessly, and parse_opml reads back).
[[nodiscard]] std::string write_opml(std::span<const OpmlFeed> feeds, std::string_view title,
                                     std::string_view date_created);

}  // namespace herald::cli
