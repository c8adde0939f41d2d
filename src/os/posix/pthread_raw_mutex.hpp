// Portable internal lock: a POSIX mutex, for systems without a futex.
#pragma once

#include <pthread.h>

namespace futon::os {

class pthread_raw_mutex {
 public:
  pthread_raw_mutex() noexcept = default;
  ~pthread_raw_mutex() { pthread_mutex_destroy(&mutex_); }
  pthread_raw_mutex(const pthread_raw_mutex&) = delete;
  pthread_raw_mutex& operator=(const pthread_raw_mutex&) = delete;

  void lock() noexcept { pthread_mutex_lock(&mutex_); }
  void unlock() noexcept { pthread_mutex_unlock(&mutex_); }

 private:
  pthread_mutex_t mutex_ = PTHREAD_MUTEX_INITIALIZER;
};

}  // namespace futon::os
