// Hangs become failures: a watchdog that aborts the program with a message unless destroyed in
// time, and "eventually".
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <futon/futex.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "sanitizer_scaling.hpp"

namespace futon::testing {

// Aborts the whole test program with `what` unless destroyed within `limit`. Declare it first in a
// test (so it is destroyed last, after the joins) wherever a lost wakeup would otherwise hang.
class watchdog {
 public:
  explicit watchdog(std::string what, std::chrono::milliseconds limit = std::chrono::seconds(30))
      : what_(std::move(what)) {
    thread_ = std::thread([this, limit] {
      std::unique_lock<std::mutex> lock(mutex_);
      if (!cv_.wait_for(lock, limit, [this] { return disarmed_; })) {
        std::fprintf(stderr, "\nFAILED (watchdog, %lld ms): %s\n",
                     static_cast<long long>(limit.count()), what_.c_str());
        std::fflush(stderr);
        std::abort();
      }
    });
  }
  watchdog(const watchdog&) = delete;
  watchdog& operator=(const watchdog&) = delete;
  ~watchdog() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      disarmed_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }

 private:
  std::string what_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool disarmed_ = false;
  std::thread thread_;
};

// Polls `condition` every millisecond until it holds or `limit` passes; returns its last value.
template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds limit = patience) {
  const auto give_up = test_clock::now() + limit;
  for (;;) {
    if (condition()) return true;
    if (test_clock::now() >= give_up) return condition();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

// True when `elapsed` is at least `requested`, compared exactly for integer durations and in long
// double nanoseconds for floating ones (a timeout must never fire early).
template <class Rep, class Period>
bool not_early(std::chrono::nanoseconds elapsed,
               const std::chrono::duration<Rep, Period>& requested) {
  if constexpr (std::is_floating_point_v<Rep>) {
    return static_cast<long double>(elapsed.count()) >=
           std::chrono::duration<long double, std::nano>(requested).count();
  } else if constexpr (std::is_unsigned_v<Rep>) {
    return elapsed.count() >= 0 && std::chrono::duration<std::uint64_t, std::nano>(
                                       static_cast<std::uint64_t>(elapsed.count())) >= requested;
  } else {
    return elapsed >= requested;
  }
}

}  // namespace futon::testing
