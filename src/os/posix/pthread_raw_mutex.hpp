// Portable internal lock: a POSIX mutex, for systems without a futex. Constant-initialized and
// never destroyed: it guards the parking lot's static buckets, which live as long as the program
// (threads may still be parked while static objects are destroyed at exit).
#pragma once

#include <pthread.h>

namespace futon::os {

class pthread_raw_mutex {
 public:
  constexpr pthread_raw_mutex() noexcept = default;
  pthread_raw_mutex(const pthread_raw_mutex&) = delete;
  pthread_raw_mutex& operator=(const pthread_raw_mutex&) = delete;

  void lock() noexcept { pthread_mutex_lock(&mutex_); }
  void unlock() noexcept { pthread_mutex_unlock(&mutex_); }

 private:
  pthread_mutex_t mutex_ = PTHREAD_MUTEX_INITIALIZER;
};

}  // namespace futon::os
