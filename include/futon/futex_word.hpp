// SPDX-License-Identifier: BSL-1.0
// The vocabulary every futex backend shares: the 32-bit word, the result of a requeue, and the
// entries and result of a wait on several words (futex_wait_any, <futon/futex.hpp>).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>

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

// One entry of futex_wait_any: a word and the value it is expected to hold. Built as
// `{word, expected}`; a later version adds a scope (process-private or process-shared) as a
// third constructor parameter with a default, so that this spelling keeps its meaning.
struct wait_on {
  constexpr wait_on(const futex_word& w, std::uint32_t value) noexcept
      : word(&w), expected(value) {}

  const futex_word* word;
  std::uint32_t expected;
};

// Why futex_wait_any returned.
enum class wait_any_status : std::uint8_t {
  woken,       // a futex_wake or futex_requeue of entries[index]'s word counted this waiter
  changed,     // entries[index]'s word did not hold its expected value when it was checked
  timed_out,   // the deadline passed and nobody counted this waiter
  no_entries,  // the span was empty: nothing to wait on, returned at once
};

struct wait_any_result {
  static constexpr std::size_t npos = std::numeric_limits<std::size_t>::max();

  wait_any_status status;
  std::size_t index;  // woken, changed: the entry; timed_out, no_entries: npos

  constexpr bool has_index() const noexcept {
    return status == wait_any_status::woken || status == wait_any_status::changed;
  }
  constexpr bool timed_out() const noexcept { return status == wait_any_status::timed_out; }

  static constexpr wait_any_result woken_at(std::size_t i) noexcept {
    return {wait_any_status::woken, i};
  }
  static constexpr wait_any_result changed_at(std::size_t i) noexcept {
    return {wait_any_status::changed, i};
  }
  static constexpr wait_any_result timeout() noexcept { return {wait_any_status::timed_out, npos}; }
  static constexpr wait_any_result empty() noexcept { return {wait_any_status::no_entries, npos}; }

  friend bool operator==(const wait_any_result&, const wait_any_result&) = default;
};

}  // namespace v0
}  // namespace futon
