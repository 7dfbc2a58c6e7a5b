#include "payload.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace herald::store::detail {
namespace {

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

}  // namespace
}  // namespace herald::store::detail
