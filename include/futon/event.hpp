// SPDX-License-Identifier: BSL-1.0
// <futon/event.hpp>: futon::event, a manual-reset event in 4 bytes.
//
// A flag threads can wait on: set() releases every waiting thread and lets later waits return at
// once, until reset().
//
//   futon::event ready;
//   // waiter                                   // setter
//   if (!ready.wait_for(std::chrono::seconds(1)))   prepare();
//     give_up();                                    ready.set();
//   use_what_was_prepared();
//
// Members: set, reset, is_set, wait, wait_for, wait_until (true = the event was set).
//
// Behaviour:
//   - wait() returns once the event is set, or has been set since the wait began: a set()
//     followed at once by reset() still releases every thread that was waiting (they do not go
//     back to sleep). It never returns spuriously. What the setter wrote before set() is
//     visible to a thread whose wait returned because of it (release/acquire).
//   - set() calls into the futex (wake all) only if a thread may be asleep; set() on a set
//     event, reset(), is_set(), and a wait on a set event are single atomic operations.
//   - wait_for / wait_until return false only once the timeout has really passed, and take any
//     duration or clock: zero, negative and past timeouts only look; duration::max() and
//     time_point::max() wait until set.
//
// Destroying an event that threads still wait on is undefined and not detected: the word only
// knows that threads *may* be asleep (a timed-out waiter leaves that mark behind).
//
// basic_event<Backend> is the same over a chosen futex backend; futon::event uses the default.
// The states follow Zig's std.Thread.ResetEvent (unset, waiting, set), with a generation count
// added so that a set() is never missed by a waiter it should release; written anew.
// Destruction: a thread whose wait returned may destroy the event at once, while the set() that
// released it is still returning: set()'s releasing compare-and-swap is its last access (the wake
// that follows is by address, harmless on freed memory).
//
// Counters: the generation (30 bits, advanced by each set() of an unset event) wraps. A waiter
// compares it with the value it first read, so it misses a set() only if, between that read and
// its next look, exactly a multiple of 2^30 set()s of the unset event happen (each set() and
// reset() pair is two atomic RMWs: over 10 s of steady setting while the waiter is off the CPU);
// it then waits for the next set(). tests/primitives/wraparound_test.cpp crosses the wrap.
//
// Signal safety: set() and reset() may be called from a signal handler on the kernel-futex
// backend (one CAS, one futex wake), unless a futex_wait_any of two or more words (so a
// futon::wait_any over two or more primitives) may be in progress anywhere in the process
// (<futon/futex.hpp>); on the parking-lot backend set() may take a bucket lock, so not there.
// The waits may not be called from one.
//
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <futon/detail/announced_wait.hpp>
#include <futon/detail/backend_traits.hpp>
#include <futon/detail/deadline.hpp>
#include <futon/detail/wait_any_hooks.hpp>
#include <futon/futex.hpp>
#include <optional>
#include <type_traits>

