// SPDX-License-Identifier: BSL-1.0
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
// follows is by address; the futex contract makes that harmless on freed memory).
//
// Destruction: a wait_group may be destroyed by a thread whose wait() returned, as soon as no
// other thread is inside a member (another waiter still returning counts as inside), even while
// the done() that released it is still returning.
//
// Counters: the count (24 bits) cannot wrap: add() refuses to pass max() (checked with
// FUTON_DEBUG_CHECKS). The generation (7 bits) wraps; see the word's description below for why a
// waiter cannot be lapped by zeros nobody waited for, and the one case (127 woken zeros while a
// woken waiter stays off the CPU) in which it waits for one more zero.
//
// Signal safety: add()/done() may be called from a signal handler on the kernel-futex backend
// (one CAS and a futex wake), unless a futex_wait_any of two or more words (so a futon::wait_any
// over two or more primitives) may be in progress anywhere in the process (<futon/futex.hpp>);
// on the parking-lot backend the wake may take a bucket lock, so not there. The waits may not.
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
#include <futon/detail/announced_wait.hpp>
#include <futon/detail/assert.hpp>
#include <futon/detail/backend_traits.hpp>
#include <futon/detail/deadline.hpp>
#include <futon/futex.hpp>
#include <type_traits>

namespace futon {
inline namespace v0 {

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
        // Reaching zero. If threads registered a wait (waiters_bit), a new generation, so that
        // each of them returns however late it looks (see below), and the bit cleared (all of
        // them are woken below). Without waiters the generation stays: nobody needs it.
        next = (state & waiters_bit) != 0 ? (state + generation_one) & generation_mask
                                          : state & generation_mask;
      } else {
        next = (state & (generation_mask | waiters_bit)) |
               (static_cast<std::uint32_t>(count) * count_one);
      }
      // Release: a waiter that sees the zero (acquire) sees what every add/done before wrote
      // (each of these read-modify-writes continues the release sequences of those before).
    } while (!word_.compare_exchange_weak(state, next, std::memory_order_release,
                                          std::memory_order_relaxed));
    if (count == 0) detail::wake_announced<Backend>(word_, state, waiters_bit);
  }

  void done() noexcept { add(-1); }

  void wait() const noexcept { static_cast<void>(wait_from(register_wait(), nullptr)); }

  template <class Rep, class Period>
  bool wait_for(const std::chrono::duration<Rep, Period>& timeout) const noexcept {
    const detail::deadline limit = detail::deadline::after(timeout);
    if (limit.has_passed()) return reached_zero_now();
    return wait_from(register_wait(), &limit);
  }

  template <class Clock, class Duration>
  bool wait_until(const std::chrono::time_point<Clock, Duration>& deadline) const noexcept {
    // Registered once (at the first attempt that may sleep), so that a clock the OS cannot
    // wait on (several attempts) still measures "reached zero since the wait began" from the
    // start.
    std::uint32_t start = 0;
    bool registered = false;
    return detail::attempt_until(deadline, [&](const detail::deadline& limit) {
      if (!registered) {
        if (limit.has_passed()) return reached_zero_now();
        start = register_wait();
        registered = true;
      }
      return wait_from(start, &limit);
    });
  }

 private:
  // The word: bits 8..31 the count, bits 1..7 the generation, and bit 0:
  //
  // waiters_bit: threads have registered a wait since the count last reached zero (the
  // announced wait of detail/announced_wait.hpp, whose proof covers the sleep). A wait's
  // first access to the word is the fetch_or that sets it (register_wait), so every zero after
  // the wait began finds it, advances the generation and wakes everyone (the done() that
  // reaches zero reads the bit in the same RMW that publishes the zero, and touches the word
  // no more). A wait that began when the count was zero returns at once (and takes the bit
  // back if nothing changed meanwhile, so that the next zero makes no futile wake).
  //
  // The generation (7 bits) advances only at a zero that found waiters_bit: a waiter returns
  // once it differs from the generation it registered in. It wraps after 128 such zeros. A
  // waiter misses its zero only if, after that zero woke it, it stays off the CPU while 127
  // more zeros each woke other threads that registered after it; it then waits for the next
  // zero (a timed wait may report a timeout). A zero without registered waiters cannot lap
  // anyone (the 7add648 version advanced the generation at every zero and compared a plain
  // load, so 128 done()/add() pairs while a waiter was preempted between its load and its
  // registration made it sleep through its zero).
  static constexpr std::uint32_t waiters_bit = 1;
  static constexpr std::uint32_t generation_one = 2;
  static constexpr std::uint32_t generation_mask = 0xfe;
  static constexpr std::uint32_t count_one = 0x100;

  static constexpr std::ptrdiff_t count_of(std::uint32_t state) noexcept {
    return static_cast<std::ptrdiff_t>(state / count_one);
  }

  // A wait whose deadline has passed before it began only looks: it marks nothing, so it
  // costs the next zero no futex call. Acquire: as in register_wait.
  bool reached_zero_now() const noexcept {
    return count_of(word_.load(std::memory_order_acquire)) == 0;
  }

  // The start of every wait that may sleep: marks the word, and returns it as this RMW found it.
  std::uint32_t register_wait() const noexcept {
    // Acquire: if the count is zero already, we return on it and must see the writes of every
    // add/done before (the release sequence of their RMWs continues through ours).
    const std::uint32_t start = word_.fetch_or(waiters_bit, std::memory_order_acquire);
    if (count_of(start) == 0 && (start & waiters_bit) == 0) {
      // Nobody needed the bit: take it back unless the word moved on. Relaxed: nothing is
      // published by it.
      std::uint32_t marked = start | waiters_bit;
      static_cast<void>(word_.compare_exchange_strong(marked, start, std::memory_order_relaxed));
    }
    return start | waiters_bit;
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
      // Same generation with the bit gone is possible only if the generation wrapped (see
      // above): the step marks the word again, so that the next zero wakes us.
      detail::sleep_announced<Backend>(word_, state, waiters_bit, limit);
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

}  // namespace v0
}  // namespace futon
