// The OS pieces the parking lot stands on, chosen per OS:
//   thread_parker: park / park_until / unpark one thread, living on that thread's stack;
//   raw_mutex:     a small internal lock for buckets;
//   on_fork_child: run a function in the child after fork().
#pragma once

#if defined(__linux__) && !defined(FUTON_PARKER_POSIX)
#include "os/linux/futex_raw_mutex.hpp"
#include "os/linux/futex_thread_parker.hpp"
#endif
#include "os/posix/condvar_thread_parker.hpp"
#include "os/posix/pthread_raw_mutex.hpp"

namespace futon::os {

#if defined(__linux__) && !defined(FUTON_PARKER_POSIX)
using thread_parker = futex_thread_parker;
using raw_mutex = futex_raw_mutex;
#else
using thread_parker = condvar_thread_parker;
using raw_mutex = pthread_raw_mutex;
#endif

// Registers `handler` to run in the child process after fork(), before fork() returns there.
void on_fork_child(void (*handler)()) noexcept;

}  // namespace futon::os