namespace futon {
inline namespace v0 {

template <futex_backend Backend>
class basic_event {
 public:
  constexpr basic_event() noexcept = default;
  constexpr explicit basic_event(bool initially_set) noexcept
      : word_(initially_set ? set_bit : 0u) {}
  basic_event(const basic_event&) = delete;
  basic_event& operator=(const basic_event&) = delete;

  void set() noexcept {
    std::uint32_t state = word_.load(std::memory_order_relaxed);
    std::uint32_t next = 0;
    do {
      // Already set: write it back unchanged (a read-modify-write all the same, so this set()
      // is a release operation too). Otherwise set it, count a new generation, clear
      // waiters_bit (everyone it announced is woken below).
      next = (state & set_bit) != 0 ? state : ((state + generation_one) & ~waiters_bit) | set_bit;
      // Release: a waiter that sees the event set (acquire) sees what we wrote before.
    } while (!word_.compare_exchange_weak(state, next, std::memory_order_release,
                                          std::memory_order_relaxed));
    detail::wake_announced<Backend>(word_, state, waiters_bit);
  }

  void reset() noexcept {
    // Relaxed: reset publishes nothing; the next set() is the release a waiter pairs with.
    word_.fetch_and(~set_bit, std::memory_order_relaxed);
  }

  bool is_set() const noexcept {
    // Acquire: a caller that sees it set sees what the setter wrote before set().
    return (word_.load(std::memory_order_acquire) & set_bit) != 0;
  }

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
    // Read once, so that a clock the OS cannot wait on (several attempts) still measures "set
    // since the wait began" from the start.
    const std::uint32_t start = word_.load(std::memory_order_acquire);
    return detail::attempt_until(
        deadline, [&](const detail::deadline& limit) { return wait_from(start, &limit); });
  }

 private:
  // The word: bit 0 set_bit, bit 1 waiters_bit, bits 2..31 the generation, advanced by every
  // set() that finds the event unset.
  //
  // waiters_bit: a thread may be asleep (the announced wait of detail/announced_wait.hpp, whose
  // comment proves no set() is missed). Set by a waiter while the event is unset; cleared by
  // the set() that finds the event unset, which then wakes everyone.
  //
  // The generation: a waiter returns once the event is set or the generation has moved since
  // it began, so a set() quickly undone by reset() still releases it (30 bits: a waiter would
  // have to sleep through 2^30 set()s that each woke it, without running, to miss one).
  static constexpr std::uint32_t set_bit = 1;
  static constexpr std::uint32_t waiters_bit = 2;
  static constexpr std::uint32_t generation_one = 4;

  static constexpr std::uint32_t generation_of(std::uint32_t state) noexcept {
    return state / generation_one;
  }

  // Whether a wait that began at `start` may return on `state`: the event is set, or has been
  // set since (the generation moved).
  static constexpr bool set_since(std::uint32_t start, std::uint32_t state) noexcept {
    return (state & set_bit) != 0 || generation_of(state) != generation_of(start);
  }

  // Waits until set since `start` (true) or until `limit` (nullptr = never) passes (false).
  bool wait_from(std::uint32_t start, const detail::deadline* limit) const noexcept {
    std::uint32_t state = start;
    for (;;) {
      if (set_since(start, state)) return true;
      if (limit != nullptr && limit->has_passed()) return false;
      detail::sleep_announced<Backend>(word_, state, waiters_bit, limit);
    }
  }

  // futon::wait_any's hooks (detail/wait_any_hooks.hpp): wait_from's steps, taken apart. The
  // wait measures "set since it began" from any_begin's read, as wait_until from its one read.
  // Nothing is owed on leaving: set() wakes every sleeper, so a wait_any that a set() woke and
  // that returns through another primitive leaves nobody behind.
  friend struct detail::wait_any_access;
  std::uint32_t any_begin() const noexcept {
    // Relaxed: only the generation is kept from it; any_try reads the word again (acquire)
    // before the caller returns on the event.
    return word_.load(std::memory_order_relaxed);
  }
  bool any_try(std::uint32_t start) const noexcept {
    // Acquire: a caller that returns on the set sees what the setter wrote before set().
    return set_since(start, word_.load(std::memory_order_acquire));
  }
  std::optional<std::uint32_t> any_announce(std::uint32_t start) const noexcept {
    return detail::announce_any(word_, waiters_bit,
                                [start](std::uint32_t state) { return set_since(start, state); });
  }
  const futex_word& any_word() const noexcept { return word_; }
  void any_leave(detail::any_leaving) const noexcept {}

  // mutable: the waits are const, yet record that a thread sleeps.
  mutable detail::word_t<Backend> word_{0};
};

using event = basic_event<backend::default_backend>;

static_assert(sizeof(event) == 4, "futon::event is one 32-bit word");
static_assert(!std::is_copy_constructible_v<event> && !std::is_move_constructible_v<event> &&
              !std::is_copy_assignable_v<event> && !std::is_move_assignable_v<event>);
static_assert(std::is_nothrow_default_constructible_v<event>);

}  // namespace v0
}  // namespace futon
