// SPDX-License-Identifier: BSL-1.0
// <futon/mutex.hpp>: futon::mutex, a drop-in std::mutex (and std::timed_mutex) in 4 bytes.
//
//   futon::mutex m;
//   { std::lock_guard guard(m); ... }
//   if (m.try_lock_for(std::chrono::milliseconds(5))) { ...; m.unlock(); }
//
// Members as std::timed_mutex: lock, try_lock, try_lock_for, try_lock_until, unlock. It meets
// Lockable and TimedLockable (checked below) and works with lock_guard, unique_lock, scoped_lock.
//
// Behaviour:
//   - Uncontended lock and unlock are one compare-and-swap each, inlined: no call, no system call.
//   - A thread that finds the lock held spins only while nobody sleeps on it, for a bounded time
//     (detail::spin_limit, ~1.6 us here; see <futon/detail/spin.hpp> for the calibration), then
//     sleeps on the futex word.
//   - Eventual fairness: a thread that has waited more than 1 ms marks the mutex "starving";
//     from then on nobody barges in, and the next unlock hands the lock straight to it. A
//     sleeper does not rely on a wake reaching it to notice (wakes come in no set order): it
//     also wakes by itself, 10 ms into its wait and then each time its wait has doubled.
//   - An unlock wakes at most one sleeper, and a burst of unlocks before the woken thread has
//     run wakes nobody else: the unlock that wakes marks the word "a woken thread is on its way"
//     and the woken thread clears that mark when it locks, sleeps again or gives up.
//   - Timed members never give up early and take any duration or clock (zero, negative and past
//     timeouts try once; duration::max() waits forever).
//
// Preconditions, checked with FUTON_DEBUG_CHECKS (message, then abort): unlock() only by the
// thread that holds the mutex; the mutex is not locked when destroyed. Not checked: that no
// thread waits in it then (the sleepers bit may outlive a waiter that timed out).
//
// Destruction: as for std::mutex, the mutex may be destroyed as soon as it is unlocked and no
// thread is inside one of its members, even while the thread that unlocked it last is still
// returning from unlock(): unlock's releasing compare-and-swap is its last access (it wakes a
// sleeper before it, while it still holds the lock). So a reference count that drops to zero
// under the lock may free the object right after its unlock().
//
// Counters: none (the word is a set of bits; nothing counts or wraps).
//
// Signal safety: none of the members may be called from a signal handler (a handler that
// interrupts the holder would deadlock, as with std::mutex). unlock() on the parking-lot
// backend may take a bucket lock.
//
// Under ThreadSanitizer it is annotated as a mutex (<futon/detail/tsan.hpp>): TSan orders
// critical sections by it alone, names it in race reports, and reports lock-order inversions,
// unlocks by a thread that does not hold it, and destroying it while held.
//
// basic_mutex<Backend> is the same over a chosen futex backend; futon::mutex uses the default.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <futon/detail/backend_traits.hpp>
#include <futon/detail/cold.hpp>
#include <futon/detail/deadline.hpp>
#include <futon/detail/lock_ownership.hpp>
#include <futon/detail/spin.hpp>
#include <futon/detail/thread_safety.hpp>
#include <futon/detail/tsan.hpp>
#include <futon/futex.hpp>
#include <limits>
#include <thread>
#include <type_traits>

namespace futon {

template <futex_backend Backend>
class FUTON_CAPABILITY("mutex") basic_mutex {
 public:
  constexpr basic_mutex() noexcept {
    // TSan: made at run time, so the destructor retires it (a static one is made by its 1st lock).
    if (!std::is_constant_evaluated()) detail::tsan::mutex_create(this, detail::tsan::not_static);
  }
  ~basic_mutex() {
    // Only locked_bit (and the starvation bits, which a waiter holds) mean misuse: parked_bit
    // may outlive a waiter that timed out, on an idle mutex.
    FUTON_PRECONDITION(
        (word_.load(std::memory_order_relaxed) & (locked_bit | starving_bit | handoff_bit)) == 0,
        "futon::mutex destroyed while locked or with waiters");
    // TSan: retire it (it reports one destroyed while held, where the check above is compiled out).
    detail::tsan::mutex_destroy(this, detail::tsan::not_static);
  }
  basic_mutex(const basic_mutex&) = delete;
  basic_mutex& operator=(const basic_mutex&) = delete;

