// SPDX-License-Identifier: BSL-1.0
// pthread_parker: the portable thread parker (parking_lot/thread_parker_concept.hpp): a POSIX
// mutex, a condition variable and a flag.
// https://pubs.opengroup.org/onlinepubs/9699919799/functions/pthread_cond_timedwait.html
//
// Used where the OS has no futex-like call; also built and tested on Linux. unpark() signals
// while still holding the mutex: the parked thread cannot see the flag, return and destroy the
// parker (it lives on its stack) until the unparker has released the mutex, so the unparker never
// touches a destroyed condition variable.
#pragma once

#include <pthread.h>

#include <cerrno>
#include <cstdint>
#include <ctime>
#include <futon/detail/deadline.hpp>

namespace futon {
inline namespace v0 {
namespace os {

// The two steps that differ between POSIX systems.
namespace pthread_parker_os {

#if defined(__APPLE__)
// macOS has no pthread_condattr_setclock, and its pthread_cond_timedwait measures an absolute
// time on the wall clock only. Its timed waits are relative instead, with Apple's
// pthread_cond_timedwait_relative_np (declared in its <pthread.h>), so the condition variable
// needs no clock.
inline void init_condition(pthread_cond_t* condition) noexcept {
  pthread_cond_init(condition, nullptr);
}

// Waits at most `left_ns` (> 0). The interval may end early or late against steady_clock:
// park_until re-checks the deadline on its own clock and waits again for what is left, so a
// timeout is never reported early and a retry never restarts it.
inline void wait_for(pthread_cond_t* condition, pthread_mutex_t* mutex,
                     std::int64_t left_ns) noexcept {
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(left_ns / 1'000'000'000);
  ts.tv_nsec = static_cast<long>(left_ns % 1'000'000'000);
  pthread_cond_timedwait_relative_np(condition, mutex, &ts);
}
#else
// The condition variable measures timeouts on CLOCK_MONOTONIC, steady_clock's clock, so steady
// deadlines ignore wall-clock changes. System-clock deadlines are re-checked in park_until
// against their own clock and waited for in slices (see there).
inline void init_condition(pthread_cond_t* condition) noexcept {
  pthread_condattr_t attributes;
  pthread_condattr_init(&attributes);
  pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC);
  pthread_cond_init(condition, &attributes);
  pthread_condattr_destroy(&attributes);
}

// Waits at most `left_ns` (> 0), as an absolute CLOCK_MONOTONIC time.
inline void wait_for(pthread_cond_t* condition, pthread_mutex_t* mutex,
                     std::int64_t left_ns) noexcept {
  const std::int64_t until =
      detail::saturating_add(detail::deadline::now_ns(detail::deadline_clock::steady), left_ns);
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(until / 1'000'000'000);
  ts.tv_nsec = static_cast<long>(until % 1'000'000'000);
  pthread_cond_timedwait(condition, mutex, &ts);
}
#endif

}  // namespace pthread_parker_os

class pthread_parker {
 public:
  static constexpr const char* name = "pthread";

  pthread_parker() noexcept {
    pthread_mutex_init(&mutex_, nullptr);
    pthread_parker_os::init_condition(&condition_);
  }
  ~pthread_parker() {
    pthread_cond_destroy(&condition_);
    pthread_mutex_destroy(&mutex_);
  }
  pthread_parker(const pthread_parker&) = delete;
  pthread_parker& operator=(const pthread_parker&) = delete;

  void prepare_park() noexcept { parked_ = true; }  // owner only, before it is published

  void park() noexcept {
    pthread_mutex_lock(&mutex_);
    while (parked_)
      pthread_cond_wait(&condition_, &mutex_);
    pthread_mutex_unlock(&mutex_);
  }

  bool park_until(const detail::deadline& limit) noexcept {
    pthread_mutex_lock(&mutex_);
    while (parked_ && !limit.has_passed()) {
      if (limit.is_never()) {
        pthread_cond_wait(&condition_, &mutex_);
        continue;
      }
      // Wait on CLOCK_MONOTONIC for the time left; for a system-clock deadline that is at most
      // 50 ms at a time, so a wall-clock jump is noticed within 50 ms.
      std::int64_t left = limit.remaining_ns();
      constexpr std::int64_t system_clock_slice = 50'000'000;
      if (limit.clock() == detail::deadline_clock::system && left > system_clock_slice) {
        left = system_clock_slice;
      }
      pthread_parker_os::wait_for(&condition_, &mutex_, left);
    }
    const bool unparked = !parked_;
    pthread_mutex_unlock(&mutex_);
    return unparked;
  }

  void unpark() noexcept {
    pthread_mutex_lock(&mutex_);
    parked_ = false;
    pthread_cond_signal(&condition_);
    pthread_mutex_unlock(&mutex_);
  }

 private:
  pthread_mutex_t mutex_;
  pthread_cond_t condition_;
  bool parked_ = false;
};

}  // namespace os
}  // namespace v0
}  // namespace futon
