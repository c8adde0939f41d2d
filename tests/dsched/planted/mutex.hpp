// SPDX-License-Identifier: BSL-1.0
// PLANTED BUGS - test-only. A copy of include/futon/mutex.hpp as it was at commit 7add648,
// before issue 10's fixes, kept so that the deterministic scheduler's tests can show that the
// checker finds the defects the issue lists (tests/dsched/dsched_planted_primitives_test.cpp).
// Only the namespace (planted_7add648) and the includes differ from the original; never use it
// outside those tests. Defect 1: unlock's wake_one() reads and writes the word after the
// releasing compare-and-swap, when the wake finds nobody.
//
// The original header follows.
//
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
//     from then on nobody barges in, and the next unlock hands the lock straight to it.
//   - An unlock wakes at most one sleeper, and none while a woken one has not yet run (the WOKEN
//     bit, as in Go's sync.Mutex): a burst of unlocks costs one system call, not one each.
//   - Timed members never give up early and take any duration or clock (zero, negative and past
//     timeouts try once; duration::max() waits forever).
//
// Preconditions, checked with FUTON_DEBUG_CHECKS (message, then abort): unlock() only by the
// thread that holds the mutex; the mutex is unlocked and has no waiters when destroyed.
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
#include <futon/detail/deadline.hpp>
#include <futon/detail/lock_ownership.hpp>
#include <futon/detail/spin.hpp>
#include <futon/detail/tsan.hpp>
#include <futon/futex.hpp>
#include <limits>
#include <thread>
#include <type_traits>

#include "dsched/planted/prelude.hpp"

namespace planted_7add648 {

template <futex_backend Backend>
class basic_condition_variable;

template <futex_backend Backend>
class basic_mutex {
 public:
  constexpr basic_mutex() noexcept {
    // TSan: made at run time, so the destructor retires it (a static one is made by its 1st lock).
    if (!std::is_constant_evaluated()) detail::tsan::mutex_create(this, detail::tsan::not_static);
  }
  ~basic_mutex() {
    FUTON_PRECONDITION(word_.load(std::memory_order_relaxed) == 0,
                       "futon::mutex destroyed while locked or with waiters");
    // TSan: retire it (it reports one destroyed while held, where the check above is compiled out).
    detail::tsan::mutex_destroy(this, detail::tsan::not_static);
  }
  basic_mutex(const basic_mutex&) = delete;
  basic_mutex& operator=(const basic_mutex&) = delete;

  void lock() noexcept {
    // TSan: the word's atomics are hidden until post_lock, which alone orders us (see tsan.hpp).
    detail::tsan::mutex_pre_lock(this, detail::tsan::no_flags);
    std::uint32_t expected = 0;
    // Acquire: the critical section sees everything the previous holder wrote before unlock.
    if (!word_.compare_exchange_weak(expected, locked_bit, std::memory_order_acquire,
                                     std::memory_order_relaxed)) {
      lock_contended(nullptr, false);
    }
    // TSan: held: acquire what the last unlock released.
    detail::tsan::mutex_post_lock(this, detail::tsan::no_flags);
    FUTON_NOTE_LOCKED(this);
  }

