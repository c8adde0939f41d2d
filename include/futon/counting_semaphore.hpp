// <futon/counting_semaphore.hpp>: futon::counting_semaphore and futon::binary_semaphore, drop-in
// std::counting_semaphore / std::binary_semaphore in 4 bytes.
//
//   futon::counting_semaphore<8> slots(8);   // at most 8 at a time
//   slots.acquire();  use_the_resource();  slots.release();
//   if (slots.try_acquire_for(std::chrono::milliseconds(5))) { ...; slots.release(); }
//
//   futon::binary_semaphore ready(0);
//   // producer: publish(); ready.release();      consumer: ready.acquire(); consume();
//
// Members as std::counting_semaphore<LeastMaxValue>: release(update = 1), acquire, try_acquire,
// try_acquire_for, try_acquire_until, and the static max(), which returns LeastMaxValue (so that a
// binary_semaphore's max() is 1). LeastMaxValue may be at most 2^31 - 1, the default.
//
// Behaviour:
//   - Uncontended acquire and release are one compare-and-swap each: no call into the futex, no
//     system call. release() wakes only when a thread may be asleep (the waiters bit, below).
//   - release(n) wakes at most n sleepers; a woken thread that finds more permits than it needs
//     passes the wake on to one more sleeper, so no sleeper is left behind while permits remain.
//   - acquire() spins briefly (detail::spin_limit) while nobody sleeps, then sleeps on the word.
//   - No spurious success and no spurious wakeup leaks out: acquire() returns only with a permit.
//     try_acquire() fails only when the count is zero.
//   - Timed members never give up early and take any duration or clock: zero, negative and past
//     timeouts try once; duration::max() and time_point::max() wait until a permit comes. A permit
//     that arrives as the deadline passes is taken (true), never dropped.
//   - release() "strongly happens before" the acquire that takes its permit (release/acquire).
//
// Preconditions, checked in builds without NDEBUG (message, then abort): the initial count and
// every update are >= 0; release(n) must not raise the count above max() (so releasing a
// binary_semaphore that is already 1 stops a debug build). Destroying a semaphore that threads
// still wait on is undefined, as for std, and not detected: the word only knows that threads
// *may* be asleep.
//
// basic_counting_semaphore<Backend, LeastMaxValue> is the same over a chosen futex backend;
// futon::counting_semaphore<N> uses the default backend.
// Destruction: a thread whose acquire returned may destroy the semaphore at once, while the
// release() that gave it the permit is still returning: release's compare-and-swap is its last
// access (the wake that follows is by address, harmless on freed memory).
//
// Counters: the count (31 bits) never passes max() (checked) nor goes below zero: nothing wraps.
//
// Signal safety: release() may be called from a signal handler on the kernel-futex backend (the
// classic use of a semaphore from a handler); on the parking-lot backend it may take a bucket
// lock, so not there. acquire and its timed forms may not.
//
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <futon/detail/assert.hpp>
#include <futon/detail/backend_traits.hpp>
#include <futon/detail/deadline.hpp>
#include <futon/detail/spin.hpp>
#include <futon/futex.hpp>
#include <type_traits>

namespace futon {

namespace detail {
// The largest count the semaphore word holds: 31 bits (bit 0 is the waiters bit).
inline constexpr std::ptrdiff_t semaphore_count_max = 0x7fff'ffff;
}  // namespace detail

template <futex_backend Backend, std::ptrdiff_t LeastMaxValue = detail::semaphore_count_max>
class basic_counting_semaphore {
  static_assert(LeastMaxValue >= 0, "futon::counting_semaphore: LeastMaxValue must be >= 0");
  static_assert(LeastMaxValue <= detail::semaphore_count_max,
                "futon::counting_semaphore: LeastMaxValue may be at most 2^31 - 1");

 public:
  static constexpr std::ptrdiff_t max() noexcept { return LeastMaxValue; }

