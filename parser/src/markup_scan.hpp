#pragma once
// Small lexical helpers shared by the reference fixer and the tag balancer.

#include <cstddef>
#include <string_view>

namespace herald::parser::detail::markup {

inline bool is_name_start(char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u == '_' || u == ':' || u >= 0x80;
}

inline bool is_name_char(char c) {
    const auto u = static_cast<unsigned char>(c);
    return is_name_start(c) || (u >= '0' && u <= '9') || u == '-' || u == '.';
}

inline bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Where the markup construct at `start` ("<!--", "<![CDATA[", "<!DOCTYPE", "<?") ends.
std::size_t end_of_special(std::string_view text, std::size_t start);

// The next "<!" (comment, CDATA, DOCTYPE) after `from`, or npos.
std::size_t find_special(std::string_view text, std::size_t from);

}  // namespace herald::parser::detail::markup
