# SPDX-License-Identifier: BSL-1.0
# Cross-compiling futon for Linux on another CPU with Debian's cross compilers, and running the
# results under qemu-user. Not used on its own: each <triple>.cmake beside this file sets
# FUTON_CROSS_TRIPLE, FUTON_CROSS_PROCESSOR and FUTON_QEMU, then includes it.
#
#   apt-get install g++-<triple> qemu-user
#   cmake -B build/aarch64 -G Ninja --toolchain cmake/toolchains/aarch64-linux-gnu.cmake
#   cmake --build build/aarch64 && ctest --test-dir build/aarch64
#
# CMAKE_CROSSCOMPILING_EMULATOR makes gtest_discover_tests and ctest run the test programs under
# qemu, with the target's libraries from /usr/<triple> (where Debian's cross packages put them).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR ${FUTON_CROSS_PROCESSOR})

set(CMAKE_C_COMPILER ${FUTON_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${FUTON_CROSS_TRIPLE}-g++)

set(CMAKE_FIND_ROOT_PATH /usr/${FUTON_CROSS_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

set(CMAKE_CROSSCOMPILING_EMULATOR ${FUTON_QEMU} -L /usr/${FUTON_CROSS_TRIPLE})
# gtest_discover_tests lists a program's tests when ctest runs, not right after linking: under
# qemu a listing can take longer than a discovery timeout while the build loads the machine, and
# building then needs no emulator.
set(CMAKE_GTEST_DISCOVER_TESTS_DISCOVERY_MODE PRE_TEST)