  FUTON_ACQUIRE FUTON_NO_THREAD_SAFETY_ANALYSIS void lock() noexcept {
    // TSan: the word's atomics are hidden until post_lock, which alone orders us (see tsan.hpp).
    detail::tsan::mutex_pre_lock(this, detail::tsan::no_flags);
    std::uint32_t expected = 0;
    // Acquire: the critical section sees everything the previous holder wrote before unlock.
    if (!word_.compare_exchange_weak(expected, locked_bit, std::memory_order_acquire,
                                     std::memory_order_relaxed)) {
      lock_contended(nullptr);
    }
    // TSan: held: acquire what the last unlock released.
    detail::tsan::mutex_post_lock(this, detail::tsan::no_flags);
    FUTON_NOTE_LOCKED(this);
  }

  FUTON_TRY_ACQUIRE FUTON_NO_THREAD_SAFETY_ANALYSIS bool try_lock() noexcept {
    // TSan: a try cannot deadlock, so it adds no lock-order edge unless it succeeds.
    detail::tsan::mutex_pre_lock(this, detail::tsan::try_lock);
    std::uint32_t state = word_.load(std::memory_order_relaxed);
    // Never take the lock from a starving waiter (fairness), nor while it is held.
    while ((state & (locked_bit | starving_bit)) == 0) {
      // Acquire: as in lock().
      if (word_.compare_exchange_weak(state, state | locked_bit, std::memory_order_acquire,
                                      std::memory_order_relaxed)) {
        // TSan: held: acquire what the last unlock released.
        detail::tsan::mutex_post_lock(this, detail::tsan::try_lock);
        FUTON_NOTE_LOCKED(this);
        return true;
      }
    }
    // TSan: not held, so nothing is acquired.
    detail::tsan::mutex_post_lock(this, detail::tsan::try_lock | detail::tsan::try_lock_failed);
    return false;
  }

  template <class Rep, class Period>
  FUTON_TRY_ACQUIRE FUTON_NO_THREAD_SAFETY_ANALYSIS bool try_lock_for(
      const std::chrono::duration<Rep, Period>& timeout) noexcept {
    return try_lock_before(detail::deadline::after(timeout));
  }

  template <class Clock, class Duration>
  FUTON_TRY_ACQUIRE FUTON_NO_THREAD_SAFETY_ANALYSIS bool try_lock_until(
      const std::chrono::time_point<Clock, Duration>& deadline) noexcept {
    return detail::attempt_until(
        deadline, [&](const detail::deadline& limit) { return try_lock_before(limit); });
  }

  FUTON_RELEASE FUTON_NO_THREAD_SAFETY_ANALYSIS void unlock() noexcept {
    FUTON_CHECK_UNLOCK(this, "futon::mutex::unlock: the calling thread does not hold this mutex");
    // TSan: release the critical section to the next locker (the word's release CAS is hidden).
    detail::tsan::mutex_pre_unlock(this, detail::tsan::no_flags);
    std::uint32_t expected = locked_bit;
    // Release: publishes the critical section to the next holder.
    if (!word_.compare_exchange_strong(expected, 0, std::memory_order_release,
                                       std::memory_order_relaxed)) {
      unlock_contended();
    }
    // TSan: the word's atomics and futex calls above order nothing by themselves.
    detail::tsan::mutex_post_unlock(this, detail::tsan::no_flags);
  }

 private:
  // The futex, for calls made inside an annotated lock, unlock or signal: TSan checks them (and
  // the parking lot under them) as ordinary code (see diverted_backend in tsan.hpp).
  using futex_calls = detail::tsan::diverted_backend<Backend>;

