// SPDX-License-Identifier: BSL-1.0
// parking_lot_futex: the futex backend on futon's user-space parking lot (<futon/parking_lot.hpp>),
// as kernel_futex is the one on the OS's futex. (It was named backend::parking_lot until the
// name collided with the namespace futon::parking_lot: inside futon::backend the struct hid it.)
//
// Portable (it needs only a thread parker from the OS) and exact: wait registers in the word's
// bucket after checking the value under the bucket lock; wake takes no lock when nobody waits in
// the bucket; requeue moves waiters between buckets under both locks; wait_any queues one waiter
// in the bucket of each of its words, and the first wake to claim it counts it (its claim,
// src/parking_lot/any_group.hpp). Process-private only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <futon/detail/deadline.hpp>
#include <futon/futex_word.hpp>
#include <optional>
#include <span>

namespace futon {
inline namespace v0 {
namespace backend {

struct parking_lot_futex {
  static constexpr const char* name = "parking_lot";

  static void wait(const futex_word& word, std::uint32_t expected) noexcept;
  static bool wait_until(const futex_word& word, std::uint32_t expected,
                         const detail::deadline& limit) noexcept;
  static std::size_t wake(const futex_word& word, std::size_t count) noexcept;
  // futex_wait_any: one waiter queued in every entry's bucket, claimed by exactly one party.
  static wait_any_result wait_any(std::span<const wait_on> entries,
                                  const detail::deadline& limit) noexcept;
  static std::optional<requeue_result> requeue(const futex_word& from, std::uint32_t expected,
                                               const futex_word& to, std::size_t wake_count,
                                               std::size_t requeue_count) noexcept;
};

}  // namespace backend
}  // namespace v0
}  // namespace futon
