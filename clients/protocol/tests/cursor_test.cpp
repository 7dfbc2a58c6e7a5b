#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include <herald/client.hpp>

#include "fake_daemon.hpp"

namespace herald::client {
namespace {

TEST(CursorTest, MissingFileIsNoCursor) {
    testing::TempDir dir;
    const auto cursor = load_cursor(dir.path() / "absent");
    ASSERT_TRUE(cursor) << cursor.error().message;
    EXPECT_FALSE(cursor->has_value());
}

TEST(CursorTest, SavesAndLoadsStoreAndSeq) {
    testing::TempDir dir;
    const auto path = dir.path() / "cursor";
    ASSERT_TRUE(save_cursor(path, Cursor{"abc", 41}));
    ASSERT_TRUE(save_cursor(path, Cursor{"abc", 42}));
    const auto cursor = load_cursor(path);
    ASSERT_TRUE(cursor && *cursor);
    EXPECT_EQ(**cursor, (Cursor{"abc", 42}));
    // The temp file is renamed away, never left behind.
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "cursor.tmp"));
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                            std::filesystem::directory_iterator()),
              1);
}

TEST(CursorTest, DamagedFileIsAnErrorNotAFreshStart) {
    testing::TempDir dir;
    const auto path = dir.path() / "cursor";
    std::ofstream(path) << "{\"store\":\"x\",";
    const auto cursor = load_cursor(path);
    ASSERT_FALSE(cursor);
    EXPECT_EQ(cursor.error().kind, ClientErrorKind::kIo);
    EXPECT_NE(cursor.error().message.find(path.string()), std::string::npos);
}

TEST(CursorTest, UnwritableDirectoryIsAnError) {
    testing::TempDir dir;
    const auto saved = save_cursor(dir.path() / "no" / "such" / "cursor", Cursor{"s", 1});
    ASSERT_FALSE(saved);
    EXPECT_EQ(saved.error().kind, ClientErrorKind::kIo);
}

}  // namespace
}  // namespace herald::client
