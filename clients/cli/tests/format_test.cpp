#include "format.hpp"

#include <gtest/gtest.h>

namespace herald::cli {
namespace {

using namespace std::chrono;

const SysSeconds kNow = sys_days{2026y / November / 25} + 20h;

TEST(FormatTest, RelativeTimes) {
    EXPECT_EQ(relative_time(kNow, kNow), "just now");
    EXPECT_EQ(relative_time(kNow - 42s, kNow), "42 s ago");
    EXPECT_EQ(relative_time(kNow - 3min - 20s, kNow), "3 min ago");
    EXPECT_EQ(relative_time(kNow - 5h, kNow), "5 h ago");
    EXPECT_EQ(relative_time(kNow - 24h * 3, kNow), "3 days ago");
    EXPECT_EQ(relative_time(kNow + 4min, kNow), "in 4 min");
    EXPECT_EQ(relative_time(sys_days{2026y / January / 31}, kNow), "2026-01-31");
}

TEST(FormatTest, CutsAtCharactersNotBytes) {
    EXPECT_EQ(display_width("naïve"), 5u);
    EXPECT_EQ(cut("naïve café", 6), "naïve…");
    EXPECT_EQ(cut("short", 10), "short");
    EXPECT_EQ(cut("abc", 0), "");
}

TEST(FormatTest, ColourEscapesTakeNoWidth) {
    EXPECT_EQ(display_width("\x1b[31merror\x1b[0m"), 5u);
    EXPECT_EQ(cut("\x1b[31mconnection refused\x1b[0m", 5), "\x1b[31mconn…\x1b[0m");
}

TEST(FormatTest, OneLineDropsControlCharacters) {
    EXPECT_EQ(one_line("  a\nb\t\x1b[31mred  "), "a b [31mred");
}

TEST(FormatTest, TableAlignsAndCutsOnlyTheLastColumn) {
    const auto table = format_table(
        {{"NAME"}, {"ITEMS", true}, {"TITLE"}},
        {{"bbc", "12", "BBC News - World, very long title"}, {"lwn-net", "3", "LWN"}}, 30);
    EXPECT_EQ(table,
              "NAME     ITEMS  TITLE\n"
              "bbc         12  BBC News - Wo…\n"
              "lwn-net      3  LWN\n");
    const auto uncut = format_table({{"A"}, {"B"}}, {{"x", "a very long cell"}}, std::nullopt);
    EXPECT_EQ(uncut, "A  B\nx  a very long cell\n");
}

TEST(FormatTest, HtmlToText) {
    EXPECT_EQ(html_to_text("<p>Hello &amp; <b>bye</b></p><p>Next<br/>line</p>"),
              "Hello & bye\nNext\nline");
    EXPECT_EQ(html_to_text("<ul><li>one</li><li>two</li></ul>"), "- one\n- two");
}

TEST(FormatTest, ShortDurations) {
    EXPECT_EQ(short_duration(15min), "15m");
    EXPECT_EQ(short_duration(1h), "1h");
    EXPECT_EQ(short_duration(90s), "90s");
    EXPECT_EQ(short_duration(48h), "2d");
}

}  // namespace
}  // namespace herald::cli
