// SPDX-License-Identifier: BSL-1.0
// What the robust_mutex tests (threads: robust_mutex_test.cpp; processes:
// robust_mutex_process_test.cpp) share: whether the kernel keeps robust lists here, and glibc's
// own robust mutexes to hold beside futon's.
#pragma once

#include <gtest/gtest.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstddef>

namespace futon::testing {

// Whether this thread has a kernel robust list at all (get_robust_list works): not under
// qemu-user. Found independently of the library, to check what kernel_recovery() says.
inline bool kernel_has_robust_lists() {
  void* head = nullptr;
  std::size_t length = 0;
  return ::syscall(SYS_get_robust_list, 0, &head, &length) == 0 && head != nullptr;
}

// A glibc robust mutex, process-private or process-shared (`pshared`). Where the kernel keeps
// no robust lists (qemu-user) glibc may refuse it; the tests then use only what they can.
inline void init_glibc_robust(pthread_mutex_t& m, int pshared) {
  pthread_mutexattr_t attributes;
  pthread_mutexattr_init(&attributes);
  pthread_mutexattr_setrobust(&attributes, PTHREAD_MUTEX_ROBUST);
  pthread_mutexattr_setpshared(&attributes, pshared);
  const int error = pthread_mutex_init(&m, &attributes);
  pthread_mutexattr_destroy(&attributes);
  EXPECT_TRUE(error == 0 || !kernel_has_robust_lists()) << "pthread_mutex_init: " << error;
}

}  // namespace futon::testing
