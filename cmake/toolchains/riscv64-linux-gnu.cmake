# SPDX-License-Identifier: BSL-1.0
# Linux on riscv64 (riscv64-linux-gnu): Debian's g++-riscv64-linux-gnu cross compiler, tests under qemu-riscv64.
set(FUTON_CROSS_TRIPLE riscv64-linux-gnu)
set(FUTON_CROSS_PROCESSOR riscv64)
set(FUTON_QEMU qemu-riscv64)
# GCC 12 has no inline 1- and 2-byte atomic read-modify-writes on riscv64: they are calls into
# libatomic (std::atomic<bool>, std::barrier's phase), which g++ does not link by itself.
set(CMAKE_CXX_STANDARD_LIBRARIES_INIT "-latomic")
include(${CMAKE_CURRENT_LIST_DIR}/linux-gnu-cross.cmake)
