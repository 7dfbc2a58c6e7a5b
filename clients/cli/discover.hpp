#pragma once
// Feed autodiscovery: the <link rel="alternate" type="application/rss+xml|atom+xml|feed+json|
// json" href="..."> tags of an HTML page, with hrefs made absolute. HTML is rarely well-formed
// XML, so this is a small tolerant scanner for <link> and <base> tags, not an HTML parser:
// comments, scripts and styles are skipped, unknown markup is passed over. Pure functions.

#include <string>
#include <string_view>
#include <vector>

namespace herald::cli {

struct DiscoveredFeed {
    std::string url;    // absolute
    std::string type;   // e.g. "application/atom+xml"
    std::string title;  // the link's title attribute, may be empty
};

// In document order, each URL once.
[[nodiscard]] std::vector<DiscoveredFeed> discover_feeds(std::string_view html,
                                                         std::string_view page_url);

// RFC 3986 reference resolution of `reference` against the absolute URL `base`.
[[nodiscard]] std::string resolve_url(std::string_view base, std::string_view reference);

// True when the bytes look like an HTML page rather than a feed.
[[nodiscard]] bool looks_like_html(std::string_view bytes);

}  // namespace herald::cli
