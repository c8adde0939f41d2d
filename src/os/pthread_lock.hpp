// SPDX-License-Identifier: BSL-1.0
// pthread_lock: the portable bucket lock (parking_lot/raw_lock_concept.hpp), a POSIX mutex, for
// systems without a wait-on-address call. Constant-initialized and
// never destroyed: it guards the parking lot's static buckets, which live as long as the program
// (threads may still be parked while static objects are destroyed at exit).
#pragma once

#include <pthread.h>

namespace futon {
inline namespace v0 {
namespace os {

class pthread_lock {
 public:
  constexpr pthread_lock() noexcept = default;
  pthread_lock(const pthread_lock&) = delete;
  pthread_lock& operator=(const pthread_lock&) = delete;

  void lock() noexcept { pthread_mutex_lock(&mutex_); }
  void unlock() noexcept { pthread_mutex_unlock(&mutex_); }

 private:
  pthread_mutex_t mutex_ = PTHREAD_MUTEX_INITIALIZER;
};

}  // namespace os
}  // namespace v0
}  // namespace futon
