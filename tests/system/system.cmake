# System tests: real programs, real sockets, real signals. Each area keeps its own fragment.
include(${CMAKE_CURRENT_LIST_DIR}/daemon_tests.cmake OPTIONAL)
include(${CMAKE_CURRENT_LIST_DIR}/clients_tests.cmake OPTIONAL)
