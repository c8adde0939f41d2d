// SPDX-License-Identifier: BSL-1.0
// PLANTED BUGS - test-only. A copy of include/futon/shared_mutex.hpp as it was at commit 7add648,
// before issue 10's fixes, kept so that the deterministic scheduler's tests can show that the
// checker finds the defects the issue lists (tests/dsched/dsched_planted_primitives_test.cpp).
// Only the namespace (planted_7add648) and the includes differ from the original; never use it
// outside those tests. Defect 2: unlock_shared() writes drain_ after its releasing
// fetch_sub.
//
// The original header follows.
//
// <futon/shared_mutex.hpp>: futon::shared_mutex, a std::shared_timed_mutex in 8 bytes.
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
//     already inside to leave; the last one wakes it.
//   - Uncontended lock_shared/unlock_shared and lock/unlock are one atomic RMW each; no system
//     call unless somebody sleeps.
//   - Timed members never give up early and take any duration or clock.
//   - At most 2^30 - 1 concurrent readers.
//
// Two 32-bit words (8 bytes): the state, and a counter the draining writer sleeps on, so that
// readers leaving never wake the threads queued for the state and vice versa.
//
// Preconditions (checked with FUTON_DEBUG_CHECKS): unlock/unlock_shared only by a holder of that
// kind; not destroyed while held or waited for.
//
// Under ThreadSanitizer it is annotated as a reader-writer lock (<futon/detail/tsan.hpp>): an
// exclusive holder is ordered after every earlier holder, a shared holder only after earlier
// exclusive ones, so TSan reports a write made under a shared lock.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <futon/detail/assert.hpp>
#include <futon/detail/backend_traits.hpp>
#include <futon/detail/deadline.hpp>
#include <futon/detail/lock_ownership.hpp>
#include <futon/detail/spin.hpp>
#include <futon/detail/tsan.hpp>
#include <futon/futex.hpp>
#include <limits>
#include <type_traits>

#include "dsched/planted/prelude.hpp"

namespace planted_7add648 {

template <futex_backend Backend>
class basic_shared_mutex {
 public:
  constexpr basic_shared_mutex() noexcept {
    // TSan: made at run time, so the destructor retires it (a static one is made by its 1st lock).
    if (!std::is_constant_evaluated()) detail::tsan::mutex_create(this, detail::tsan::not_static);
  }
  ~basic_shared_mutex() {
    FUTON_PRECONDITION(state_.load(std::memory_order_relaxed) == 0,
                       "futon::shared_mutex destroyed while held or with waiters");
    // TSan: retire it (it reports one destroyed while held, where the check above is compiled out).
    detail::tsan::mutex_destroy(this, detail::tsan::not_static);
  }
  basic_shared_mutex(const basic_shared_mutex&) = delete;
  basic_shared_mutex& operator=(const basic_shared_mutex&) = delete;

  // Exclusive ownership.

  void lock() noexcept {
    // TSan: the words' atomics are hidden until post_lock, which alone orders us (see tsan.hpp).
    detail::tsan::mutex_pre_lock(this, detail::tsan::no_flags);
    static_cast<void>(lock_before(nullptr));
    // TSan: held: acquire what the last writer and every reader since released.
    detail::tsan::mutex_post_lock(this, detail::tsan::no_flags);
    FUTON_NOTE_LOCKED(this);
  }

