// RFC 3986 section 5.4's examples, plus the cases feeds produce.
#include "urls.hpp"

#include <gtest/gtest.h>

namespace herald::parser::detail {
namespace {

constexpr std::string_view kBase = "http://a/b/c/d;p?q";

TEST(Urls, ResolvesNormalExamples) {
    EXPECT_EQ(resolve_url(kBase, "g:h"), "g:h");
    EXPECT_EQ(resolve_url(kBase, "g"), "http://a/b/c/g");
    EXPECT_EQ(resolve_url(kBase, "./g"), "http://a/b/c/g");
    EXPECT_EQ(resolve_url(kBase, "g/"), "http://a/b/c/g/");
    EXPECT_EQ(resolve_url(kBase, "/g"), "http://a/g");
    EXPECT_EQ(resolve_url(kBase, "//g"), "http://g");
    EXPECT_EQ(resolve_url(kBase, "?y"), "http://a/b/c/d;p?y");
    EXPECT_EQ(resolve_url(kBase, "g?y"), "http://a/b/c/g?y");
    EXPECT_EQ(resolve_url(kBase, "#s"), "http://a/b/c/d;p?q#s");
    EXPECT_EQ(resolve_url(kBase, "g#s"), "http://a/b/c/g#s");
    EXPECT_EQ(resolve_url(kBase, ";x"), "http://a/b/c/;x");
    EXPECT_EQ(resolve_url(kBase, ""), "http://a/b/c/d;p?q");
    EXPECT_EQ(resolve_url(kBase, "."), "http://a/b/c/");
    EXPECT_EQ(resolve_url(kBase, "./"), "http://a/b/c/");
    EXPECT_EQ(resolve_url(kBase, ".."), "http://a/b/");
    EXPECT_EQ(resolve_url(kBase, "../"), "http://a/b/");
    EXPECT_EQ(resolve_url(kBase, "../g"), "http://a/b/g");
    EXPECT_EQ(resolve_url(kBase, "../.."), "http://a/");
    EXPECT_EQ(resolve_url(kBase, "../../g"), "http://a/g");
}

TEST(Urls, ResolvesAbnormalExamples) {
    EXPECT_EQ(resolve_url(kBase, "../../../g"), "http://a/g");
    EXPECT_EQ(resolve_url(kBase, "/./g"), "http://a/g");
    EXPECT_EQ(resolve_url(kBase, "/../g"), "http://a/g");
    EXPECT_EQ(resolve_url(kBase, "g."), "http://a/b/c/g.");
    EXPECT_EQ(resolve_url(kBase, "..g"), "http://a/b/c/..g");
    EXPECT_EQ(resolve_url(kBase, "./g/."), "http://a/b/c/g/");
    EXPECT_EQ(resolve_url(kBase, "g/../h"), "http://a/b/c/h");
    EXPECT_EQ(resolve_url(kBase, "g;x=1/../y"), "http://a/b/c/y");
    EXPECT_EQ(resolve_url(kBase, "g?y/./x"), "http://a/b/c/g?y/./x");
    EXPECT_EQ(resolve_url(kBase, "g#s/../x"), "http://a/b/c/g#s/../x");
}

TEST(Urls, KeepsReferenceWhenThereIsNoUsableBase) {
    EXPECT_EQ(resolve_url("", "posts/1"), "posts/1");
    EXPECT_EQ(resolve_url("not a url", "posts/1"), "posts/1");
    EXPECT_EQ(resolve_url("", "  https://example.org/  "), "https://example.org/");
}

TEST(Urls, ResolvesAgainstHostWithoutPath) {
    EXPECT_EQ(resolve_url("https://example.org", "feed"), "https://example.org/feed");
}

TEST(Urls, RecognisesSchemes) {
    EXPECT_TRUE(has_scheme("tag:example.org,2003:1"));
    EXPECT_TRUE(has_scheme("urn:uuid:1"));
    EXPECT_FALSE(has_scheme("/path:with-colon"));
    EXPECT_FALSE(has_scheme("1abc:x"));
}

}  // namespace
}  // namespace herald::parser::detail
