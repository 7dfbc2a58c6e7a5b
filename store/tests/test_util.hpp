#pragma once
// Helpers shared by the store tests: a temp directory, item and outcome builders.

#include <filesystem>
#include <random>
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>

#include <herald/store.hpp>

namespace herald::store::testing {

class TempDir {
public:
    TempDir() {
        std::random_device random;
        path_ = std::filesystem::temp_directory_path() /
                ("herald-store-" + std::to_string(::getpid()) + "-" + std::to_string(random()));
        std::filesystem::create_directories(path_);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

inline parser::Item make_item(std::string guid, std::string title, std::string content = "body") {
    parser::Item item;
    if (!guid.empty()) item.id = guid;
    item.title = std::move(title);
    item.link = "https://example.org/" + (guid.empty() ? *item.title : guid);
    item.content = std::move(content);
    item.published = parser::Time(std::chrono::seconds(1'700'000'000));
    return item;
}

inline FeedOutcome parsed_outcome(std::int64_t feed_id, std::vector<parser::Item> items,
                                  std::string title = "Example") {
    FeedOutcome outcome;
    outcome.feed_id = feed_id;
    outcome.at = Clock::time_point(std::chrono::milliseconds(1'700'000'100'123));
    parser::ParsedFeed parsed;
    parsed.feed.title = std::move(title);
    parsed.items = std::move(items);
    outcome.parsed = std::move(parsed);
    outcome.fetch.last_status = 200;
    return outcome;
}

template <typename T>
T must(Result<T> result) {
    if (!result) ADD_FAILURE() << "store error: " << result.error().message;
    return std::move(*result);
}

inline void must(Result<void> result) {
    if (!result) ADD_FAILURE() << "store error: " << result.error().message;
}

inline ApplyResult apply_one(Store& store, FeedOutcome outcome) {
    return must(store.apply(std::span<const FeedOutcome>(&outcome, 1)));
}

}  // namespace herald::store::testing
