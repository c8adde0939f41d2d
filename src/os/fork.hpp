// SPDX-License-Identifier: BSL-1.0
// on_fork_child: the one fork() hook the library needs (the parking lot empties its table in the
// child). POSIX systems implement it with pthread_atfork (os/posix/fork.cpp); Windows, which has
// no fork(), with a no-op (os/windows/fork.cpp).
#pragma once

namespace futon {
inline namespace v0 {
namespace os {

// Registers `handler` to run in the child process after fork(), before fork() returns there
// (a no-op where there is no fork(), as on Windows).
void on_fork_child(void (*handler)()) noexcept;

}  // namespace os
}  // namespace v0
}  // namespace futon
