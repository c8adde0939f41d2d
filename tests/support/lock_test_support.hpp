// SPDX-License-Identifier: BSL-1.0
// Helpers for the lock tests: the standard's named requirements as concepts, and the timeout
// table every timed member is checked against.
#pragma once

#include <chrono>
#include <concepts>
#include <cstdint>
#include <limits>

namespace futon::testing {

// [thread.req.lockable.basic], [thread.req.lockable.req], [thread.req.lockable.timed],
// [thread.sharedmutex.requirements], [thread.sharedtimedmutex.requirements].
template <class M>
concept basic_lockable = requires(M m) {
  m.lock();
  m.unlock();
};
template <class M>
concept lockable = basic_lockable<M> && requires(M m) {
  { m.try_lock() } -> std::same_as<bool>;
};
template <class M>
concept timed_lockable = lockable<M> && requires(M m) {
  { m.try_lock_for(std::chrono::milliseconds(1)) } -> std::same_as<bool>;
  { m.try_lock_until(std::chrono::steady_clock::now()) } -> std::same_as<bool>;
};
template <class M>
concept shared_timed_lockable = timed_lockable<M> && requires(M m) {
  m.lock_shared();
  m.unlock_shared();
  { m.try_lock_shared() } -> std::same_as<bool>;
  { m.try_lock_shared_for(std::chrono::milliseconds(1)) } -> std::same_as<bool>;
  { m.try_lock_shared_until(std::chrono::steady_clock::now()) } -> std::same_as<bool>;
};

// Timeouts that must give up at once (after one try): zero, negative, past, NaN-free extremes.
// Each entry is exercised through a callable taking a duration, so one table serves every member.
template <class Check>
void for_each_expired_timeout(Check check) {
  check(std::chrono::nanoseconds(0));
  check(std::chrono::nanoseconds(-1));
  check(std::chrono::hours(-1));
  check(std::chrono::duration<double>(-1.5));
  check(std::chrono::nanoseconds::min());
  check(std::chrono::duration<std::int8_t>(-128));
}

// Timeouts so large they mean "forever": a waiter given one must still be blocked after a while.
template <class Check>
void for_each_endless_timeout(Check check) {
  check(std::chrono::nanoseconds::max());
  check(std::chrono::seconds::max());
  check(std::chrono::hours::max());
  check(std::chrono::duration<double>(1e300));
  check(
      std::chrono::duration<std::uint64_t, std::milli>(std::numeric_limits<std::uint64_t>::max()));
}

}  // namespace futon::testing
