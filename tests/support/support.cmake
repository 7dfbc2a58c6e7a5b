# herald_test_support: helpers shared by tests that cross components.
#   http_server.*  a fault-injecting HTTP/1.1 server on 127.0.0.1 (scripted responses, recorded requests)
#   http_message.* the HTTP/1.1 text it reads and writes (heads, encodings, chunks)
#   process.*      child processes, signals, temp dirs, wait_until()
add_library(herald_test_support STATIC
  ${CMAKE_CURRENT_LIST_DIR}/http_server.cpp
  ${CMAKE_CURRENT_LIST_DIR}/http_message.cpp
  ${CMAKE_CURRENT_LIST_DIR}/process.cpp)
add_library(herald::test_support ALIAS herald_test_support)
target_include_directories(herald_test_support PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(herald_test_support PUBLIC Threads::Threads PRIVATE ZLIB::ZLIB)
herald_warnings(herald_test_support)
