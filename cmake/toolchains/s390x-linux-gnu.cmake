# SPDX-License-Identifier: BSL-1.0
# Linux on s390x (s390x-linux-gnu): Debian's g++-s390x-linux-gnu cross compiler, tests under qemu-s390x.
set(FUTON_CROSS_TRIPLE s390x-linux-gnu)
set(FUTON_CROSS_PROCESSOR s390x)
set(FUTON_QEMU qemu-s390x)
include(${CMAKE_CURRENT_LIST_DIR}/linux-gnu-cross.cmake)
