// SPDX-License-Identifier: BSL-1.0
// <futon/latch.hpp>: futon::latch, a drop-in std::latch in 4 bytes.
//
// A single-use countdown: threads count it down, and waiters are released once it reaches zero.
//
//   futon::latch done(workers);
//   for (int i = 0; i < workers; ++i)
//     pool.spawn([&] { work(); done.count_down(); });
//   done.wait();  // every work() has finished, and its effects are visible here
//
// Members as std::latch: count_down(update = 1), try_wait, wait, arrive_and_wait(update = 1), and
// the static max() (2^31 - 1).
//
// Behaviour:
//   - count_down() is one atomic read-modify-write; it calls into the futex (wake all) only when
//     it brings the count to zero while a thread may be asleep: no system call otherwise.
//   - wait() returns only once the count is zero (never spuriously), and every count_down()
//     happens before it returns (release/acquire). try_wait() never fails spuriously.
//
// Preconditions, checked with FUTON_DEBUG_CHECKS (message, then abort): the initial count is in
// [0, max()]; every update is >= 0 and at most the current count (counting a latch below zero
// stops a debug build); the latch is not destroyed while a thread waits on it.
//
// basic_latch<Backend> is the same over a chosen futex backend; futon::latch uses the default.
// Destruction: a thread whose wait() returned may destroy the latch at once, while the
// count_down() that reached zero is still returning: its fetch_sub is its last access (the wake
// that follows is by address, harmless on freed memory).
//
// Counters: the count (31 bits) only falls, and never below zero (checked): nothing wraps.
//
// Signal safety: count_down() may be called from a signal handler on the kernel-futex backend,
// unless a futex_wait_any of two or more words (so a futon::wait_any over two or more
// primitives) may be in progress anywhere in the process (<futon/futex.hpp>); on the
// parking-lot backend it may take a bucket lock, so not there. The waits may not.
//
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <futon/detail/announced_wait.hpp>
#include <futon/detail/assert.hpp>
#include <futon/detail/backend_traits.hpp>
#include <futon/detail/wait_any_hooks.hpp>
#include <futon/futex.hpp>
#include <limits>
#include <optional>
#include <type_traits>

