# ctest script: `systemd-analyze verify` must print nothing about the unit and
# `systemd-analyze security --offline=true` must score it <= 2.0.
execute_process(COMMAND ${ANALYZE} verify ${UNIT}
  RESULT_VARIABLE verify_rc OUTPUT_VARIABLE verify_out ERROR_VARIABLE verify_err)
string(REGEX MATCHALL "[^\n]*herald[^\n]*" complaints "${verify_out}${verify_err}")
if(complaints)
  message(FATAL_ERROR "systemd-analyze verify complains:\n${verify_out}${verify_err}")
endif()
execute_process(COMMAND ${ANALYZE} security --offline=true --no-pager ${UNIT}
  RESULT_VARIABLE security_rc OUTPUT_VARIABLE security_out ERROR_VARIABLE security_err)
string(REGEX MATCH "Overall exposure level for [^:]*: ([0-9]+\\.[0-9]+)" match "${security_out}")
if(NOT match)
  message(FATAL_ERROR "no exposure level in:\n${security_out}${security_err}")
endif()
if(CMAKE_MATCH_1 GREATER 2.0)
  message(FATAL_ERROR "exposure ${CMAKE_MATCH_1} > 2.0:\n${security_out}")
endif()
message(STATUS "systemd-analyze security: ${CMAKE_MATCH_1}")
