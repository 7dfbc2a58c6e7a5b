#include <herald/parser.hpp>

#include "text.hpp"

// Placeholder until the format parsers land.
namespace herald::parser {
std::string_view format_name(Format format) {
    switch (format) {
        case Format::kRss090: return "rss0.90";
        case Format::kRss091: return "rss0.91";
        case Format::kRss092: return "rss0.92";
        case Format::kRss20: return "rss2.0";
        case Format::kRss10: return "rss1.0";
        case Format::kAtom03: return "atom0.3";
        case Format::kAtom10: return "atom1.0";
        case Format::kJson10: return "json1.0";
        case Format::kJson11: return "json1.1";
    }
    return "unknown";
}
tl::expected<ParsedFeed, ParseError> parse(std::string_view bytes, const ParseOptions&) {
    if (bytes.empty()) return tl::unexpected(ParseError{ParseErrorKind::kEmpty, "empty document"});
    return tl::unexpected(ParseError{ParseErrorKind::kNotAFeed, "not implemented"});
}
std::string to_json(const ParsedFeed&) { return "{}"; }
}  // namespace herald::parser
