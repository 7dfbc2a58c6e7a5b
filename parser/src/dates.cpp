#include <herald/parser.hpp>

// Placeholder until the date parser lands.
namespace herald::parser {
std::optional<Time> parse_date(std::string_view) { return std::nullopt; }
std::string format_time(Time) { return {}; }
}  // namespace herald::parser
