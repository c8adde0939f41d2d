// SPDX-License-Identifier: BSL-1.0
// <futon/shared_mutex.hpp>: futon::shared_mutex, a std::shared_timed_mutex in 4 bytes.
//
//   futon::shared_mutex m;
//   { std::shared_lock reader(m); ... }          // many readers at once
//   { std::unique_lock writer(m); ... }          // one writer, no readers
//   if (m.try_lock_shared_for(1ms)) { ...; m.unlock_shared(); }
//
// Members as std::shared_timed_mutex: lock, try_lock, try_lock_for, try_lock_until, unlock,
// lock_shared, try_lock_shared, try_lock_shared_for, try_lock_shared_until, unlock_shared. It
// meets SharedTimedLockable and works with unique_lock, shared_lock, lock_guard, scoped_lock.
//
// Behaviour:
//   - Writer preference: once a writer has claimed the lock, new readers wait until it is done,
//     so a stream of readers never starves a writer. The writer then waits only for the readers
//     already inside to leave: it spins briefly (see <futon/detail/spin.hpp>), then sleeps, and
//     the last one out wakes it.
//   - A thread that finds a writer in the way yields the CPU a few times, then sleeps. A
//     writer's unlock wakes every sleeper if a reader is among them (they may all enter), else
//     one writer (only one could take the lock).
//   - Uncontended lock_shared/unlock_shared and lock/unlock are one atomic RMW each; no system
//     call unless somebody sleeps.
//   - Timed members never give up early and take any duration or clock.
//   - At most 2^28 - 1 concurrent readers (checked with FUTON_DEBUG_CHECKS).
//
// One 32-bit word. The draining writer sleeps on it too: the last reader's leaving must be its
// last access, and a futex wait can only watch the word the reader changes. So when the last
// reader leaves while the writer sleeps, its wake (by address) reaches everyone asleep on the
// word; threads queued behind the writer find it still claimed and sleep again. That costs one
// futile wake of each of them per drain in which the writer had to sleep, and buys the
// lifetime rule below (the 7add648 version kept a second word for the writer, and wrote it after
// the reader's releasing step).
//
// Waking one writer, and why no writer is lost: readers and writers announce themselves with
// separate bits (readers_parked_bit, writers_parked_bit). The unlock clears both in its releasing
// RMW and, with only writers_parked_bit set, wakes one sleeper. That leaves the writers still
// asleep unmarked, so whoever the wake reaches takes the mark over: a writer that slept takes the
// lock with writers_parked_bit set again (its unlock wakes the next; one futile wake if none is
// left), sleeps again with it set, or, giving up on a timeout, sets it again and wakes one if the
// lock is free. The wake is by address and may land after another writer has claimed the lock:
// then it may reach a thread that parked behind that writer (it sleeps again, its bit set, and
// that writer's unlock wakes again) or that writer asleep in its drain, which sleeps with
// writers_parked_bit too, so its unlock passes the wake on. Which thread a wake reaches does not
// matter. (Drepper's "Futexes Are Tricky" mutex, whose woken locker takes the lock as
// "contended", for the same reason; written anew.) models/shared_mutex.pml checks it with every
// wake order, and rejects each of the three marks left out.
//
// Destruction: as for std::shared_mutex, it may be destroyed once it is unlocked and no thread
// is inside a member, even while the thread that unlocked it last is still returning: after
// unlock's or unlock_shared's releasing read-modify-write, they touch it only by address (a
// futex wake, harmless on freed memory).
//
// Counters: the reader count (28 bits) cannot wrap: lock_shared refuses the 2^28-th reader in
// debug builds; beyond that is a precondition violation, as for std.
//
// Signal safety: none of the members may be called from a signal handler. On the parking-lot
// backend the unlocks may take a bucket lock.
//
// Preconditions (checked with FUTON_DEBUG_CHECKS): unlock/unlock_shared only by a holder of that
// kind; not destroyed while held.
//
// Under ThreadSanitizer it is annotated as a reader-writer lock (<futon/detail/tsan.hpp>): an
// exclusive holder is ordered after every earlier holder, a shared holder only after earlier
// exclusive ones, so TSan reports a write made under a shared lock.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <futon/detail/announced_wait.hpp>
#include <futon/detail/assert.hpp>
#include <futon/detail/backend_traits.hpp>
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
class FUTON_CAPABILITY("shared_mutex") basic_shared_mutex {
 public:
  constexpr basic_shared_mutex() noexcept {
    // TSan: made at run time, so the destructor retires it (a static one is made by its 1st lock).
    if (!std::is_constant_evaluated()) detail::tsan::mutex_create(this, detail::tsan::not_static);
  }
  ~basic_shared_mutex() {
    // The parked bits may outlive a waiter that timed out; a holder is what the check can see.
    FUTON_PRECONDITION((state_.load(std::memory_order_relaxed) & (writer_bit | max_readers)) == 0,
                       "futon::shared_mutex destroyed while held");
    // TSan: retire it (it reports one destroyed while held, where the check above is compiled out).
    detail::tsan::mutex_destroy(this, detail::tsan::not_static);
  }
  basic_shared_mutex(const basic_shared_mutex&) = delete;
  basic_shared_mutex& operator=(const basic_shared_mutex&) = delete;

