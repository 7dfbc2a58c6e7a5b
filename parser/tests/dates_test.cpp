#include <gtest/gtest.h>

#include <herald/parser.hpp>

namespace herald::parser {
namespace {

TEST(Dates, RejectsEmpty) { EXPECT_FALSE(parse_date("").has_value()); }

}  // namespace
}  // namespace herald::parser
