// SPDX-License-Identifier: BSL-1.0
// at_thread_exit through a pthread key whose destructor runs the thread's list.
// https://pubs.opengroup.org/onlinepubs/9699919799/functions/pthread_key_create.html
//
// glibc calls the destructors of thread_local objects (__call_tls_dtors) before the pthread key
// destructors of the exiting thread, so the list runs after all of them (see thread_exit.hpp).
// A callback that schedules another sets the key again, and the key destructors then run once
// more (up to PTHREAD_DESTRUCTOR_ITERATIONS rounds).
#include <pthread.h>

#include <futon/detail/thread_exit.hpp>

namespace futon {
inline namespace v0 {
namespace detail {

namespace {

extern "C" void run_at_exit(void* newest) {
  run_thread_exit_callbacks(static_cast<thread_exit_callback*>(newest));
}

struct exit_key {
  pthread_key_t key{};
  bool created = false;
  exit_key() noexcept { created = pthread_key_create(&key, run_at_exit) == 0; }
};

}  // namespace

bool at_thread_exit(thread_exit_callback* node) noexcept {
  static const exit_key exit;  // created once, by the first call of any thread (thread-safe)
  if (!exit.created) return false;
  node->next = static_cast<thread_exit_callback*>(pthread_getspecific(exit.key));
  return pthread_setspecific(exit.key, node) == 0;
}

}  // namespace detail
}  // namespace v0
}  // namespace futon
