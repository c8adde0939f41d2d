// SPDX-License-Identifier: BSL-1.0
// The calling thread's place in the kernel's robust-futex protocol (Linux): its thread id, and
// the robust list head the C library registered for it, if futon can share it.
//
// The kernel keeps one robust list head per thread (set_robust_list; glibc registers one for
// every thread it starts, and again in a fork()ed child). A list entry is a pointer to a node's
// `next` field; the futex word of the entry lies at entry + head->futex_offset; bit 0 of an entry
// marks a priority-inheritance mutex. At the thread's death the kernel walks the list (and the
// pending entry), and for each word whose owner is the dead thread sets FUTEX_OWNER_DIED and
// wakes one waiter.
#pragma once

#include <cstdint>

namespace futon {
inline namespace v0 {
namespace os {

// The kernel's struct robust_list_head (linux/futex.h), spelled out here.
struct robust_list_head {
  void* list;             // the first entry, or the head itself when the list is empty
  long futex_offset;      // word address - entry address, the same for every entry
  void* list_op_pending;  // the entry being locked or unlocked, or nullptr
};

struct robust_thread {
  std::uint32_t tid;       // gettid(): what the robust word holds while this thread owns it
  robust_list_head* head;  // the shared head (kernel mode), or nullptr (probe mode)
};

// The calling thread's, found once per thread (and again in a fork()ed child). `futex_offset` is
// the offset the caller's nodes need; a head whose offset differs is not shared (probe mode).
robust_thread& this_robust_thread(long futex_offset) noexcept;

// Whether a thread with this id exists (kill(tid, 0) does not fail with ESRCH).
bool thread_id_exists(std::uint32_t tid) noexcept;

}  // namespace os
}  // namespace v0
}  // namespace futon