  bool try_lock() noexcept {
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
  bool try_lock_for(const std::chrono::duration<Rep, Period>& timeout) noexcept {
    return try_lock_before(detail::deadline::after(timeout));
  }

  template <class Clock, class Duration>
  bool try_lock_until(const std::chrono::time_point<Clock, Duration>& deadline) noexcept {
    return detail::attempt_until(
        deadline, [&](const detail::deadline& limit) { return try_lock_before(limit); });
  }

  void unlock() noexcept {
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
  friend class basic_condition_variable<Backend>;

  // The futex, for calls made inside an annotated lock, unlock or signal: TSan checks them (and
  // the parking lot under them) as ordinary code (see diverted_backend in tsan.hpp).
  using futex_calls = detail::tsan::diverted_backend<Backend>;

  // The word: bits, all changed by compare-and-swap so that each change is decided on the
  // state it replaces.
  static constexpr std::uint32_t locked_bit = 1;
  // Threads may be asleep on the word. Set by a thread before it sleeps (its futex wait expects
  // it, so it cannot sleep on a word without it), and by condition_variable before it requeues
  // waiters here. An unlock that wakes a sleeper clears it; the woken thread sets it again when
  // it takes the lock or sleeps, since others may still sleep (Drepper's "Futexes Are Tricky"
  // mutex keeps its "contended" state the same way). Set needlessly, it costs one futile wake.
  static constexpr std::uint32_t parked_bit = 2;
  // An unlock has woken a sleeper that has not yet tried the lock: later unlocks wake nobody, so
  // a burst of unlocks costs one wake. Cleared by whoever returns from a wait (any returning
  // thread may have been the woken one; clearing it needlessly only allows an extra wake) or by
  // the unlock itself when its wake found nobody.
  static constexpr std::uint32_t woken_bit = 4;
  // A waiter has waited longer than starvation_ns: nobody else may take the lock, and unlock
  // sets handoff_bit (keeping locked_bit) so that the lock passes straight to that waiter.
  static constexpr std::uint32_t starving_bit = 8;
  static constexpr std::uint32_t handoff_bit = 16;
  // The starving waiter gave up yielding and sleeps on the word: the handoff must wake it. The
  // futex cannot wake one chosen thread, so that handoff wakes every sleeper; the others find
  // the lock still held and sleep again. It happens only when a critical section outlasts
  // starving_yield_limit yields, at most once per starvation episode.
  static constexpr std::uint32_t starving_sleeps_bit = 32;
  static constexpr int starving_yield_limit = 16;
  static constexpr std::uint32_t starving_bits = starving_bit | starving_sleeps_bit;
  static constexpr std::int64_t starvation_ns = 1'000'000;

  bool try_lock_before(const detail::deadline& limit) noexcept {
    // TSan: a timed lock may give up, so it is a try (no lock-order edge unless it succeeds).
    detail::tsan::mutex_pre_lock(this, detail::tsan::try_lock);
    std::uint32_t expected = 0;
    // Acquire: as in lock().
    if (word_.compare_exchange_weak(expected, locked_bit, std::memory_order_acquire,
                                    std::memory_order_relaxed) ||
        lock_contended(&limit, false)) {
      // TSan: held: acquire what the last unlock released.
      detail::tsan::mutex_post_lock(this, detail::tsan::try_lock);
      FUTON_NOTE_LOCKED(this);
      return true;
    }
    // TSan: timed out, not held, so nothing is acquired.
    detail::tsan::mutex_post_lock(this, detail::tsan::try_lock | detail::tsan::try_lock_failed);
    return false;
  }

  // The slow path of every lock. `limit` == nullptr waits forever. `after_wake`: the caller has
  // just returned from a futex wait (condition_variable) and may be the thread an unlock woke.
  bool lock_contended(const detail::deadline* limit, bool after_wake) noexcept {
    int spins = 0;
    bool may_be_woken = after_wake;  // we may owe the mutex the clearing of woken_bit
    bool starving = false;           // we own starving_bit
    int starving_yields = 0;
    std::int64_t waiting_since = 0;  // steady ns of our first sleep, for the starvation check
    for (;;) {
      std::uint32_t state = word_.load(std::memory_order_relaxed);

      if (starving && (state & handoff_bit) != 0) {
        // The unlocker left locked_bit set for us. Acquire: pairs with its release CAS.
        if (word_.compare_exchange_weak(state, state & ~(handoff_bit | starving_bits),
                                        std::memory_order_acquire, std::memory_order_relaxed)) {
          return true;
        }
        continue;
      }
      if ((state & locked_bit) == 0 && (starving || (state & starving_bit) == 0)) {
        std::uint32_t next = state | locked_bit;
        if (starving) next &= ~starving_bits;
        // If we may be the woken thread, retire woken_bit and re-mark parked_bit: others may
        // still sleep, and our unlock must then wake the next one.
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
        const std::uint32_t sleep_on = state | starving_sleeps_bit;
        // Relaxed: the futex wait re-reads the word; nothing is published by the bit.
        if (sleep_on != state &&
            !word_.compare_exchange_weak(state, sleep_on, std::memory_order_relaxed)) {
          continue;
        }
        if (limit == nullptr) {
          futex_calls::wait(word_, sleep_on);
        } else if (!futex_calls::wait_until(word_, sleep_on, *limit)) {
          return give_up(false, true);
        }
        continue;
      }
      // Spin only while nobody sleeps: with sleepers queued, spinning would let us barge ahead
      // of them, and they are the ones the fairness rule protects.
      if ((state & parked_bit) == 0 && spins < detail::backend_spin_limit<Backend>()) {
        ++spins;
        detail::cpu_relax();
        continue;
      }
      if (waiting_since != 0 && may_be_woken && (state & starving_bit) == 0 &&
          detail::backend_now_ns<Backend>() - waiting_since > starvation_ns) {
        // Retiring woken_bit re-marks parked_bit: the unlock that woke us cleared it, and others
        // may still sleep. Relaxed: only the bits matter; the lock is acquired by a CAS above.
        std::uint32_t next = (state | starving_bit | parked_bit) & ~woken_bit;
        if (word_.compare_exchange_weak(state, next, std::memory_order_relaxed)) {
          starving = true;
          may_be_woken = false;
        }
        continue;
      }

      // Sleep. The word we sleep on must carry parked_bit, so the holder's unlock will wake us;
      // retire woken_bit in the same step if it may be ours.
      std::uint32_t sleep_on = state | parked_bit;
      if (may_be_woken) sleep_on &= ~woken_bit;
      // Relaxed: the futex wait re-reads the word itself; nothing else is published here.
      if (sleep_on != state &&
          !word_.compare_exchange_weak(state, sleep_on, std::memory_order_relaxed)) {
        continue;
      }
      may_be_woken = false;
      if (waiting_since == 0) {
        waiting_since = detail::backend_now_ns<Backend>();
      }
      if (limit == nullptr) {
        futex_calls::wait(word_, sleep_on);
      } else if (!futex_calls::wait_until(word_, sleep_on, *limit)) {
        // Timed out: no wake counted us, so we owe nothing; our parked_bit stays (harmless).
        return give_up(false, false);
      }
      may_be_woken = true;
    }
  }

  // A timed lock gives up. Hand back what we may hold: woken_bit (so the next unlock wakes
  // someone, and if the lock is free now, wake someone ourselves) and starving_bit.
  bool give_up(bool may_be_woken, bool starving) noexcept {
    if (!may_be_woken && !starving) return false;
    std::uint32_t state = word_.load(std::memory_order_relaxed);
    for (;;) {
      if (starving && (state & handoff_bit) != 0) {
        // The lock was handed to us after all: take it (late success is not an early timeout).
        // Acquire: pairs with the unlocker's release.
        if (word_.compare_exchange_weak(state, state & ~(handoff_bit | starving_bits),
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

  void unlock_contended() noexcept {
    std::uint32_t state = word_.load(std::memory_order_relaxed);
    for (;;) {
      if ((state & starving_bit) != 0) {
        // Hand over: the lock stays locked for everyone but the starving waiter, which is awake
        // and watching for handoff_bit. Release: publishes our critical section to it.
        if (word_.compare_exchange_weak(state, state | handoff_bit, std::memory_order_release,
                                        std::memory_order_relaxed)) {
          if ((state & starving_sleeps_bit) != 0) {
            futex_calls::wake(word_, std::numeric_limits<std::size_t>::max());
          }
          return;
        }
        continue;
      }
      const bool wake = (state & parked_bit) != 0 && (state & woken_bit) == 0;
      std::uint32_t next = state & ~locked_bit;
      if (wake) next = (next & ~parked_bit) | woken_bit;
      // Release: publishes our critical section to the next holder.
      if (word_.compare_exchange_weak(state, next, std::memory_order_release,
                                      std::memory_order_relaxed)) {
        if (wake) wake_one();
        return;
      }
    }
  }

  // Wakes one sleeper after woken_bit was set for it. If nobody was asleep (those about to sleep
  // will find the word changed and look again), retire woken_bit so a later unlock can wake.
  // While woken_bit was set, unlocks woke nobody: if a thread went to sleep meanwhile and the
  // lock is free now, nobody else will wake it, so keep woken_bit and wake again (the SPIN model
  // models/mutex.pml found this interleaving).
  void wake_one() noexcept {
    while (futex_calls::wake(word_, 1) == 0) {
      std::uint32_t state = word_.load(std::memory_order_relaxed);
      for (;;) {
        // Someone returning from a wait retired it already and took the duty over.
        if ((state & woken_bit) == 0) return;
        const bool sleeper_behind_free_lock =
            (state & locked_bit) == 0 && (state & parked_bit) != 0;
        const std::uint32_t next =
            sleeper_behind_free_lock ? state & ~parked_bit : state & ~woken_bit;
        // Relaxed: only the bits matter; the woken thread acquires with its own CAS.
        if (word_.compare_exchange_weak(state, next, std::memory_order_relaxed)) {
          if (!sleeper_behind_free_lock) return;
          break;  // wake again, still holding woken_bit
        }
      }
    }
  }

  // If sleepers may exist, nobody holds the lock and no woken thread is on its way, wake one:
  // otherwise nobody would (there is no holder to unlock). Used after giving up a wait and after
  // a condition_variable requeued its waiters here.
  void wake_one_if_unlocked() noexcept {
    std::uint32_t state = word_.load(std::memory_order_relaxed);
    for (;;) {
      if ((state & (locked_bit | woken_bit)) != 0 || (state & parked_bit) == 0) return;
      // Relaxed: no data is handed over; the woken thread acquires with its own CAS.
      if (word_.compare_exchange_weak(state, (state & ~parked_bit) | woken_bit,
                                      std::memory_order_relaxed)) {
        wake_one();
        return;
      }
    }
  }

  // condition_variable has moved sleepers onto the word: make sure one of them gets woken.
  void note_requeued_sleepers() noexcept {
    // TSan: our own bookkeeping, like an unlock's wake: hidden, its futex calls diverted.
    const detail::tsan::signal_scope annotate(this);
    // Relaxed RMW: if locked_bit was set, the holder's unlock CAS comes later in this word's
    // modification order and so sees parked_bit; if not, we wake one ourselves.
    const std::uint32_t state = word_.fetch_or(parked_bit, std::memory_order_relaxed);
    if ((state & locked_bit) == 0) wake_one_if_unlocked();
  }

  // For a thread that may have been woken from the word but will not take the lock now: pass
  // the wake on, as give_up does.
  void pass_wake_on() noexcept {
    // TSan: our own bookkeeping, like an unlock's wake: hidden, its futex calls diverted.
    const detail::tsan::signal_scope annotate(this);
    static_cast<void>(give_up(true, false));
  }

  void lock_after_wake() noexcept {
    // TSan: condition_variable relocks through here, not lock(): the same annotations as lock().
    detail::tsan::mutex_pre_lock(this, detail::tsan::no_flags);
    lock_contended(nullptr, true);
    // TSan: held: acquire what the last unlock released.
    detail::tsan::mutex_post_lock(this, detail::tsan::no_flags);
    FUTON_NOTE_LOCKED(this);
  }

  detail::word_t<Backend> word_{0};
};

using mutex = basic_mutex<backend::default_backend>;

static_assert(sizeof(mutex) == 4, "futon::mutex is one 32-bit word");

}  // namespace planted_7add648
