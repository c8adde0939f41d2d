// SPDX-License-Identifier: BSL-1.0
// Work that runs when the calling thread exits, after its thread_local objects are destroyed
// (notify_all_at_thread_exit, in condition_variable.hpp).
//
// A callback is a node the caller allocates; at_thread_exit links it into the calling thread's
// list and the thread's exit runs each node's `run` once, oldest first, handing it the node
// (which `run` then frees). Where it runs, per OS (src/os/*/thread_exit.cpp):
//   - POSIX: from the destructor of a pthread key. glibc runs those after every thread_local
//     destructor of the thread (__call_tls_dtors comes first), so the callbacks follow all of
//     them, as the standard's *_at_thread_exit functions ask. Where a C++ runtime itself runs
//     thread_local destructors from a pthread key (musl; macOS keeps its own order), the order
//     between the two keys is the system's.
//   - Windows: from the destructor of a thread_local object made by the thread's first call:
//     after the thread_local objects constructed later, but before those constructed earlier.
//   - A thread that never exits as a thread does not run them: the main thread returning from
//     main() (exit() runs no pthread key destructors), as for libstdc++ and libc++.
#pragma once

namespace futon {
inline namespace v0 {
namespace detail {

struct thread_exit_callback {
  void (*run)(thread_exit_callback* self) noexcept;
  thread_exit_callback* next = nullptr;  // the list's link, owned by at_thread_exit
};

// Schedules `node->run(node)` for the calling thread's exit. False if the OS refused (no
// pthread key or thread-specific slot left): nothing is scheduled then.
bool at_thread_exit(thread_exit_callback* node) noexcept;

// Runs a list (newest first, as at_thread_exit links it) oldest first. For the OS files.
void run_thread_exit_callbacks(thread_exit_callback* newest) noexcept;

}  // namespace detail
}  // namespace v0
}  // namespace futon
