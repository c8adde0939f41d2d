// SPDX-License-Identifier: BSL-1.0
// <futon/counting_semaphore.hpp>: futon::counting_semaphore and futon::binary_semaphore, drop-in
// std::counting_semaphore / std::binary_semaphore in 4 bytes (8 for a LeastMaxValue above
// 2^31 - 1).
//
//   futon::counting_semaphore<8> slots(8);   // at most 8 at a time
//   slots.acquire();  use_the_resource();  slots.release();
//   if (slots.try_acquire_for(std::chrono::milliseconds(5))) { ...; slots.release(); }
//
//   futon::binary_semaphore ready(0);
//   // producer: publish(); ready.release();      consumer: ready.acquire(); consume();
//
// Members as std::counting_semaphore<LeastMaxValue>: release(update = 1), acquire, try_acquire,
// try_acquire_for, try_acquire_until, and the static max().
//
// The representation follows LeastMaxValue (any value >= 0, as the standard allows):
//   - up to 2^31 - 1 (the default, and binary_semaphore): one 32-bit word, the count in 31 bits;
//   - above it (up to PTRDIFF_MAX, libc++'s default): one 64-bit word, the count in 63 bits,
//     whose waiters sleep on its low-order 32-bit half (see "The wide word" below).
// max() reports what the representation holds: 2^31 - 1, or PTRDIFF_MAX for the wide word. The
// standard asks only max() >= LeastMaxValue, and states its preconditions against max(), so
// futon's debug checks stop exactly the counts that would not fit: counting_semaphore<4> s(6)
// and a release that takes a binary_semaphore to 2 are accepted, as libstdc++ and libc++ run
// them. (df8d42e's max() was LeastMaxValue and stopped both in debug builds; a check against
// LeastMaxValue would reject programs that the standard libraries run, and it is not what the
// type holds.) So binary_semaphore::max() is 2^31 - 1, not 1.
//
// Behaviour:
//   - Uncontended acquire and release are one compare-and-swap each: no call into the futex, no
//     system call. release() wakes only when a thread may be asleep (the waiters bit, below).
//   - release(n) wakes at most n sleepers; a woken thread that finds more permits than it needs
//     passes the wake on to one more sleeper, so no sleeper is left behind while permits remain.
//   - acquire() spins briefly (detail::spin_limit relax steps, then detail::spin_yields yields)
//     while nobody sleeps, then sleeps on the word.
//   - No spurious success and no spurious wakeup leaks out: acquire() returns only with a permit.
//     try_acquire() fails only when the count is zero.
//   - Timed members never give up early and take any duration or clock: zero, negative and past
//     timeouts try once; duration::max() and time_point::max() wait until a permit comes. A permit
//     that arrives as the deadline passes is taken (true), never dropped.
//   - release() "strongly happens before" the acquire that takes its permit (release/acquire).
//
// Preconditions, checked with FUTON_DEBUG_CHECKS (message, then abort): the initial count and
// every update are >= 0; release(n) must not raise the count above max(). Destroying a semaphore
// that threads
// still wait on is undefined, as for std, and not detected: the word only knows that threads
// *may* be asleep.
//
// basic_counting_semaphore<Backend, LeastMaxValue> is the same over a chosen futex backend;
// futon::counting_semaphore<N> uses the default backend.
// Destruction: a thread whose acquire returned may destroy the semaphore at once, while the
// release() that gave it the permit is still returning: release's compare-and-swap is its last
// access (the wake that follows is by address, harmless on freed memory).
//
// Counters: the count (31 bits, or 63 in the wide word) never passes max() (checked) nor goes
// below zero: nothing wraps. The wide word's futex value is its low 32 bits only, so it is
// compared modulo 2^32; see "The wide word" for why that never hides a change.
//
// Signal safety: release() may be called from a signal handler on the kernel-futex backend (the
// classic use of a semaphore from a handler), unless a futex_wait_any of two or more words (so
// a futon::wait_any over two or more primitives) may be in progress anywhere in the process
// (<futon/futex.hpp>); on the parking-lot backend it may take a bucket lock, so not there.
// acquire and its timed forms may not.
//
#pragma once

