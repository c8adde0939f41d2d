# SPDX-License-Identifier: BSL-1.0
# Linux on ppc64le (powerpc64le-linux-gnu): Debian's g++-powerpc64le-linux-gnu cross compiler, tests under qemu-ppc64le.
set(FUTON_CROSS_TRIPLE powerpc64le-linux-gnu)
set(FUTON_CROSS_PROCESSOR ppc64le)
set(FUTON_QEMU qemu-ppc64le)
include(${CMAKE_CURRENT_LIST_DIR}/linux-gnu-cross.cmake)
