# SPDX-License-Identifier: BSL-1.0
# Linux on aarch64 (aarch64-linux-gnu): Debian's g++-aarch64-linux-gnu cross compiler, tests under qemu-aarch64.
set(FUTON_CROSS_TRIPLE aarch64-linux-gnu)
set(FUTON_CROSS_PROCESSOR aarch64)
set(FUTON_QEMU qemu-aarch64)
include(${CMAKE_CURRENT_LIST_DIR}/linux-gnu-cross.cmake)
