// SPDX-License-Identifier: BSL-1.0
// sim_futex: a futex backend simulated inside the deterministic scheduler. Its waits and wakes
// are the scheduler's own block_on / wake_on, with the futex contract's atomicity (the value
// check and the block happen with no schedule point between them) and its freedoms, which the
// scheduler injects as faults: a wait may return spuriously, and a timed wait may time out at
// any moment (virtual time: a timeout is always allowed to have passed). A wake or requeue of
// fewer threads than are blocked reaches whichever the scheduler picks (the contract promises no
// order). The primitives run on it to check their own protocols apart from any real backend.
//
// Lifetime (dsched::retire): a wait reads the word, so a wait on a retired word fails the run; a
// wake or requeue uses only the address, which the contract allows on freed memory, so those
// never fail. (A requeue does compare `from` with its expected value, as the kernel does; for
// freed memory that read is the kernel's business, harmless to the program.)
//
// Its value checks are relaxed loads of the plain futex_word (no schedule point): only one thread
// runs at a time and every handover goes through the scheduler's mutex, so the load sees the
// latest store of any thread, as the kernel's check under its hash-bucket lock does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <futon/detail/deadline.hpp>
#include <futon/futex_word.hpp>
#include <optional>

#include "dsched/atomic.hpp"
#include "dsched/scheduler.hpp"

namespace dsched {

struct sim_futex {
  static constexpr const char* name = "sim_futex";
  using word_type = atomic<std::uint32_t>;
  // Any other atomic a primitive keeps (a recursive mutex's owner id): checked the same way.
  template <class T>
  using atomic_type = atomic<T>;
  // Two spins, not 64: enough to take the spinning path, few enough to explore every schedule.
  static constexpr int spin_limit = 2;

  static void wait(const futon::futex_word& word, std::uint32_t expected) noexcept {
    access(&word, "futex wait");
    if (word.load(std::memory_order_relaxed) != expected) return;
    static_cast<void>(block_on(&word, false, true));
  }

  static bool wait_until(const futon::futex_word& word, std::uint32_t expected,
                         const futon::detail::deadline& limit) noexcept {
    access(&word, "futex wait_until");
    if (word.load(std::memory_order_relaxed) != expected) return true;
    if (limit.has_passed()) return false;
    return block_on(&word, !limit.is_never(), true) != wake_reason::timed_out;
  }

  static std::size_t wake(const futon::futex_word& word, std::size_t count) noexcept {
    point("futex wake");
    return wake_on(&word, count);
  }

  static std::optional<futon::requeue_result> requeue(const futon::futex_word& from,
                                                      std::uint32_t expected,
                                                      const futon::futex_word& to,
                                                      std::size_t wake_count,
                                                      std::size_t requeue_count) noexcept {
    point("futex requeue");
    if (from.load(std::memory_order_relaxed) != expected) return std::nullopt;
    const auto [woken, moved] = requeue_on(&from, &to, wake_count, requeue_count);
    return futon::requeue_result{woken, moved};
  }

  static std::int64_t now_ns() noexcept { return dsched::now_ns(); }
};

}  // namespace dsched
