# Linux on riscv64 (riscv64-linux-gnu): Debian's g++-riscv64-linux-gnu cross compiler, tests under qemu-riscv64.
set(FUTON_CROSS_TRIPLE riscv64-linux-gnu)
set(FUTON_CROSS_PROCESSOR riscv64)
set(FUTON_QEMU qemu-riscv64)
include(${CMAKE_CURRENT_LIST_DIR}/linux-gnu-cross.cmake)
