// SPDX-License-Identifier: BSL-1.0
// store_load_fence(): the full fence behind futon's lock-free "does anybody wait?" checks: the
// parking lot's per-bucket `pending` count (src/parking_lot/bucket.hpp) and atomic_wait's
// waiter slots (<futon/atomic_wait.hpp>). Both follow one protocol, argued here once:
//
//   waiter:  count += 1;  store_load_fence();  reads the word  -> sleeps only if unchanged
//   waker:   changes the word;  store_load_fence();  reads count -> count == 0: no wake
//
// The two fences are seq_cst fences, and so are ordered one way or the other in the single
// total order of seq_cst fences. If the waker's comes first, the waiter's read of the word after
// its own fence sees the change (or a later value), so it does not sleep. If the waiter's comes
// first, the waker's read of the count sees the increment (or a later value that still includes
// it: an increment is only undone by the same waiter when it leaves), so it wakes. Either way no
// wakeup is lost. Without the fences both reads could return stale values (a store buffer on x86
// allows exactly that: each side's write still sits in its own core's buffer), and the waiter
// would sleep through the wake. The count's increments and decrements may then be relaxed RMWs:
// their atomicity keeps the count exact, and the fences order everything else.
//
// ThreadSanitizer does not model standalone fences, so under TSan the fence is a seq_cst
// read-modify-write of one program-wide word instead: all such RMWs are ordered in that word's
// modification order, and the later of two reads the earlier's write and synchronizes with it -
// the same argument in terms TSan checks. Real hardware keeps the cheaper fence (no shared cache
// line), so only TSan builds pay for the RMW.
#pragma once

#include <atomic>
#include <futon/detail/sanitizers.hpp>

namespace futon {
inline namespace v0 {
namespace detail {

#if FUTON_SANITIZE_THREAD
inline std::atomic<unsigned> store_load_fence_witness{0};
inline void store_load_fence() noexcept {
  store_load_fence_witness.fetch_add(0, std::memory_order_seq_cst);
}
#elif defined(__x86_64__)
// On x86 any locked instruction is a full barrier, and a locked OR of zero into the stack top
// (a line this core already owns) costs ~2 ns where MFENCE, which clang emits for a seq_cst
// fence, costs ~16 ns here; g++ already emits this form. Linux's smp_mb() is the same idea. The
// "memory" clobber keeps the compiler from moving memory accesses across it.
inline void store_load_fence() noexcept {
  asm volatile("lock orq $0, (%%rsp)" ::: "memory", "cc");
}
#elif defined(__i386__)
inline void store_load_fence() noexcept {
  asm volatile("lock orl $0, (%%esp)" ::: "memory", "cc");
}
#else
inline void store_load_fence() noexcept {
  std::atomic_thread_fence(std::memory_order_seq_cst);
}
#endif

}  // namespace detail
}  // namespace v0
}  // namespace futon
