#pragma once
// Turns SQLite failures into StoreError values: the one place that knows which SQLite result
// codes are retryable and what a user should do about each.

#include <filesystem>
#include <string_view>

#include <SQLiteCpp/Exception.h>

#include <herald/store.hpp>

namespace herald::store::detail {

[[nodiscard]] StoreError from_sqlite(const std::filesystem::path& path, int extended_code,
                                     std::string_view detail);
[[nodiscard]] StoreError from_exception(const std::filesystem::path& path,
                                        const SQLite::Exception& e);
[[nodiscard]] StoreError make_error(StoreErrorKind kind, std::string message);

}  // namespace herald::store::detail
