# SPDX-License-Identifier: BSL-1.0
# cmake -DNM=<nm> -DLIBRARY=<libfuton> -DCONFIG_HEADER=<futon/config.hpp> -P check_library_symbols.cmake
# Fails when a symbol the library defines names futon:: outside futon::v<FUTON_ABI_VERSION>::,
# or when it defines none inside (the check would then prove nothing).
file(STRINGS "${CONFIG_HEADER}" abi_line REGEX "^#define FUTON_ABI_VERSION [0-9]+$")
if(NOT abi_line MATCHES "FUTON_ABI_VERSION ([0-9]+)$")
  message(FATAL_ERROR "no FUTON_ABI_VERSION in ${CONFIG_HEADER}")
endif()
set(abi "futon::v${CMAKE_MATCH_1}::")

execute_process(COMMAND "${NM}" -C --defined-only "${LIBRARY}"
                OUTPUT_VARIABLE symbols ERROR_VARIABLE nm_errors RESULT_VARIABLE nm_result)
if(NOT nm_result EQUAL 0)
  message(FATAL_ERROR "${NM} ${LIBRARY} failed (${nm_result}): ${nm_errors}")
endif()

string(REPLACE ";" "\\;" symbols "${symbols}")
string(REPLACE "\n" ";" symbols "${symbols}")
set(inside 0)
set(outside)
foreach(symbol IN LISTS symbols)
  if(NOT symbol MATCHES "futon::")
    continue()
  endif()
  string(REPLACE "${abi}" "" rest "${symbol}")
  if(rest MATCHES "futon::")
    string(APPEND outside "\n  ${symbol}")
  elseif(NOT rest STREQUAL symbol)
    math(EXPR inside "${inside} + 1")
  endif()
endforeach()
if(outside)
  message(FATAL_ERROR "symbols of ${LIBRARY} outside ${abi}:${outside}")
endif()
if(inside EQUAL 0)
  message(FATAL_ERROR "no symbol of ${LIBRARY} in ${abi}: is the library empty, or nm wrong?")
endif()
message(STATUS "${inside} symbols of ${LIBRARY}, all in ${abi}")
