// SPDX-License-Identifier: BSL-1.0
// Spinning before sleeping, calibrated for a small x86-64 / ARM server.
//
// Measured on the 2-core development machine: one PAUSE takes about 25 ns, and handing a wake to
// a thread sleeping on the other core takes about 40 us before it runs. A thread that finds a
// lock held therefore spins for at most spin_limit relax steps (64 x ~25 ns = ~1.6 us): long
// enough to outlast a typical critical section of tens to hundreds of nanoseconds, and under
// 5 % of the cost of the sleep and wake it avoids, so losing the bet wastes little.
#pragma once

#include <atomic>
#if defined(_MSC_VER) && !defined(__clang__) && (defined(_M_X64) || defined(_M_IX86))
#include <immintrin.h>  // _mm_pause
#elif defined(_MSC_VER) && !defined(__clang__) && defined(_M_ARM64)
#include <intrin.h>  // __yield
#endif

namespace futon {
inline namespace v0 {
namespace detail {

inline constexpr int spin_limit = 64;

// After the relax steps, a waiter whose wake would come from a thread that may not be running
// yields the CPU a few times before it sleeps: with more runnable threads than CPUs, the thread
// it waits for gets to run on this CPU, and the wait ends without a sleep and a wake (a yield with
// nothing else to run returns at once: 1.1 us on the 2-core development VM, a loop of
// std::this_thread::yield alone, load 0.39). libstdc++'s atomic waits do the same (12
// relax steps, then 4 yields). Used by atomic_wait and counting_semaphore (see each for the
// measurements), both through backend_spin_yields: backends that set their own spin_limit (the
// deterministic scheduler's) get none: a yield is no schedule point there, only more
// looks to explore.
inline constexpr int spin_yields = 4;

// One spin-wait step: the CPU's "spinning" hint, which frees the pipeline for the other
// hyper-thread and saves power. Written with each compiler's own spelling, so that the public
// headers need no GNU extension on MSVC.
inline void cpu_relax() noexcept {
#if defined(_MSC_VER) && !defined(__clang__) && (defined(_M_X64) || defined(_M_IX86))
  _mm_pause();
#elif defined(_MSC_VER) && !defined(__clang__) && defined(_M_ARM64)
  __yield();
#elif defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__) || (defined(__arm__) && defined(__ARM_ARCH) && __ARM_ARCH >= 7)
  asm volatile("yield" ::: "memory");
#else
  // No hint on this CPU: at least keep the compiler from folding the spin loop's loads.
  std::atomic_signal_fence(std::memory_order_seq_cst);
#endif
}

}  // namespace detail
}  // namespace v0
}  // namespace futon
