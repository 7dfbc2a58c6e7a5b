#pragma once
// Shared by the fetcher tests: one CurlGlobal per test binary's tests, and a bounded wait for
// outcomes.
#include <chrono>
#include <vector>

#include <gtest/gtest.h>

#include <herald/fetcher.hpp>

#include "http_server.hpp"

namespace herald::fetcher::testing {

using namespace std::chrono_literals;

// Options with short timeouts, so failure tests stay fast.
inline FetcherOptions test_options() {
    FetcherOptions options;
    options.timeout = 5s;
    options.connect_timeout = 2s;
    return options;
}

// Polls until `count` outcomes arrived or `timeout` passed; returns what arrived.
inline std::vector<FetchOutcome> collect(Fetcher& fetcher, std::size_t count,
                                         Milliseconds timeout = 10s) {
    std::vector<FetchOutcome> outcomes;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (outcomes.size() < count && std::chrono::steady_clock::now() < deadline) {
        for (auto& outcome : fetcher.poll(100ms)) outcomes.push_back(std::move(outcome));
    }
    return outcomes;
}

inline FetchOutcome fetch(Fetcher& fetcher, FetchRequest request, Milliseconds timeout = 10s) {
    fetcher.submit(std::move(request));
    auto outcomes = collect(fetcher, 1, timeout);
    if (outcomes.empty()) {
        ADD_FAILURE() << "no outcome within the timeout";
        return {};
    }
    return std::move(outcomes.front());
}

inline FetchRequest request_for(std::string url, std::uint64_t token = 1) {
    FetchRequest request;
    request.token = token;
    request.url = std::move(url);
    return request;
}

class FetcherTest : public ::testing::Test {
protected:
    CurlGlobal curl_;
    test::HttpServer server_;
};

}  // namespace herald::fetcher::testing
