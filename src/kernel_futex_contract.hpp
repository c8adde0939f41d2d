// SPDX-License-Identifier: BSL-1.0
// The futex contract on the kernel's futex, for words of one scope (os::futex_scope): the steps
// that kernel_futex (process-private) and kernel_shared_futex (process-shared) share, written
// once. Built wherever kernel_shared_futex is (FUTON_HAS_SHARED_FUTEX); requeue only where the
// OS can compare-and-requeue.
#pragma once

#include <cstddef>
#include <cstdint>
#include <futon/detail/deadline.hpp>
#include <futon/futex.hpp>
#include <futon/futex_word.hpp>
#include <optional>

#include "os/native_futex.hpp"

namespace futon {
inline namespace v0 {
namespace detail {

template <os::futex_scope Scope>
struct kernel_futex_contract {
  // A mismatch is found in user space first: a stale `expected` then costs one load, not a
  // system call. Relaxed: the kernel's own check is no stronger, and callers order their data
  // with their own atomics.
  static bool holds(const futex_word& word, std::uint32_t expected) noexcept {
    return word.load(std::memory_order_relaxed) == expected;
  }

  static void wait(const futex_word& word, std::uint32_t expected) noexcept {
    // Any return is fine for an untimed wait: woken, mismatch, signal.
    if (holds(word, expected))
      static_cast<void>(os::native_futex_wait(word, expected, nullptr, Scope));
  }

  static bool wait_until(const futex_word& word, std::uint32_t expected,
                         const deadline& limit) noexcept {
    for (;;) {
      // The value check comes first, even when there is no time left.
      if (!holds(word, expected)) return true;
      if (limit.has_passed()) return false;
      switch (os::native_futex_wait(word, expected, &limit, Scope)) {
        case os::native_wait_result::woken:
        case os::native_wait_result::value_mismatch:
          return true;
        case os::native_wait_result::timed_out:
          // The kernel timed out on the deadline's own clock, against an absolute time. On
          // system_clock the wall clock may have stepped back since: the deadline is then not
          // passed any more, and returning false would be an early timeout, so wait again (the
          // same absolute deadline). A wake that raced the timeout was not counted for us (the
          // kernel counts only waiters it removed from the queue), so false is exact. Where
          // the OS's timeout is relative, its native_futex_wait said timed_out only once the
          // deadline had passed on its own clock.
          if (!limit.has_passed()) continue;
          return false;
        case os::native_wait_result::interrupted:
          continue;  // a signal: retry with the same absolute deadline
      }
    }
  }

#if !defined(FUTON_NO_KERNEL_FUTEX)
  // Where the OS has compare-and-requeue (the kernel futex's OSes: Linux).
  static std::optional<requeue_result> requeue(const futex_word& from, std::uint32_t expected,
                                               const futex_word& to, std::size_t wake_count,
                                               std::size_t requeue_count) noexcept {
    const std::optional<std::size_t> moved =
        os::native_futex_cmp_requeue(from, expected, to, wake_count, requeue_count, Scope);
    if (!moved) return std::nullopt;
    // The kernel wakes first, then requeues, and returns the sum: the split is exact.
    const std::size_t woken = *moved < wake_count ? *moved : wake_count;
    return requeue_result{woken, *moved - woken};
  }
#endif
};

}  // namespace detail
}  // namespace v0
}  // namespace futon
