// SPDX-License-Identifier: BSL-1.0
// The vocabulary every futex backend shares: the 32-bit word and the result of a requeue.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace futon {
inline namespace v0 {

// The word a futex waits on. Only its address and its 32-bit value matter to the futex: the
// atomic operations the caller performs on it carry the memory ordering.
using futex_word = std::atomic<std::uint32_t>;

static_assert(sizeof(futex_word) == 4 && alignof(futex_word) == 4,
              "a futex word is a naturally aligned 32-bit integer");
static_assert(futex_word::is_always_lock_free, "a futex word must be lock-free");

// How many waiters a requeue woke and how many it moved to the other word.
struct requeue_result {
  std::size_t woken;
  std::size_t requeued;
  friend bool operator==(const requeue_result&, const requeue_result&) = default;
};

}  // namespace v0
}  // namespace futon