  constexpr explicit basic_counting_semaphore(std::ptrdiff_t desired) noexcept
      : word_(static_cast<std::uint32_t>(desired) * count_one) {
    FUTON_PRECONDITION(desired >= 0 && desired <= max(),
                       "futon::counting_semaphore: the initial count is negative or above max()");
  }
  basic_counting_semaphore(const basic_counting_semaphore&) = delete;
  basic_counting_semaphore& operator=(const basic_counting_semaphore&) = delete;

  void release(std::ptrdiff_t update = 1) noexcept {
    FUTON_PRECONDITION(update >= 0, "futon::counting_semaphore::release: negative update");
    if (update == 0) {
      // Nothing to hand over and nobody to wake, but still a release operation as std asks.
      word_.fetch_add(0, std::memory_order_release);
      return;
    }
    std::uint32_t state = word_.load(std::memory_order_relaxed);
    std::uint32_t next = 0;
    do {
      FUTON_PRECONDITION(count_of(state) <= max() - update,
                         "futon::counting_semaphore::release: the count would exceed max()");
      // Clear waiters_bit: the sleepers it announced are woken below (see the word's comment).
      next = (state & ~waiters_bit) + static_cast<std::uint32_t>(update) * count_one;
      // Release: the thread that takes one of these permits (acquire CAS) sees what we wrote.
    } while (!word_.compare_exchange_weak(state, next, std::memory_order_release,
                                          std::memory_order_relaxed));
    if ((state & waiters_bit) != 0) Backend::wake(word_, static_cast<std::size_t>(update));
  }

  void acquire() noexcept {
    if (!try_acquire()) static_cast<void>(acquire_contended(nullptr));
  }

  bool try_acquire() noexcept {
    std::uint32_t state = word_.load(std::memory_order_relaxed);
    while (count_of(state) > 0) {
      // Acquire: pairs with the release CAS that added the permit we take.
      if (word_.compare_exchange_weak(state, state - count_one, std::memory_order_acquire,
                                      std::memory_order_relaxed)) {
        return true;
      }
    }
    return false;
  }

  template <class Rep, class Period>
  bool try_acquire_for(const std::chrono::duration<Rep, Period>& timeout) noexcept {
    const detail::deadline limit = detail::deadline::after(timeout);  // once, before any attempt
    return try_acquire() || acquire_contended(&limit);
  }

  template <class Clock, class Duration>
  bool try_acquire_until(const std::chrono::time_point<Clock, Duration>& deadline) noexcept {
    return detail::attempt_until(deadline, [&](const detail::deadline& limit) {
      return try_acquire() || acquire_contended(&limit);
    });
  }

 private:
  // The word: the count of permits in bits 1..31, and bit 0:
  //
  // waiters_bit: threads may be asleep on the word. A thread sets it (CAS, count == 0) before it
  // sleeps, and its futex wait expects it, so nobody sleeps on a word without it. release()
  // clears it and wakes `update` sleepers. Hence waiters_bit is only ever set while the count is
  // zero; every count > 0 has it clear.
  //
  // Why release() cannot miss a sleeper (the Dekker argument): the sleeper's CAS that sets the
  // bit and the releaser's CAS that adds permits are read-modify-writes of the same word, so
  // they are ordered one way or the other in its modification order, with no fence needed. If
  // the sleeper's comes first, the releaser's CAS reads the bit and wakes. If the releaser's
  // comes first, the sleeper's CAS fails (the count changed) and it looks again, finds a permit,
  // and takes it. Between its CAS and the futex wait, the futex's own value check catches any
  // release (the word no longer equals what the sleeper expects).
  //
  // Why clearing the bit loses nobody: release(n) wakes at most n of perhaps more sleepers and
  // leaves the rest asleep with the bit clear. Every thread that returns from a wait therefore
  // takes over the bit's duty before it leaves (`woken` in acquire_contended): if it takes the
  // last permit it sets the bit again (others may still sleep); if permits remain after its own,
  // it wakes one more sleeper, which inherits the duty (a release() may have added them while
  // the bit was clear, waking nobody); if it goes back to sleep or gives up with no permit left,
  // it sets the bit. So a sleeper is always covered by the bit or by an awake thread that owes
  // it a wake. Set needlessly, the bit costs one futile wake. (The "contended" state of
  // Drepper's "Futexes Are Tricky" mutex, kept the same way; glibc's semaphore keeps a separate
  // waiter count instead, which does not fit in 4 bytes next to a 31-bit count.)
  static constexpr std::uint32_t waiters_bit = 1;
  static constexpr std::uint32_t count_one = 2;

