// SPDX-License-Identifier: BSL-1.0
// fork() hooks through pthread_atfork(3).
// https://pubs.opengroup.org/onlinepubs/9699919799/functions/pthread_atfork.html
#include "os/fork.hpp"

#include <pthread.h>

namespace futon {
inline namespace v0 {
namespace os {

void on_fork_child(void (*handler)()) noexcept {
  pthread_atfork(nullptr, nullptr, handler);
}

}  // namespace os
}  // namespace v0
}  // namespace futon
