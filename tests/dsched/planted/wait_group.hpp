// SPDX-License-Identifier: BSL-1.0
// PLANTED BUGS - test-only. A copy of include/futon/wait_group.hpp as it was at commit 7add648,
// before issue 10's fixes, kept so that the deterministic scheduler's tests can show that the
// checker finds the defects the issue lists (tests/dsched/dsched_planted_primitives_test.cpp).
// Only the namespace (planted_7add648) and the includes differ from the original; never use it
// outside those tests. Defect 5: a waiter that loaded the state and was preempted while
// 128 zeros passed sees the same bits again (7-bit generation) and sleeps through its zero.
//
// The original header follows.
//
// <futon/wait_group.hpp>: futon::wait_group, a count of outstanding work to wait for (Go's
// sync.WaitGroup), in 4 bytes.
//
//   futon::wait_group pending;
//   for (auto& job : jobs) {
//     pending.add();
//     pool.submit([&] { run(job); pending.done(); });
//   }
//   pending.wait();  // every run(job) has finished, and its effects are visible here
//
// Members: add(n = 1), done() (= add(-1)), wait, wait_for, wait_until (true = the count reached
// zero), and the static max() (2^24 - 1).
//
// Behaviour:
//   - Unlike a latch, a wait_group is reusable: the count may go up again after reaching zero.
//   - wait() returns once the count is zero, or has reached zero since the wait began: an add()
//     right after the count reached zero does not hold back threads that were waiting for that
//     zero. It never returns spuriously. Every add/done before the zero is visible to a thread
//     whose wait returned because of it (release/acquire).
//   - add/done are one atomic compare-and-swap; the done() that reaches zero calls into the
//     futex (wake all) only if a thread may be asleep: no system call otherwise.
//   - wait_for / wait_until return false only once the timeout has really passed, and take any
//     duration or clock: zero, negative and past timeouts only look; duration::max() and
//     time_point::max() wait for the zero.
//
// One word, not two (the "at most 8 bytes" the count might have used): the done() that reaches
// zero must touch the wait_group for the last time in the same atomic step that publishes the
// zero, because a waiter may return and destroy the wait_group right after (the futex wake that
// follows may touch freed memory; the futex contract makes that harmless).
//
// Preconditions, checked with FUTON_DEBUG_CHECKS (message, then abort): the count never goes
// below zero (a done() without its add() stops a debug build) nor above max(). Destroying a
// wait_group that threads still wait on is undefined and not detected: the word only knows that
// threads *may* be asleep (a timed-out waiter leaves that mark behind).
//
// basic_wait_group<Backend> is the same over a chosen futex backend; futon::wait_group uses the
// default. After Go's sync.WaitGroup (counter and waiters in one state word) and Zig's
// std.Thread.WaitGroup; written anew, with a generation instead of Go's rule that a reuse must
// wait for every earlier Wait to return.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <futon/detail/assert.hpp>
#include <futon/detail/backend_traits.hpp>
#include <futon/detail/deadline.hpp>
#include <futon/futex.hpp>
#include <limits>
#include <type_traits>

#include "dsched/planted/prelude.hpp"

namespace planted_7add648 {

template <futex_backend Backend>
class basic_wait_group {
 public:
  static constexpr std::ptrdiff_t max() noexcept { return (std::ptrdiff_t{1} << 24) - 1; }

  constexpr basic_wait_group() noexcept = default;
  basic_wait_group(const basic_wait_group&) = delete;
  basic_wait_group& operator=(const basic_wait_group&) = delete;

  void add(std::ptrdiff_t n = 1) noexcept {
    std::uint32_t state = word_.load(std::memory_order_relaxed);
    std::uint32_t next = 0;
    std::ptrdiff_t count = 0;
    do {
      count = count_of(state) + n;
      FUTON_PRECONDITION(count >= 0,
                         "futon::wait_group: the count went below zero (done() without add())");
      FUTON_PRECONDITION(count <= max(), "futon::wait_group::add: the count would exceed max()");
      if (count == 0 && count_of(state) != 0) {
        // Reaching zero: a new generation, and waiters_bit cleared (everyone it announced is
        // woken below).
        next = (state + generation_one) & generation_mask;
      } else {
        next = (state & (generation_mask | waiters_bit)) |
               (static_cast<std::uint32_t>(count) * count_one);
      }
      // Release: a waiter that sees the zero (acquire) sees what every add/done before wrote
      // (each of these read-modify-writes continues the release sequences of those before).
    } while (!word_.compare_exchange_weak(state, next, std::memory_order_release,
                                          std::memory_order_relaxed));
    if (count == 0 && (state & waiters_bit) != 0) {
      Backend::wake(word_, std::numeric_limits<std::size_t>::max());
    }
  }

