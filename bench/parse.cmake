# parse_bench: herald::parser against plain pugixml load_buffer on the same bytes (issue 3).
# Built, not run by ctest: bench/parse.sh generates the corpus, runs it and the peers.
add_executable(parse_bench ${CMAKE_CURRENT_LIST_DIR}/parse_bench.cpp)
target_link_libraries(parse_bench PRIVATE herald::parser pugixml::pugixml nlohmann_json::nlohmann_json)
herald_warnings(parse_bench)
