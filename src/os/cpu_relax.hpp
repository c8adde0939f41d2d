// cpu_relax(): tell the CPU we are spinning (x86 PAUSE, ARM YIELD), so a sibling hyper-thread
// gets the core and the spin loop does not flood the memory bus.
#pragma once

namespace futon::os {

inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__) || (defined(__arm__) && __ARM_ARCH >= 7)
  asm volatile("yield" ::: "memory");
#else
  asm volatile("" ::: "memory");
#endif
}

}  // namespace futon::os
