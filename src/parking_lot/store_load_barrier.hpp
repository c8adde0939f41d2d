// store_load_barrier(): the full fence that makes the parking lot's lock-free "nobody waits
// here" check sound. The argument is in bucket.hpp (bucket::pending).
//
// ThreadSanitizer does not model standalone fences, so under TSan the barrier is an acq_rel
// read-modify-write of one shared atomic instead: both sides of the Dekker pattern then touch the
// same location, one reads the other's write, and TSan sees the ordering it needs. On real
// hardware the fence is cheaper (no shared cache line), so only TSan builds pay for the RMW.
#pragma once

#include <atomic>

#if defined(__SANITIZE_THREAD__)
#define FUTON_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define FUTON_TSAN 1
#endif
#endif

namespace futon::parking_lot_internal {

#if defined(FUTON_TSAN)
inline std::atomic<unsigned> tsan_barrier_word{0};
inline void store_load_barrier() noexcept {
  tsan_barrier_word.fetch_add(0, std::memory_order_seq_cst);
}
#elif defined(__x86_64__)
// On x86 any locked instruction is a full barrier, and a locked OR of zero into the stack top
// (a line this core already owns) costs ~2 ns where MFENCE, which clang emits for a seq_cst
// fence, costs ~16 ns here; g++ already emits this form. Linux's smp_mb() is the same idea. The
// "memory" clobber keeps the compiler from moving memory accesses across it.
inline void store_load_barrier() noexcept {
  asm volatile("lock orq $0, (%%rsp)" ::: "memory", "cc");
}
#elif defined(__i386__)
inline void store_load_barrier() noexcept {
  asm volatile("lock orl $0, (%%esp)" ::: "memory", "cc");
}
#else
inline void store_load_barrier() noexcept {
  std::atomic_thread_fence(std::memory_order_seq_cst);
}
#endif

}  // namespace futon::parking_lot_internal