  // The word: bits, all changed by compare-and-swap so that each change is decided on the
  // state it replaces.
  //
  //   bit                  set by                           cleared by
  //   locked 1             a locker's acquiring CAS         the unlock's releasing CAS (or, for
  //                                                         a handoff, the starving waiter)
  //   parked 2             a thread, before it sleeps       the unlock that wakes (before its
  //                        (its futex wait expects it);     wake), wake_one_if_unlocked
  //                        a woken thread, again
  //   woken 32             the unlock that wakes, while     the woken thread (lock, sleep, give
  //                        it still holds the lock          up, starve); the unlock itself if
  //                                                         its wake found nobody, before release
  //   starving 4           a waiter past starvation_ns      that waiter, when it takes the lock
  //   handoff 8            an unlock that finds starving    the starving waiter
  //   starving_sleeps 16   the starving waiter, to sleep    with starving
  //
  // Invariants the proof rests on (models/mutex.pml checks them):
  //   I1. A thread sleeps only on a word with parked_bit set (its futex wait expects it).
  //   I2. woken_bit is set only by a thread that holds the lock, and it outlives that
  //       thread's hold only if its wake counted a sleeper. That sleeper returns from its wait
  //       and clears woken_bit in its next change of the word, whichever path it takes (lock,
  //       handoff, sleep, starve, give up). So woken_bit never stays set with nobody on the
  //       way to clear it, and unlocks that skip their wake because of it lose no wakeup.
  //   I3. The unlock's releasing CAS is its last access of the word: all bookkeeping (the
  //       wake, retiring woken_bit when the wake found nobody) happens before it.
  static constexpr std::uint32_t locked_bit = 1;
  // Threads may be asleep on the word. An unlock that finds it (and no woken thread on its way)
  // clears it and wakes one sleeper, still holding the lock; the woken thread sets it again
  // when it takes the lock or sleeps, since others may still sleep (Drepper's "Futexes Are
  // Tricky" mutex keeps its "contended" state the same way). Set needlessly (a waiter that timed
  // out leaves it behind), it costs one futile wake, which clears it.
  static constexpr std::uint32_t parked_bit = 2;
  // A waiter has waited longer than starvation_ns: nobody else may take the lock, and unlock
  // sets handoff_bit (keeping locked_bit) so that the lock passes straight to that waiter.
  static constexpr std::uint32_t starving_bit = 4;
  static constexpr std::uint32_t handoff_bit = 8;
  // The starving waiter gave up yielding and sleeps on the word: the handoff must wake it. The
  // futex cannot wake one chosen thread, so that handoff wakes every sleeper; the others find
  // the lock still held and sleep again. It happens only when a critical section outlasts
  // starving_yield_limit yields, at most once per starvation episode.
  static constexpr std::uint32_t starving_sleeps_bit = 16;
  // An unlock has woken a sleeper that has not yet come back to the word: later unlocks wake
  // nobody, so a burst of unlocks (or of sleepers arriving) costs one wake, not one each. Any
  // thread returning from a futex wait may be the woken one and clears it at its next step
  // (clearing it needlessly only allows one extra wake). The unlock that set it clears it
  // itself, before its releasing CAS, when its wake found nobody (a waiter that timed out).
  static constexpr std::uint32_t woken_bit = 32;
  static constexpr int starving_yield_limit = 16;
  static constexpr std::uint32_t starving_bits = starving_bit | starving_sleeps_bit;
  static constexpr std::int64_t starvation_ns = 1'000'000;
  // A sleeper's first self-check for starvation (see sleep()).
  static constexpr std::int64_t self_check_ns = 10'000'000;

  bool try_lock_before(const detail::deadline& limit) noexcept {
    // TSan: a timed lock may give up, so it is a try (no lock-order edge unless it succeeds).
    detail::tsan::mutex_pre_lock(this, detail::tsan::try_lock);
    std::uint32_t expected = 0;
    // Acquire: as in lock().
    if (word_.compare_exchange_weak(expected, locked_bit, std::memory_order_acquire,
                                    std::memory_order_relaxed) ||
        lock_contended(&limit)) {
      // TSan: held: acquire what the last unlock released.
      detail::tsan::mutex_post_lock(this, detail::tsan::try_lock);
      FUTON_NOTE_LOCKED(this);
      return true;
    }
    // TSan: timed out, not held, so nothing is acquired.
    detail::tsan::mutex_post_lock(this, detail::tsan::try_lock | detail::tsan::try_lock_failed);
    return false;
  }

