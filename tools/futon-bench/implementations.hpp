// SPDX-License-Identifier: BSL-1.0
// The implementations compared, as lists of types that each scenario's template runs over:
// futon's, the standard library's, and abseil's when futon-bench is built with it. absl::Mutex
// of Debian's abseil (20220623) has no lowercase lock()/unlock(), so thin adapters give it the
// standard's names.
#pragma once

#include <futon/condition_variable.hpp>
#include <futon/mutex.hpp>
#include <futon/recursive_mutex.hpp>
#include <futon/shared_mutex.hpp>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#if defined(FUTON_BENCH_HAVE_ABSL)
#include <absl/synchronization/mutex.h>
#endif

namespace futon_bench {

#if defined(FUTON_BENCH_HAVE_ABSL)
class absl_mutex {
 public:
  void lock() { mutex_.Lock(); }
  void unlock() { mutex_.Unlock(); }
  bool try_lock() { return mutex_.TryLock(); }
  void lock_shared() { mutex_.ReaderLock(); }
  void unlock_shared() { mutex_.ReaderUnlock(); }
  absl::Mutex& native() { return mutex_; }

 private:
  absl::Mutex mutex_;
};

class absl_condition_variable {
 public:
  void wait(std::unique_lock<absl_mutex>& lock) { cv_.Wait(&lock.mutex()->native()); }
  void notify_one() { cv_.Signal(); }
  void notify_all() { cv_.SignalAll(); }

 private:
  absl::CondVar cv_;
};
#endif

// The implementation names, in column order.
inline const std::vector<std::string>& compared_implementations() {
#if defined(FUTON_BENCH_HAVE_ABSL)
  static const std::vector<std::string> names = {"futon", "std", "absl"};
#else
  static const std::vector<std::string> names = {"futon", "std"};
#endif
  return names;
}

// f.template operator()<Mutex>(name) for every exclusive mutex compared.
template <class F>
void for_each_mutex(F&& f) {
  f.template operator()<futon::mutex>("futon");
  f.template operator()<std::mutex>("std");
#if defined(FUTON_BENCH_HAVE_ABSL)
  f.template operator()<absl_mutex>("absl");
#endif
}

// f.template operator()<RecursiveMutex>(name) for every recursive mutex compared (abseil has none).
template <class F>
void for_each_recursive_mutex(F&& f) {
  f.template operator()<futon::recursive_mutex>("futon");
  f.template operator()<std::recursive_mutex>("std");
}

// f.template operator()<Mutex, ConditionVariable>(name) for every pair compared.
template <class F>
void for_each_condition_variable(F&& f) {
  f.template operator()<futon::mutex, futon::condition_variable>("futon");
  f.template operator()<std::mutex, std::condition_variable>("std");
#if defined(FUTON_BENCH_HAVE_ABSL)
  f.template operator()<absl_mutex, absl_condition_variable>("absl");
#endif
}

// f.template operator()<SharedMutex>(name) for every reader/writer lock compared.
template <class F>
void for_each_shared_mutex(F&& f) {
  f.template operator()<futon::shared_mutex>("futon");
  f.template operator()<std::shared_mutex>("std");
#if defined(FUTON_BENCH_HAVE_ABSL)
  f.template operator()<absl_mutex>("absl");
#endif
}

}  // namespace futon_bench
