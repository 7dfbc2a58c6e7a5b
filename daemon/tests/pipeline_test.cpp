// The pipeline's byte budget: what it holds between fetch and commit stops new requests.
#include "pipeline.hpp"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "system.hpp"

namespace herald::daemon {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr std::size_t kMiB = std::size_t{1} << 20;

class TempFeeds {
public:
    TempFeeds() {
        std::string pattern = (fs::temp_directory_path() / "herald-pipeline.XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        dir_ = pattern;
    }
    ~TempFeeds() {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    TempFeeds(const TempFeeds&) = delete;
    TempFeeds& operator=(const TempFeeds&) = delete;

    // An RSS feed of exactly `size` bytes (one item, its description padded).
    std::string write(const std::string& name, std::size_t size) const {
        const std::string head =
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel>"
            "<title>t</title><item><guid>g</guid><description>";
        const std::string tail = "</description></item></channel></rss>\n";
        std::ofstream out(dir_ / name, std::ios::binary);
        out << head << std::string(size - head.size() - tail.size(), 'x') << tail;
        return "file://" + (dir_ / name).string();
    }

private:
    fs::path dir_;
};

TEST(Pipeline, HeldBodiesStopNewRequestsUntilTaken) {
    fetcher::CurlGlobal curl;
    WakeFd wake;
    Pipeline pipeline(curl, fetcher::FetcherOptions{}, 1, wake);
    // Nothing fetched yet: each request is expected at twice a 64 KiB guess.
    EXPECT_EQ(pipeline.room(), Pipeline::kByteBudget / (2 * 64 * 1024));

    TempFeeds feeds;
    constexpr std::size_t kFeeds = 7;  // 7 MiB held: more than the 6 MiB budget
    std::vector<fetcher::FetchRequest> requests;
    for (std::size_t i = 0; i < kFeeds; ++i) {
        fetcher::FetchRequest request;
        request.token = i + 1;
        request.url = feeds.write("feed-" + std::to_string(i) + ".xml", kMiB);
        request.allow_file = true;
        requests.push_back(std::move(request));
    }
    pipeline.submit(std::move(requests));

    // Bounded: 20 s for seven local files, fetched and parsed.
    std::vector<FetchResult> results;
    bool saw_no_room = false;
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline) {
        // Nothing is taken until the budget has closed: all seven held certainly close it.
        if (!saw_no_room) saw_no_room = pipeline.room() == 0;
        if (saw_no_room) {
            for (auto& result : pipeline.take_results()) results.push_back(std::move(result));
            if (results.size() == kFeeds) break;
        }
        std::this_thread::sleep_for(5ms);  // polling a counter, not synchronising on it
    }
    ASSERT_TRUE(saw_no_room) << "7 MiB held never closed the 6 MiB budget";
    ASSERT_EQ(results.size(), kFeeds);
    for (const auto& result : results) {
        EXPECT_EQ(result.held_bytes, kMiB);
        ASSERT_TRUE(result.parsed.has_value());
        EXPECT_TRUE(result.parsed->has_value()) << result.parsed->error().message;
    }
    // Taken by the main thread: the budget is free again, and the next requests are expected
    // at twice the mean body seen (1 MiB).
    EXPECT_EQ(pipeline.room(), Pipeline::kByteBudget / (2 * kMiB));
}

}  // namespace
}  // namespace herald::daemon
