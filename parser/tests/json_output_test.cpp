// to_json's direct writer against the nlohmann serialisation it replaced: byte for byte, on
// every fixture and on strings that need escaping.
#include "json_output.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <gtest/gtest.h>

#include <herald/parser.hpp>

namespace herald::parser {
namespace {

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(JsonOutput, MatchesNlohmannOnEveryFixture) {
    int compared = 0;
    for (const auto& entry :
         std::filesystem::recursive_directory_iterator(HERALD_PARSER_TEST_DATA)) {
        if (!entry.is_regular_file()) continue;
        const auto feed = parse(read_file(entry.path()));
        if (!feed) continue;
        EXPECT_EQ(to_json(*feed), detail::to_json_with_nlohmann(*feed)) << entry.path();
        ++compared;
    }
    EXPECT_GT(compared, 20);
}

TEST(JsonOutput, EscapesAsNlohmannDoes) {
    ParsedFeed feed;
    feed.bozo = true;
    feed.warnings = {"a \"quoted\" \\ path", "tab\there\nline\r\f\b", std::string("nul\0x", 5)};
    feed.feed.title = "caf\u00e9 \u2014 \U0001F600 \x7f \x1f";
    feed.feed.ttl = -5;
    Item item;
    item.title = "";
    item.categories = {"one", "two"};
    item.enclosures.push_back(Enclosure{"http://e.org/a\"b", std::nullopt, 9'000'000'000});
    item.enclosures.push_back(Enclosure{"http://e.org/c", "audio/mpeg", std::nullopt});
    item.published = Time(std::chrono::seconds(86'400));
    feed.items = {item, Item{}};
    const std::string json = to_json(feed);
    EXPECT_EQ(json, detail::to_json_with_nlohmann(feed));
    EXPECT_NE(json.find(R"("nul\u0000x")"), std::string::npos);
    EXPECT_NE(json.find(R"(\u001f)"), std::string::npos);
}

TEST(JsonOutput, FallsBackOnInvalidUtf8) {
    ParsedFeed feed;
    feed.feed.title = "bad \xC3 byte and \xED\xA0\x80 surrogate";
    const std::string json = to_json(feed);
    EXPECT_EQ(json, detail::to_json_with_nlohmann(feed));
    EXPECT_NE(json.find("\xEF\xBF\xBD"), std::string::npos);  // U+FFFD, as nlohmann replaces
}

}  // namespace
}  // namespace herald::parser
