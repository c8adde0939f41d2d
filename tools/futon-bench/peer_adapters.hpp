// SPDX-License-Identifier: BSL-1.0
// The peers' locks with the standard's member names, so that every scenario's template runs them
// as it runs std's: abseil's (Debian's 20220623 has no lowercase lock()/unlock()), oneTBB's
// queuing_mutex (which locks only through a scoped_lock that is its queue node), and glibc's
// adaptive mutex (a pthread_mutex_t of type PTHREAD_MUTEX_ADAPTIVE_NP, which spins a while
// before it sleeps). Each is compiled in only when its library is: the FUTON_BENCH_HAVE_*
// macros, from CMake for the packages, from the C library's headers for glibc.
#pragma once

#include <mutex>

#if defined(FUTON_BENCH_HAVE_ABSL)
#include <absl/synchronization/mutex.h>
#endif

#if defined(FUTON_BENCH_HAVE_TBB)
#include <oneapi/tbb/mutex.h>
#include <oneapi/tbb/queuing_mutex.h>
#include <oneapi/tbb/spin_rw_mutex.h>
#endif

// Not on Windows, where mingw-w64's winpthreads has no adaptive type to offer.
#if __has_include(<pthread.h>) && !defined(_WIN32)
#include <pthread.h>
#endif
// glibc defines the adaptive type (and this initializer beside it) for _GNU_SOURCE, which g++
// and clang++ define for C++; no other C library has it.
#if defined(__GLIBC__) && defined(PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP)
#define FUTON_BENCH_HAVE_GLIBC_ADAPTIVE 1
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

#if defined(FUTON_BENCH_HAVE_TBB)
// queuing_mutex has no lock()/unlock(): a waiter spins on its own queue node, the scoped_lock,
// which must stay in place while the lock is held. This adapter keeps one node per thread, which
// is enough for the scenarios: none holds two of these locks at once. (The thread_local costs
// the uncontended scenario a few instructions per lock, a TLS guard check.)
class tbb_queuing_mutex {
 public:
  void lock() { node().acquire(mutex_); }
  void unlock() { node().release(); }

 private:
  static oneapi::tbb::queuing_mutex::scoped_lock& node() {
    thread_local oneapi::tbb::queuing_mutex::scoped_lock held;
    return held;
  }
  oneapi::tbb::queuing_mutex mutex_;
};
#endif

#if defined(FUTON_BENCH_HAVE_GLIBC_ADAPTIVE)
class glibc_adaptive_mutex {
 public:
  glibc_adaptive_mutex() noexcept {
    pthread_mutexattr_t attributes;
    pthread_mutexattr_init(&attributes);
    pthread_mutexattr_settype(&attributes, PTHREAD_MUTEX_ADAPTIVE_NP);
    pthread_mutex_init(&mutex_, &attributes);
    pthread_mutexattr_destroy(&attributes);
  }
  ~glibc_adaptive_mutex() { pthread_mutex_destroy(&mutex_); }
  glibc_adaptive_mutex(const glibc_adaptive_mutex&) = delete;
  glibc_adaptive_mutex& operator=(const glibc_adaptive_mutex&) = delete;

  void lock() noexcept { pthread_mutex_lock(&mutex_); }
  void unlock() noexcept { pthread_mutex_unlock(&mutex_); }
  bool try_lock() noexcept { return pthread_mutex_trylock(&mutex_) == 0; }

 private:
  pthread_mutex_t mutex_;
};
#endif

}  // namespace futon_bench
