# Builds and runs tests/install/consumer against futon, in one of four ways (cmake -P script):
#
#   MODE=find_package      install the already-built futon from FUTON_BINARY_DIR into
#                          WORK_DIR/prefix, then configure the consumer with
#                          CMAKE_PREFIX_PATH=WORK_DIR/prefix and check it found that copy;
#   MODE=add_subdirectory  configure the consumer with FUTON_SOURCE_DIR, so that it adds futon's
#                          source tree as a subdirectory, and check that only the library is
#                          part of the build (no test or benchmark targets, nothing of them built);
#   MODE=fetch_content     the same through FetchContent (tests/install/fetch_consumer, whose
#                          lines must be the README's), futon's tree linked in as
#                          third_party/futon; also checks that installing the consumer installs
#                          nothing of futon (FUTON_INSTALL is off for a subproject);
#   MODE=pkg_config        install as for find_package, then compile the consumer with one
#                          compiler command and `pkg-config --cflags --libs futon`, finding only
#                          the installed futon.pc (PKG_CONFIG_LIBDIR), as a user without CMake.
#
# Each way the consumer is built with the same generator, compiler and flags as futon (so the
# test also works under the sanitizer presets), then run; it must exit 0.
#
# Variables (-D...): MODE, FUTON_SOURCE_DIR, FUTON_BINARY_DIR (find_package, pkg_config),
# CONSUMER_SOURCE_DIR, WORK_DIR, GENERATOR, and optionally GENERATOR_PLATFORM, GENERATOR_TOOLSET,
# MAKE_PROGRAM, CXX_COMPILER, CXX_FLAGS, EXE_LINKER_FLAGS, TOOLCHAIN_FILE, BUILD_CONFIG;
# PKG_CONFIG_EXECUTABLE and FUTON_VERSION (pkg_config).
cmake_minimum_required(VERSION 3.25)

foreach(required IN ITEMS MODE FUTON_SOURCE_DIR CONSUMER_SOURCE_DIR WORK_DIR GENERATOR)
  if(NOT DEFINED ${required} OR "${${required}}" STREQUAL "")
    message(FATAL_ERROR "run_install_test.cmake: -D${required}=... is required")
  endif()
endforeach()
if(NOT MODE MATCHES "^(find_package|add_subdirectory|fetch_content|pkg_config)$")
  message(FATAL_ERROR "run_install_test.cmake: MODE must be find_package, add_subdirectory, "
                      "fetch_content or pkg_config")
endif()

