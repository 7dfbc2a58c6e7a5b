#include "identity.hpp"

#include <gtest/gtest.h>

#include "test_util.hpp"

namespace herald::store::detail {
namespace {

using herald::store::testing::make_item;

TEST(IdentityTest, StableHashNeverChanges) {
    // Stored in every database: a change here would make every known item new again.
    EXPECT_EQ(stable_hash(""), 14695981039346656037ull);
    EXPECT_EQ(stable_hash("a"), 0xaf63dc4c8601ec8cull);
}

TEST(IdentityTest, KeysPerRule) {
    auto item = make_item("guid-1", "title");
    EXPECT_TRUE(guid_key(item));
    EXPECT_NE(*guid_key(item), *link_key(item));
    item.id = "   ";
    EXPECT_FALSE(guid_key(item));
    item.link.reset();
    EXPECT_FALSE(link_key(item));
}

TEST(IdentityTest, NormalisedHashIgnoresWhitespaceOnly) {
    auto a = make_item("g", "A  title", "x\n\ty");
    auto b = make_item("g", " A title ", "x y");
    EXPECT_NE(raw_hash(a), raw_hash(b));
    EXPECT_EQ(normalised_hash(a), normalised_hash(b));
    b.content = "xy";
    EXPECT_NE(normalised_hash(a), normalised_hash(b));
    b = a;
    b.title.reset();
    a.title = "";
    EXPECT_NE(normalised_hash(a), normalised_hash(b));  // absent differs from empty
}

TEST(IdentityTest, ChoosesNextRuleOverFivePercentBadKeys) {
    std::vector<parser::Item> items;
    for (int i = 0; i < 20; ++i) items.push_back(make_item("g" + std::to_string(i), "t"));
    EXPECT_EQ(choose_rule(items, KeyRule::kGuid), KeyRule::kGuid);
    items[0].id.reset();  // 1 of 20 = 5%: still fine
    EXPECT_EQ(choose_rule(items, KeyRule::kGuid), KeyRule::kGuid);
    items[1].id = "g2";  // a repeat: 2 of 20 are unusable
    EXPECT_EQ(choose_rule(items, KeyRule::kGuid), KeyRule::kLink);
    for (auto& item : items) item.link = "https://example.org/same";
    EXPECT_EQ(choose_rule(items, KeyRule::kGuid), KeyRule::kHash);
    EXPECT_EQ(choose_rule({}, KeyRule::kLink), KeyRule::kLink);  // never goes back
}

}  // namespace
}  // namespace herald::store::detail
