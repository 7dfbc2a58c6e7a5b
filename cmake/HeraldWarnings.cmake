# herald's own targets build with warnings as errors; dependency headers are SYSTEM
# (imported targets), so their warnings never block us.
function(herald_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Werror -Wshadow -Wold-style-cast -Wnon-virtual-dtor)
endfunction()

# A herald component library: herald::<name>, public headers in include/.
function(herald_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(herald_${name} STATIC ${ARG_SOURCES})
  add_library(herald::${name} ALIAS herald_${name})
  target_include_directories(herald_${name}
    PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include
    PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
  target_link_libraries(herald_${name} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  set_target_properties(herald_${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  herald_warnings(herald_${name})
endfunction()

# One gtest binary per component, registered with ctest.
function(herald_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main Threads::Threads)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  herald_warnings(${name})
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60
    PROPERTIES ENVIRONMENT "HERALD_SOURCE_DIR=${PROJECT_SOURCE_DIR};HERALD_BINARY_DIR=${PROJECT_BINARY_DIR}")
endfunction()