  static constexpr std::ptrdiff_t count_of(std::uint32_t state) noexcept {
    return static_cast<std::ptrdiff_t>(state / count_one);
  }

  // The slow path of every acquire: true with a permit, false once `limit` (nullptr = never)
  // has passed with none.
  bool acquire_contended(const detail::deadline* limit) noexcept {
    int spins = 0;
    bool woken = false;  // we returned from a wait: we owe the sleepers the bit's duty (above)
    std::uint32_t state = word_.load(std::memory_order_relaxed);
    for (;;) {
      const std::ptrdiff_t count = count_of(state);
      if (count > 0) {
        const bool last = count == 1;
        std::uint32_t next = state - count_one;
        if (woken && last) next |= waiters_bit;
        // Acquire: as in try_acquire.
        if (word_.compare_exchange_weak(state, next, std::memory_order_acquire,
                                        std::memory_order_relaxed)) {
          if (woken && !last) Backend::wake(word_, 1);  // permits remain: pass the wake on
          return true;
        }
        continue;
      }

      if (limit != nullptr && limit->has_passed()) {
        if (woken && (state & waiters_bit) == 0) {
          // Leave the bit set for the sleepers we may have been woken ahead of. Relaxed: only
          // the bit matters; if the CAS fails, look again (a permit may have come).
          if (!word_.compare_exchange_weak(state, state | waiters_bit, std::memory_order_relaxed)) {
            continue;
          }
        }
        return false;
      }

      // Spin only while nobody sleeps: with sleepers, a permit is theirs to be woken for.
      if ((state & waiters_bit) == 0 && spins < detail::backend_spin_limit<Backend>()) {
        ++spins;
        detail::cpu_relax();
        state = word_.load(std::memory_order_relaxed);
        continue;
      }
      if ((state & waiters_bit) == 0) {
        // Relaxed: the futex wait re-reads the word; no data is published by the bit.
        if (!word_.compare_exchange_weak(state, state | waiters_bit, std::memory_order_relaxed)) {
          continue;
        }
        state |= waiters_bit;
      }
      if (limit == nullptr) {
        Backend::wait(word_, state);
      } else {
        // A timeout is noticed on the next pass, after one more look for a permit.
        static_cast<void>(Backend::wait_until(word_, state, *limit));
      }
      woken = true;
      state = word_.load(std::memory_order_relaxed);
    }
  }

  detail::word_t<Backend> word_;
};

template <futex_backend Backend>
using basic_binary_semaphore = basic_counting_semaphore<Backend, 1>;

template <std::ptrdiff_t LeastMaxValue = detail::semaphore_count_max>
using counting_semaphore = basic_counting_semaphore<backend::default_backend, LeastMaxValue>;

using binary_semaphore = counting_semaphore<1>;

static_assert(sizeof(counting_semaphore<>) == 4, "futon::counting_semaphore is one 32-bit word");
static_assert(sizeof(binary_semaphore) == 4, "futon::binary_semaphore is one 32-bit word");
// As std: neither copyable nor movable; constructed explicitly from a count, without throwing.
static_assert(!std::is_copy_constructible_v<counting_semaphore<>> &&
              !std::is_move_constructible_v<counting_semaphore<>> &&
              !std::is_copy_assignable_v<counting_semaphore<>> &&
              !std::is_move_assignable_v<counting_semaphore<>>);
static_assert(std::is_nothrow_constructible_v<counting_semaphore<>, std::ptrdiff_t> &&
              !std::is_convertible_v<std::ptrdiff_t, counting_semaphore<>>);
static_assert(counting_semaphore<>::max() >= 0x7fff'ffff && binary_semaphore::max() == 1);

}  // namespace futon
