# End-to-end benchmark helpers (bench/e2e.sh drives heraldd, nginx, curl and newsboat).
add_executable(e2e_client ${CMAKE_CURRENT_LIST_DIR}/e2e_client.cpp)
target_link_libraries(e2e_client PRIVATE cppzmq nlohmann_json::nlohmann_json)
herald_warnings(e2e_client)
