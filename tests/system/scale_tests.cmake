# Past one machine and the faults of issue 8: three heraldd shards behind herald-proxy
# (docs/scaling.md), DNS failure in a network namespace, a subscriber that never reads, and
# the commit-trace hook behind the latency figures.
if(TARGET heraldd AND TARGET herald-proxy)
  herald_test(scaling_system_test
    SOURCES
      ${CMAKE_CURRENT_LIST_DIR}/daemon_harness.cpp
      ${CMAKE_CURRENT_LIST_DIR}/scaling_test.cpp
    DEPS herald::test_support cppzmq nlohmann_json::nlohmann_json)
  target_include_directories(scaling_system_test PRIVATE ${CMAKE_CURRENT_LIST_DIR})
  add_dependencies(scaling_system_test heraldd herald-proxy)
endif()
if(TARGET heraldd AND TARGET herald-tail)
  herald_test(daemon_faults2_test
    SOURCES
      ${CMAKE_CURRENT_LIST_DIR}/daemon_harness.cpp
      ${CMAKE_CURRENT_LIST_DIR}/daemon_faults2_test.cpp
      ${CMAKE_CURRENT_LIST_DIR}/daemon_trace_test.cpp
    DEPS herald::test_support herald::store cppzmq nlohmann_json::nlohmann_json)
  target_include_directories(daemon_faults2_test PRIVATE ${CMAKE_CURRENT_LIST_DIR})
  add_dependencies(daemon_faults2_test heraldd herald-tail)
endif()