  // The slow path of every lock. `limit` == nullptr waits forever.
  FUTON_COLD bool lock_contended(const detail::deadline* limit) noexcept {
    int spins = 0;
    // We have returned from a futex wait and not touched the word since: we may be the thread
    // an unlock woke, so at our next step we clear woken_bit (the suppression is over) and set
    // parked_bit (that unlock cleared it, and others may still sleep).
    bool may_be_woken = false;
    bool starving = false;  // we own starving_bit
    int starving_yields = 0;
    std::int64_t waiting_since = 0;  // steady ns of our first sleep, for the starvation check
    for (;;) {
      std::uint32_t state = word_.load(std::memory_order_relaxed);

      if (starving && (state & handoff_bit) != 0) {
        // The unlocker left locked_bit set for us. Acquire: pairs with its release CAS.
        if (word_.compare_exchange_weak(state, take_handoff(state, may_be_woken),
                                        std::memory_order_acquire, std::memory_order_relaxed)) {
          return true;
        }
        continue;
      }
      if ((state & locked_bit) == 0 && (starving || (state & starving_bit) == 0)) {
        std::uint32_t next = state | locked_bit;
        if (starving) next &= ~starving_bits;
        if (may_be_woken) next = (next & ~woken_bit) | parked_bit;
        // Acquire: as in lock().
        if (word_.compare_exchange_weak(state, next, std::memory_order_acquire,
                                        std::memory_order_relaxed)) {
          return true;
        }
        continue;
      }

      if (limit != nullptr && limit->has_passed()) return give_up(may_be_woken, starving);

      if (starving) {
        // We are next in line. Let the holder run (most critical sections end within a few
        // yields), then sleep until the handoff wakes us.
        if (starving_yields < starving_yield_limit) {
          ++starving_yields;
          std::this_thread::yield();
          continue;
        }
        std::uint32_t sleep_on = state | starving_sleeps_bit;
        if (may_be_woken) sleep_on = (sleep_on & ~woken_bit) | parked_bit;
        // Relaxed: the futex wait re-reads the word; nothing is published by the bits.
        if (sleep_on != state &&
            !word_.compare_exchange_weak(state, sleep_on, std::memory_order_relaxed)) {
          continue;
        }
        const bool woken = limit == nullptr ? (futex_calls::wait(word_, sleep_on), true)
                                            : futex_calls::wait_until(word_, sleep_on, *limit);
        may_be_woken = true;
        if (!woken) return give_up(true, true);
        continue;
      }
      // Spin only while nobody sleeps: with sleepers queued, spinning would let us barge ahead
      // of them, and they are the ones the fairness rule protects.
      if ((state & parked_bit) == 0 && spins < detail::backend_spin_limit<Backend>()) {
        ++spins;
        detail::cpu_relax();
        continue;
      }
      if (waiting_since != 0 && (state & starving_bit) == 0 &&
          detail::backend_now_ns<Backend>() - waiting_since >= starvation_ns) {
        // Becoming starving re-marks parked_bit (an unlock may have cleared it to wake us, and
        // others may still sleep) and ends a wake suppression that may be ours. Relaxed: only
        // the bits matter; the lock is acquired by a CAS above.
        std::uint32_t next = state | starving_bit | parked_bit;
        if (may_be_woken) next &= ~woken_bit;
        if (word_.compare_exchange_weak(state, next, std::memory_order_relaxed)) {
          starving = true;
          may_be_woken = false;
        }
        continue;
      }

      // Sleep. The word we sleep on must carry parked_bit, so the holder's unlock will wake us
      // (invariant I1); if we may be the woken thread, end the suppression in the same step,
      // or no unlock would wake the sleepers (us included) until someone else did.
      std::uint32_t sleep_on = state | parked_bit;
      if (may_be_woken) sleep_on &= ~woken_bit;
      // Relaxed: the futex wait re-reads the word itself; nothing else is published here.
      if (sleep_on != state &&
          !word_.compare_exchange_weak(state, sleep_on, std::memory_order_relaxed)) {
        continue;
      }
      if (waiting_since == 0) waiting_since = detail::backend_now_ns<Backend>();
      const bool woken = sleep(sleep_on, limit, waiting_since);
      may_be_woken = true;
      // The caller's deadline passed: a wake that counted us would have made the wait return
      // true, but give_up still hands on what a returning thread owes (at most one extra wake).
      if (!woken && limit != nullptr && limit->has_passed()) return give_up(true, false);
    }
  }

