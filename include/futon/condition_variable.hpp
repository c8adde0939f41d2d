// SPDX-License-Identifier: BSL-1.0
// <futon/condition_variable.hpp>: futon::condition_variable, a std::condition_variable in 8
// bytes, for std::unique_lock<futon::mutex> (basic_condition_variable<B> pairs with
// basic_mutex<B>).
//
//   futon::mutex m;  futon::condition_variable cv;  bool ready = false;
//   // waiter                                   // notifier
//   std::unique_lock lock(m);                   { std::lock_guard guard(m); ready = true; }
//   cv.wait(lock, [&] { return ready; });       cv.notify_all();
//
// Members as std::condition_variable: wait (with and without predicate), wait_for, wait_until,
// notify_one, notify_all; and the free function notify_all_at_thread_exit (at the end).
//
// Behaviour:
//   - wait(lock) without a predicate returns only after a notify issued while it waited: never
//     spuriously. (Like std, a notify_one may release a thread that started waiting while the
//     notify was under way; each thread released did see a notify.)
//   - A notify releases only threads that were waiting when it was issued, whichever waiter the
//     futex wake happens to reach: the futex promises no order (Linux wakes real-time threads
//     first), so a thread that the wake reaches but that started waiting after the notify
//     passes the wake on instead of taking it (see "How a wait ends" below).
//   - notify_one / notify_all with nobody waiting is one atomic load.
//   - notify_all wakes every waiter (a futex wake of all); they then queue on the mutex. (The
//     7add648 version requeued them onto the mutex instead; a requeued waiter still had to read
//     the condition variable after it was notified, which the destruction rule below forbids.)
//   - Timed waits never end early and take any duration or clock, like the futex.
//
// Two 32-bit words (8 bytes): `seq_`, advanced by each notify, and `counts_`, the waiters
// inside and the waiters not yet notified (see below), the futex word waiters sleep on. One
// word cannot hold a sequence wide enough not to wrap within a waiter's sleep and both counts.
//
// Destruction ([thread.condition.condvar]/5): the condition variable may be destroyed as soon as
// every thread waiting on it has been notified, even if they have not yet woken, and even by
// the notifier while it still holds the mutex. The destructor then waits until the notified
// threads have taken their notification (each one's last access to the object); they do that
// before they re-lock the mutex, so a destructor called under the mutex does not deadlock. After
// that last access a waiter touches the object only by address (a futex wake for the destructor,
// harmless on freed memory). A notify's last access is the step that hands out the
// notification; its wake is by address. Destroying it while a thread waits un-notified stops a
// debug build.
//
// How a wait ends: `counts_` holds `inside` (waiters between registering and leaving),
// `unnotified` (those a notify has not yet counted) and a token epoch; inside - unnotified is
// the number of notifications handed out and not yet taken (tokens). A notify advances `seq_`
// and then, in one RMW of counts_ (its token step), counts waiters (unnotified goes down) and
// advances the epoch. A waiter registers with one RMW of counts_ and then reads `seq_`; it is
// eligible once a token step has come after its registration, which it sees as a new epoch or
// a new sequence (and stays so: it was waiting when that notify and every later one was
// issued), or while unnotified == 0 (every waiter inside is then notified). An eligible waiter
// takes a token (inside - 1) and returns; a waiter that began after a notify's token step
// cannot take that notify's token. A waiter that a wake reached but that is not eligible while
// tokens remain passes the wake on, once per notify_one (pass_bit): a wake of all, so the
// eligible sleepers the wake missed get theirs. It looks again a while first (relax steps, then
// yields): the waiter the wake was meant for is usually awake, on its way to the futex, and
// takes its token itself, and then nothing is passed. A notify_all's own wake of all reaches every
// sleeper, so its token step sets pass_bit: no pass follows it. (When every notify
// cleared the bit, in a broadcast the first re-registered waiter whose futex wait returned
// at once, because counts_ had moved, passed a wake of all that roused every waiter already
// asleep again: 83 context switches per broadcast to 64 waiters; 66 without, as for std.) A
// timed-out waiter that is not eligible leaves uncounted (inside - 1, unnotified - 1); if
// unnotified is already 0, it was counted and takes a token instead (a notify that races a timeout
// is reported, not lost).
//
// Counters (each listed with its width and why wrapping cannot break the contract):
//   - seq_: 32 bits, one step per notify that finds an un-notified waiter, and the token
//     epoch in counts_: 6 bits, one step per token step. A waiter is eligible if either moved
//     since it registered. The epoch alone is exact but wraps after 64 token steps; the
//     sequence covers that, unless 64 notifies were all between their two steps when the
//     waiter registered, or exactly 2^32 notifies passed while it slept. Then it stays
//     ineligible until the next notify (or until unnotified reaches 0): one notify late, not
//     lost while notifies go on.
//   - inside and unnotified: 12 bits each: at most 4095 threads waiting at once (checked
//     with FUTON_DEBUG_CHECKS). Each waiter adds one to each when it registers and removes exactly
//     what it added when it leaves, so neither can drift (the 7add648 version's count could).
//   - the epoch also keeps the futex value waiters sleep on (counts_) from coming back by
//     registrations and leaves alone: a waiter could sleep through a token step only if
//     exactly a multiple of 64 token steps, with the counts restored, happened between its
//     read of counts_ and the futex's own check of it (a few instructions); it then waits for
//     the next notify or a pass.
//
// Signal safety: none of the members may be called from a signal handler (the waits lock the
// mutex; on the parking-lot backend the notifies take a bucket lock).
//
// Under ThreadSanitizer a notify is annotated as a signal that orders nothing (std promises no
// more): what a waiter reads must be written under the mutex, or TSan reports it.
//
// Preconditions (checked with FUTON_DEBUG_CHECKS): `lock` owns its mutex when passed to wait*; at
// most 4095 concurrent waiters; no un-notified waiter when it is destroyed. Not checked: all
// concurrent waiters use the same mutex (as for std).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <futon/detail/assert.hpp>
#include <futon/detail/backend_traits.hpp>
#include <futon/detail/deadline.hpp>
#include <futon/detail/spin.hpp>
#include <futon/detail/thread_exit.hpp>
#include <futon/detail/thread_safety.hpp>
#include <futon/detail/tsan.hpp>
#include <futon/futex.hpp>
#include <futon/mutex.hpp>
#include <limits>
#include <mutex>
#include <system_error>
#include <thread>
#include <type_traits>

