// SPDX-License-Identifier: BSL-1.0
// lot_futex: the futex backend over futon's real parking lot instantiated for the deterministic
// scheduler (lot_copy.hpp), with words that yield to the scheduler. Futex and primitive tests run
// on it to check the parking lot, the backend and the primitives together, under every schedule.
//
// The parking lot keeps its own FIFO queues (its wake order is its own, not the scheduler's
// choice). Lifetime (dsched::retire): a wait's value check reads the word, so a wait on a retired
// word fails the run at its entry (the copy's own re-check under its bucket lock reads a plain
// futex_word, which the scheduler does not see); wakes and requeues reach the lot by key only
// and never fail.
#pragma once

#include <cstddef>
#include <cstdint>
#include <futon/detail/deadline.hpp>
#include <futon/futex_word.hpp>
#include <optional>
#include <span>

#include "dsched/atomic.hpp"
#include "dsched/lot_copy.hpp"
#include "dsched/scheduler.hpp"

namespace dsched {

template <bool PlantedBug = false>
struct basic_lot_futex {
  static constexpr const char* name = PlantedBug ? "lot_futex_planted_bug" : "lot_futex";
  using word_type = atomic<std::uint32_t>;
  // Any other atomic a primitive keeps (a recursive mutex's owner id): checked the same way.
  template <class T>
  using atomic_type = atomic<T>;
  // Two spins, not 64: enough to take the spinning path, few enough to explore every schedule.
  static constexpr int spin_limit = 2;

  static void wait(const futon::futex_word& word, std::uint32_t expected) noexcept {
    access(&word, "futex wait");
    if constexpr (PlantedBug) {
      lot::wait_checking_too_early(word, expected);
    } else {
      lot::wait(word, expected);
    }
  }
  static bool wait_until(const futon::futex_word& word, std::uint32_t expected,
                         const futon::detail::deadline& limit) noexcept {
    access(&word, "futex wait_until");
    if (limit.is_never()) {
      wait(word, expected);
      return true;
    }
    return lot::wait_timed(word, expected, limit.has_passed());
  }
  static futon::wait_any_result wait_any(std::span<const futon::wait_on> entries,
                                         const futon::detail::deadline& limit) noexcept {
    for (const futon::wait_on& entry : entries)
      access(entry.word, "futex wait_any");
    const lot::any_timing timing = limit.is_never()     ? lot::any_timing::untimed
                                   : limit.has_passed() ? lot::any_timing::passed
                                                        : lot::any_timing::timed;
    return lot::wait_any(entries, timing);
  }
  static std::size_t wake(const futon::futex_word& word, std::size_t count) noexcept {
    point("futex wake");
    return lot::wake(word, count);
  }
  static std::optional<futon::requeue_result> requeue(const futon::futex_word& from,
                                                      std::uint32_t expected,
                                                      const futon::futex_word& to,
                                                      std::size_t wake_count,
                                                      std::size_t requeue_count) noexcept {
    point("futex requeue");
    std::size_t woken = 0;
    std::size_t requeued = 0;
    if (!lot::requeue(from, expected, to, wake_count, requeue_count, woken, requeued)) {
      return std::nullopt;
    }
    return futon::requeue_result{woken, requeued};
  }
  static std::int64_t now_ns() noexcept { return dsched::now_ns(); }
};

using lot_futex = basic_lot_futex<false>;
using lot_futex_planted_bug = basic_lot_futex<true>;

}  // namespace dsched
