# SPDX-License-Identifier: BSL-1.0
# Linux on armv7l (arm-linux-gnueabihf): Debian's g++-arm-linux-gnueabihf cross compiler, tests under qemu-arm.
set(FUTON_CROSS_TRIPLE arm-linux-gnueabihf)
set(FUTON_CROSS_PROCESSOR armv7l)
set(FUTON_QEMU qemu-arm)
# A 32-bit target: build with a 64-bit time_t (glibc 2.34+), so deadlines and timespecs last past
# 2038 and the futex calls use futex_time64 (see src/os/linux/native_futex.cpp).
set(CMAKE_C_FLAGS_INIT "-D_TIME_BITS=64 -D_FILE_OFFSET_BITS=64")
set(CMAKE_CXX_FLAGS_INIT "-D_TIME_BITS=64 -D_FILE_OFFSET_BITS=64")
include(${CMAKE_CURRENT_LIST_DIR}/linux-gnu-cross.cmake)