  // A waiter's sleep on `sleep_on`, until a wake or `limit` (nullptr: none), and in any case
  // until its next fairness check is due. Fairness must not depend on which sleeper a wake
  // reaches (the futex promises no order: newest-first wakes never reach the oldest sleeper
  // while others keep arriving, and tests/mutex_test's oversubscription case then starves), so
  // a sleeper wakes by itself self_check_ns after it began waiting, then whenever its waiting
  // time has doubled, and checks for starvation. Why not at starvation_ns: on the kernel's and
  // the parking lot's FIFO queues a wake reaches the oldest sleeper anyway, and a 1 ms timer
  // made every long waiter wake and yield every millisecond (futon-bench, 32 threads: 10x the
  // context switches). The doubling keeps a long wait to log2(wait / 10 ms) extra wakes. False
  // when the sleep ended without a wake.
  bool sleep(std::uint32_t sleep_on, const detail::deadline* limit,
             std::int64_t waiting_since) noexcept {
    if constexpr (detail::backend_timers_are_real<Backend>()) {
      const std::int64_t waited = detail::backend_now_ns<Backend>() - waiting_since;
      const std::int64_t check_in = waited < self_check_ns ? self_check_ns - waited : waited;
      if (limit == nullptr || limit->remaining_ns() > check_in) {
        return futex_calls::wait_until(word_, sleep_on,
                                       detail::deadline::after(std::chrono::nanoseconds(check_in)));
      }
    }
    if (limit == nullptr) {
      futex_calls::wait(word_, sleep_on);
      return true;
    }
    return futex_calls::wait_until(word_, sleep_on, *limit);
  }

  // The word after the starving waiter takes the lock that an unlock handed it. woken_bit is
  // clear by then (becoming starving retired it, and no unlock sets it while starving_bit is
  // set); retiring it and re-marking parked_bit anyway keeps the rule "a thread back from a
  // wait retires at its next change of the word" without an exception to argue.
  static constexpr std::uint32_t take_handoff(std::uint32_t state, bool may_be_woken) noexcept {
    std::uint32_t next = state & ~(handoff_bit | starving_bits);
    if (may_be_woken) next = (next & ~woken_bit) | parked_bit;
    return next;
  }

  // A timed lock gives up (the caller is still inside try_lock_*, so the mutex is alive). Hand
  // back what we may hold: the wake suppression and parked_bit, if we may be the woken thread
  // (so the next unlock wakes someone, and if the lock is free now, wake someone ourselves),
  // and starving_bit.
  bool give_up(bool may_be_woken, bool starving) noexcept {
    if (!may_be_woken && !starving) return false;
    std::uint32_t state = word_.load(std::memory_order_relaxed);
    for (;;) {
      if (starving && (state & handoff_bit) != 0) {
        // The lock was handed to us after all: take it (late success is not an early timeout).
        // Acquire: pairs with the unlocker's release.
        if (word_.compare_exchange_weak(state, take_handoff(state, may_be_woken),
                                        std::memory_order_acquire, std::memory_order_relaxed)) {
          return true;
        }
        continue;
      }
      std::uint32_t next = state & ~(starving ? starving_bits : 0u);
      if (may_be_woken) next = (next & ~woken_bit) | parked_bit;
      // Relaxed: no data is handed over by this change.
      if (word_.compare_exchange_weak(state, next, std::memory_order_relaxed)) break;
    }
    wake_one_if_unlocked();
    return false;
  }

