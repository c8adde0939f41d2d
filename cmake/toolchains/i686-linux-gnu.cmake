# SPDX-License-Identifier: BSL-1.0
# Linux on i686 (i686-linux-gnu): Debian's g++-i686-linux-gnu cross compiler.
set(FUTON_CROSS_TRIPLE i686-linux-gnu)
set(FUTON_CROSS_PROCESSOR i686)
set(FUTON_QEMU qemu-i386)
# A 32-bit target: build with a 64-bit time_t (glibc 2.34+), so deadlines and timespecs last past
# 2038 and the futex calls use futex_time64 (see src/os/linux/native_futex.cpp).
set(CMAKE_C_FLAGS_INIT "-D_TIME_BITS=64 -D_FILE_OFFSET_BITS=64")
set(CMAKE_CXX_FLAGS_INIT "-D_TIME_BITS=64 -D_FILE_OFFSET_BITS=64")
include(${CMAKE_CURRENT_LIST_DIR}/linux-gnu-cross.cmake)

# On an x86-64 host the kernel runs i386 programs itself (its 32-bit system call layer), which
# tests the real kernel's futex_time64 rather than qemu's; and qemu-i386 7.2 hangs in
# pthread_create with Debian 12's i686 glibc. So the programs are linked to find the i686 loader
# and libraries where Debian's cross packages put them, and run directly, without an emulator
# (death tests can then re-execute themselves, too).
if(CMAKE_HOST_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  set(CMAKE_EXE_LINKER_FLAGS_INIT
      "-Wl,--dynamic-linker=/usr/${FUTON_CROSS_TRIPLE}/lib/ld-linux.so.2 -Wl,-rpath,/usr/${FUTON_CROSS_TRIPLE}/lib")
  unset(CMAKE_CROSSCOMPILING_EMULATOR)
endif()
