// SPDX-License-Identifier: BSL-1.0
// <futon/robust_mutex.hpp>: futon::interprocess::robust_mutex, a mutex for memory shared between
// processes that survives its owner's death, as a POSIX robust mutex does
// (PTHREAD_MUTEX_ROBUST).
//
//   switch (m.lock()) {
//     case futon::interprocess::robust_lock_result::owner_dead:
//       repair(shared_state);   // the previous owner died holding the lock: the state may be
//       m.make_consistent();    // half-updated. Repair it, then say so; or unlock without
//       [[fallthrough]];        // make_consistent() and the mutex becomes not_recoverable.
//     case futon::interprocess::robust_lock_result::locked:
//       use(shared_state);
//       m.unlock();
//       break;
//     case futon::interprocess::robust_lock_result::not_recoverable:
//       give_up();              // nobody will ever hold it again
//       break;
//     case futon::interprocess::robust_lock_result::busy:
//       break;                  // only try_lock and the timed calls return busy
//   }
//
// When the owner dies holding the lock (its process is killed, or its thread exits without
// unlocking), the next locker gets the lock and `owner_dead`; it may repair the protected state
// and call make_consistent(); if it unlocks without doing so, every later lock() returns
// `not_recoverable` and sleepers are woken to learn it. The lock results are [[nodiscard]] and the
// type is not BasicLockable on purpose: std::lock_guard would drop `owner_dead` on the floor.
//
// How the owner's death is seen (Linux, 64-bit):
//   - Kernel mode, on glibc: the kernel's robust-futex list. glibc registers one list head per
//     thread with set_robust_list (a thread can have only one), and links its robust
//     pthread_mutexes into it; futon links its robust mutexes into the same list, with glibc's
//     node layout (the word at offset 0, the list node {prev, next} at 24 and 32, as in glibc's
//     pthread_mutex_t) and glibc's pending-operation protocol (robust_head.list_op_pending set
//     around each lock and unlock). At a thread's death the kernel walks the list and marks each
//     mutex the thread owned OWNER_DIED and wakes a waiter: glibc's and futon's mutexes held
//     together are all recovered. Each thread checks, once, that the head the kernel has
//     (get_robust_list) says the word lies 32 bytes before the node's `next` (glibc's
//     futex_offset on 64-bit Linux); only then does it link into it.
//   - Probe mode, wherever that check fails (no robust list: qemu-user, a seccomp filter; a C
//     library with another layout, such as musl): a waiter sleeps at most 10 ms at a time and then
//     asks the kernel whether the owner's thread id still exists (kill(tid, 0)); try_lock asks
//     once. Limits: a thread id reused by a new thread before a waiter asks looks alive; a main
//     thread that exits with pthread_exit while its process runs stays a zombie and looks alive;
//     processes in different PID namespaces see each other's ids wrongly. Kernel mode has none
//     of these limits. robust_mutex::kernel_recovery() says which mode the calling thread has.
//
// The word is the kernel's robust-futex word: the owner's thread id, FUTEX_WAITERS (a thread
// sleeps or may sleep on it), FUTEX_OWNER_DIED. Waits are process-shared futex waits always (the
// kernel's death-time wake is a shared wake), also in memory that is not shared.
//
// Rules:
//   - 40 bytes, standard layout. The node's two pointers hold the owner's list links, meaningful
//     only in the owner's process while it holds the mutex (the kernel reads them there at its
//     death); every other field is a position-independent word, so the mutex works at a different
//     address in each process.
//   - Construct once, before any process uses it; destroy when no process uses it and nobody
//     holds it. Do not destroy or unmap a robust mutex while holding it: its node stays in the
//     owner thread's list, and at the thread's death the kernel stops walking the list where it
//     cannot read (every robust mutex after it in the list, glibc's too, is then not recovered).
//   - Only the owner unlocks; locking it again from its owner is a precondition violation
//     (checked in debug builds; a deadlock otherwise, as a POSIX normal robust mutex).
//   - Not async-signal-safe (the pending-operation slot is per thread, as glibc's).
//   - A process that dies while it waits affects nobody: the kernel forgets its waiters.
//   - A mutex in memory that is not shared works too (robust against thread exit).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <futon/detail/deadline.hpp>
#include <futon/futex_word.hpp>

#if defined(__linux__) && defined(__LP64__)
#define FUTON_HAS_ROBUST_MUTEX 1

namespace futon {
inline namespace v0 {
namespace interprocess {

enum class robust_lock_result : unsigned char {
  locked,           // the caller holds the mutex, and its state is consistent
  owner_dead,       // the caller holds the mutex; the previous owner died holding it
  not_recoverable,  // nobody holds it or ever will again; the caller does not hold it
  busy,             // try_lock, try_lock_for, try_lock_until only: it stayed held by another
};

class robust_mutex {
 public:
  constexpr robust_mutex() noexcept = default;
  robust_mutex(const robust_mutex&) = delete;
  robust_mutex& operator=(const robust_mutex&) = delete;
  ~robust_mutex() = default;

  // Blocks until the caller holds the mutex (locked, owner_dead) or it is not_recoverable.
  [[nodiscard]] robust_lock_result lock() noexcept { return acquire(nullptr, false); }

  // One attempt: busy if another thread holds it (and, in probe mode, is alive).
  [[nodiscard]] robust_lock_result try_lock() noexcept { return acquire(nullptr, true); }

  template <class Rep, class Period>
  [[nodiscard]] robust_lock_result try_lock_for(
      const std::chrono::duration<Rep, Period>& timeout) noexcept {
    const detail::deadline limit = detail::deadline::after(timeout);
    return acquire(&limit, false);
  }

  template <class Clock, class Duration>
  [[nodiscard]] robust_lock_result try_lock_until(
      const std::chrono::time_point<Clock, Duration>& t) noexcept {
    robust_lock_result result = robust_lock_result::busy;
    detail::attempt_until(t, [&](const detail::deadline& limit) {
      result = acquire(&limit, false);
      return result != robust_lock_result::busy;
    });
    return result;
  }

  // After owner_dead: the caller repaired the protected state. Precondition: the caller holds
  // the mutex and has not called it since its lock returned owner_dead.
  void make_consistent() noexcept;

  // Precondition: the caller holds the mutex. Unlocking after owner_dead without
  // make_consistent() makes the mutex not_recoverable.
  void unlock() noexcept;

  // True when the calling thread's death is seen by the kernel's robust list (kernel mode);
  // false when lockers must probe whether it is alive (probe mode). See the header comment.
  static bool kernel_recovery() noexcept;

 private:
  // A node of the kernel's robust list, laid out as glibc's (__pthread_list_t): `next` points at
  // the next node's `next` (or at the list head), `prev` at the previous node's `next`. Only the
  // owner thread and the kernel (at its death) read them.
  struct list_node {
    void* prev = nullptr;
    void* next = nullptr;
  };

  robust_lock_result acquire(const detail::deadline* limit, bool try_only) noexcept;

  futex_word word_{0};                   // offset 0: thread id | waiters | owner died
  std::atomic<std::uint32_t> state_{0};  // consistent, inconsistent, not_recoverable
  [[maybe_unused]] std::uint32_t reserved_[4] =
      {};           // keeps node_ where glibc has its list (offset 24)
  list_node node_;  // offset 24
};

}  // namespace interprocess
}  // namespace v0
}  // namespace futon

#else
#define FUTON_HAS_ROBUST_MUTEX 0
#endif
