# Operations: metrics_file / `herald status --prometheus` and CURVE on tcp endpoints, with real
# heraldd, herald and herald-tail processes on loopback.
if(TARGET heraldd)
  herald_test(ops_system_test
    SOURCES
      ${CMAKE_CURRENT_LIST_DIR}/daemon_harness.cpp
      ${CMAKE_CURRENT_LIST_DIR}/daemon_metrics_test.cpp
      ${CMAKE_CURRENT_LIST_DIR}/daemon_curve_test.cpp
    DEPS herald::test_support heraldd_core herald::client cppzmq nlohmann_json::nlohmann_json)
  target_include_directories(ops_system_test PRIVATE ${CMAKE_CURRENT_LIST_DIR})
  add_dependencies(ops_system_test heraldd herald herald-tail)
endif()
