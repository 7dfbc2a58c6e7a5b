#include "payload.hpp"

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace herald::store::detail {
namespace {

std::string fmt_millis(std::int64_t millis) {
    std::string text = std::to_string(1000 + millis);  // "1007" -> ".007"
    text[0] = '.';
    return text;
}

std::string payload_with(const Body& body, std::optional<std::string> error = std::nullopt,
                         EventKind kind = EventKind::kItemNew) {
    static const std::string store_id = "0123456789abcdef";
    FeedSnapshot feed{"news", "https://example.org/feed", std::nullopt};
    EventFields fields{7, kind, 1'700'000'000'005, &store_id, &feed, 42, &body, &error};
    if (kind == EventKind::kFeedError) fields.body = nullptr;
    return event_payload(fields);
}

TEST(PayloadTest, HasTheContractShape) {
    Body body;
    body.title = "Hello";
    body.published = 1'700'000'000;
    body.categories = R"(["a","b"])";
    body.initial = true;
    auto json = nlohmann::json::parse(payload_with(body));
    EXPECT_EQ(json["seq"], 7);
    EXPECT_EQ(json["kind"], "item.new");
    EXPECT_EQ(json["at"], "2023-11-14T22:13:20.005Z");
    EXPECT_EQ(json["store"], "0123456789abcdef");
    EXPECT_EQ(json["feed"]["title"], nullptr);
    EXPECT_EQ(json["item"]["id"], 42);
    EXPECT_EQ(json["item"]["published"], "2023-11-14T22:13:20Z");
    EXPECT_EQ(json["item"]["updated"], nullptr);
    EXPECT_EQ(json["item"]["categories"], (nlohmann::json{"a", "b"}));
    EXPECT_EQ(json["item"]["enclosures"], nlohmann::json::array());
    EXPECT_EQ(json["item"]["initial"], true);
    EXPECT_FALSE(json.contains("error"));
    auto error = nlohmann::json::parse(payload_with(body, "HTTP 500", EventKind::kFeedError));
    EXPECT_EQ(error["error"], "HTTP 500");
    EXPECT_FALSE(error.contains("item"));
}

TEST(PayloadTest, EscapesControlsAndRepairsBrokenUtf8) {
    Body body;
    body.title = std::string("tab\there \"q\" back\\slash \x01 caf\xC3\xA9 bad\xFF\xC3 end");
    body.content = std::string("\xED\xA0\x80 surrogate, \xF0\x9F\x98\x80 emoji");
    auto text = payload_with(body);
    auto json = nlohmann::json::parse(text, nullptr, false);
    ASSERT_FALSE(json.is_discarded()) << text;
    EXPECT_EQ(json["item"]["title"],
              "tab\there \"q\" back\\slash \x01 caf\xC3\xA9 bad\xEF\xBF\xBD\xEF\xBF\xBD end");
    EXPECT_EQ(json["item"]["content"],
              "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD surrogate, \xF0\x9F\x98\x80 emoji");
}

// The escaper skips plain runs 8 bytes at a time; every special byte at every offset of a
// word must still take the slow path. nlohmann writes valid text the same way (short escapes
// for \b \f \n \r \t, \u00xx for other controls, UTF-8 as it is).
TEST(PayloadTest, JsonStringMatchesNlohmannAtEveryOffset) {
    const std::vector<std::string> pieces = {
        "a",    "Z",    " ",  "~",  "\x7f", "\"", "\\",       "\n",           "\t",
        "\x01", "\x1f", "\b", "\f", "\r",   "/",  "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80"};
    std::mt19937 random(20261125);
    for (int round = 0; round < 4000; ++round) {
        std::string text;
        const int length = static_cast<int>(random() % 40);
        for (int i = 0; i < length; ++i) {
            // Mostly plain letters, so long plain runs with one special byte are common.
            text += random() % 4 != 0 ? std::string(1, static_cast<char>('a' + random() % 26))
                                      : pieces[random() % pieces.size()];
        }
        ASSERT_EQ(json_string(text), nlohmann::json(text).dump()) << "round " << round;
    }
}

TEST(PayloadTest, TimesMatchTheParsersFormat) {
    std::mt19937_64 random(7);
    std::vector<std::int64_t> seconds = {
        0,          -1,           86399,        86400,        951782400,    951868799,
        4102444800, -62167219200, -62167219201, 253402300799, 253402300800, 1'700'000'000};
    for (int i = 0; i < 2000; ++i) {
        seconds.push_back(static_cast<std::int64_t>(random() % 600'000'000'000ull) -
                          300'000'000'000);
    }
    for (std::int64_t second : seconds) {
        const std::int64_t millis = static_cast<std::int64_t>(random() % 1000);
        std::string expected = parser::format_time(Time(std::chrono::seconds(second)));
        expected.insert(expected.size() - 1, fmt_millis(millis));
        EXPECT_EQ(format_time_ms(second * 1000 + millis), expected) << second;
    }
}

}  // namespace
}  // namespace herald::store::detail
