// SPDX-License-Identifier: BSL-1.0
// <futon/condition_variable_any.hpp>: futon::condition_variable_any, a drop-in
// std::condition_variable_any in 8 bytes.
//
// A condition variable that waits with any lock: std::unique_lock or std::shared_lock over any
// mutex (futon's or std's), a futon or std mutex itself, or a lock of your own with lock() and
// unlock() (BasicLockable).
//
//   futon::shared_mutex m;  futon::condition_variable_any cv;  bool ready = false;
//   // waiter                                        // notifier
//   std::shared_lock lock(m);                        { std::lock_guard guard(m); ready = true; }
//   cv.wait(lock, [&] { return ready; });            cv.notify_all();
//
// Members as std::condition_variable_any: notify_one, notify_all, wait, wait_for, wait_until
// (with and without predicate), and, where the standard library has std::stop_token
// (__cpp_lib_jthread), the three waits that a stop request ends.
//
// Behaviour: that of futon::condition_variable (see <futon/condition_variable.hpp>), whose
// algorithm it is, with the lock's own unlock() and lock() in place of the mutex's:
//   - wait(lock) without a predicate returns only after a notify issued while it waited.
//   - Timed waits never end early and take any duration or clock.
//   - Destruction: it may be destroyed once every waiter has been notified, even before they
//     have woken (std's rule); the destructor waits until they have taken their notification.
//     Where std's implementations share an allocated mutex with their waiters for this
//     (64 bytes with libstdc++ 12 and with libc++ 14), futon needs none: 8 bytes, no allocation.
//   - If re-locking the lock throws, std::terminate is called (as std asks).
//   - The stop_token waits: `wait(lock, stoken, pred)` returns pred() once a stop is requested
//     (checked before each wait and when one is requested during a wait, which wakes it), or
//     true once pred() is; the timed forms also return pred() at the deadline.
//
// basic_condition_variable_any<Backend> is the same over a chosen futex backend.
#pragma once

#include <chrono>
#include <condition_variable>
#include <futon/condition_variable.hpp>
#include <type_traits>
#include <version>
#if defined(__cpp_lib_jthread)
#include <stop_token>
#endif

namespace futon {
inline namespace v0 {

template <futex_backend Backend>
class basic_condition_variable_any {
 public:
  constexpr basic_condition_variable_any() noexcept = default;
  basic_condition_variable_any(const basic_condition_variable_any&) = delete;
  basic_condition_variable_any& operator=(const basic_condition_variable_any&) = delete;

  void notify_one() noexcept { cv_.notify_one(); }
  void notify_all() noexcept { cv_.notify_all(); }

  template <class Lock>
  void wait(Lock& lock) noexcept {
    cv_.wait_before(lock, nullptr);
  }

  template <class Lock, class Predicate>
  void wait(Lock& lock, Predicate stop_waiting) {
    cv_.wait_with(lock, stop_waiting);
  }

  template <class Lock, class Rep, class Period>
  std::cv_status wait_for(Lock& lock, const std::chrono::duration<Rep, Period>& timeout) noexcept {
    return cv_.wait_for_with(lock, timeout);
  }

  template <class Lock, class Rep, class Period, class Predicate>
  bool wait_for(Lock& lock, const std::chrono::duration<Rep, Period>& timeout,
                Predicate stop_waiting) {
    return cv_.wait_for_with(lock, timeout, stop_waiting);
  }

  template <class Lock, class Clock, class Duration>
  std::cv_status wait_until(Lock& lock,
                            const std::chrono::time_point<Clock, Duration>& deadline) noexcept {
    return cv_.wait_until_with(lock, deadline);
  }

  template <class Lock, class Clock, class Duration, class Predicate>
  bool wait_until(Lock& lock, const std::chrono::time_point<Clock, Duration>& deadline,
                  Predicate stop_waiting) {
    return cv_.wait_until_with(lock, deadline, stop_waiting);
  }

#if defined(__cpp_lib_jthread)
  template <class Lock, class Predicate>
  bool wait(Lock& lock, std::stop_token stoken, Predicate stop_waiting) {
    return wait_stoppable(stoken, stop_waiting, [&](const auto& stop_requested) {
      cv_.wait_before(lock, nullptr, stop_requested);
      return true;
    });
  }

  template <class Lock, class Clock, class Duration, class Predicate>
  bool wait_until(Lock& lock, std::stop_token stoken,
                  const std::chrono::time_point<Clock, Duration>& deadline,
                  Predicate stop_waiting) {
    return wait_stoppable(stoken, stop_waiting, [&](const auto& stop_requested) {
      // An attempt ends on a notify or a stop request; only a timeout makes attempt_until look
      // at `Clock` again (and try again if it has not reached the deadline).
      return detail::attempt_until(deadline, [&](const detail::deadline& limit) {
        return cv_.wait_before(lock, &limit, stop_requested) || stop_requested();
      });
    });
  }

  template <class Lock, class Rep, class Period, class Predicate>
  bool wait_for(Lock& lock, std::stop_token stoken,
                const std::chrono::duration<Rep, Period>& timeout, Predicate stop_waiting) {
    const detail::deadline limit = detail::deadline::after(timeout);
    return wait_stoppable(stoken, stop_waiting, [&](const auto& stop_requested) {
      return cv_.wait_before(lock, &limit, stop_requested) || stop_requested();
    });
  }
#endif

 private:
#if defined(__cpp_lib_jthread)
  // The stop_token waits: until pred() (true), a stop request or the deadline (pred()).
  // `attempt(stop_requested)` waits once, and returns false only when the deadline has passed.
  // The callback wakes every waiter when a stop is requested during the wait; a request that
  // comes between our look and our registration is seen by wait_before's `abandon` check (see
  // notify_all_abandoning).
  template <class Predicate, class Attempt>
  bool wait_stoppable(const std::stop_token& stoken, Predicate& stop_waiting, Attempt attempt) {
    const std::stop_callback wake_on_stop(stoken, [this] { cv_.notify_all_abandoning(); });
    const auto stop_requested = [&] { return stoken.stop_requested(); };
    while (!stop_requested()) {
      if (stop_waiting()) return true;
      if (!attempt(stop_requested)) return stop_waiting();  // the deadline passed
    }
    return stop_waiting();
  }
#endif

  basic_condition_variable<Backend> cv_;
};

using condition_variable_any = basic_condition_variable_any<backend::default_backend>;

static_assert(sizeof(condition_variable_any) == 8, "futon::condition_variable_any is two words");
static_assert(!std::is_copy_constructible_v<condition_variable_any> &&
              !std::is_copy_assignable_v<condition_variable_any>);
static_assert(std::is_nothrow_default_constructible_v<condition_variable_any>);

}  // namespace v0
}  // namespace futon