namespace futon {
inline namespace v0 {

template <futex_backend Backend>
class basic_condition_variable_any;

template <futex_backend Backend>
class basic_condition_variable {
 public:
  using mutex_type = basic_mutex<Backend>;

  constexpr basic_condition_variable() noexcept = default;
  ~basic_condition_variable() {
    // Acquire: pairs with each leaving waiter's release, so its accesses happen before ours.
    std::uint32_t counts = counts_.load(std::memory_order_acquire);
    while (inside_of(counts) != 0) {
      FUTON_PRECONDITION(unnotified_of(counts) == 0,
                         "futon::condition_variable destroyed while a thread waits un-notified");
      // Sleep until the last notified waiter has taken its notification: it wakes counts_ by
      // address when it sees destroy_bit. Acquire on failure: the value it reloads may show
      // inside == 0, which we return on, so it must order the last waiter's accesses before
      // ours, as the loads do (and on success too, as a failure order may not be stronger).
      const std::uint32_t sleep_on = counts | destroy_bit;
      if (sleep_on == counts ||
          counts_.compare_exchange_weak(counts, sleep_on, std::memory_order_acquire,
                                        std::memory_order_acquire)) {
        Backend::wait(counts_, sleep_on);
        counts = counts_.load(std::memory_order_acquire);
      }
    }
  }
  basic_condition_variable(const basic_condition_variable&) = delete;
  basic_condition_variable& operator=(const basic_condition_variable&) = delete;

  void notify_one() noexcept { notify(false); }
  void notify_all() noexcept { notify(true); }

  void wait(std::unique_lock<mutex_type>& lock) noexcept { wait_before(lock, nullptr); }

  template <class Predicate>
  void wait(std::unique_lock<mutex_type>& lock, Predicate stop_waiting) {
    wait_with(lock, stop_waiting);
  }

  template <class Rep, class Period>
  std::cv_status wait_for(std::unique_lock<mutex_type>& lock,
                          const std::chrono::duration<Rep, Period>& timeout) noexcept {
    return wait_for_with(lock, timeout);
  }

  template <class Rep, class Period, class Predicate>
  bool wait_for(std::unique_lock<mutex_type>& lock,
                const std::chrono::duration<Rep, Period>& timeout, Predicate stop_waiting) {
    return wait_for_with(lock, timeout, stop_waiting);
  }

  template <class Clock, class Duration>
  std::cv_status wait_until(std::unique_lock<mutex_type>& lock,
                            const std::chrono::time_point<Clock, Duration>& deadline) noexcept {
    return wait_until_with(lock, deadline);
  }

  template <class Clock, class Duration, class Predicate>
  bool wait_until(std::unique_lock<mutex_type>& lock,
                  const std::chrono::time_point<Clock, Duration>& deadline,
                  Predicate stop_waiting) {
    return wait_until_with(lock, deadline, stop_waiting);
  }

 private:
  // The one specialization that wraps this one (not the whole template: clang 16 rejects a
  // constrained friend template here as a redeclaration whose "type constraint differs").
  friend class basic_condition_variable_any<Backend>;

  // The waits for any lock (basic_condition_variable_any uses them too): `lock` is a
  // std::unique_lock<mutex_type> here, any BasicLockable there.
  template <class Lock, class Predicate>
  void wait_with(Lock& lock, Predicate& stop_waiting) {
    while (!stop_waiting())
      wait_before(lock, nullptr);
  }

  template <class Lock, class Rep, class Period>
  std::cv_status wait_for_with(Lock& lock,
                               const std::chrono::duration<Rep, Period>& timeout) noexcept {
    const detail::deadline limit = detail::deadline::after(timeout);
    return wait_before(lock, &limit) ? std::cv_status::no_timeout : std::cv_status::timeout;
  }

  template <class Lock, class Rep, class Period, class Predicate>
  bool wait_for_with(Lock& lock, const std::chrono::duration<Rep, Period>& timeout,
                     Predicate& stop_waiting) {
    const detail::deadline limit = detail::deadline::after(timeout);
    while (!stop_waiting()) {
      if (!wait_before(lock, &limit)) return stop_waiting();
    }
    return true;
  }

  template <class Lock, class Clock, class Duration>
  std::cv_status wait_until_with(
      Lock& lock, const std::chrono::time_point<Clock, Duration>& deadline) noexcept {
    // One attempt per deadline conversion: attempt_until re-checks `Clock` after a timeout.
    const bool notified = detail::attempt_until(
        deadline, [&](const detail::deadline& limit) { return wait_before(lock, &limit); });
    return notified ? std::cv_status::no_timeout : std::cv_status::timeout;
  }

  template <class Lock, class Clock, class Duration, class Predicate>
  bool wait_until_with(Lock& lock, const std::chrono::time_point<Clock, Duration>& deadline,
                       Predicate& stop_waiting) {
    while (!stop_waiting()) {
      if (wait_until_with(lock, deadline) == std::cv_status::timeout) return stop_waiting();
    }
    return true;
  }

  // For a wait that nothing but a notify or its deadline ends.
  struct never_abandoned {
    constexpr bool operator()() const noexcept { return false; }
  };

  // The step a std::stop_callback of basic_condition_variable_any runs: a notify_all that
  // cannot miss a waiter which has registered and then seen no stop request (see wait_before's
  // `abandon`). The RMW orders this notify against every registration in counts_'s
  // modification order: a registration before it is counted by the notify below (whose load
  // comes later in that order); one after it reads it, and, through its release, the stop
  // request made before this callback ran. Release: as just said.
  void notify_all_abandoning() noexcept {
    static_cast<void>(counts_.fetch_or(0, std::memory_order_release));
    notify(true);
  }

  // The notifies' futex calls, made inside their annotation: TSan checks them (and the parking
  // lot under them) as ordinary code (see diverted_backend in tsan.hpp).
  using futex_calls = detail::tsan::diverted_backend<Backend>;

  // counts_ (see the header): inside (bits 0-11), unnotified (bits 12-23), the token epoch
  // (bits 24-29) and two flags.
  static constexpr std::uint32_t one_inside = 1;
  static constexpr std::uint32_t inside_mask = 0xFFF;
  static constexpr std::uint32_t one_unnotified = 1u << 12;
  static constexpr std::uint32_t unnotified_mask = 0xFFFu << 12;
  // Advanced by every token step, so that the futex value a waiter sleeps on cannot come back
  // by registrations and leaves alone (see the header's Counters).
  static constexpr std::uint32_t one_epoch = 1u << 24;
  static constexpr std::uint32_t epoch_mask = 0x3Fu << 24;
  // No waiter need pass a wake on: one that was not eligible has passed one since the last
  // notify_one (one wake of all reaches every eligible sleeper), or the last notify was a
  // notify_all, whose wake of all reached them. Cleared by notify_one, set by notify_all.
  static constexpr std::uint32_t pass_bit = 1u << 30;
  // The destructor sleeps on counts_ until inside reaches 0.
  static constexpr std::uint32_t destroy_bit = 1u << 31;
  static constexpr std::uint32_t max_waiters = inside_mask;
  // How many times a waiter that a wake reached, and that may not take what is left, looks at
  // counts_ again before it passes the wake on (see wait_before): the spin, then the yields,
  // that the other primitives make before they sleep (detail/spin.hpp).
  static constexpr int pass_looks =
      detail::backend_spin_limit<Backend>() + detail::backend_spin_yields<Backend>();

  // counts_ after a notify's token step from `counts`: waiters counted, epoch advanced, and
  // pass_bit set by notify_all (its wake reaches every sleeper), cleared by notify_one (its one
  // wake may reach a waiter that may not take it, which must then pass it on).
  static constexpr std::uint32_t token_step(std::uint32_t counts, bool all) noexcept {
    const std::uint32_t counted = all ? counts & ~unnotified_mask : counts - one_unnotified;
    const std::uint32_t epoch = (counts + one_epoch) & epoch_mask;
    return (counted & ~(epoch_mask | pass_bit)) | epoch | (all ? pass_bit : 0);
  }

  static constexpr std::uint32_t inside_of(std::uint32_t counts) noexcept {
    return counts & inside_mask;
  }
  static constexpr std::uint32_t unnotified_of(std::uint32_t counts) noexcept {
    return (counts & unnotified_mask) / one_unnotified;
  }
  static constexpr std::uint32_t epoch_of(std::uint32_t counts) noexcept {
    return counts & epoch_mask;
  }
  static constexpr std::uint32_t tokens_of(std::uint32_t counts) noexcept {
    return inside_of(counts) - unnotified_of(counts);
  }

  void notify(bool all) noexcept {
    // TSan: a notify orders nothing (as for std): its atomics are hidden; the mutex orders
    // waiters.
    const detail::tsan::signal_scope annotate(this);
    // Relaxed load: a waiter registers while holding the mutex; a notifier that changed the
    // predicate under the same mutex is ordered after it by the mutex (as std requires), and
    // one that did not is not owed that waiter.
    std::uint32_t counts = counts_.load(std::memory_order_relaxed);
    if (unnotified_of(counts) == 0) return;
    // First the sequence, then the tokens: a waiter can take a token only after the step that
    // hands it out, which is then our last access to the object (the wake below is by
    // address), so a waiter may return and destroy the object at once; and the token step is
    // a change of counts_, the word waiters sleep on, so none sleeps through it. Relaxed: the
    // release below publishes it.
    seq_.fetch_add(1, std::memory_order_relaxed);
    do {
      // They all left meanwhile (timed out): the sequence step alone is harmless.
      if (unnotified_of(counts) == 0) return;
      // Release: a waiter that reads this counts_ value (acquire) reads our seq_ step too.
    } while (!counts_.compare_exchange_weak(counts, token_step(counts, all),
                                            std::memory_order_release, std::memory_order_relaxed));
    futex_calls::wake(counts_, all ? std::numeric_limits<std::size_t>::max() : 1);
  }

  // Waits for a notify (true) or until `limit` (false); `lock` is re-locked either way. If
  // `abandon()`, asked once right after the registration, says true, leaves at once (false)
  // unless a notify already counted us. noexcept: a lock whose re-lock throws ends the program
  // (std::terminate, as std asks of condition_variable_any).
  // Not analysed: it releases and retakes the caller's lock (see thread_safety.hpp).
  template <class Lock, class Abandon = never_abandoned>
  FUTON_NO_THREAD_SAFETY_ANALYSIS bool wait_before(Lock& lock, const detail::deadline* limit,
                                                   Abandon abandon = {}) noexcept {
    if constexpr (requires { lock.owns_lock(); }) {
      FUTON_PRECONDITION(lock.owns_lock(),
                         "futon::condition_variable::wait: the lock does not own its mutex");
    }
    // Register while holding the mutex, so a notifier that changes the predicate under the
    // mutex afterwards counts us. The RMW also tells us the token epoch at that instant: a
    // token step after it changes the epoch. Acquire: the seq_ load below stays after it (a
    // release token step we read here carries its seq_ step with it).
    const std::uint32_t registered =
        counts_.fetch_add(one_inside | one_unnotified, std::memory_order_acquire);
    FUTON_PRECONDITION(inside_of(registered) < max_waiters,
                       "futon::condition_variable: more than 4095 waiters at once");
    // The sequence after we registered. A notify steps seq_ before its token step, and cannot
    // skip the token step while we are inside un-notified, so a seq_ step after this read
    // means a token step after our registration, one we were waiting for. (Read before the
    // registration, a notify could step seq_ in between and hand out its tokens before we
    // registered: we would then take a token meant for an earlier waiter.) Relaxed: see the
    // acquire above.
    const std::uint32_t base = seq_.load(std::memory_order_relaxed);
    // Asked after the registration, so that a stop request this misses is followed by a
    // notify_all that counts us (notify_all_abandoning). Leaving is then a timeout's path.
    bool timed_out = abandon();
    unlock_for_wait(lock);

    enum class outcome : std::uint8_t { waiting, notified, timed_out };
    outcome result = outcome::waiting;
    // A notify has been issued since we registered: every token handed out from now on may be
    // ours, since we were waiting when it was issued. Once true, it stays true (a waiter that
    // finds every token taken waits for the next one, still eligible).
    bool eligible = false;
    bool woken = false;         // we have returned from a futex wait: a wake may have reached us
    int looks_before_pass = 0;  // since that return: see the pass below
    std::uint32_t left = 0;     // counts_ as our leaving RMW found it
    for (;;) {
      // counts_ first, then seq_: if the sequence we read is older than a notify, so is the
      // counts_ value, and that notify's token step changes counts_ from it, which the futex
      // wait below (on counts_, expecting this value) sees. Acquire: pairs with the notify's
      // release token step, so that if we read its counts_ we also read its seq_ step (and the
      // seq_ load cannot move before this one). The counts_ RMW decides what we take.
      std::uint32_t counts = counts_.load(std::memory_order_acquire);
      // Eligible once a token step has come after our registration: the epoch moved (exact,
      // but 6 bits wrap) or the sequence moved (32 bits; see `base`).
      eligible = eligible || epoch_of(counts) != epoch_of(registered) ||
                 seq_.load(std::memory_order_relaxed) != base;
      const bool may_take = eligible || unnotified_of(counts) == 0;
      std::uint32_t next = 0;
      outcome if_done = outcome::waiting;
      if (may_take && tokens_of(counts) > 0) {
        next = counts - one_inside;  // take a token
        if_done = outcome::notified;
      } else if (timed_out) {
        // Not counted by any notify (unnotified > 0 here: at 0 we may take a token).
        next = counts - one_inside - one_unnotified;
        if_done = outcome::timed_out;
      } else if (woken && tokens_of(counts) > 0 && (counts & pass_bit) == 0) {
        // A wake reached us and what is left is not ours: it may have been meant for an eligible
        // waiter asleep, and then we must pass it on (below). Usually, though, the waiter it was
        // meant for is not asleep: it registered before us but was still on its way to the futex
        // (preempted, or unlocking the mutex) when the wake went to the one sleeper there was,
        // us. It takes its token without a wake, and then nothing is left to pass. So look
        // again a while first (relax steps, then yields, so that it can run on this CPU): a pass
        // is a wake of all, and in futon-bench's thread pool at 32 workers on 2 CPUs such passes
        // woke 8300 sleepers for 17000 notify_one, each to sleep again (perf trace of the futex
        // calls). Only looks (loads at the top of the loop): the pass still comes if a token
        // stays untaken, so a delay is all it costs when the eligible waiter does sleep (as if
        // we had been slow to run).
        if (looks_before_pass < pass_looks) {
          if (looks_before_pass++ < detail::backend_spin_limit<Backend>()) {
            detail::cpu_relax();
          } else {
            std::this_thread::yield();
          }
          continue;
        }
        next = counts | pass_bit;  // a wake meant for an eligible waiter may have reached us
      } else {
        // Wait for a notify: its token step changes counts_ from the value we read.
        if (limit == nullptr) {
          Backend::wait(counts_, counts);
        } else {
          timed_out = !Backend::wait_until(counts_, counts, *limit);
        }
        woken = true;
        looks_before_pass = 0;
        continue;
      }
      // Release: when this is our leaving step, our accesses to the object happen before the
      // destructor's acquire load. Relaxed on failure: we read both words again.
      if (!counts_.compare_exchange_weak(counts, next, std::memory_order_release,
                                         std::memory_order_relaxed)) {
        continue;
      }
      if (if_done != outcome::waiting) {
        result = if_done;
        left = counts;
        break;
      }
      // Pass it on: one wake of all reaches every eligible sleeper the wake may have missed.
      Backend::wake(counts_, std::numeric_limits<std::size_t>::max());
    }
    // Our leaving RMW was our last access to the object; wake the destructor by address.
    if ((left & destroy_bit) != 0 && inside_of(left) == 1) {
      Backend::wake(counts_, std::numeric_limits<std::size_t>::max());
    }
    relock_after_wait(lock);
    return result == outcome::notified;
  }

  // A std::unique_lock over our mutex keeps owning it while we sleep (only its mutex is
  // unlocked and locked again: no state of the unique_lock changes); any other lock is
  // unlocked and locked as a BasicLockable.
  template <class Lock>
  FUTON_NO_THREAD_SAFETY_ANALYSIS static void unlock_for_wait(Lock& lock) noexcept {
    if constexpr (std::is_same_v<Lock, std::unique_lock<mutex_type>>) {
      lock.mutex()->unlock();
    } else {
      lock.unlock();
    }
  }
  template <class Lock>
  FUTON_NO_THREAD_SAFETY_ANALYSIS static void relock_after_wait(Lock& lock) noexcept {
    if constexpr (std::is_same_v<Lock, std::unique_lock<mutex_type>>) {
      lock.mutex()->lock();
    } else {
      lock.lock();
    }
  }

  detail::word_t<Backend> seq_{0};
  detail::word_t<Backend> counts_{0};
};

using condition_variable = basic_condition_variable<backend::default_backend>;

// notify_all_at_thread_exit(cond, std::move(lk)), as std's ([thread.condition.nonmember]): takes
// over the lock, and when the calling thread exits, after its thread_local objects are
// destroyed, notifies every waiter of `cond` and unlocks the mutex. Typically the last thing a
// detached thread does, so that a waiter knows the thread's thread_locals are gone:
//
//   std::unique_lock lock(m);
//   result = compute();  done = true;
//   futon::notify_all_at_thread_exit(cv, std::move(lock));
//   // ... the thread ends; the waiter's cv.wait(lock, [&] { return done; }) then returns
//
// - The order is cond.notify_all() then the unlock, as LWG 3343 corrects the standard's "as if
//   lk.unlock(); cond.notify_all();": a waiter that gets the mutex may destroy `cond` at once,
//   so the notify has to be over by then. The notified waiters queue on the mutex until the
//   unlock.
// - Where it runs: see <futon/detail/thread_exit.hpp>. After every thread_local destructor on
//   glibc; on Windows among them (after those constructed later than this call, before those
//   constructed earlier); never for the main thread returning from main(), as for std.
// - The mutex stays locked until then; the debug builds' ownership tracking hands it to the
//   exit list and back, so the unlock at exit is checked as the exiting thread's own.
// - Preconditions, as std: `lk` owns its mutex, locked by the calling thread (checked with
//   FUTON_DEBUG_CHECKS); every thread waiting on `cond` uses the same mutex (not checked).
// - Throws std::system_error (resource_unavailable_try_again) if the OS has no thread-specific
//   slot left, std::bad_alloc if the node (one small allocation per call) cannot be had; then
//   `lk`, still owning the mutex, unlocks it as it is destroyed.
template <futex_backend Backend>
void notify_all_at_thread_exit(basic_condition_variable<Backend>& cond,
                               std::unique_lock<basic_mutex<Backend>> lk);

namespace detail {
template <futex_backend Backend>
struct notify_at_thread_exit final : thread_exit_callback {
  notify_at_thread_exit(basic_condition_variable<Backend>& c, basic_mutex<Backend>& m) noexcept
      : cond(&c), mutex(&m) {
    run = &notify_and_unlock;
  }
  basic_condition_variable<Backend>* cond;
  basic_mutex<Backend>* mutex;

  // Not analysed: the unlock of a lock taken by the thread's earlier call.
  FUTON_NO_THREAD_SAFETY_ANALYSIS static void notify_and_unlock(
      thread_exit_callback* self) noexcept {
    auto* const node = static_cast<notify_at_thread_exit*>(self);
    basic_condition_variable<Backend>* const cond = node->cond;
    basic_mutex<Backend>* const mutex = node->mutex;
    delete node;
    cond->notify_all();
    // Debug builds: the lock comes back from the exit list to this thread for its unlock (see
    // notify_all_at_thread_exit: the thread's record forgot it when it was handed over).
    FUTON_NOTE_LOCKED(mutex);
    mutex->unlock();
  }
};
}  // namespace detail

template <futex_backend Backend>
void notify_all_at_thread_exit(basic_condition_variable<Backend>& cond,
                               std::unique_lock<basic_mutex<Backend>> lk) {
  FUTON_PRECONDITION(lk.owns_lock(),
                     "futon::notify_all_at_thread_exit: the lock does not own its mutex");
  auto* const node = new detail::notify_at_thread_exit<Backend>(cond, *lk.mutex());
  if (!detail::at_thread_exit(node)) {
    delete node;
    throw std::system_error(std::make_error_code(std::errc::resource_unavailable_try_again),
                            "futon::notify_all_at_thread_exit");
  }
  static_cast<void>(lk.release());  // the mutex stays locked, now owned by the thread's exit
  // Debug builds: the thread's record of the locks it holds (a thread_local) forgets this one
  // now, which also checks that the calling thread holds it. The record may be gone by the
  // time the exit list runs (mingw's emulated TLS frees it before the thread_local destructors
  // among which the list runs on Windows), so the callback notes the lock again right before
  // its unlock rather than rely on the record outliving the thread's storage.
  FUTON_CHECK_UNLOCK(node->mutex,
                     "futon::notify_all_at_thread_exit: the calling thread does "
                     "not hold the lock's mutex");
}

static_assert(sizeof(condition_variable) == 8, "futon::condition_variable is two 32-bit words");

}  // namespace v0
}  // namespace futon
