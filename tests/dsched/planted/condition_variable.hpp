// SPDX-License-Identifier: BSL-1.0
// PLANTED BUGS - test-only. A copy of include/futon/condition_variable.hpp as it was at commit
// 7add648, before issue 10's fixes, kept so that the deterministic scheduler's tests can show that
// the checker finds the defects the issue lists (tests/dsched/dsched_planted_primitives_test.cpp).
// Only the namespace (planted_7add648) and the includes differ from the original; never use it
// outside those tests. Defect 3: a notify's wake may reach a waiter that registered after
// the notify (non-FIFO wake order), which sleeps again, and the notified waiter is never woken.
// Defect 6: a waiter's return path reads, CASes and requeues the word after it was notified.
//
// The original header follows.
//
// <futon/condition_variable.hpp>: futon::condition_variable, a std::condition_variable in 4
// bytes, for std::unique_lock<futon::mutex> (basic_condition_variable<B> pairs with
// basic_mutex<B>).
//
//   futon::mutex m;  futon::condition_variable cv;  bool ready = false;
//   // waiter                                   // notifier
//   std::unique_lock lock(m);                   { std::lock_guard guard(m); ready = true; }
//   cv.wait(lock, [&] { return ready; });       cv.notify_all();
//
// Members as std::condition_variable: wait (with and without predicate), wait_for, wait_until,
// notify_one, notify_all.
//
// Behaviour:
//   - wait(lock) without a predicate returns only after a notify issued while it waited: never
//     spuriously. (Like std, a notify_one may release more than one thread that was just
//     starting to wait; each of them did see a notify.)
//   - notify_all moves the waiters onto the mutex's queue instead of waking them all: one
//     waiter is woken and requeues the rest onto the mutex it holds (the condition variable has
//     no room to remember the mutex), and each unlock of the mutex then wakes the next. A
//     broadcast to N waiters costs about N wake-ups in a chain, not N threads fighting for the
//     mutex at once.
//   - notify_* with nobody waiting is one atomic load: the word counts the waiters not yet
//     notified (at most 16383 at once).
//   - Timed waits never end early and take any duration or clock, like the futex.
//
// Under ThreadSanitizer a notify is annotated as a signal that orders nothing (std promises no
// more): what a waiter reads must be written under the mutex, or TSan reports it. (On the
// parking-lot backend, a notify that wakes a sleeping waiter still orders it, through the
// parking lot's own handoff, which TSan sees; see <futon/detail/tsan.hpp>.)
//
// Preconditions (checked with FUTON_DEBUG_CHECKS): `lock` owns its mutex when passed to wait*; all
// concurrent waiters use the same mutex (as for std). Not checked: no thread waits when it is
// destroyed (as for std).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <futon/detail/assert.hpp>
#include <futon/detail/backend_traits.hpp>
#include <futon/detail/deadline.hpp>
#include <futon/detail/tsan.hpp>
#include <futon/futex.hpp>
#include <limits>
#include <mutex>

#include "dsched/planted/mutex.hpp"
#include "dsched/planted/prelude.hpp"

namespace planted_7add648 {

template <futex_backend Backend>
class basic_condition_variable {
 public:
  using mutex_type = basic_mutex<Backend>;

  constexpr basic_condition_variable() noexcept = default;
  // Not checked: the waiter count may stay above zero on an idle condition variable (a timed-out
  // waiter that raced a notify leaves its count, see withdraw), so it cannot tell real waiters.
  ~basic_condition_variable() = default;
  basic_condition_variable(const basic_condition_variable&) = delete;
  basic_condition_variable& operator=(const basic_condition_variable&) = delete;

  void notify_one() noexcept {
    // TSan: a notify orders nothing (as for std): its release is hidden; the mutex orders waiters.
    const detail::tsan::signal_scope annotate(this);
    // Relaxed load: a waiter registers while holding the mutex; a notifier that changed the
    // predicate under the same mutex is ordered after it by the mutex (as std requires).
    std::uint32_t state = word_.load(std::memory_order_relaxed);
    do {
      if (waiters_of(state) == 0) return;
      // One waiter fewer to notify, and a new sequence. Release: a waiter that sees the new
      // sequence (acquire) sees what we wrote before notifying.
    } while (!word_.compare_exchange_weak(state, state - one_waiter + sequence_step,
                                          std::memory_order_release, std::memory_order_relaxed));
    futex_calls::wake(word_, 1);
  }

