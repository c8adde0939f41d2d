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
// Preconditions (checked without NDEBUG): unlock/unlock_shared only by a holder of that kind;
// not destroyed while held or waited for.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <futon/detail/assert.hpp>
#include <futon/detail/deadline.hpp>
#include <futon/detail/lock_ownership.hpp>
#include <futon/detail/spin.hpp>
#include <futon/futex.hpp>
#include <limits>

namespace futon {

template <futex_backend Backend>
class basic_shared_mutex {
 public:
  constexpr basic_shared_mutex() noexcept = default;
  ~basic_shared_mutex() {
    FUTON_PRECONDITION(state_.load(std::memory_order_relaxed) == 0,
                       "futon::shared_mutex destroyed while held or with waiters");
  }
  basic_shared_mutex(const basic_shared_mutex&) = delete;
  basic_shared_mutex& operator=(const basic_shared_mutex&) = delete;

  // Exclusive ownership.

  void lock() noexcept {
    static_cast<void>(lock_before(nullptr));
    FUTON_NOTE_LOCKED(this);
  }

  bool try_lock() noexcept {
    std::uint32_t state = 0;
    // Acquire: see everything the previous writer and the readers wrote before unlocking.
    if (state_.compare_exchange_strong(state, writer_bit, std::memory_order_acquire,
                                       std::memory_order_relaxed)) {
      FUTON_NOTE_LOCKED(this);
      return true;
    }
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
    release_writer();
  }

  // Shared ownership.

  void lock_shared() noexcept {
    if (!try_lock_shared()) static_cast<void>(lock_shared_before(nullptr));
  }

  bool try_lock_shared() noexcept {
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

  template <class Rep, class Period>
  bool try_lock_shared_for(const std::chrono::duration<Rep, Period>& timeout) noexcept {
    const detail::deadline limit = detail::deadline::after(timeout);
    return try_lock_shared() || lock_shared_before(&limit);
  }

  template <class Clock, class Duration>
  bool try_lock_shared_until(const std::chrono::time_point<Clock, Duration>& deadline) noexcept {
    return detail::attempt_until(deadline, [&](const detail::deadline& limit) {
      return try_lock_shared() || lock_shared_before(&limit);
    });
  }

  void unlock_shared() noexcept {
    // Release: our reads happen before a writer's writes. The RMW also tells us, atomically,
    // whether a writer is waiting for us to leave.
    const std::uint32_t before = state_.fetch_sub(one_reader, std::memory_order_release);
    FUTON_PRECONDITION(readers_of(before) != 0,
                       "futon::shared_mutex::unlock_shared: the mutex is not locked shared");
    if ((before & writer_bit) != 0 && readers_of(before) == 1) {
      // We were the last reader a claiming writer waits for. Release: pairs with the writer's
      // acquire load of drain_, so it then sees our decrement of the count (see lock_before).
      drain_.fetch_add(1, std::memory_order_release);
      Backend::wake(drain_, 1);
    }
  }

 private:
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

  bool try_lock_before(const detail::deadline& limit) noexcept {
    if (!lock_before(&limit)) return false;
    FUTON_NOTE_LOCKED(this);
    return true;
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
        Backend::wait(drain_, generation);
      } else if (!Backend::wait_until(drain_, generation, *limit)) {
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
      if ((state & parked_bit) == 0 && spins < detail::spin_limit) {
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
        Backend::wait(state_, sleep_on);
      } else {
        static_cast<void>(Backend::wait_until(state_, sleep_on, *limit));
      }
      state = state_.load(std::memory_order_relaxed);
    }
  }

  void release_writer() noexcept {
    // Release: publishes the writer's critical section. Everyone asleep on state_ waits for
    // writer_bit to clear, so wake them all; they set parked_bit again if they sleep again.
    const std::uint32_t before =
        state_.fetch_and(~(writer_bit | parked_bit), std::memory_order_release);
    if ((before & parked_bit) != 0) Backend::wake(state_, std::numeric_limits<std::size_t>::max());
  }

  futex_word state_{0};
  futex_word drain_{0};
};

using shared_mutex = basic_shared_mutex<backend::default_backend>;
// std::shared_timed_mutex's name, for code that spells it out.
using shared_timed_mutex = shared_mutex;

static_assert(sizeof(shared_mutex) == 8, "futon::shared_mutex is two 32-bit words");

}  // namespace futon
