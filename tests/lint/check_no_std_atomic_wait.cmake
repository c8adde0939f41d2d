# SPDX-License-Identifier: BSL-1.0
# Fails if a test that runs under wine waits on std::atomic<T>::wait, std::binary_semaphore,
# std::counting_semaphore, std::latch or std::barrier (see tests/support/std_flag.hpp).
# tests/stress/ runs natively only (scripts/test-windows.sh leaves the stress label out), and
# tests/compile_fail/ and tests/lint/ only name these types.
cmake_minimum_required(VERSION 3.25)
file(GLOB_RECURSE sources "${TESTS_DIR}/*.cpp" "${TESTS_DIR}/*.hpp")
set(forbidden
    "std::binary_semaphore" "std::counting_semaphore" "std::latch[^_a-z]" "std::barrier[^_a-z]"
    # std::atomic<bool>::wait / std::atomic_flag::wait on a literal: the form tests used.
    "\\.wait\\((false|true)[,)]" "\\.test_and_set\\(\\)[^;]*wait")
list(JOIN forbidden "|" any_forbidden)
include(${CMAKE_CURRENT_LIST_DIR}/lint_lines.cmake)
set(offenders "")
foreach(source IN LISTS sources)
  if(source MATCHES "/tests/(stress|compile_fail|lint)/")
    continue()
  endif()
  lint_matching_lines("${source}" "${any_forbidden}" found)
  cmake_path(RELATIVE_PATH source BASE_DIRECTORY "${TESTS_DIR}" OUTPUT_VARIABLE shown)
  foreach(entry IN LISTS found)
    string(APPEND offenders "  tests/${shown}:${entry}\n")
  endforeach()
endforeach()
if(offenders)
  message(FATAL_ERROR "std atomic waits in tests that run under wine (use "
                      "futon::testing::std_flag, tests/support/std_flag.hpp):\n${offenders}")
endif()
message(STATUS "no std atomic waits in ${TESTS_DIR}")
