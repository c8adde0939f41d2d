// SPDX-License-Identifier: BSL-1.0
// The locks compared across processes: futon::interprocess's mutex and condition variable, and
// the C library's pthread_mutex_t / pthread_cond_t made PTHREAD_PROCESS_SHARED, plain and robust
// (PTHREAD_MUTEX_ROBUST: the next locker learns that an owner died, at the cost of glibc's
// robust-list bookkeeping on every lock and unlock). The pthread types get the standard's member
// names, so one template runs all three.
//
// Compiled in where futon has process-shared primitives and the harness has memfd_create and
// fork (Linux): FUTON_BENCH_HAVE_INTERPROCESS.
#pragma once

#if defined(__linux__) && __has_include(<sys/mman.h>) && __has_include(<pthread.h>)
#include <futon/interprocess.hpp>
#include <futon/robust_mutex.hpp>
#if FUTON_HAS_INTERPROCESS
#define FUTON_BENCH_HAVE_INTERPROCESS 1
#endif
#endif

#if defined(FUTON_BENCH_HAVE_INTERPROCESS)
#include <pthread.h>

#include <cerrno>
#include <mutex>

#include "run_order.hpp"

namespace futon_bench {

template <bool Robust>
class pshared_pthread_mutex {
 public:
  pshared_pthread_mutex() noexcept {
    pthread_mutexattr_t attributes;
    pthread_mutexattr_init(&attributes);
    pthread_mutexattr_setpshared(&attributes, PTHREAD_PROCESS_SHARED);
    if constexpr (Robust) pthread_mutexattr_setrobust(&attributes, PTHREAD_MUTEX_ROBUST);
    // Can fail: glibc refuses a robust mutex where the kernel keeps no robust list (qemu-user).
    error_ = pthread_mutex_init(&mutex_, &attributes);
    pthread_mutexattr_destroy(&attributes);
  }
  ~pshared_pthread_mutex() {
    if (error_ == 0) pthread_mutex_destroy(&mutex_);
  }
  pshared_pthread_mutex(const pshared_pthread_mutex&) = delete;
  pshared_pthread_mutex& operator=(const pshared_pthread_mutex&) = delete;

  void lock() noexcept { recover(pthread_mutex_lock(&mutex_)); }
  void unlock() noexcept { pthread_mutex_unlock(&mutex_); }

  int init_error() const noexcept { return error_; }
  pthread_mutex_t* native() noexcept { return &mutex_; }
  // A robust lock that reports a dead owner (EOWNERDEAD) still holds the mutex: make it usable
  // again. Nobody dies while the benchmark runs; this keeps a killed child from poisoning the
  // mutex for the processes still measuring.
  void recover(int result) noexcept {
    if constexpr (Robust) {
      if (result == EOWNERDEAD) pthread_mutex_consistent(&mutex_);
    }
  }

 private:
  pthread_mutex_t mutex_;
  int error_ = 0;
};

template <bool Robust>
class pshared_pthread_condition_variable {
 public:
  pshared_pthread_condition_variable() noexcept {
    pthread_condattr_t attributes;
    pthread_condattr_init(&attributes);
    pthread_condattr_setpshared(&attributes, PTHREAD_PROCESS_SHARED);
    error_ = pthread_cond_init(&cv_, &attributes);
    pthread_condattr_destroy(&attributes);
  }
  ~pshared_pthread_condition_variable() {
    if (error_ == 0) pthread_cond_destroy(&cv_);
  }
  pshared_pthread_condition_variable(const pshared_pthread_condition_variable&) = delete;
  pshared_pthread_condition_variable& operator=(const pshared_pthread_condition_variable&) = delete;

  void wait(std::unique_lock<pshared_pthread_mutex<Robust>>& lock) noexcept {
    lock.mutex()->recover(pthread_cond_wait(&cv_, lock.mutex()->native()));
  }
  void notify_one() noexcept { pthread_cond_signal(&cv_); }
  void notify_all() noexcept { pthread_cond_broadcast(&cv_); }

  int init_error() const noexcept { return error_; }

 private:
  pthread_cond_t cv_;
  int error_ = 0;
};

#if FUTON_HAS_ROBUST_MUTEX
// futon::interprocess::robust_mutex with the standard's member names, for the contended
// scenario (it has no condition variable, so not for the ping-pong). Like pthread-robust's
// adapter, it makes a mutex whose owner died usable again; nobody dies while the benchmark runs.
class recovering_robust_mutex {
 public:
  void lock() noexcept {
    if (mutex_.lock() == futon::interprocess::robust_lock_result::owner_dead)
      mutex_.make_consistent();
  }
  void unlock() noexcept { mutex_.unlock(); }

 private:
  futon::interprocess::robust_mutex mutex_;
};
#endif

// 0 if `object` was made, else the error its pthread_*_init returned. futon's cannot fail.
template <class T>
int init_error(const T&) noexcept {
  return 0;
}
template <bool Robust>
int init_error(const pshared_pthread_mutex<Robust>& m) noexcept {
  return m.init_error();
}
template <bool Robust>
int init_error(const pshared_pthread_condition_variable<Robust>& cv) noexcept {
  return cv.init_error();
}

// f.template operator()<Mutex, ConditionVariable>(name) for every process-shared pair compared.
template <class F>
void for_each_interprocess(F&& f, run_order order = run_order::forward) {
  ordered_runs runs;
  runs.add([&] {
    f.template operator()<futon::interprocess::mutex, futon::interprocess::condition_variable>(
        "futon");
  });
  runs.add([&] {
    f.template operator()<pshared_pthread_mutex<false>, pshared_pthread_condition_variable<false>>(
        "pthread-pshared");
  });
  runs.add([&] {
    f.template operator()<pshared_pthread_mutex<true>, pshared_pthread_condition_variable<true>>(
        "pthread-robust");
  });
  runs.run(order);
}

}  // namespace futon_bench
#endif
