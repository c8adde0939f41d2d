// The OS pieces the parking lot stands on, chosen per OS:
//   thread_parker: park / park_until / unpark one thread, living on that thread's stack;
//   raw_mutex:     a small internal lock for buckets;
//   on_fork_child: run a function in the child after fork().
//
// Where the OS has a wait-on-address call (src/os/<os>/native_futex.cpp: Linux futex(2), Windows
// WaitOnAddress, macOS os_sync_wait_on_address or __ulock_wait, FreeBSD _umtx_op, OpenBSD
// futex(2), DragonFly umtx_sleep), the parker and the lock are the futex ones, written against
// os/native_futex.hpp only: each sleeps on a word of its own and wakes one thread, so they need
// neither a wake count nor requeue from the OS. Everywhere else, or when src/CMakeLists.txt
// defines FUTON_PARKER_POSIX (-DFUTON_THREAD_PARKER=posix, macOS without the private ulock calls,
// an unknown POSIX system), they are the portable mutex + condition variable ones.
//
// A build may instead supply all of these from a header of its own, named by
// FUTON_OS_HOOKS_HEADER, together with the atomic type the parking lot keeps its shared counts in
// and the clock of its fairness timer: the deterministic-schedule tests (tests/dsched/) build a
// copy of the parking lot whose every lock, park and atomic access yields to their scheduler.
#pragma once

#if defined(FUTON_OS_HOOKS_HEADER)
#include FUTON_OS_HOOKS_HEADER
#else
#include <atomic>
#include <cstdint>
#include <futon/detail/deadline.hpp>

#if !defined(FUTON_PARKER_POSIX) &&                                                         \
    (defined(__linux__) || defined(_WIN32) || defined(__APPLE__) || defined(__FreeBSD__) || \
     defined(__OpenBSD__) || defined(__DragonFly__))
#define FUTON_PARKER_NATIVE 1
#endif

#if defined(FUTON_PARKER_NATIVE)
// Generic over native_futex.hpp (they live under linux/, where they were first written).
#include "os/linux/futex_raw_mutex.hpp"
#include "os/linux/futex_thread_parker.hpp"
#else
#include "os/posix/condvar_thread_parker.hpp"
#include "os/posix/pthread_raw_mutex.hpp"
#endif

namespace futon::os {

#if defined(FUTON_PARKER_NATIVE)
using thread_parker = futex_thread_parker;
using raw_mutex = futex_raw_mutex;
#else
using thread_parker = condvar_thread_parker;
using raw_mutex = pthread_raw_mutex;
#endif

template <class T>
using atomic = std::atomic<T>;

// The clock of the buckets' fairness timers.
inline std::int64_t now_ns() noexcept {
  return detail::deadline::now_ns(detail::deadline_clock::steady);
}

}  // namespace futon::os
#endif  // FUTON_OS_HOOKS_HEADER

namespace futon::os {

// Registers `handler` to run in the child process after fork(), before fork() returns there
// (a no-op where there is no fork(), as on Windows).
void on_fork_child(void (*handler)()) noexcept;

}  // namespace futon::os