#include <atomic>
#include <bit>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <futon/detail/assert.hpp>
#include <futon/detail/backend_traits.hpp>
#include <futon/detail/deadline.hpp>
#include <futon/detail/spin.hpp>
#include <futon/detail/wait_any_hooks.hpp>
#include <futon/futex.hpp>
#include <limits>
#include <optional>
#include <thread>
#include <type_traits>

namespace futon {
inline namespace v0 {

namespace detail {
// The largest count the 32-bit semaphore word holds: 31 bits (bit 0 is the waiters bit).
inline constexpr std::ptrdiff_t semaphore_count_max = 0x7fff'ffff;

// The 32-bit half of a 64-bit atomic word that holds its low-order bits, as a futex word: the
// futex reads it as 32 bits (the kernel, the parking lot's value check), while the primitive
// changes the whole word with 64-bit operations. C++ has no words for two sizes of access to
// one object; every compiler and CPU futon supports gives them their hardware meaning, and
// this is how glibc's 64-bit sem_t waits too.
template <class Wide>
const futex_word& low_half(const Wide& word) noexcept {
  static_assert(sizeof(Wide) == 8 && alignof(Wide) >= alignof(futex_word) &&
                std::atomic<std::uint64_t>::is_always_lock_free);
  static_assert(std::endian::native == std::endian::little ||
                std::endian::native == std::endian::big);
  constexpr std::size_t offset = std::endian::native == std::endian::little ? 0 : 4;
  return *reinterpret_cast<const futex_word*>(reinterpret_cast<const unsigned char*>(&word) +
                                              offset);
}
}  // namespace detail

template <futex_backend Backend, std::ptrdiff_t LeastMaxValue = detail::semaphore_count_max>
class basic_counting_semaphore {
  static_assert(LeastMaxValue >= 0, "futon::counting_semaphore: LeastMaxValue must be >= 0");

  // The representation (see the header): the 32-bit word up to 2^31 - 1, else the 64-bit one.
  // (Where ptrdiff_t has 32 bits, LeastMaxValue cannot exceed 2^31 - 1: always the 32-bit word.)
  static constexpr bool wide = LeastMaxValue > detail::semaphore_count_max;
  using state_t = std::conditional_t<wide, std::uint64_t, std::uint32_t>;
  using word_type = std::conditional_t<wide, detail::wide_word_t<Backend>, detail::word_t<Backend>>;

 public:
  // What the representation holds (see the header), which is at least LeastMaxValue.
  static constexpr std::ptrdiff_t max() noexcept {
    return wide ? std::numeric_limits<std::ptrdiff_t>::max() : detail::semaphore_count_max;
  }

  constexpr explicit basic_counting_semaphore(std::ptrdiff_t desired) noexcept
      : word_(static_cast<state_t>(desired) * count_one) {
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
    // The futex word's address, taken now: after the CAS below only the address may be used.
    const futex_word& sleep_word = futex_word_of();
    // Relaxed: only a first guess for the CAS, which reads the word again.
    state_t state = word_.load(std::memory_order_relaxed);
    state_t next = 0;
    do {
      FUTON_PRECONDITION(count_of(state) <= max() - update,
                         "futon::counting_semaphore::release: the count would exceed max()");
      // Clear waiters_bit: the sleepers it announced are woken below (see the word's comment).
      next = (state & ~waiters_bit) + static_cast<state_t>(update) * count_one;
      // Release: the thread that takes one of these permits (acquire CAS) sees what we wrote.
      // Relaxed on failure: we only compute the next value from what it read.
    } while (!word_.compare_exchange_weak(state, next, std::memory_order_release,
                                          std::memory_order_relaxed));
    // By address only: an acquirer may have taken the permit and destroyed the semaphore.
    if ((state & waiters_bit) != 0) Backend::wake(sleep_word, static_cast<std::size_t>(update));
  }

  void acquire() noexcept {
    if (!try_acquire()) static_cast<void>(acquire_contended(nullptr));
  }

  bool try_acquire() noexcept {
    // Relaxed: a guess for the CAS, which reads the word again (with acquire on success).
    state_t state = word_.load(std::memory_order_relaxed);
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
  //
  // The wide word (LeastMaxValue above 2^31 - 1): the same layout in 64 bits (bit 0 waiters_bit,
  // the count in bits 1..63) and the same protocol, every step one 64-bit atomic operation, so
  // that release() still hands over permits and reads the bit in one step, its last access (a
  // waiters count in a second word would have to be read after the permits are published, when
  // the semaphore may already be destroyed). Futex words are 32 bits, so threads sleep on the
  // word's low-order half (detail::low_half), and the futex's value check compares only it. That
  // check is still exact: a thread sleeps only on the state "bit set, count 0" (the bit is set
  // only while the count is zero, above), whose low half is 1, and the low half of any other
  // state is not 1: with the bit set the count is 0 and the state is exactly 1; with the bit
  // clear the low half is even. So the futex refuses to sleep after any change the 32-bit word
  // would have shown, lost wakeups are excluded by the same argument, and a wake is by the
  // half's address, which is inside the object: harmless once it is freed, as for the 32-bit
  // word. (glibc's 64-bit sem_t, value and waiter count in one 64-bit word with the futex on
  // the value's half, is the idea; written anew.)
  static constexpr state_t waiters_bit = 1;
  static constexpr state_t count_one = 2;

  static constexpr std::ptrdiff_t count_of(state_t state) noexcept {
    return static_cast<std::ptrdiff_t>(state / count_one);
  }

  // The 32-bit word threads sleep on: the whole word, or the low half of the wide one.
  const futex_word& futex_word_of() const noexcept {
    if constexpr (wide) {
      return detail::low_half(word_);
    } else {
      return word_;
    }
  }

  // The futex value of a state: all of it, or its low half (see "The wide word").
  static constexpr std::uint32_t futex_value(state_t state) noexcept {
    return static_cast<std::uint32_t>(state);
  }

  // The slow path of every acquire: true with a permit, false once `limit` (nullptr = never)
  // has passed with none.
  bool acquire_contended(const detail::deadline* limit) noexcept {
    int spins = 0;
    int yields = 0;
    bool woken = false;  // we returned from a wait: we owe the sleepers the bit's duty (above)
    const futex_word& sleep_word = futex_word_of();
    // Relaxed: each step below that acts on it is a CAS, or a futex wait that checks it again.
    state_t state = word_.load(std::memory_order_relaxed);
    for (;;) {
      const std::ptrdiff_t count = count_of(state);
      if (count > 0) {
        const bool last = count == 1;
        state_t next = state - count_one;
        if (woken && last) next |= waiters_bit;
        // Acquire: as in try_acquire. Relaxed on failure: we look again.
        if (word_.compare_exchange_weak(state, next, std::memory_order_acquire,
                                        std::memory_order_relaxed)) {
          if (woken && !last) Backend::wake(sleep_word, 1);  // permits remain: pass the wake on
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
        state = word_.load(std::memory_order_relaxed);  // relaxed: as above
        continue;
      }
      // Then a few yields (detail::spin_yields), still only while nobody sleeps. The releaser is
      // often a thread that wants this CPU: a producer feeding more consumers than there are
      // CPUs. Sleeping made each of its releases a wake (a system call for it, a context switch
      // for us) and left the CPU idle in between; yielding lets it run and release the next
      // permit. Measured with a replica of futon-bench's thread_pool_semaphore (one submitter,
      // batches of 64 1-us tasks, 2 cores): 2/4/8/32 workers 0.85-0.94/0.76-0.80/0.70-0.72/
      // 0.76-0.77 M tasks/s without yields, 1.03-1.04/1.02-1.04/0.96-1.00/1.25-1.27 with 12,
      // 0.99-1.07/0.96-0.99/0.92-0.96/1.16-1.24 with 4; 512 relax steps instead gained nothing.
      if ((state & waiters_bit) == 0 && yields < detail::backend_spin_yields<Backend>()) {
        ++yields;
        std::this_thread::yield();
        state = word_.load(std::memory_order_relaxed);  // relaxed: as above
        continue;
      }
      if ((state & waiters_bit) == 0) {
        // Relaxed: the futex wait re-reads the word; no data is published by the bit.
        if (!word_.compare_exchange_weak(state, state | waiters_bit, std::memory_order_relaxed)) {
          continue;
        }
        state |= waiters_bit;
      }
      // Here the state is exactly waiters_bit (count 0, bit set): its futex value is 1.
      if (limit == nullptr) {
        Backend::wait(sleep_word, futex_value(state));
      } else {
        // A timeout is noticed on the next pass, after one more look for a permit.
        static_cast<void>(Backend::wait_until(sleep_word, futex_value(state), *limit));
      }
      woken = true;
      state = word_.load(std::memory_order_relaxed);  // relaxed: as above
    }
  }

  // futon::wait_any's hooks (detail/wait_any_hooks.hpp): acquire_contended's steps, taken
  // apart, for a wait that takes one permit of this semaphore or returns through another
  // primitive. It keeps the bit's duty (the word's comment) as acquire_contended does:
  //   - any_announce sets the bit with the count at zero, so the futex value is exactly 1, as in
  //     acquire_contended, and the wide word's low half compares exactly (see "The wide word");
  //   - a release's wake that counted the wait (how.woken) makes it a woken thread, which owes
  //     the sleepers it may have been woken ahead of: any_leave passes the wake on if permits
  //     remain (it took one elsewhere, or took this one and more remain), or sets the bit again
  //     if none do; sleeping here again discharges it too (any_announce leaves the bit set).
  // Taking the permit (any_try) and passing the wake on are two steps where acquire_contended
  // makes one CAS: in between, a release finds the bit clear and wakes nobody, and any_leave
  // then sees its permits and wakes one sleeper for them. Done needlessly, either costs one
  // futile wake.
  friend struct detail::wait_any_access;
  std::uint32_t any_begin() const noexcept { return 0; }  // a permit is taken, not seen since
  bool any_try(std::uint32_t) noexcept { return try_acquire(); }
  std::optional<std::uint32_t> any_announce(std::uint32_t) noexcept {
    const std::optional<state_t> state =
        detail::announce_any(word_, waiters_bit, [](state_t s) { return count_of(s) > 0; });
    if (!state) return std::nullopt;
    return futex_value(*state);  // the count is zero and the bit set: 1 (see above)
  }
  const futex_word& any_word() const noexcept { return futex_word_of(); }
  void any_leave(detail::any_leaving how) noexcept {
    if (!how.woken) return;
    const futex_word& sleep_word = futex_word_of();  // taken now: after the CAS, address only
    // Relaxed: nothing is taken here; a thread woken below takes a permit with its own acquire
    // CAS, and the bit publishes nothing.
    state_t state = word_.load(std::memory_order_relaxed);
    for (;;) {
      if (count_of(state) > 0) {
        Backend::wake(sleep_word, 1);  // permits remain: pass the wake on
        return;
      }
      if ((state & waiters_bit) != 0) return;  // sleepers are covered by the bit
      // Relaxed: as above. On failure, look again (a permit may have come).
      if (word_.compare_exchange_weak(state, state | waiters_bit, std::memory_order_relaxed,
                                      std::memory_order_relaxed)) {
        return;
      }
    }
  }

  word_type word_;
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
static_assert(counting_semaphore<>::max() >= 0x7fff'ffff && binary_semaphore::max() >= 1);
static_assert(sizeof(counting_semaphore<std::numeric_limits<std::ptrdiff_t>::max()>) ==
                  (sizeof(std::ptrdiff_t) > 4 ? 8 : 4),
              "futon::counting_semaphore above 2^31 - 1 is one 64-bit word");

}  // namespace v0
}  // namespace futon