namespace futon {
inline namespace v0 {

template <futex_backend Backend>
class basic_latch {
 public:
  static constexpr std::ptrdiff_t max() noexcept { return 0x7fff'ffff; }

  constexpr explicit basic_latch(std::ptrdiff_t expected) noexcept
      : word_(static_cast<std::uint32_t>(expected) * count_one) {
    FUTON_PRECONDITION(expected >= 0 && expected <= max(),
                       "futon::latch: the initial count is negative or above max()");
  }
  // constexpr, as std's latch may be created and destroyed in a constant evaluation (its
  // constructor is constexpr). The debug check runs only outside one: the atomic load cannot be
  // constant-evaluated, and no thread can wait on a latch that lives in a constant evaluation.
  constexpr ~basic_latch() {
    if (!std::is_constant_evaluated()) {
      // A waiter sets waiters_bit while the count is not zero and returns only once it is: both
      // together mean a thread is still waiting.
      FUTON_PRECONDITION(!has_waiter(word_.load(std::memory_order_relaxed)),
                         "futon::latch destroyed while a thread waits on it");
    }
  }
  basic_latch(const basic_latch&) = delete;
  basic_latch& operator=(const basic_latch&) = delete;

  void count_down(std::ptrdiff_t update = 1) noexcept {
    FUTON_PRECONDITION(update >= 0, "futon::latch::count_down: negative update");
    // Release: every count_down heads a release sequence that all later read-modify-writes of
    // the word continue, so a waiter that reads zero (acquire) sees what each counter wrote.
    const std::uint32_t before =
        word_.fetch_sub(static_cast<std::uint32_t>(update) * count_one, std::memory_order_release);
    FUTON_PRECONDITION(count_of(before) >= update,
                       "futon::latch::count_down: the count would go below zero");
    // The waiters bit cannot be missed: see detail/announced_wait.hpp.
    if (count_of(before) == update) detail::wake_announced<Backend>(word_, before, waiters_bit);
  }

  bool try_wait() const noexcept {
    // Acquire: pairs with the count_downs (see count_down).
    return count_of(word_.load(std::memory_order_acquire)) == 0;
  }

  void wait() const noexcept {
    // Acquire: as in try_wait.
    std::uint32_t state = word_.load(std::memory_order_acquire);
    while (count_of(state) != 0)
      detail::sleep_announced<Backend>(word_, state, waiters_bit);
  }

  void arrive_and_wait(std::ptrdiff_t update = 1) noexcept {
    count_down(update);
    wait();
  }

 private:
  // The word: the count in bits 1..31, and bit 0:
  //
  // waiters_bit: a thread may be asleep (the announced wait of detail/announced_wait.hpp, whose
  // comment proves the zero's wake is not missed). Set by a waiter while the count is not zero;
  // never cleared by wait() or count_down(), since a latch is single-use and the count_down that
  // reaches zero wakes everyone. Cleared only by a futon::wait_any leaving the latch before its
  // zero (any_leave below), which then wakes every sleeper so that each announces itself again.
  static constexpr std::uint32_t waiters_bit = 1;
  static constexpr std::uint32_t count_one = 2;

  static constexpr std::ptrdiff_t count_of(std::uint32_t state) noexcept {
    return static_cast<std::ptrdiff_t>(state / count_one);
  }
  static constexpr bool has_waiter(std::uint32_t state) noexcept {
    return (state & waiters_bit) != 0 && count_of(state) != 0;
  }

  // futon::wait_any's hooks (detail/wait_any_hooks.hpp): wait()'s steps, taken apart, and one
  // step wait() never needs. A wait_any may leave a latch that is still counting (it returns
  // through another primitive, or times out), which wait() never does: so that the bit keeps
  // meaning "a thread waits" (the destructor's check), it takes back the bit it announced and
  // wakes every sleeper; those still waiting announce themselves again (wait()'s loop and
  // wait_any's look at the count first, so for them this is one spurious wake).
  friend struct detail::wait_any_access;
  std::uint32_t any_begin() const noexcept { return 0; }  // a latch's zero is forever
  bool any_try(std::uint32_t) const noexcept { return try_wait(); }
  std::optional<std::uint32_t> any_announce(std::uint32_t) const noexcept {
    return detail::announce_any(word_, waiters_bit,
                                [](std::uint32_t state) { return count_of(state) == 0; });
  }
  const futex_word& any_word() const noexcept { return word_; }
  void any_leave(detail::any_leaving how) const noexcept {
    if (!how.announced) return;
    // Relaxed: the bit publishes nothing, and a waiter woken below reads the count again.
    std::uint32_t state = word_.load(std::memory_order_relaxed);
    while (has_waiter(state)) {
      // Relaxed: as above. The count_down that reaches zero reads the bit in its own RMW: it
      // either comes first (the CAS fails, the count is zero, nothing to take back) or finds
      // the bit clear and wakes nobody, while the wake below reaches whoever slept.
      if (word_.compare_exchange_weak(state, state & ~waiters_bit, std::memory_order_relaxed,
                                      std::memory_order_relaxed)) {
        Backend::wake(word_, std::numeric_limits<std::size_t>::max());
        return;
      }
    }
  }

  // mutable: wait() is const (as std's), yet records that a thread sleeps.
  mutable detail::word_t<Backend> word_;
};

using latch = basic_latch<backend::default_backend>;

static_assert(sizeof(latch) == 4, "futon::latch is one 32-bit word");
// As std: neither copyable nor movable; constructed explicitly from a count, without throwing.
static_assert(!std::is_copy_constructible_v<latch> && !std::is_move_constructible_v<latch> &&
              !std::is_copy_assignable_v<latch> && !std::is_move_assignable_v<latch>);
static_assert(std::is_nothrow_constructible_v<latch, std::ptrdiff_t> &&
              !std::is_convertible_v<std::ptrdiff_t, latch>);

}  // namespace v0
}  // namespace futon
