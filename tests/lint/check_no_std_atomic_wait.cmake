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
set(offenders "")
foreach(source IN LISTS sources)
  if(source MATCHES "/tests/(stress|compile_fail|lint)/")
    continue()
  endif()
  file(STRINGS "${source}" lines)
  set(number 0)
  foreach(line IN LISTS lines)
    math(EXPR number "${number} + 1")
    if(line MATCHES "^[ \t]*//")  # a comment may name them
      continue()
    endif()
    foreach(pattern IN LISTS forbidden)
      if(line MATCHES "${pattern}")
        cmake_path(RELATIVE_PATH source BASE_DIRECTORY "${TESTS_DIR}" OUTPUT_VARIABLE shown)
        string(APPEND offenders "  tests/${shown}:${number}: ${line}\n")
      endif()
    endforeach()
  endforeach()
endforeach()
if(offenders)
  message(FATAL_ERROR "std atomic waits in tests that run under wine (use "
                      "futon::testing::std_flag, tests/support/std_flag.hpp):\n${offenders}")
endif()
message(STATUS "no std atomic waits in ${TESTS_DIR}")
