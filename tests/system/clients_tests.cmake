# herald-tail / herald-exec / herald as real processes. The subscriber tests run against
# FakeDaemon (the daemon's wire side on real ipc sockets, clients/testing/), so every replay
# rule can be driven exactly; clients_daemon_test runs them against a real heraldd.
herald_test(clients_subscribers_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/clients_subscribers_test.cpp
  DEPS herald::test_support herald_client_testing herald::client)
add_dependencies(clients_subscribers_test herald-tail herald-exec)

if(TARGET heraldd)
  herald_test(clients_daemon_test
    SOURCES
      ${CMAKE_CURRENT_LIST_DIR}/clients_daemon_test.cpp
      ${CMAKE_CURRENT_LIST_DIR}/daemon_harness.cpp
    DEPS herald::test_support herald::client cppzmq nlohmann_json::nlohmann_json)
  target_include_directories(clients_daemon_test PRIVATE ${CMAKE_CURRENT_LIST_DIR})
  add_dependencies(clients_daemon_test
    heraldd herald herald-tail herald-exec herald-example-subscriber)
endif()
