# SPDX-License-Identifier: BSL-1.0
# Fails if a test program forks (fork(), or tests/interprocess's child_process, child_on,
# children_on) but its futon_add_test(...) in the directory's CMakeLists.txt lacks `LABEL fork`.
# The tsan preset leaves that label out: ThreadSanitizer does not support a fork from a
# multithreaded process, and such a child hung in CI (tests/CMakeLists.txt says more). Files
# under ${TESTS_DIR}/lint/ (this check's own planted case) and headers (support code) are not
# programs of their own.
cmake_minimum_required(VERSION 3.25)
file(GLOB_RECURSE sources "${TESTS_DIR}/*.cpp")
set(forking "(^|[^_a-z])fork\\(\\)|child_process[ ({]|children?_on\\(")
include(${CMAKE_CURRENT_LIST_DIR}/lint_lines.cmake)
set(offenders "")
foreach(source IN LISTS sources)
  if(source MATCHES "^${TESTS_DIR}/lint/")
    continue()
  endif()
  lint_matching_lines("${source}" "${forking}" forks)
  if(NOT forks)
    continue()
  endif()
  # The futon_add_test call that names this file, in the same directory's CMakeLists.txt.
  cmake_path(GET source PARENT_PATH directory)
  cmake_path(GET source FILENAME file_name)
  cmake_path(RELATIVE_PATH source BASE_DIRECTORY "${TESTS_DIR}" OUTPUT_VARIABLE shown)
  set(registration "")
  if(EXISTS "${directory}/CMakeLists.txt")
    file(STRINGS "${directory}/CMakeLists.txt" cmake_lines REGEX "futon_add_test\\(")
    foreach(cmake_line IN LISTS cmake_lines)
      if(cmake_line MATCHES "[ (]${file_name}[ )]")
        set(registration "${cmake_line}")
      endif()
    endforeach()
  endif()
  if(registration STREQUAL "")
    string(APPEND offenders "  ${shown}: forks, and no futon_add_test line names it\n")
  elseif(NOT registration MATCHES "LABEL fork[ )]")
    string(APPEND offenders "  ${shown}: forks; its registration lacks LABEL fork: ${registration}\n")
  endif()
endforeach()
if(offenders)
  message(FATAL_ERROR "test programs that fork without the `fork` label (tests/CMakeLists.txt):\n"
                      "${offenders}")
endif()
message(STATUS "every forking test program in ${TESTS_DIR} carries LABEL fork")