  void done() noexcept { add(-1); }

  void wait() const noexcept {
    static_cast<void>(wait_from(word_.load(std::memory_order_acquire), nullptr));
  }

  template <class Rep, class Period>
  bool wait_for(const std::chrono::duration<Rep, Period>& timeout) const noexcept {
    const detail::deadline limit = detail::deadline::after(timeout);
    return wait_from(word_.load(std::memory_order_acquire), &limit);
  }

  template <class Clock, class Duration>
  bool wait_until(const std::chrono::time_point<Clock, Duration>& deadline) const noexcept {
    // Read once, so that a clock the OS cannot wait on (several attempts) still measures
    // "reached zero since the wait began" from the start.
    const std::uint32_t start = word_.load(std::memory_order_acquire);
    return detail::attempt_until(
        deadline, [&](const detail::deadline& limit) { return wait_from(start, &limit); });
  }

 private:
  // The word: bits 8..31 the count, bits 1..7 the generation (advanced each time the count
  // reaches zero), and bit 0:
  //
  // waiters_bit: a thread may be asleep. Set by a waiter (CAS, count not zero) before it
  // sleeps, and expected by its futex wait; cleared by the add/done that reaches zero, which
  // then wakes everyone. The waiter's CAS and that add/done's CAS are read-modify-writes of one
  // word, so one comes first in its modification order: either the add/done reads the bit and
  // wakes, or the waiter's CAS fails and it sees the zero (or the new generation). A change
  // between the CAS and the futex wait is caught by the futex's own value check. No fence is
  // needed. A timed-out waiter leaves the bit set (others may still sleep): the next zero then
  // makes one futile wake.
  //
  // The generation lets a waiter that was asleep when the count reached zero return even if an
  // add() raised it again before the waiter ran (7 bits: it would have to sleep through 128
  // zeros that each woke it, without running, to miss one - and then it waits for the next).
  static constexpr std::uint32_t waiters_bit = 1;
  static constexpr std::uint32_t generation_one = 2;
  static constexpr std::uint32_t generation_mask = 0xfe;
  static constexpr std::uint32_t count_one = 0x100;

  static constexpr std::ptrdiff_t count_of(std::uint32_t state) noexcept {
    return static_cast<std::ptrdiff_t>(state / count_one);
  }

  // Waits until the count is zero or has been since `start` (true), or until `limit` (nullptr =
  // never) passes (false).
  bool wait_from(std::uint32_t start, const detail::deadline* limit) const noexcept {
    std::uint32_t state = start;
    for (;;) {
      if (count_of(state) == 0 || (state & generation_mask) != (start & generation_mask)) {
        return true;
      }
      if (limit != nullptr && limit->has_passed()) return false;
      if ((state & waiters_bit) == 0) {
        // Acquire on failure: the value read may be the zero we return on. (On success too, as a
        // failure order may not be stronger; the futex wait then re-reads the word.)
        if (!word_.compare_exchange_weak(state, state | waiters_bit, std::memory_order_acquire,
                                         std::memory_order_acquire)) {
          continue;
        }
        state |= waiters_bit;
      }
      if (limit == nullptr) {
        Backend::wait(word_, state);
      } else {
        // A timeout is noticed on the next pass, after one more look at the count.
        static_cast<void>(Backend::wait_until(word_, state, *limit));
      }
      // Acquire: pairs with the release of the add/done that reached zero (and, through the
      // release sequence, with every one before it).
      state = word_.load(std::memory_order_acquire);
    }
  }

  // mutable: the waits are const, yet record that a thread sleeps.
  mutable detail::word_t<Backend> word_{0};
};

using wait_group = basic_wait_group<backend::default_backend>;

static_assert(sizeof(wait_group) <= 8 && sizeof(wait_group) == 4,
              "futon::wait_group is one 32-bit word");
static_assert(!std::is_copy_constructible_v<wait_group> &&
              !std::is_move_constructible_v<wait_group> && !std::is_copy_assignable_v<wait_group> &&
              !std::is_move_assignable_v<wait_group>);
static_assert(std::is_nothrow_default_constructible_v<wait_group>);

}  // namespace planted_7add648