  bool try_lock() noexcept {
    // TSan: a try cannot deadlock, so it adds no lock-order edge unless it succeeds.
    detail::tsan::mutex_pre_lock(this, detail::tsan::try_lock);
    std::uint32_t state = 0;
    // Acquire: see everything the previous writer and the readers wrote before unlocking.
    if (state_.compare_exchange_strong(state, writer_bit, std::memory_order_acquire,
                                       std::memory_order_relaxed)) {
      // TSan: held: acquire what the last writer and every reader since released.
      detail::tsan::mutex_post_lock(this, detail::tsan::try_lock);
      FUTON_NOTE_LOCKED(this);
      return true;
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
    FUTON_PRECONDITION((state_.load(std::memory_order_relaxed) & writer_bit) != 0,
                       "futon::shared_mutex::unlock: the mutex is not locked exclusively");
    FUTON_CHECK_UNLOCK(this, "futon::shared_mutex::unlock: the calling thread does not hold it");
    // TSan: release the critical section to the next locker (the words' atomics are hidden).
    detail::tsan::mutex_pre_unlock(this, detail::tsan::no_flags);
    release_writer();
    // TSan: the words' atomics and futex calls above order nothing by themselves.
    detail::tsan::mutex_post_unlock(this, detail::tsan::no_flags);
  }

  // Shared ownership.

  void lock_shared() noexcept {
    // TSan: a shared lock: it acquires from writers only, and readers do not exclude each other.
    detail::tsan::mutex_pre_lock(this, detail::tsan::read_lock);
    if (!try_add_reader()) static_cast<void>(lock_shared_before(nullptr));
    // TSan: held shared: acquire what the last writer released.
    detail::tsan::mutex_post_lock(this, detail::tsan::read_lock);
  }

  bool try_lock_shared() noexcept {
    // TSan: a shared try: no lock-order edge unless it succeeds.
    detail::tsan::mutex_pre_lock(this, detail::tsan::read_lock | detail::tsan::try_lock);
    const bool held = try_add_reader();
    // TSan: acquire what the last writer released, if held.
    post_lock_shared(held);
    return held;
  }

  template <class Rep, class Period>
  bool try_lock_shared_for(const std::chrono::duration<Rep, Period>& timeout) noexcept {
    return try_lock_shared_before(detail::deadline::after(timeout));
  }

  template <class Clock, class Duration>
  bool try_lock_shared_until(const std::chrono::time_point<Clock, Duration>& deadline) noexcept {
    return detail::attempt_until(
        deadline, [&](const detail::deadline& limit) { return try_lock_shared_before(limit); });
  }

  void unlock_shared() noexcept {
    // TSan: a shared unlock releases to the next writer only.
    detail::tsan::mutex_pre_unlock(this, detail::tsan::read_lock);
    // Release: our reads happen before a writer's writes. The RMW also tells us, atomically,
    // whether a writer is waiting for us to leave.
    const std::uint32_t before = state_.fetch_sub(one_reader, std::memory_order_release);
    FUTON_PRECONDITION(readers_of(before) != 0,
                       "futon::shared_mutex::unlock_shared: the mutex is not locked shared");
    if ((before & writer_bit) != 0 && readers_of(before) == 1) {
      // We were the last reader a claiming writer waits for. Release: pairs with the writer's
      // acquire load of drain_, so it then sees our decrement of the count (see lock_before).
      drain_.fetch_add(1, std::memory_order_release);
      futex_calls::wake(drain_, 1);
    }
    // TSan: the words' atomics and futex calls above order nothing by themselves.
    detail::tsan::mutex_post_unlock(this, detail::tsan::read_lock);
  }

 private:
  // The futex, for calls made inside an annotated lock or unlock: TSan checks them (and the
  // parking lot under them) as ordinary code (see diverted_backend in tsan.hpp).
  using futex_calls = detail::tsan::diverted_backend<Backend>;

  // state_: a writer holds the lock or has claimed it and waits for readers to leave.
  static constexpr std::uint32_t writer_bit = 1u << 31;
  // Threads sleep on state_ until writer_bit clears (set by each before it sleeps; cleared,
  // with a wake of all, by the writer's release: everyone asleep waits for exactly that).
  static constexpr std::uint32_t parked_bit = 1u << 30;
  static constexpr std::uint32_t one_reader = 1;
  static constexpr std::uint32_t max_readers = parked_bit - 1;

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
    detail::tsan::mutex_pre_lock(this, detail::tsan::try_lock);
    if (!lock_before(&limit)) {
      // TSan: timed out, not held, so nothing is acquired.
      detail::tsan::mutex_post_lock(this, detail::tsan::try_lock | detail::tsan::try_lock_failed);
      return false;
    }
    // TSan: held: acquire what the last writer and every reader since released.
    detail::tsan::mutex_post_lock(this, detail::tsan::try_lock);
    FUTON_NOTE_LOCKED(this);
    return true;
  }

  bool try_lock_shared_before(const detail::deadline& limit) noexcept {
    // TSan: a timed shared lock may give up, so it is a shared try.
    detail::tsan::mutex_pre_lock(this, detail::tsan::read_lock | detail::tsan::try_lock);
    const bool held = try_add_reader() || lock_shared_before(&limit);
    // TSan: acquire what the last writer released, if held.
    post_lock_shared(held);
    return held;
  }

