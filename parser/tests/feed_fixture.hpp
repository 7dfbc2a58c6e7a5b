#pragma once
// Test helpers: read a fixture from parser/tests/data and parse it.

#include <fstream>
#include <iterator>
#include <string>

#include <gtest/gtest.h>

#include <herald/parser.hpp>

namespace herald::parser::testing {

inline std::string read_fixture(const std::string& name) {
    std::ifstream in(std::string(HERALD_PARSER_TEST_DATA) + "/" + name, std::ios::binary);
    EXPECT_TRUE(in) << "missing fixture " << name;
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Parses a fixture that must be a feed; fails the test (and returns an empty feed) otherwise.
inline ParsedFeed parse_fixture(const std::string& name, std::string_view base_url = {}) {
    ParseOptions options;
    options.base_url = base_url;
    auto result = parse(read_fixture(name), options);
    EXPECT_TRUE(result.has_value()) << name << ": " << (result ? "" : result.error().message);
    return result ? std::move(*result) : ParsedFeed{};
}

inline ParsedFeed parse_text(std::string_view text, std::string_view base_url = {}) {
    ParseOptions options;
    options.base_url = base_url;
    auto result = parse(text, options);
    EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().message);
    return result ? std::move(*result) : ParsedFeed{};
}

inline std::string iso(const std::optional<Time>& time) {
    return time ? format_time(*time) : std::string("null");
}

}  // namespace herald::parser::testing
