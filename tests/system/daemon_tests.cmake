# heraldd system tests: real heraldd processes, ipc sockets in temp dirs, real signals.
if(TARGET heraldd)
  herald_test(daemon_system_test
    SOURCES
      ${CMAKE_CURRENT_LIST_DIR}/daemon_harness.cpp
      ${CMAKE_CURRENT_LIST_DIR}/daemon_events_test.cpp
      ${CMAKE_CURRENT_LIST_DIR}/daemon_process_test.cpp
      ${CMAKE_CURRENT_LIST_DIR}/daemon_crash_test.cpp
      ${CMAKE_CURRENT_LIST_DIR}/daemon_http_test.cpp
    DEPS herald::test_support herald::store cppzmq nlohmann_json::nlohmann_json)
  target_include_directories(daemon_system_test PRIVATE ${CMAKE_CURRENT_LIST_DIR})
  add_dependencies(daemon_system_test heraldd)
endif()