  void notify_all() noexcept {
    // TSan: as in notify_one.
    const detail::tsan::signal_scope annotate(this);
    // Relaxed: as in notify_one.
    std::uint32_t state = word_.load(std::memory_order_relaxed);
    std::uint32_t next = 0;
    do {
      if (waiters_of(state) == 0) return;
      // Everyone waiting now is notified, so the count drops to zero; broadcast_bit tells the
      // one thread we wake to requeue the rest onto its mutex. Release: as in notify_one.
      next = ((state & ~waiter_mask) + sequence_step) | broadcast_bit;
    } while (!word_.compare_exchange_weak(state, next, std::memory_order_release,
                                          std::memory_order_relaxed));
    if (futex_calls::wake(word_, 1) == 0) {
      // Nobody was asleep: those about to sleep see the new sequence and return by themselves.
      // Withdraw the request while the sequence is still ours (waiters registering or timing
      // out may have changed the count meanwhile). If another notify has come since, leave the
      // bit: it may be a later notify_all's, and a stale one only makes the next woken thread
      // requeue the others needlessly. Relaxed: only the bit matters.
      std::uint32_t state = next;
      while (
          (state & broadcast_bit) != 0 && sequence_of(state) == sequence_of(next) &&
          !word_.compare_exchange_weak(state, state & ~broadcast_bit, std::memory_order_relaxed)) {
      }
    }
  }

  void wait(std::unique_lock<mutex_type>& lock) noexcept { wait_before(lock, nullptr); }

  template <class Predicate>
  void wait(std::unique_lock<mutex_type>& lock, Predicate stop_waiting) {
    while (!stop_waiting())
      wait(lock);
  }

  template <class Rep, class Period>
  std::cv_status wait_for(std::unique_lock<mutex_type>& lock,
                          const std::chrono::duration<Rep, Period>& timeout) noexcept {
    const detail::deadline limit = detail::deadline::after(timeout);
    return wait_before(lock, &limit) ? std::cv_status::no_timeout : std::cv_status::timeout;
  }

  template <class Rep, class Period, class Predicate>
  bool wait_for(std::unique_lock<mutex_type>& lock,
                const std::chrono::duration<Rep, Period>& timeout, Predicate stop_waiting) {
    const detail::deadline limit = detail::deadline::after(timeout);
    while (!stop_waiting()) {
      if (!wait_before(lock, &limit)) return stop_waiting();
    }
    return true;
  }

  template <class Clock, class Duration>
  std::cv_status wait_until(std::unique_lock<mutex_type>& lock,
                            const std::chrono::time_point<Clock, Duration>& deadline) noexcept {
    // One attempt per deadline conversion: attempt_until re-checks `Clock` after a timeout.
    const bool notified = detail::attempt_until(
        deadline, [&](const detail::deadline& limit) { return wait_before(lock, &limit); });
    return notified ? std::cv_status::no_timeout : std::cv_status::timeout;
  }

  template <class Clock, class Duration, class Predicate>
  bool wait_until(std::unique_lock<mutex_type>& lock,
                  const std::chrono::time_point<Clock, Duration>& deadline,
                  Predicate stop_waiting) {
    while (!stop_waiting()) {
      if (wait_until(lock, deadline) == std::cv_status::timeout) return stop_waiting();
    }
    return true;
  }

 private:
  // The futex, for the notifies' calls, made inside their annotation: TSan checks them (and the
  // parking lot under them) as ordinary code (see diverted_backend in tsan.hpp).
  using futex_calls = detail::tsan::diverted_backend<Backend>;

  // The word: a sequence number advanced by every notify (bits 15-31), the number of waiters
  // not yet notified (bits 1-14; notify_* with none is a load and nothing else), and a flag.
  // notify_all woke one waiter to requeue the others onto the mutex (see notify_all).
  static constexpr std::uint32_t broadcast_bit = 1;
  static constexpr std::uint32_t one_waiter = 2;
  static constexpr std::uint32_t waiter_mask = 0x7FFE;
  static constexpr std::uint32_t max_waiters = waiter_mask / one_waiter;
  // The sequence wraps after 2^17 notifies; a waiter that slept through exactly that many
  // (each of which found it counted, so woke someone else first) would miss its own. The
  // kernel's and the parking lot's FIFO queues wake the oldest waiter first, which rules it out.
  static constexpr std::uint32_t sequence_step = 0x8000;

