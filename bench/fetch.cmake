# fetch_bench: herald's Fetcher polling a URL list; bench/fetch.sh runs it against nginx and
# compares with curl --parallel.
add_executable(fetch_bench ${CMAKE_CURRENT_LIST_DIR}/fetch_bench.cpp)
target_link_libraries(fetch_bench PRIVATE herald::fetcher)
herald_warnings(fetch_bench)