  // Exclusive ownership.

  FUTON_ACQUIRE FUTON_NO_THREAD_SAFETY_ANALYSIS void lock() noexcept {
    // TSan: the word's atomics are hidden until the scope's post_lock, which alone orders us:
    // held, we acquire what the last writer and every reader since released (see tsan.hpp).
    const detail::tsan::lock_scope annotate(this, detail::tsan::no_flags);
    static_cast<void>(lock_before(nullptr));
    FUTON_NOTE_LOCKED(this);
  }

  FUTON_TRY_ACQUIRE FUTON_NO_THREAD_SAFETY_ANALYSIS bool try_lock() noexcept {
    // TSan: a try cannot deadlock, so it adds no lock-order edge unless it succeeds. Held, it
    // acquires what the last writer and every reader since released; not held, nothing.
    detail::tsan::lock_scope annotate(this, detail::tsan::try_lock);
    std::uint32_t state = 0;
    // Acquire: see everything the previous writer and the readers wrote before unlocking.
    if (state_.compare_exchange_strong(state, writer_bit, std::memory_order_acquire,
                                       std::memory_order_relaxed)) {
      FUTON_NOTE_LOCKED(this);
      return annotate.result(true);
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
    FUTON_PRECONDITION((state_.load(std::memory_order_relaxed) & writer_bit) != 0,
                       "futon::shared_mutex::unlock: the mutex is not locked exclusively");
    FUTON_CHECK_UNLOCK(this, "futon::shared_mutex::unlock: the calling thread does not hold it");
    // TSan: the scope releases the critical section to the next locker; the word's atomics and
    // the futex calls inside it are hidden and order nothing by themselves.
    const detail::tsan::unlock_scope annotate(this, detail::tsan::no_flags);
    release_writer();
  }

  // Shared ownership.

  FUTON_ACQUIRE_SHARED FUTON_NO_THREAD_SAFETY_ANALYSIS void lock_shared() noexcept {
    // TSan: a shared lock: it acquires from writers only (held shared, what the last writer
    // released), and readers do not exclude each other.
    const detail::tsan::lock_scope annotate(this, detail::tsan::read_lock);
    if (!try_add_reader()) static_cast<void>(lock_shared_before(nullptr));
  }

  FUTON_TRY_ACQUIRE_SHARED FUTON_NO_THREAD_SAFETY_ANALYSIS bool try_lock_shared() noexcept {
    // TSan: a shared try: no lock-order edge unless it succeeds; held, it acquires what the last
    // writer released.
    detail::tsan::lock_scope annotate(this, detail::tsan::read_lock | detail::tsan::try_lock);
    return annotate.result(try_add_reader());
  }

  template <class Rep, class Period>
  FUTON_TRY_ACQUIRE_SHARED FUTON_NO_THREAD_SAFETY_ANALYSIS bool try_lock_shared_for(
      const std::chrono::duration<Rep, Period>& timeout) noexcept {
    return try_lock_shared_before(detail::deadline::after(timeout));
  }

  template <class Clock, class Duration>
  FUTON_TRY_ACQUIRE_SHARED FUTON_NO_THREAD_SAFETY_ANALYSIS bool try_lock_shared_until(
      const std::chrono::time_point<Clock, Duration>& deadline) noexcept {
    return detail::attempt_until(
        deadline, [&](const detail::deadline& limit) { return try_lock_shared_before(limit); });
  }

  FUTON_RELEASE_SHARED FUTON_NO_THREAD_SAFETY_ANALYSIS void unlock_shared() noexcept {
    // TSan: a shared unlock releases to the next writer only; the word's atomics and the futex
    // calls inside the scope order nothing by themselves.
    const detail::tsan::unlock_scope annotate(this, detail::tsan::read_lock);
    // Release: our reads happen before a writer's writes. The RMW also tells us, atomically,
    // whether a writer sleeps waiting for us to leave. It is our last access to the word: a
    // writer may take the lock, unlock and destroy the mutex right after it.
    const std::uint32_t before = state_.fetch_sub(one_reader, std::memory_order_release);
    FUTON_PRECONDITION(readers_of(before) != 0,
                       "futon::shared_mutex::unlock_shared: the mutex is not locked shared");
    if (readers_of(before) == 1) {
      // We were the last reader; if the claiming writer sleeps for us, wake it. By address only;
      // everyone asleep on the word wakes (the futex cannot pick the writer; see the header).
      detail::wake_announced<futex_calls>(state_, before, writer_sleeps_bit);
    }
  }

 private:
  // The futex, for calls made inside an annotated lock or unlock: TSan checks them (and the
  // parking lot under them) as ordinary code (see diverted_backend in tsan.hpp).
  using futex_calls = detail::tsan::diverted_backend<Backend>;

  // state_: a writer holds the lock or has claimed it and waits for readers to leave.
  static constexpr std::uint32_t writer_bit = 1u << 31;
  // Readers sleep on state_ until writer_bit clears (set by each before it sleeps; cleared, with
  // a wake of all, by the writer's release).
  static constexpr std::uint32_t readers_parked_bit = 1u << 30;
  // The claiming writer sleeps until the readers inside have left (set by it before it sleeps;
  // the last reader out wakes the word; cleared by the writer's release).
  static constexpr std::uint32_t writer_sleeps_bit = 1u << 29;
  // Writers sleep on state_ until writer_bit clears (set before sleeping, and by a writer that
  // slept; cleared by the writer's release, which then wakes one; see the header).
  static constexpr std::uint32_t writers_parked_bit = 1u << 28;
  static constexpr std::uint32_t one_reader = 1;
  static constexpr std::uint32_t max_readers = writers_parked_bit - 1;

  static constexpr std::uint32_t readers_of(std::uint32_t state) noexcept {
    return state & max_readers;
  }

  // Adds a reader unless a writer holds or has claimed the lock.
  bool try_add_reader() noexcept {
    std::uint32_t state = state_.load(std::memory_order_relaxed);
    while ((state & writer_bit) == 0) {
      FUTON_PRECONDITION(readers_of(state) < max_readers, "futon::shared_mutex: too many readers");
      // Acquire: see everything the last writer wrote before unlocking.
      if (state_.compare_exchange_weak(state, state + one_reader, std::memory_order_acquire,
                                       std::memory_order_relaxed)) {
        return true;
      }
    }
    return false;
  }

  bool try_lock_before(const detail::deadline& limit) noexcept {
    // TSan: a timed lock may give up, so it is a try (no lock-order edge unless it succeeds).
    // Held, it acquires what the last writer and every reader since released; timed out,
    // nothing.
    detail::tsan::lock_scope annotate(this, detail::tsan::try_lock);
    if (!lock_before(&limit)) return annotate.result(false);
    FUTON_NOTE_LOCKED(this);
    return annotate.result(true);
  }

  bool try_lock_shared_before(const detail::deadline& limit) noexcept {
    // TSan: a timed shared lock may give up, so it is a shared try; held, it acquires what the
    // last writer released.
    detail::tsan::lock_scope annotate(this, detail::tsan::read_lock | detail::tsan::try_lock);
    return annotate.result(try_add_reader() || lock_shared_before(&limit));
  }

  // Claims writer_bit, then waits for the readers inside to leave.
  bool lock_before(const detail::deadline* limit) noexcept {
    // A writer that slept takes the lock with writers_parked_bit: the release that woke it
    // cleared the bit with others maybe still asleep (see the header).
    const auto claim = [](std::uint32_t state, bool slept) {
      return state | writer_bit | (slept ? writers_parked_bit : 0u);
    };
    if (!wait_and_update(limit, writers_parked_bit, claim)) return false;
    std::uint32_t state = state_.load(std::memory_order_acquire);
    int spins = 0;
    for (;;) {
      // Acquire (this load, the spin's and sleep_announced's): the leaving readers' reads happen
      // before our writes (their fetch_sub is a release).
      if (readers_of(state) == 0) return true;
      if (limit != nullptr && limit->has_passed()) {
        release_writer();  // give the claim back and let the readers it held back in
        return false;
      }
      // The readers inside are on their way out (no new one gets in past our claim), and a
      // read-side section is usually short: spin briefly before paying for a sleep and the last
      // reader's wake, which also wakes everyone parked behind us (see the header). Measured:
      // cache_50 at 4 threads on 2 cores (futon-bench), the unspun drain slept on most writes.
      if (spins < detail::backend_spin_limit<Backend>()) {
        ++spins;
        detail::cpu_relax();
        state = state_.load(std::memory_order_acquire);
        continue;
      }
      // The announced wait (detail/announced_wait.hpp, with its proof) on writer_sleeps_bit: the
      // last reader out reads the bit in its fetch_sub and wakes us. With writers_parked_bit as
      // well: what wakes us may instead be an earlier release's wake of one, meant for a parked
      // writer (it is by address, and may come after our claim); our release then passes it
      // on. models/shared_mutex.pml, PLANT_DRAIN_NO_MARK, shows the writer lost without it.
      detail::sleep_announced<futex_calls>(state_, state, writer_sleeps_bit | writers_parked_bit,
                                           limit);
    }
  }

  bool lock_shared_before(const detail::deadline* limit) noexcept {
    return wait_and_update(limit, readers_parked_bit, [](std::uint32_t state, bool) {
      FUTON_PRECONDITION(readers_of(state) < max_readers, "futon::shared_mutex: too many readers");
      return state + one_reader;
    });
  }

  // Waits until writer_bit is clear, then applies `update(state, slept)` to the state (acquire).
  // `parked_bit` is the caller's kind's announcement bit.
  template <class Update>
  bool wait_and_update(const detail::deadline* limit, std::uint32_t parked_bit,
                       Update update) noexcept {
    int yields = 0;
    bool slept = false;
    std::uint32_t state = state_.load(std::memory_order_relaxed);
    for (;;) {
      if ((state & writer_bit) == 0) {
        // Acquire: see what the previous holders wrote.
        if (state_.compare_exchange_weak(state, update(state, slept), std::memory_order_acquire,
                                         std::memory_order_relaxed)) {
          return true;
        }
        continue;
      }
      if (limit != nullptr && limit->has_passed()) {
        if (slept && parked_bit == writers_parked_bit) pass_writer_wake_on();
        return false;
      }
      // A writer holds the lock, or drains readers, for a while (a write-side section, or the
      // readers inside leaving). Yield a few times rather than spin: with more threads than
      // CPUs, the thread in the way may be waiting for this CPU. Measured (futon-bench cache_50
      // at 4-8 threads, 2 cores, both with the wake of all): 64 relax steps first (as the mutex
      // does) gave 0.54-0.71x std's throughput at 1.9-2.4x its CPU; 4 yields and no relax steps
      // 0.90-1.24x at 0.94-1.54x.
      if ((state & (readers_parked_bit | writers_parked_bit)) == 0 &&
          yields < detail::backend_spin_yields<Backend>()) {
        ++yields;
        std::this_thread::yield();
        state = state_.load(std::memory_order_relaxed);
        continue;
      }
      // The announced wait (detail/announced_wait.hpp, with its proof) on our kind's bit: the
      // writer's release reads it in its fetch_and and wakes us (see release_writer).
      // Counted as slept from the attempt on: a failed announcement only makes a writer take
      // the lock marked (one futile wake at worst); the model does the same.
      slept = true;
      detail::sleep_announced<futex_calls>(state_, state, parked_bit, limit);
    }
  }

  // A writer that slept gives up on a timeout: the release that woke it (if one did) cleared
  // writers_parked_bit, perhaps with other writers still asleep, and we will not take the lock
  // and pass the mark on. So mark them again, and if the lock is free (nobody's release will
  // come) wake one. Relaxed: the mark is read by the next release's RMW, which follows ours in
  // the word's modification order; we publish nothing. We are inside a member call, so the
  // mutex is alive; the wake is by address anyway. At worst one futile wake.
  void pass_writer_wake_on() noexcept {
    const std::uint32_t before = state_.fetch_or(writers_parked_bit, std::memory_order_relaxed);
    if ((before & writer_bit) == 0) futex_calls::wake(state_, 1);
  }

  void release_writer() noexcept {
    // Release: publishes the writer's critical section. This RMW is our last access: the wakes
    // after it are by address. Sleepers wait for writer_bit to clear. If a reader sleeps, wake
    // everyone (the readers may all enter; the writers race for the lock); else, if a writer
    // sleeps, wake one: only one can take the lock, and the one woken sets writers_parked_bit
    // again for the rest (see the header). writer_sleeps_bit is ours (only the claiming writer
    // sets it), so it goes too.
    const std::uint32_t before = state_.fetch_and(
        ~(writer_bit | readers_parked_bit | writers_parked_bit | writer_sleeps_bit),
        std::memory_order_release);
    if ((before & readers_parked_bit) != 0) {
      futex_calls::wake(state_, std::numeric_limits<std::size_t>::max());
    } else if ((before & writers_parked_bit) != 0) {
      futex_calls::wake(state_, 1);
    }
  }

  detail::word_t<Backend> state_{0};
};

using shared_mutex = basic_shared_mutex<backend::default_backend>;
// std::shared_timed_mutex's name, for code that spells it out.
using shared_timed_mutex = shared_mutex;

static_assert(sizeof(shared_mutex) == 4, "futon::shared_mutex is one 32-bit word");

}  // namespace v0
}  // namespace futon
