# herald::config: the TOML configuration, shared by heraldd and every client program.
add_library(herald_config STATIC
  ${CMAKE_CURRENT_LIST_DIR}/config/src/config.cpp
  ${CMAKE_CURRENT_LIST_DIR}/config/src/curve_keys.cpp
  ${CMAKE_CURRENT_LIST_DIR}/config/src/lookup.cpp
  ${CMAKE_CURRENT_LIST_DIR}/config/src/values.cpp)
add_library(herald::config ALIAS herald_config)
target_include_directories(herald_config
  PUBLIC ${CMAKE_CURRENT_LIST_DIR}/config/include
  PRIVATE ${CMAKE_CURRENT_LIST_DIR}/config/src)
target_link_libraries(herald_config PUBLIC tl::expected PRIVATE tomlplusplus::tomlplusplus)
target_compile_definitions(herald_config PRIVATE HERALD_VERSION="${PROJECT_VERSION}")
set_target_properties(herald_config PROPERTIES POSITION_INDEPENDENT_CODE ON)
herald_warnings(herald_config)

if(HERALD_TESTS)
  herald_test(config_test
    SOURCES
      ${CMAKE_CURRENT_LIST_DIR}/tests/config_test.cpp
      ${CMAKE_CURRENT_LIST_DIR}/config/tests/curve_keys_test.cpp
    DEPS herald::config)
endif()

# heraldd: the daemon. Its pieces are a private library so unit tests can link them.
add_library(heraldd_core STATIC
  ${CMAKE_CURRENT_LIST_DIR}/src/curve.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/daemon.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/daemon_control.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/ingest.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/logging.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/metrics.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/pipeline.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/sockets.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/system.cpp)
target_include_directories(heraldd_core PUBLIC ${CMAKE_CURRENT_LIST_DIR}/src)
target_link_libraries(heraldd_core PUBLIC
  herald::config herald::store herald::fetcher herald::parser
  cppzmq spdlog::spdlog fmt::fmt nlohmann_json::nlohmann_json PkgConfig::SYSTEMD Threads::Threads)
herald_warnings(heraldd_core)

add_executable(heraldd ${CMAKE_CURRENT_LIST_DIR}/src/main.cpp)
target_link_libraries(heraldd PRIVATE heraldd_core CLI11::CLI11)
target_compile_definitions(heraldd PRIVATE
  HERALD_EXAMPLES_SOURCE_DIR="${PROJECT_SOURCE_DIR}/examples/feeds"
  HERALD_EXAMPLES_INSTALL_DIR="${CMAKE_INSTALL_FULL_DATADIR}/herald/examples/feeds")
herald_warnings(heraldd)
install(TARGETS heraldd RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/examples/feeds
  DESTINATION ${CMAKE_INSTALL_DATADIR}/herald/examples
  FILES_MATCHING PATTERN "*.xml" PATTERN "*.json" PATTERN "*.atom" PATTERN "*.rss")

if(HERALD_TESTS)
  herald_test(daemon_test
    SOURCES
      ${CMAKE_CURRENT_LIST_DIR}/tests/ingest_test.cpp
      ${CMAKE_CURRENT_LIST_DIR}/tests/plumbing_test.cpp
      ${CMAKE_CURRENT_LIST_DIR}/tests/pipeline_test.cpp
    DEPS heraldd_core)
endif()
