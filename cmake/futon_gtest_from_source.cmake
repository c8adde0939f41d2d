# SPDX-License-Identifier: BSL-1.0
# GoogleTest for cross builds (mingw-w64, Linux on other CPUs, macOS through zig).
#
# Native builds use Debian's libgtest-dev through find_package(GTest REQUIRED) in
# tests/CMakeLists.txt. A cross build cannot link the host's prebuilt libgtest, so it first looks
# for a GoogleTest of the target (a sysroot that ships one), and otherwise builds the sources
# that Debian's googletest package keeps in /usr/src/googletest with the cross compiler, inside
# this build. Nothing is downloaded. FUTON_GTEST_SOURCE_DIR points elsewhere if needed.
#
# Either way the targets GTest::gtest and GTest::gtest_main exist afterwards, and so does
# Threads::Threads, as after the native find_package(GTest) (whose config finds Threads in the
# caller's scope; GoogleTest's own sources find it only in their subdirectory).
find_package(Threads REQUIRED)
find_package(GTest QUIET)
if(GTest_FOUND)
  return()
endif()

set(FUTON_GTEST_SOURCE_DIR "/usr/src/googletest" CACHE PATH
    "GoogleTest sources to build for cross builds (Debian: apt-get install googletest)")
if(NOT EXISTS "${FUTON_GTEST_SOURCE_DIR}/googletest/CMakeLists.txt")
  message(FATAL_ERROR "futon: cross build without a GoogleTest for the target, and no GoogleTest "
                      "sources in FUTON_GTEST_SOURCE_DIR=${FUTON_GTEST_SOURCE_DIR} "
                      "(apt-get install googletest)")
endif()

# Only gtest (no gmock), not installed with futon, and its warnings are not ours.
set(BUILD_GMOCK OFF CACHE BOOL "" FORCE)
set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
set(gtest_force_shared_crt ON CACHE BOOL "" FORCE)
add_subdirectory("${FUTON_GTEST_SOURCE_DIR}/googletest" "${CMAKE_BINARY_DIR}/_googletest"
                 EXCLUDE_FROM_ALL SYSTEM)
# GoogleTest 1.11+ defines the GTest:: aliases itself; older sources do not.
if(NOT TARGET GTest::gtest)
  add_library(GTest::gtest ALIAS gtest)
  add_library(GTest::gtest_main ALIAS gtest_main)
endif()
message(STATUS "futon: building GoogleTest from ${FUTON_GTEST_SOURCE_DIR} for the target")
