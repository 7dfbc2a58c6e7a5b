# Fails when a component includes a header it must not (see docs/architecture.md):
# parser knows no network, database, sockets or logging; fetcher knows no database or parser;
# store knows no network or sockets; clients reach the daemon only through the contract.
set(rules
  "parser|herald/(fetcher|store|daemon|config|client)|curl/|sqlite|SQLiteCpp|zmq|spdlog"
  "fetcher|herald/(store|daemon|parser|config|client)|sqlite|SQLiteCpp|zmq"
  "store|herald/(fetcher|daemon|config|client)|curl/|zmq"
  "clients|herald/daemon\\.hpp|curl/")
set(failures "")
foreach(rule IN LISTS rules)
  string(FIND "${rule}" "|" bar)
  string(SUBSTRING "${rule}" 0 ${bar} component)
  math(EXPR start "${bar} + 1")
  string(SUBSTRING "${rule}" ${start} -1 forbidden)
  file(GLOB_RECURSE files "${SOURCE_DIR}/${component}/*.hpp" "${SOURCE_DIR}/${component}/*.cpp")
  foreach(f IN LISTS files)
    file(STRINGS "${f}" includes REGEX "^[ \t]*#[ \t]*include")
    foreach(line IN LISTS includes)
      if(line MATCHES "[<\"](${forbidden})")
        list(APPEND failures "${f}: ${line}")
      endif()
    endforeach()
  endforeach()
endforeach()
if(failures)
  list(JOIN failures "\n" text)
  message(FATAL_ERROR "forbidden includes:\n${text}")
endif()
message(STATUS "layering ok")