  // Ends the annotation of a shared try, which `held` says succeeded or not.
  void post_lock_shared(bool held) noexcept {
    constexpr unsigned shared_try = detail::tsan::read_lock | detail::tsan::try_lock;
    const unsigned failed = held ? 0u : detail::tsan::try_lock_failed;
    detail::tsan::mutex_post_lock(this, shared_try | failed);
  }

  // Claims writer_bit, then waits for the readers inside to leave.
  bool lock_before(const detail::deadline* limit) noexcept {
    if (!wait_and_update(limit, [](std::uint32_t state) { return state | writer_bit; })) {
      return false;
    }
    for (;;) {
      // Acquire on drain_ pairs with the last reader's release: if we read its bump, we see
      // its decrement below. If we read an older value, the futex wait returns at once when
      // the bump has happened since, so no wake is lost.
      const std::uint32_t generation = drain_.load(std::memory_order_acquire);
      // Acquire: the leaving readers' reads happen before our writes.
      if (readers_of(state_.load(std::memory_order_acquire)) == 0) return true;
      if (limit == nullptr) {
        futex_calls::wait(drain_, generation);
      } else if (!futex_calls::wait_until(drain_, generation, *limit)) {
        if (readers_of(state_.load(std::memory_order_acquire)) == 0) return true;
        release_writer();  // give the claim back and let the readers it held back in
        return false;
      }
    }
  }

  bool lock_shared_before(const detail::deadline* limit) noexcept {
    return wait_and_update(limit, [](std::uint32_t state) {
      FUTON_PRECONDITION(readers_of(state) < max_readers, "futon::shared_mutex: too many readers");
      return state + one_reader;
    });
  }

  // Waits until writer_bit is clear, then applies `update` to the state (acquire).
  template <class Update>
  bool wait_and_update(const detail::deadline* limit, Update update) noexcept {
    int spins = 0;
    std::uint32_t state = state_.load(std::memory_order_relaxed);
    for (;;) {
      if ((state & writer_bit) == 0) {
        // Acquire: see what the previous holders wrote.
        if (state_.compare_exchange_weak(state, update(state), std::memory_order_acquire,
                                         std::memory_order_relaxed)) {
          return true;
        }
        continue;
      }
      if (limit != nullptr && limit->has_passed()) return false;
      // Spin briefly while nobody sleeps (see <futon/detail/spin.hpp> for the bound).
      if ((state & parked_bit) == 0 && spins < detail::backend_spin_limit<Backend>()) {
        ++spins;
        detail::cpu_relax();
        state = state_.load(std::memory_order_relaxed);
        continue;
      }
      // Sleep only on a word that carries parked_bit, so the writer's release wakes us.
      // Relaxed: the futex wait re-reads the word; nothing is published by setting the bit.
      if ((state & parked_bit) == 0 &&
          !state_.compare_exchange_weak(state, state | parked_bit, std::memory_order_relaxed)) {
        continue;
      }
      const std::uint32_t sleep_on = state | parked_bit;
      if (limit == nullptr) {
        futex_calls::wait(state_, sleep_on);
      } else {
        static_cast<void>(futex_calls::wait_until(state_, sleep_on, *limit));
      }
      state = state_.load(std::memory_order_relaxed);
    }
  }

  void release_writer() noexcept {
    // Release: publishes the writer's critical section. Everyone asleep on state_ waits for
    // writer_bit to clear, so wake them all; they set parked_bit again if they sleep again.
    const std::uint32_t before =
        state_.fetch_and(~(writer_bit | parked_bit), std::memory_order_release);
    if ((before & parked_bit) != 0) {
      futex_calls::wake(state_, std::numeric_limits<std::size_t>::max());
    }
  }

  detail::word_t<Backend> state_{0};
  detail::word_t<Backend> drain_{0};
};

using shared_mutex = basic_shared_mutex<backend::default_backend>;
// std::shared_timed_mutex's name, for code that spells it out.
using shared_timed_mutex = shared_mutex;

static_assert(sizeof(shared_mutex) == 8, "futon::shared_mutex is two 32-bit words");

}  // namespace planted_7add648
