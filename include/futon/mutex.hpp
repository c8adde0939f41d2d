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
//   - A thread that finds the lock held spins only while nobody else sleeps on it, right after
//     a wake chose it, or while a woken thread is on its way, for a bounded time
//     (detail::spin_limit, ~1.6 us here; see <futon/detail/spin.hpp> for the calibration),
//     then sleeps on the futex word.
//   - Eventual fairness: a thread that has waited more than 1 ms marks the mutex "starving";
//     from then on nobody barges in, and the next unlock hands the lock straight to it. A
//     sleeper does not rely on a wake reaching it to notice (wakes come in no set order): it
//     also wakes by itself, 10 ms into its wait and then each time its wait has doubled.
//   - The word counts its sleepers, so an unlock wakes only when someone sleeps. It wakes at
//     most one, after its releasing compare-and-swap, and a burst of unlocks before the woken
//     thread has run wakes nobody else: the unlock that wakes marks the word "a woken thread is
//     on its way", and the woken thread (or any thread about to sleep) clears that mark.
//   - Timed members never give up early and take any duration or clock (zero, negative and past
//     timeouts try once; duration::max() waits forever).
//
// Preconditions, checked with FUTON_DEBUG_CHECKS (message, then abort): unlock() only by the
// thread that holds the mutex; the mutex is neither locked nor waited on when destroyed.
//
// Destruction: as for std::mutex, the mutex may be destroyed as soon as it is unlocked and no
// thread is inside one of its members, even while the thread that unlocked it last is still
// returning from unlock(): unlock's releasing compare-and-swap is its last access of the word
// (the wake after it is by address, and touches no memory of the mutex). So a reference count
// that drops to zero under the lock may free the object right after its unlock().
//
// Counters: the sleepers, 24 bits of the word. It counts threads blocked in this mutex at once,
// which no OS lets reach 2^24 (see sleepers_shift); it cannot wrap.
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
inline namespace v0 {

template <futex_backend Backend>
class FUTON_CAPABILITY("mutex") basic_mutex {
 public:
  constexpr basic_mutex() noexcept {
    // TSan: made at run time, so the destructor retires it (a static one is made by its 1st lock).
    if (!std::is_constant_evaluated()) detail::tsan::mutex_create(this, detail::tsan::not_static);
  }
  ~basic_mutex() {
    // An idle mutex's word is 0: sleepers counts exactly the threads inside lock_contended,
    // and woken_bit never outlives them (I1, I4 below).
    FUTON_PRECONDITION(word_.load(std::memory_order_relaxed) == 0,
                       "futon::mutex destroyed while locked or with waiters");
    // TSan: retire it (it reports one destroyed while held, where the check above is compiled out).
    detail::tsan::mutex_destroy(this, detail::tsan::not_static);
  }
  basic_mutex(const basic_mutex&) = delete;
  basic_mutex& operator=(const basic_mutex&) = delete;

  FUTON_ACQUIRE FUTON_NO_THREAD_SAFETY_ANALYSIS void lock() noexcept {
    // TSan: the word's atomics are hidden until the scope's post_lock, which alone orders us:
    // held, we acquire what the last unlock released (see tsan.hpp).
    const detail::tsan::lock_scope annotate(this, detail::tsan::no_flags);
    std::uint32_t expected = 0;
    // Acquire: the critical section sees everything the previous holder wrote before unlock.
    if (!word_.compare_exchange_weak(expected, locked_bit, std::memory_order_acquire,
                                     std::memory_order_relaxed)) {
      lock_contended(nullptr);
    }
    FUTON_NOTE_LOCKED(this);
  }

  FUTON_TRY_ACQUIRE FUTON_NO_THREAD_SAFETY_ANALYSIS bool try_lock() noexcept {
    // TSan: a try cannot deadlock, so it adds no lock-order edge unless it succeeds. Held, it
    // acquires what the last unlock released; not held, nothing.
    detail::tsan::lock_scope annotate(this, detail::tsan::try_lock);
    std::uint32_t state = word_.load(std::memory_order_relaxed);
    // Never take the lock from a starving waiter (fairness), nor while it is held.
    while ((state & (locked_bit | starving_bit)) == 0) {
      // Acquire: as in lock().
      if (word_.compare_exchange_weak(state, state | locked_bit, std::memory_order_acquire,
                                      std::memory_order_relaxed)) {
        FUTON_NOTE_LOCKED(this);
        return annotate.result(true);
      }
    }
    return annotate.result(false);
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
    // TSan: the scope releases the critical section to the next locker; the word's release CAS
    // and the futex calls inside it are hidden and order nothing by themselves.
    const detail::tsan::unlock_scope annotate(this, detail::tsan::no_flags);
    std::uint32_t expected = locked_bit;
    // Release: publishes the critical section to the next holder.
    if (!word_.compare_exchange_strong(expected, 0, std::memory_order_release,
                                       std::memory_order_relaxed)) {
      unlock_contended();
    }
  }

 private:
  // The futex, for calls made inside an annotated lock, unlock or signal: TSan checks them (and
  // the parking lot under them) as ordinary code (see diverted_backend in tsan.hpp).
  using futex_calls = detail::tsan::diverted_backend<Backend>;

  // The word: three kinds of state, all changed by compare-and-swap so that each change is
  // decided on the state it replaces.
  //
  //   field                 set by                             cleared by
  //   locked 1              a locker's acquiring CAS           the unlock's releasing CAS (or,
  //                                                            for a handoff, the starving waiter)
  //   woken 2               an unlock (in its releasing CAS)   any registered thread's next CAS
  //                         that wakes one sleeper; a timed    after a wait, every registering
  //                         locker giving up, when it wakes    or sleeping CAS, every leaving
  //                         one                                CAS
  //   starving 4            a waiter past starvation_ns        that waiter, when it leaves
  //   handoff 8             an unlock that finds starving      the starving waiter
  //   starving_sleeps 16    the starving waiter, to sleep      with starving
  //   sleepers 8..31        +1: a thread's first sleep         -1: that thread leaves (takes
  //                         (registration)                     the lock or gives up)
  //
  // Invariants the proof rests on (models/mutex.pml checks them, with any wake order):
  //   I1. sleepers counts exactly the threads registered in lock_contended: between their
  //       registering CAS and the CAS by which they leave. A thread is in the futex queue only
  //       while registered. So an idle mutex's word is 0, and an unlock knows whether anyone
  //       may sleep without guessing (the parked bit this replaced could outlive a waiter that
  //       timed out, and an unlock's wake then found nobody).
  //   I2. No thread falls asleep on a word with woken set: every CAS that makes the value a
  //       thread will sleep on clears it. So once an unlock's wake has run, every registered
  //       thread is, or will be, back outside the futex queue until woken is clear again (the
  //       ones the wake missed find the word changed). Each of them clears woken at its next
  //       CAS. So woken never stays set with nobody on the way to clear it, and unlocks that
  //       skip their wake because of it lose no wakeup. (Without I2 the ABA would bite: a
  //       thread registered while woken was set, for an earlier wake, could fall asleep on
  //       the same value after a later wake found nobody, and nobody would clear woken.)
  //   I3. The unlock's releasing CAS is its last access of the word; the wake after it is by
  //       address, which touches no memory of the mutex.
  //   I4. sleepers == 0 implies woken clear: woken is set only while sleepers > 0, and the
  //       CAS that leaves clears it.
  static constexpr std::uint32_t locked_bit = 1;
  // An unlock has woken a sleeper that has not yet come back to the word: later unlocks wake
  // nobody, so a burst of unlocks costs one wake, not one each. Any registered thread coming
  // back from a futex wait may be the woken one, and a thread about to sleep cannot tell an
  // old mark from a new one (I2), so both clear it: clearing it needlessly only allows one
  // extra wake.
  static constexpr std::uint32_t woken_bit = 2;
  // A waiter has waited longer than starvation_ns: nobody else may take the lock, and unlock
  // sets handoff_bit (keeping locked_bit) so that the lock passes straight to that waiter.
  static constexpr std::uint32_t starving_bit = 4;
  static constexpr std::uint32_t handoff_bit = 8;
  // The starving waiter gave up yielding and sleeps on the word: the handoff must wake it. The
  // futex cannot wake one chosen thread, so that handoff wakes every sleeper; the others find
  // the lock still held and sleep again. It happens only when a critical section outlasts
  // starving_yield_limit yields, at most once per starvation episode.
  static constexpr std::uint32_t starving_sleeps_bit = 16;
  static constexpr std::uint32_t starving_bits = starving_bit | starving_sleeps_bit;
  // The registered sleepers, in the top 24 bits. The count never exceeds the number of threads
  // blocked in this mutex at once, and no supported OS lets a process run 2^24 threads (Linux
  // caps every thread in the system at 2^22 by PID_MAX_LIMIT; a Windows or macOS thread's
  // kernel stack alone would need tens of GiB): it cannot wrap. Debug builds check it anyway.
  static constexpr unsigned sleepers_shift = 8;
  static constexpr std::uint32_t one_sleeper = std::uint32_t{1} << sleepers_shift;
  static constexpr std::uint32_t sleepers_mask = ~(one_sleeper - 1);
  static constexpr int starving_yield_limit = 16;
  static constexpr std::int64_t starvation_ns = 1'000'000;
  // A sleeper's first self-check for starvation (see sleep()).
  static constexpr std::int64_t self_check_ns = 10'000'000;

  static constexpr std::uint32_t sleepers(std::uint32_t state) noexcept {
    return state >> sleepers_shift;
  }

  // The word a registered thread writes when it leaves (takes the lock or gives up): one
  // sleeper fewer, and woken cleared (I2 and I4: it may be the woken thread, and the last to
  // leave must not leave the mark behind).
  static constexpr std::uint32_t leave(std::uint32_t next, bool registered) noexcept {
    return registered ? (next - one_sleeper) & ~woken_bit : next;
  }

  bool try_lock_before(const detail::deadline& limit) noexcept {
    // TSan: a timed lock may give up, so it is a try (no lock-order edge unless it succeeds).
    // Held, it acquires what the last unlock released; timed out, nothing.
    detail::tsan::lock_scope annotate(this, detail::tsan::try_lock);
    std::uint32_t expected = 0;
    // Acquire: as in lock().
    if (word_.compare_exchange_weak(expected, locked_bit, std::memory_order_acquire,
                                    std::memory_order_relaxed) ||
        lock_contended(&limit)) {
      FUTON_NOTE_LOCKED(this);
      return annotate.result(true);
    }
    return annotate.result(false);
  }

  // The slow path of every lock. `limit` == nullptr waits forever.
  FUTON_COLD bool lock_contended(const detail::deadline* limit) noexcept {
    int spins = 0;
    bool registered = false;  // we are counted in sleepers (I1)
    // We have returned from a futex wait and not changed the word since: we may be the thread
    // an unlock woke, so our next CAS clears woken_bit (the suppression is over).
    bool may_be_woken = false;
    bool starving = false;  // we own starving_bit
    int starving_yields = 0;
    std::int64_t waiting_since = 0;  // steady ns of our first sleep, for the starvation check
    for (;;) {
      std::uint32_t state = word_.load(std::memory_order_relaxed);

      if (starving && (state & handoff_bit) != 0) {
        // The unlocker left locked_bit set for us. Acquire: pairs with its release CAS.
        if (word_.compare_exchange_weak(state, leave(state & ~(handoff_bit | starving_bits), true),
                                        std::memory_order_acquire, std::memory_order_relaxed)) {
          return true;
        }
        continue;
      }
      if ((state & locked_bit) == 0 && (starving || (state & starving_bit) == 0)) {
        std::uint32_t next = leave(state | locked_bit, registered);
        if (starving) next &= ~starving_bits;
        // Acquire: as in lock().
        if (word_.compare_exchange_weak(state, next, std::memory_order_acquire,
                                        std::memory_order_relaxed)) {
          return true;
        }
        continue;
      }

      if (limit != nullptr && limit->has_passed()) return give_up(registered, starving);

      if (starving) {
        // We are next in line. Let the holder run (most critical sections end within a few
        // yields), then sleep until the handoff wakes us.
        if (starving_yields < starving_yield_limit) {
          ++starving_yields;
          std::this_thread::yield();
          continue;
        }
        // I2: a value we sleep on never carries woken_bit.
        const std::uint32_t sleep_on = (state | starving_sleeps_bit) & ~woken_bit;
        // Relaxed: the futex wait re-reads the word; nothing is published by the bits.
        if (sleep_on != state &&
            !word_.compare_exchange_weak(state, sleep_on, std::memory_order_relaxed)) {
          continue;
        }
        const bool woken = limit == nullptr ? (futex_calls::wait(word_, sleep_on), true)
                                            : futex_calls::wait_until(word_, sleep_on, *limit);
        if (!woken) return give_up(true, true);
        continue;
      }
      // Spin while nobody else sleeps: with sleepers queued, spinning would let us barge ahead
      // of them, and they are the ones the fairness rule protects. Two exceptions, where a
      // short spin beats a sleep: a thread just woken (afresh after each wake: the unlock chose
      // it, and sleeping again at once would waste the context switch it paid), and anyone
      // while woken_bit is set (an unlock has just run, so the holder is on a CPU and its
      // critical section is young; the sleepers' representative is already on its way). The
      // second rule took futon-bench's contended case at 32 threads from 1.8x std's context
      // switches to about 1x, and throughput from 0.95x to 1.05x std (see the issue 10 note).
      if ((may_be_woken || (state & woken_bit) != 0 || sleepers(state) == (registered ? 1u : 0u)) &&
          spins < detail::backend_spin_limit<Backend>()) {
        ++spins;
        detail::cpu_relax();
        continue;
      }
      if (waiting_since != 0 && (state & starving_bit) == 0 &&
          detail::backend_now_ns<Backend>() - waiting_since >= starvation_ns) {
        // Relaxed: only the bits matter; the lock is acquired by a CAS above. We stay
        // registered, and end a wake suppression that may be ours.
        std::uint32_t next = state | starving_bit;
        if (may_be_woken) next &= ~woken_bit;
        if (word_.compare_exchange_weak(state, next, std::memory_order_relaxed)) {
          starving = true;
          may_be_woken = false;
        }
        continue;
      }

      // Sleep: register if this is our first sleep (I1), and clear woken_bit (I2).
      std::uint32_t sleep_on = state & ~woken_bit;
      if (!registered) {
        FUTON_PRECONDITION(sleepers(state) < sleepers(sleepers_mask),
                           "futon::mutex: more than 2^24 - 1 threads blocked in one mutex");
        sleep_on += one_sleeper;
      }
      // Relaxed: the futex wait re-reads the word itself; nothing else is published here.
      if (sleep_on != state &&
          !word_.compare_exchange_weak(state, sleep_on, std::memory_order_relaxed)) {
        continue;
      }
      registered = true;
      if (waiting_since == 0) waiting_since = detail::backend_now_ns<Backend>();
      const bool woken = sleep(sleep_on, limit, waiting_since);
      may_be_woken = true;
      spins = 0;
      // The caller's deadline passed: a wake that counted us would have made the wait return
      // true, but give_up still clears the suppression we may hold (at most one extra wake).
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

  // A timed lock gives up (the caller is still inside try_lock_*, so the mutex is alive). Leave
  // (I1: one sleeper fewer, woken_bit cleared) and hand back starving_bit; then, if the lock is
  // free and others sleep, wake one, as no holder's unlock will.
  bool give_up(bool registered, bool starving) noexcept {
    if (!registered) return false;
    std::uint32_t state = word_.load(std::memory_order_relaxed);
    for (;;) {
      if (starving && (state & handoff_bit) != 0) {
        // The lock was handed to us after all: take it (late success is not an early timeout).
        // Acquire: pairs with the unlocker's release.
        if (word_.compare_exchange_weak(state, leave(state & ~(handoff_bit | starving_bits), true),
                                        std::memory_order_acquire, std::memory_order_relaxed)) {
          return true;
        }
        continue;
      }
      const std::uint32_t next = leave(state & ~(starving ? starving_bits : 0u), true);
      // Relaxed: no data is handed over by this change.
      if (word_.compare_exchange_weak(state, next, std::memory_order_relaxed)) break;
    }
    wake_one_if_unlocked();
    return false;
  }

  // Every unlock but the uncontended one. Its releasing CAS is its last access of the word
  // (I3): the moment it lands, another thread may lock, unlock and destroy the mutex (a
  // reference count that drops to zero under the lock, as POSIX and std allow). The wake comes
  // after it, by address. Nothing needs retiring if that wake finds nobody: every registered
  // thread is then outside the futex queue and clears woken_bit at its next step (I2).
  FUTON_COLD void unlock_contended() noexcept {
    std::uint32_t state = word_.load(std::memory_order_relaxed);
    for (;;) {
      if ((state & starving_bit) != 0) {
        // Hand over: the lock stays locked for everyone but the starving waiter, which is awake
        // and watching for handoff_bit, or asleep with starving_sleeps_bit. Release: publishes
        // our critical section to it.
        if (word_.compare_exchange_weak(state, state | handoff_bit, std::memory_order_release,
                                        std::memory_order_relaxed)) {
          if ((state & starving_sleeps_bit) != 0) {
            futex_calls::wake(word_, std::numeric_limits<std::size_t>::max());
          }
          return;
        }
        continue;
      }
      const bool wake = sleepers(state) != 0 && (state & woken_bit) == 0;
      const std::uint32_t next = (state & ~locked_bit) | (wake ? woken_bit : 0u);
      // Release: publishes our critical section to the next holder. Our last access.
      if (word_.compare_exchange_weak(state, next, std::memory_order_release,
                                      std::memory_order_relaxed)) {
        if (wake) futex_calls::wake(word_, 1);
        return;
      }
    }
  }

  // If others sleep, nobody holds the lock and no woken thread is on its way, wake one:
  // otherwise nobody would (there is no holder to unlock). Used by a timed locker that gave up
  // (still inside the mutex's member, so the mutex is alive). Setting woken_bit is safe as in
  // an unlock: if the wake finds nobody, the registered threads clear it (I2).
  void wake_one_if_unlocked() noexcept {
    std::uint32_t state = word_.load(std::memory_order_relaxed);
    for (;;) {
      if ((state & (locked_bit | woken_bit | starving_bit)) != 0 || sleepers(state) == 0) return;
      // Relaxed: no data is handed over; the woken thread acquires with its own CAS.
      if (word_.compare_exchange_weak(state, state | woken_bit, std::memory_order_relaxed)) {
        futex_calls::wake(word_, 1);
        return;
      }
    }
  }
  detail::word_t<Backend> word_{0};
};

using mutex = basic_mutex<backend::default_backend>;

static_assert(sizeof(mutex) == 4, "futon::mutex is one 32-bit word");

}  // namespace v0
}  // namespace futon
