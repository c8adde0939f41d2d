// SPDX-License-Identifier: BSL-1.0
// futon::testing::std_flag: a one-way flag that test threads set and wait for, made of std's
// mutex and condition variable.
//
// Tests sequence their threads with it instead of futon's primitives (a helper must not depend
// on what it tests) and instead of std::atomic<T>::wait, std::binary_semaphore or std::latch:
// MinGW's libstdc++ 12 builds those on its atomic-wait pool, which has no platform futex under it
// on Windows and can lose a notify (GCC PR 98033; botan#3202 hung on it). Under wine that lost
// wake was a test hanging for its whole 600 s budget, twice: the timeout table's lock holder and
// condition_variable_any's stop-request race test.
#pragma once

#include <condition_variable>
#include <mutex>

namespace futon::testing {

class std_flag {
 public:
  void set() {
    {
      const std::lock_guard guard(mutex_);
      set_ = true;
    }
    changed_.notify_all();
  }

  void wait() const {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return set_; });
  }

  [[nodiscard]] bool is_set() const {
    const std::lock_guard guard(mutex_);
    return set_;
  }

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  bool set_ = false;  // under mutex_
};

}  // namespace futon::testing
