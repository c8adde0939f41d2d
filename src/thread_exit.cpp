// SPDX-License-Identifier: BSL-1.0
// The OS-independent part of <futon/detail/thread_exit.hpp>: running a thread's list.
#include <futon/detail/thread_exit.hpp>

namespace futon {
inline namespace v0 {
namespace detail {

void run_thread_exit_callbacks(thread_exit_callback* newest) noexcept {
  // Reverse the list: callbacks run in the order they were scheduled.
  thread_exit_callback* oldest = nullptr;
  while (newest != nullptr) {
    thread_exit_callback* const next = newest->next;
    newest->next = oldest;
    oldest = newest;
    newest = next;
  }
  while (oldest != nullptr) {
    thread_exit_callback* const next = oldest->next;  // read first: run frees the node
    oldest->run(oldest);
    oldest = next;
  }
}

}  // namespace detail
}  // namespace v0
}  // namespace futon