  // Every unlock but the uncontended one. Its releasing CAS is its last access of the word
  // (invariant I3): the moment it lands, another thread may lock, unlock and destroy the mutex
  // (a reference count that drops to zero under the lock, as POSIX and std allow). So the wake
  // comes first, while we still hold the lock, and so does retiring woken_bit when that wake
  // found nobody. The cost: the wake's system call lengthens the critical section, once per
  // woken thread rather than once per unlock.
  FUTON_COLD void unlock_contended() noexcept {
    // We set woken_bit and our wake found nobody: it is ours to clear before we release.
    bool retire_woken = false;
    std::uint32_t state = word_.load(std::memory_order_relaxed);
    for (;;) {
      if ((state & starving_bit) != 0) {
        // Hand over: the lock stays locked for everyone but the starving waiter, which is awake
        // and watching for handoff_bit. Release: publishes our critical section to it.
        std::uint32_t next = state | handoff_bit;
        if (retire_woken) next &= ~woken_bit;
        if (word_.compare_exchange_weak(state, next, std::memory_order_release,
                                        std::memory_order_relaxed)) {
          // A wake by address after the releasing step: the starving waiter cannot return
          // (nor anyone destroy the mutex) until this CAS lands, and the wake touches no memory
          // of the mutex.
          if ((state & starving_sleeps_bit) != 0) {
            futex_calls::wake(word_, std::numeric_limits<std::size_t>::max());
          }
          return;
        }
        continue;
      }
      if ((state & parked_bit) != 0 && ((state & woken_bit) == 0 || retire_woken)) {
        // Sleepers, and no woken thread on its way: wake one, still holding the lock. Clearing
        // parked_bit makes a thread that is about to sleep look again (its futex wait expects
        // parked_bit) and re-mark it, so nobody falls asleep unseen. Relaxed: we hold the lock;
        // nothing is published by these bits.
        if (word_.compare_exchange_weak(state, (state & ~parked_bit) | woken_bit,
                                        std::memory_order_relaxed)) {
          // Found nobody (a waiter that timed out left parked_bit, or the sleeper-to-be has
          // not reached its wait): woken_bit is ours again, and we loop, since a thread may
          // have set parked_bit and fallen asleep meanwhile.
          retire_woken = futex_calls::wake(word_, 1) == 0;
          state = word_.load(std::memory_order_relaxed);
        }
        continue;
      }
      std::uint32_t next = state & ~locked_bit;
      if (retire_woken) next &= ~woken_bit;
      // Release: publishes our critical section to the next holder. Our last access.
      if (word_.compare_exchange_weak(state, next, std::memory_order_release,
                                      std::memory_order_relaxed)) {
        return;
      }
    }
  }

  // If sleepers may exist, nobody holds the lock and no woken thread is on its way, wake one:
  // otherwise nobody would (there is no holder to unlock). Used by a thread that gives up a
  // timed wait (still inside the mutex's member, so the mutex is alive). It sets no woken_bit
  // (nobody would clear it if the wake found nobody); the woken thread re-marks parked_bit.
  void wake_one_if_unlocked() noexcept {
    std::uint32_t state = word_.load(std::memory_order_relaxed);
    for (;;) {
      if ((state & (locked_bit | woken_bit)) != 0 || (state & parked_bit) == 0) return;
      // Relaxed: no data is handed over; the woken thread acquires with its own CAS.
      if (word_.compare_exchange_weak(state, state & ~parked_bit, std::memory_order_relaxed)) {
        futex_calls::wake(word_, 1);
        return;
      }
    }
  }

  detail::word_t<Backend> word_{0};
};

using mutex = basic_mutex<backend::default_backend>;

static_assert(sizeof(mutex) == 4, "futon::mutex is one 32-bit word");

}  // namespace futon