# Runs one step, its output going to the test's output, and stops the test if it fails.
function(run_step description)
  message(STATUS "install test (${MODE}): ${description}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result COMMAND_ECHO STDOUT)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "install test (${MODE}): ${description} failed: ${result}")
  endif()
endfunction()

set(prefix ${WORK_DIR}/prefix)
set(build ${WORK_DIR}/build)
# Start clean: a stale install or cache from an earlier run must not make the test pass.
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

# Installs the futon built in FUTON_BINARY_DIR into ${prefix}.
function(install_futon)
  if(NOT FUTON_BINARY_DIR)
    message(FATAL_ERROR "run_install_test.cmake: -DFUTON_BINARY_DIR=... is required")
  endif()
  set(config_args)
  if(BUILD_CONFIG)
    set(config_args --config ${BUILD_CONFIG})
  endif()
  run_step("install futon into ${prefix}"
           ${CMAKE_COMMAND} --install ${FUTON_BINARY_DIR} --prefix ${prefix} ${config_args})
  foreach(installed IN ITEMS include/futon/futex.hpp include/futon/config.hpp)
    if(NOT EXISTS ${prefix}/${installed})
      message(FATAL_ERROR "install test: ${installed} was not installed")
    endif()
  endforeach()
endfunction()

if(MODE STREQUAL "pkg_config")
  include(${CMAKE_CURRENT_LIST_DIR}/pkg_config_consumer.cmake)
  return()
endif()

set(config_args)
if(BUILD_CONFIG)
  set(config_args --config ${BUILD_CONFIG})
endif()

# The consumer's configure command: same toolchain as futon's build.
set(consumer_source ${CONSUMER_SOURCE_DIR})
if(MODE STREQUAL "fetch_content")
  # A user's tree: the project, its main.cpp, and futon in third_party/futon (a link to this
  # source tree, as a git submodule would be).
  set(consumer_source ${WORK_DIR}/source)
  file(MAKE_DIRECTORY ${consumer_source}/third_party)
  file(COPY ${CONSUMER_SOURCE_DIR}/CMakeLists.txt ${CONSUMER_SOURCE_DIR}/../consumer/main.cpp
       DESTINATION ${consumer_source})
  file(CREATE_LINK ${FUTON_SOURCE_DIR} ${consumer_source}/third_party/futon SYMBOLIC)
  # The README's FetchContent lines must be the ones this test runs.
  file(READ ${CONSUMER_SOURCE_DIR}/CMakeLists.txt consumer_lists)
  string(REGEX MATCH "include\\(FetchContent\\)\n[^\n]*\n[^\n]*\n" snippet "${consumer_lists}")
  file(READ ${FUTON_SOURCE_DIR}/README.md readme)
  string(FIND "${readme}" "${snippet}" at)
  if(snippet STREQUAL "" OR at EQUAL -1)
    message(FATAL_ERROR "install test: README.md does not show the FetchContent lines of "
                        "${CONSUMER_SOURCE_DIR}/CMakeLists.txt:\n${snippet}")
  endif()
endif()
set(configure ${CMAKE_COMMAND} -S ${consumer_source} -B ${build} -G ${GENERATOR})
if(GENERATOR_PLATFORM)
  list(APPEND configure -A ${GENERATOR_PLATFORM})
endif()
if(GENERATOR_TOOLSET)
  list(APPEND configure -T ${GENERATOR_TOOLSET})
endif()
foreach(pass IN ITEMS MAKE_PROGRAM CXX_COMPILER CXX_FLAGS EXE_LINKER_FLAGS TOOLCHAIN_FILE)
  if(NOT "${${pass}}" STREQUAL "")
    list(APPEND configure "-DCMAKE_${pass}=${${pass}}")
  endif()
endforeach()
if(BUILD_CONFIG)
  list(APPEND configure -DCMAKE_BUILD_TYPE=${BUILD_CONFIG})
endif()
# Only the copy under test may be found: no user or system package registry.
list(APPEND configure -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
     -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF)

if(MODE STREQUAL "find_package")
  install_futon()
  list(APPEND configure -DCMAKE_PREFIX_PATH=${prefix})
else()
  list(APPEND configure -DFUTON_SOURCE_DIR=${FUTON_SOURCE_DIR})
  # Ask CMake's file API for the target list, to see what add_subdirectory brought in.
  file(WRITE ${build}/.cmake/api/v1/query/codemodel-v2 "")
endif()

run_step("configure the consumer" ${configure})

if(MODE STREQUAL "find_package")
  # The package found must be the one just installed, not some other futon on the machine.
  file(STRINGS ${build}/CMakeCache.txt futon_dir_line REGEX "^futon_DIR:")
  string(REGEX REPLACE "^futon_DIR:[A-Z]+=" "" futon_dir "${futon_dir_line}")
  file(REAL_PATH "${prefix}" real_prefix)
  file(REAL_PATH "${futon_dir}" real_futon_dir)
  cmake_path(IS_PREFIX real_prefix "${real_futon_dir}" NORMALIZE found_ours)
  if(NOT found_ours)
    message(FATAL_ERROR "install test: find_package used '${futon_dir}', not the copy in ${prefix}")
  endif()
else()
  # Every target of the consumer's build, from the file API's codemodel reply.
  file(GLOB index_files ${build}/.cmake/api/v1/reply/index-*.json)
  list(GET index_files 0 index_file)
  file(READ ${index_file} index)
  string(JSON codemodel_file GET "${index}" reply codemodel-v2 jsonFile)
  file(READ ${build}/.cmake/api/v1/reply/${codemodel_file} codemodel)
  string(JSON target_count LENGTH "${codemodel}" configurations 0 targets)
  set(targets)
  math(EXPR last "${target_count} - 1")
  foreach(i RANGE ${last})
    string(JSON name GET "${codemodel}" configurations 0 targets ${i} name)
    list(APPEND targets ${name})
  endforeach()
  message(STATUS "install test (${MODE}): targets: ${targets}")
  # The library, the consumer, and what some generators always add; nothing of futon's tests,
  # header checks or benchmarks.
  set(allowed futon futon_consumer ALL_BUILD ZERO_CHECK INSTALL)
  set(unexpected ${targets})
  list(REMOVE_ITEM unexpected ${allowed})
  if(unexpected)
    message(FATAL_ERROR "install test: ${MODE} of futon defines more than the library: "
                        "${unexpected}")
  endif()
endif()

run_step("build the consumer" ${CMAKE_COMMAND} --build ${build} ${config_args})

if(NOT MODE STREQUAL "find_package")
  # Belt and braces: nothing test- or benchmark-like was built either.
  file(GLOB_RECURSE built_tests ${build}/*_test ${build}/*_test.exe ${build}/*_bench
       ${build}/*_bench.exe)
  if(built_tests)
    message(FATAL_ERROR "install test: the consumer's build built futon tests: ${built_tests}")
  endif()
endif()

if(MODE STREQUAL "fetch_content")
  # A subproject futon installs nothing with the user's project (FUTON_INSTALL defaults to off).
  run_step("install the consumer" ${CMAKE_COMMAND} --install ${build} --prefix ${prefix}
           ${config_args})
  file(GLOB_RECURSE installed_files ${prefix}/*)
  if(installed_files)
    message(FATAL_ERROR "install test: installing the consumer installed futon's files: "
                        "${installed_files}")
  endif()
endif()

file(READ ${build}/consumer-path-${BUILD_CONFIG}.txt consumer)
run_step("run the consumer" ${consumer})
