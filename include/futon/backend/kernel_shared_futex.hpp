// SPDX-License-Identifier: BSL-1.0
// kernel_shared_futex: the futex backend for words in memory shared between processes
// (mmap(MAP_SHARED), shm_open, memfd_create), on the operating system's own futex.
//
// Linux: futex(2) without FUTEX_PRIVATE_FLAG. The kernel keys a waiter by the memory object and
// the offset of the word in it, so processes that map the same memory at different addresses
// wait and wake on one word; the whole futex contract holds (exact wake counts, compare-and-
// requeue, timeouts on steady and system clocks), as for kernel_futex. A shared wait costs a
// little more than a private one (the kernel looks the page up and pins it for the wait).
//
// Elsewhere this type is not declared (FUTON_NO_KERNEL_FUTEX, see kernel_futex.hpp), and asking
// for a process-shared wait is a compile-time error that says why (<futon/futex.hpp>'s
// futex_*(..., futon::process_shared)): Windows's WaitOnAddress and futon's parking lot are
// process-local, and a private wait in its place would sleep through the other process's wakes.
// macOS (os_sync_wait_on_address with OS_SYNC_WAIT_ON_ADDRESS_SHARED, __ulock UL_COMPARE_AND_
// WAIT_SHARED), FreeBSD (UMTX_OP_WAIT_UINT / UMTX_OP_WAKE) and OpenBSD (futex(2) without
// FUTEX_PRIVATE_FLAG) can share a wait, but report no exact wake count or have no compare-and-
// requeue, so the contract's counts cannot hold there; they are not offered yet.
//
// No futex_wait_any: its waiters of several words queue in a parking lot, which is one process's
// memory. Waiting in shared memory also means a waiter's process may die while it sleeps: the
// kernel removes a dead process's waiters, so no other process is affected (a wake that would
// have reached it counts nobody).
#pragma once

#include <cstddef>
#include <cstdint>
#include <futon/config.hpp>
#include <futon/detail/deadline.hpp>
#include <futon/futex_word.hpp>
#include <optional>

#if !defined(FUTON_NO_KERNEL_FUTEX)

namespace futon {
inline namespace v0 {
namespace backend {

struct kernel_shared_futex {
  static constexpr const char* name = "kernel_shared";

  // As kernel_futex's, for a word that other processes may wait on and wake.
  static void wait(const futex_word& word, std::uint32_t expected) noexcept;
  static bool wait_until(const futex_word& word, std::uint32_t expected,
                         const detail::deadline& limit) noexcept;
  static std::size_t wake(const futex_word& word, std::size_t count) noexcept;
  static std::optional<requeue_result> requeue(const futex_word& from, std::uint32_t expected,
                                               const futex_word& to, std::size_t wake_count,
                                               std::size_t requeue_count) noexcept;
};

}  // namespace backend
}  // namespace v0
}  // namespace futon

#endif  // !FUTON_NO_KERNEL_FUTEX
