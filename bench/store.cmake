# store_bench: the store against raw SQLite doing the same work (issue 4). Built, not run by
# ctest: `build/bin/store_bench --items 200000` (see docs/performance.md).
add_executable(store_bench ${CMAKE_CURRENT_LIST_DIR}/store_bench.cpp)
target_link_libraries(store_bench PRIVATE herald::store SQLiteCpp SQLite::SQLite3)
herald_warnings(store_bench)
