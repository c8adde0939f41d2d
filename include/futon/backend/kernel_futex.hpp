// SPDX-License-Identifier: BSL-1.0
// kernel_futex: the futex backend on the operating system's own futex.
//
// Linux: futex(2) with FUTEX_PRIVATE_FLAG (process-private waits). Waits on steady deadlines use
// FUTEX_WAIT_BITSET with an absolute CLOCK_MONOTONIC timeout, waits on system_clock deadlines add
// FUTEX_CLOCK_REALTIME; wake and requeue counts are the kernel's own, so they are exact.
//
// Only where the OS's futex reports exact wake counts and has compare-and-requeue, which the
// futex contract needs: Linux. Windows (WaitOnAddress), macOS (os_sync_wait_on_address,
// __ulock_wait), FreeBSD (_umtx_op), DragonFly (umtx_sleep) report no wake count, and OpenBSD's
// FUTEX_REQUEUE does not compare; there the generated <futon/config.hpp> defines
// FUTON_NO_KERNEL_FUTEX, this type is not declared, the OS call serves the parking lot's thread
// parker instead, and the default backend is the parking lot (backend/parking_lot.hpp).
//
// futex_wait_any: one entry is a plain FUTEX_WAIT. Several entries queue one waiter in a parking
// lot of the backend's own (src/kernel_wait_any.cpp), in the bucket of every entry's word, and
// this backend's wake and requeue reach that lot too, after the kernel's queue: they first make
// their system call, then (when it woke fewer than asked) run the parking lot's lock-free "does
// anybody wait in this bucket?" check, a fence and a load. So every wait_any works with the
// kernel's wakes, at any entry count and on every kernel. Linux's own futex_waitv (5.16+) is not
// used, because it cannot keep the wake counts exact: the kernel counts a futex_waitv waiter once
// per word whose wake reaches it before it runs, so of two wakes racing on two of its words (or a
// wake of 2 on a word listed twice) both count it, it returns once, and a plain waiter that the
// second wake should have woken sleeps on (measured on 6.18: 1659 of 2000 back-to-back wake
// pairs; bench/wait_any_bench.cpp runs futex_waitv as a peer).
//
// This type is the backend's static interface; users call it through futon::basic_futex (or the
// futex_* free functions), which add the argument checks and the clock conversions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <futon/config.hpp>
#include <futon/detail/deadline.hpp>
#include <futon/futex_word.hpp>
#include <optional>
#include <span>

#if !defined(FUTON_NO_KERNEL_FUTEX)

namespace futon {
inline namespace v0 {
namespace backend {

struct kernel_futex {
  static constexpr const char* name = "kernel";

  // Blocks while `word == expected`; may return spuriously (a signal).
  static void wait(const futex_word& word, std::uint32_t expected) noexcept;
  // As wait, until `limit`. Returns false only once `limit` has passed and no wake was seen.
  static bool wait_until(const futex_word& word, std::uint32_t expected,
                         const detail::deadline& limit) noexcept;
  // Wakes up to `count` waiters (count > 0) and returns how many it woke: waiters in the kernel
  // first, then wait_any waiters in the backend's parking lot.
  static std::size_t wake(const futex_word& word, std::size_t count) noexcept;
  // Returns the entry that woke the waiter or differed from its expected value, or a timeout.
  static wait_any_result wait_any(std::span<const wait_on> entries,
                                  const detail::deadline& limit) noexcept;
  // If `from == expected`, wakes up to `wake_count` waiters of `from` and moves up to
  // `requeue_count` more onto `to` (`&from != &to`); nullopt when `from != expected`.
  static std::optional<requeue_result> requeue(const futex_word& from, std::uint32_t expected,
                                               const futex_word& to, std::size_t wake_count,
                                               std::size_t requeue_count) noexcept;
};

}  // namespace backend
}  // namespace v0
}  // namespace futon

#endif  // !FUTON_NO_KERNEL_FUTEX
