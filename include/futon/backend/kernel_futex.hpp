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
// This type is the backend's static interface; users call it through futon::basic_futex (or the
// futex_* free functions), which add the argument checks and the clock conversions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <futon/config.hpp>
#include <futon/detail/deadline.hpp>
#include <futon/futex_word.hpp>
#include <optional>

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
  // Wakes up to `count` waiters (count > 0) and returns how many it woke.
  static std::size_t wake(const futex_word& word, std::size_t count) noexcept;
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
