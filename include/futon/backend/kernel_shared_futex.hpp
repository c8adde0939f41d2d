// SPDX-License-Identifier: BSL-1.0
// kernel_shared_futex: the futex backend for words in memory shared between processes
// (mmap(MAP_SHARED), shm_open, memfd_create), on the operating system's own futex.
//
// Where (config.hpp's FUTON_HAS_SHARED_FUTEX is 1): Linux, macOS, FreeBSD, OpenBSD. On each the
// kernel keys a shared waiter by the memory behind the word (object and offset, or physical
// address), not by its virtual address, so processes that map the memory at different
// addresses wait and wake on one word. What each OS's futex gives, and so what holds here:
//
//   OS       calls                            wake count        requeue           timeouts
//   Linux    futex(2), no FUTEX_PRIVATE_FLAG  exact             compare-and-      absolute, on
//                                                               requeue, exact    CLOCK_MONOTONIC
//                                                                                 or _REALTIME
//   macOS    __ulock_wait2/__ulock_wake with  a bound (below)   emulated (below)  relative, then
//            UL_COMPARE_AND_WAIT_SHARED, or                                       re-checked
//            os_sync_*_SHARED (target 14.4+)
//   FreeBSD  _umtx_op UMTX_OP_WAIT_UINT /     a bound (below)   emulated (below)  absolute, on
//            UMTX_OP_WAKE                                                         CLOCK_MONOTONIC
//                                                                                 or _REALTIME
//   OpenBSD  futex(2), no FUTEX_PRIVATE_FLAG  exact             emulated (below)  relative, then
//                                                                                 re-checked
//
// The rest of the futex contract holds on all four: the value check first, waits that never time
// out early on any clock (a relative timeout is re-checked against the deadline's own clock, and
// a system_clock deadline notices a wall-clock step when the current wait ends), huge timeouts,
// harmless wakes of freed memory. Where the table says otherwise:
//   - Wake count, macOS: a wake of n is up to n wake-one calls (one system call per waiter, plus
//     one), stopping at the first that finds no thread registered on the word, so it wakes at
//     most n. The result is a bound: never fewer than the waiters woken, never more than n, 0
//     only when nobody was woken; a call also succeeds without waking anybody while a thread an
//     earlier call (or a timeout) woke has not yet left the kernel. A wake of all (n >= INT_MAX,
//     as futex_wake_all's) is one wake-all call, reported as INT_MAX, or 0 when the call fails
//     (ENOENT: nobody was registered). So a waker's count may include waiters that saw no wake.
//   - Wake count, FreeBSD: UMTX_OP_WAKE says nothing about how many it woke, so the result is n
//     (at most INT_MAX): a bound, never fewer than the waiters woken. One system call.
//   - Requeue, macOS, FreeBSD, OpenBSD: their shared waits have no compare-and-requeue, so
//     futex_requeue(from, expected, to, n, m) returns nullopt, touching nobody, when `from !=
//     expected` (a load, not atomic with what follows), and otherwise wakes up to n + m waiters
//     of `from` and reports them all as woken, {woken, 0}: the m it would have moved to `to` see
//     a spurious wake instead, which the contract allows (they were to be woken through `to`
//     later anyway; each re-checks its condition). woken may then exceed n.
// futon's primitives use neither wake counts nor requeue, so <futon/interprocess.hpp>'s types
// keep their whole contracts on all four. A shared wait or wake costs a little more than a
// private one: the kernel looks up the memory behind the address on each call.
//
// Elsewhere (Windows, DragonFly, other POSIX systems, and macOS on the POSIX parker:
// -DFUTON_MACOS_PRIVATE_ULOCK=OFF with a deployment target before 14.4) this type is not declared,
// and asking for a process-shared wait is a compile-time error that says why (<futon/futex.hpp>'s
// futex_*(..., futon::process_shared)): Windows's WaitOnAddress and futon's parking lot are
// process-local, and a private wait in its place would sleep through the other process's wakes.
//
// No futex_wait_any: its waiters of several words queue in a parking lot, which is one process's
// memory. Waiting in shared memory also means a waiter's process may die while it sleeps: the
// kernel removes a dead process's waiters, so no other process is affected (a wake that would
// have reached it counts nobody).
#pragma once

#include <cstddef>
#include <cstdint>
#include <futon/config.hpp>
#include <futon/detail/checked_shared_word.hpp>
#include <futon/detail/deadline.hpp>
#include <futon/futex_word.hpp>
#include <optional>

#if FUTON_HAS_SHARED_FUTEX

namespace futon {
inline namespace v0 {
namespace backend {

struct kernel_shared_futex {
  static constexpr const char* name = "kernel_shared";

#if FUTON_DEBUG_CHECKS
  // Debug builds: the primitives' words check, before each write, that this process can write
  // them (a read-only mapping stops the program with a message; detail/checked_shared_word.hpp).
  using word_type = detail::checked_shared_word;
#endif

  // What this OS's shared futex gives (the table at the top): whether wake returns exactly how
  // many it woke (else a bound), and whether requeue moves waiters to `to` (else it wakes them
  // and reports them as woken).
  static constexpr bool exact_wake_count = FUTON_SHARED_FUTEX_EXACT_WAKE != 0;
#if defined(FUTON_NO_KERNEL_FUTEX)
  static constexpr bool requeue_moves_waiters = false;
#else
  static constexpr bool requeue_moves_waiters = true;
#endif

  // As kernel_futex's, for a word that other processes may wait on and wake; wake's count and
  // requeue are exact only where the table above says so.
  static void wait(const futex_word& word, std::uint32_t expected) noexcept;
  static bool wait_until(const futex_word& word, std::uint32_t expected,
                         const detail::deadline& limit) noexcept;
  static std::size_t wake(const futex_word& word, std::size_t count) noexcept;
  static std::optional<requeue_result> requeue(const futex_word& from, std::uint32_t expected,
                                               const futex_word& to, std::size_t wake_count,
                                               std::size_t requeue_count) noexcept;
};

}  // namespace backend
}  // namespace v0
}  // namespace futon

#endif  // FUTON_HAS_SHARED_FUTEX
