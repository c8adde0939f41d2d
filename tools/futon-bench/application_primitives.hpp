// SPDX-License-Identifier: BSL-1.0
// The primitives the application scenarios (group commit, thread pool, cache, pipeline) are built
// from, one set per implementation, so that a scenario is written once and run over each set:
// futon's, and the standard library's. The peers are left out of these scenarios: abseil and
// oneTBB have no semaphore or wait group, and two columns keep the default run short.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <futon/condition_variable.hpp>
#include <futon/counting_semaphore.hpp>
#include <futon/mutex.hpp>
#include <futon/shared_mutex.hpp>
#include <futon/wait_group.hpp>
#include <mutex>
#include <semaphore>
#include <shared_mutex>

#include "run_order.hpp"

namespace futon_bench {

// Permits a scenario's semaphore may hold: its queue's tasks plus one per thread released at the
// end (--threads allows up to 1024).
inline constexpr std::ptrdiff_t application_semaphore_max = 1 << 16;

// std has no reusable wait group (std::latch counts down once): a count under a std::mutex with
// a std::condition_variable for its zero, as a program written against std has to make one.
class std_wait_group {
 public:
  void add(std::ptrdiff_t n = 1) {
    std::lock_guard<std::mutex> lock(mutex_);
    count_ += n;
  }
  void done() {
    std::lock_guard<std::mutex> lock(mutex_);
    // Notified under the mutex: a waiter that sees the zero may destroy the wait group as soon as
    // the mutex is free, and the notify must be over by then.
    if (--count_ == 0) zero_.notify_all();
  }
  void wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    zero_.wait(lock, [this] { return count_ == 0; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable zero_;
  std::ptrdiff_t count_ = 0;  // guarded by mutex_
};

template <class Mutex, class ConditionVariable, class SharedMutex, class Semaphore, class WaitGroup>
struct primitive_set {
  using mutex = Mutex;
  using condition_variable = ConditionVariable;
  using shared_mutex = SharedMutex;
  using counting_semaphore = Semaphore;
  using wait_group = WaitGroup;
};

struct futon_primitives
    : primitive_set<futon::mutex, futon::condition_variable, futon::shared_mutex,
                    futon::counting_semaphore<application_semaphore_max>, futon::wait_group> {
  static constexpr const char* name = "futon";
};

struct std_primitives
    : primitive_set<std::mutex, std::condition_variable, std::shared_mutex,
                    std::counting_semaphore<application_semaphore_max>, std_wait_group> {
  static constexpr const char* name = "std";
};

// std's set once more, under its own name: --control's column (options.hpp).
struct std_control_primitives : std_primitives {
  static constexpr const char* name = "std-control";
};

// f.template operator()<Primitives>() for futon's set and std's, and std's again as std-control
// if `control` (one repetition of a point), in `order` (run_order.hpp: repetitions alternate it).
template <class F>
void for_each_primitive_set(F&& f, run_order order, bool control = false) {
  ordered_runs runs;
  runs.add([&] { f.template operator()<futon_primitives>(); });
  runs.add([&] { f.template operator()<std_primitives>(); });
  if (control) runs.add([&] { f.template operator()<std_control_primitives>(); });
  runs.run(order);
}

}  // namespace futon_bench
