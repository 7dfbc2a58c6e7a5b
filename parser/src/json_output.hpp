#pragma once
// to_json through nlohmann::ordered_json: what the direct writer in json_output.cpp must match
// byte for byte (its tests compare them), and its fallback for strings that are not UTF-8.

#include <string>

#include <herald/parser.hpp>

namespace herald::parser::detail {

[[nodiscard]] std::string to_json_with_nlohmann(const ParsedFeed& feed);

}  // namespace herald::parser::detail
