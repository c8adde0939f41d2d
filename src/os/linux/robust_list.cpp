// SPDX-License-Identifier: BSL-1.0
#include "os/linux/robust_list.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstddef>

#include "os/fork.hpp"

namespace futon {
inline namespace v0 {
namespace os {

namespace {

struct cached_robust_thread {
  robust_thread thread{0, nullptr};
  bool known = false;
};

thread_local cached_robust_thread this_thread;

// In a fork()ed child the one thread has a new id (and glibc has re-registered the same head,
// emptied): forget what the parent's thread found.
void forget_after_fork() noexcept {
  this_thread.known = false;
}

robust_list_head* shareable_head(long futex_offset) noexcept {
  robust_list_head* head = nullptr;
  std::size_t length = 0;
  // Fails with ENOSYS under qemu-user (it cannot walk a guest's list at death), or where a
  // seccomp filter forbids it: probe mode.
  if (::syscall(SYS_get_robust_list, 0, &head, &length) != 0) return nullptr;
  // No head (a C library that registers lazily, or none): futon does not register one of its own,
  // since the C library's later set_robust_list would silently replace it and lose futon's
  // entries. A head of another size or offset has another node layout.
  if (head == nullptr || length != sizeof(robust_list_head)) return nullptr;
  if (head->futex_offset != futex_offset || head->list == nullptr) return nullptr;
  return head;
}

}  // namespace

robust_thread& this_robust_thread(long futex_offset) noexcept {
  if (!this_thread.known) {
    static const bool fork_hook = (on_fork_child(forget_after_fork), true);
    static_cast<void>(fork_hook);
    this_thread.thread.tid = static_cast<std::uint32_t>(::syscall(SYS_gettid));
    this_thread.thread.head = shareable_head(futex_offset);
    this_thread.known = true;
  }
  return this_thread.thread;
}

bool thread_id_exists(std::uint32_t tid) noexcept {
  // Linux's kill() accepts any thread's id, not only a process's; signal 0 only checks. EPERM
  // (another user's thread) means it exists.
  return ::kill(static_cast<pid_t>(tid), 0) == 0 || errno != ESRCH;
}

}  // namespace os
}  // namespace v0
}  // namespace futon
