# SPDX-License-Identifier: BSL-1.0
# Cross-compiling futon for 64-bit Windows with mingw-w64 (Debian: g++-mingw-w64-x86-64-posix,
# the variant whose libstdc++ has std::thread), and running the tests under wine.
#
#   apt-get install g++-mingw-w64-x86-64-posix wine
#   cmake -B build/windows -G Ninja --toolchain cmake/toolchains/mingw-w64-x86_64.cmake
#   cmake --build build/windows && ctest --test-dir build/windows
#
# scripts/test-windows.sh does all of it. Programs are linked statically (libgcc, libstdc++,
# winpthread), so they run with nothing but Windows' own DLLs: under wine, and when copied to a
# Windows 8+ machine. CMAKE_CROSSCOMPILING_EMULATOR makes gtest_discover_tests and ctest run them
# under wine.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(futon_mingw_triple x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${futon_mingw_triple}-gcc-posix)
set(CMAKE_CXX_COMPILER ${futon_mingw_triple}-g++-posix)
set(CMAKE_RC_COMPILER ${futon_mingw_triple}-windres)

set(CMAKE_FIND_ROOT_PATH /usr/${futon_mingw_triple})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")

find_program(FUTON_WINE NAMES wine wine64)
if(FUTON_WINE)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${FUTON_WINE})
endif()
# gtest_discover_tests lists a program's tests when ctest runs, not right after linking: starting
# a program under wine while the build loads the machine can outlast a discovery timeout, and
# building then needs no wine at all.
set(CMAKE_GTEST_DISCOVER_TESTS_DISCOVERY_MODE PRE_TEST)
