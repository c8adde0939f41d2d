// SPDX-License-Identifier: BSL-1.0
// The implementations compared, as lists of types that each scenario's template runs over:
// futon's, the standard library's, and the peers compiled in (peer_adapters.hpp, peers.hpp):
//   absl            absl::Mutex (also as the shared lock), absl::CondVar
//   tbb             oneapi::tbb::mutex; in the shared scenario oneapi::tbb::spin_rw_mutex
//   tbb-queuing     oneapi::tbb::queuing_mutex (FIFO, spins, never sleeps)
//   glibc-adaptive  pthread_mutex_t of type PTHREAD_MUTEX_ADAPTIVE_NP
// and, in the interprocess scenarios only (Linux; interprocess_adapters.hpp), futon::interprocess
// against the C library's process-shared locks:
//   pthread-pshared pthread_mutex_t / pthread_cond_t, PTHREAD_PROCESS_SHARED
//   pthread-robust  the same with a PTHREAD_MUTEX_ROBUST mutex
// (the contended interprocess scenario also measures futon-robust, futon::interprocess::
// robust_mutex: a futon variant, not a peer, so it has no column in the ratio table).
#pragma once

#include <futon/condition_variable.hpp>
#include <futon/mutex.hpp>
#include <futon/recursive_mutex.hpp>
#include <futon/shared_mutex.hpp>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "interprocess_adapters.hpp"
#include "peer_adapters.hpp"
#include "run_order.hpp"

namespace futon_bench {

// The implementation names, in column order: futon first, then its peers.
inline const std::vector<std::string>& compared_implementations() {
  static const std::vector<std::string> names = {
    "futon",
    "std",
    // std's primitives again, in the application scenarios under --control (options.hpp).
    "std-control",
#if defined(FUTON_BENCH_HAVE_ABSL)
    "absl",
#endif
#if defined(FUTON_BENCH_HAVE_TBB)
    "tbb",
    "tbb-queuing",
#endif
#if defined(FUTON_BENCH_HAVE_GLIBC_ADAPTIVE)
    "glibc-adaptive",
#endif
#if defined(FUTON_BENCH_HAVE_INTERPROCESS)
    "pthread-pshared",
    "pthread-robust",
#endif
  };
  return names;
}

// f.template operator()<Mutex>(name) for every exclusive mutex compared, in `order`
// (run_order.hpp; likewise below).
template <class F>
void for_each_mutex(F&& f, run_order order = run_order::forward) {
  ordered_runs runs;
  runs.add([&] { f.template operator()<futon::mutex>("futon"); });
  runs.add([&] { f.template operator()<std::mutex>("std"); });
#if defined(FUTON_BENCH_HAVE_ABSL)
  runs.add([&] { f.template operator()<absl_mutex>("absl"); });
#endif
#if defined(FUTON_BENCH_HAVE_TBB)
  runs.add([&] { f.template operator()<oneapi::tbb::mutex>("tbb"); });
  runs.add([&] { f.template operator()<tbb_queuing_mutex>("tbb-queuing"); });
#endif
#if defined(FUTON_BENCH_HAVE_GLIBC_ADAPTIVE)
  runs.add([&] { f.template operator()<glibc_adaptive_mutex>("glibc-adaptive"); });
#endif
  runs.run(order);
}

// f.template operator()<RecursiveMutex>(name) for every recursive mutex compared (no peer has
// one: abseil and oneTBB's current mutexes are not recursive).
template <class F>
void for_each_recursive_mutex(F&& f, run_order order = run_order::forward) {
  ordered_runs runs;
  runs.add([&] { f.template operator()<futon::recursive_mutex>("futon"); });
  runs.add([&] { f.template operator()<std::recursive_mutex>("std"); });
  runs.run(order);
}

// f.template operator()<Mutex, ConditionVariable>(name) for every pair compared (oneTBB has no
// condition variable of its own).
template <class F>
void for_each_condition_variable(F&& f, run_order order = run_order::forward) {
  ordered_runs runs;
  runs.add([&] { f.template operator()<futon::mutex, futon::condition_variable>("futon"); });
  runs.add([&] { f.template operator()<std::mutex, std::condition_variable>("std"); });
#if defined(FUTON_BENCH_HAVE_ABSL)
  runs.add([&] { f.template operator()<absl_mutex, absl_condition_variable>("absl"); });
#endif
  runs.run(order);
}

// f.template operator()<SharedMutex>(name) for every reader/writer lock compared.
template <class F>
void for_each_shared_mutex(F&& f, run_order order = run_order::forward) {
  ordered_runs runs;
  runs.add([&] { f.template operator()<futon::shared_mutex>("futon"); });
  runs.add([&] { f.template operator()<std::shared_mutex>("std"); });
#if defined(FUTON_BENCH_HAVE_ABSL)
  runs.add([&] { f.template operator()<absl_mutex>("absl"); });
#endif
#if defined(FUTON_BENCH_HAVE_TBB)
  runs.add([&] { f.template operator()<oneapi::tbb::spin_rw_mutex>("tbb"); });
#endif
  runs.run(order);
}

// How many implementations each kind of scenario runs (for the progress line's estimate).
inline int count_mutexes() {
  int n = 0;
  for_each_mutex([&]<class>(const char*) { ++n; });
  return n;
}
inline int count_condition_variables() {
  int n = 0;
  for_each_condition_variable([&]<class, class>(const char*) { ++n; });
  return n;
}
inline int count_shared_mutexes() {
  int n = 0;
  for_each_shared_mutex([&]<class>(const char*) { ++n; });
  return n;
}
inline int count_interprocess() {
#if defined(FUTON_BENCH_HAVE_INTERPROCESS)
  int n = 0;
  for_each_interprocess([&]<class, class>(const char*) { ++n; });
  return n;
#else
  return 0;
#endif
}

}  // namespace futon_bench