  static constexpr std::uint32_t waiters_of(std::uint32_t state) noexcept {
    return (state & waiter_mask) / one_waiter;
  }
  static constexpr std::uint32_t sequence_of(std::uint32_t state) noexcept {
    return state & ~(waiter_mask | broadcast_bit);
  }

  // Waits for a notify (true) or until `limit` (false); `lock` is re-locked either way.
  bool wait_before(std::unique_lock<mutex_type>& lock, const detail::deadline* limit) noexcept {
    FUTON_PRECONDITION(lock.owns_lock(),
                       "futon::condition_variable::wait: the lock does not own its mutex");
    mutex_type& m = *lock.mutex();
    // Register while holding the mutex, so a notifier that changes the predicate under the
    // mutex afterwards counts us. Relaxed: the mutex orders it (see notify_one).
    const std::uint32_t registered =
        word_.fetch_add(one_waiter, std::memory_order_relaxed) + one_waiter;
    FUTON_PRECONDITION(waiters_of(registered) != 0,
                       "futon::condition_variable: more than 16383 waiters at once");
    m.unlock();

    bool notified = false;
    std::uint32_t expected = registered;
    for (;;) {
      const bool timed_out = limit != nullptr && !Backend::wait_until(word_, expected, *limit);
      if (limit == nullptr) Backend::wait(word_, expected);
      // Acquire: pairs with the notifier's release, so its writes before notifying are visible.
      const std::uint32_t now = word_.load(std::memory_order_acquire);
      if (sequence_of(now) != sequence_of(registered)) {
        notified = true;
        if ((now & broadcast_bit) != 0) requeue_onto(m, now);
        break;
      }
      if (timed_out && withdraw(registered)) break;
      if (timed_out) {  // a notify came after all, between the timeout and our withdrawal
        notified = true;
        break;
      }
      // No notify yet, so this return was spurious - or a past broadcast requeued us onto the
      // mutex (its requeue moves every thread waiting on the word) and an unlock woke us there.
      // In that case the unlock's wake was meant to continue the chain: pass it on.
      m.pass_wake_on();
      expected = now;
    }
    // We may be the sleeper an unlock of `m` woke (after a requeue): lock as that thread.
    m.lock_after_wake();
    return notified;
  }

  // A timed-out waiter uncounts itself - unless a notify has come since it registered, which
  // may have counted it already: then it reports the notify (false here) instead, so the count
  // never drops below the waiters really left (an undercount would make a notify skip one).
  bool withdraw(std::uint32_t registered) noexcept {
    std::uint32_t state = word_.load(std::memory_order_relaxed);
    do {
      if (sequence_of(state) != sequence_of(registered)) return false;
      // Relaxed: only the count changes; no data is handed over.
    } while (!word_.compare_exchange_weak(state, state - one_waiter, std::memory_order_relaxed));
    return true;
  }

  // The woken thread of a notify_all moves every other waiter onto the mutex's queue.
  void requeue_onto(mutex_type& m, std::uint32_t state) noexcept {
    // Claim the broadcast, so that exactly one thread performs it. Relaxed: only the bit.
    while ((state & broadcast_bit) != 0) {
      if (word_.compare_exchange_weak(state, state & ~broadcast_bit, std::memory_order_relaxed)) {
        for (;;) {
          // The requeue fails only if the word changed (another notify) since we read it:
          // read it again and retry, so no waiter of this broadcast stays behind.
          const std::uint32_t current = word_.load(std::memory_order_relaxed);
          if (Backend::requeue(word_, current, m.word_, 0,
                               std::numeric_limits<std::size_t>::max())) {
            break;
          }
        }
        m.note_requeued_sleepers();
        return;
      }
    }
  }

  detail::word_t<Backend> word_{0};
};

using condition_variable = basic_condition_variable<backend::default_backend>;

static_assert(sizeof(condition_variable) == 4, "futon::condition_variable is one 32-bit word");

}  // namespace planted_7add648
