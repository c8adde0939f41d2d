// SPDX-License-Identifier: BSL-1.0
// sleep_probe: waits until a set of threads are all blocked in the kernel.
//
// A wake-latency benchmark must start each measurement with every waiter really asleep. A
// thread cannot say so itself (it is asleep), and a waiter that announced "about to wait" may
// still be spinning: std::atomic::wait spins and yields before it sleeps. So the benchmark
// thread asks the kernel: on Linux, /proc/self/task/<tid>/stat shows state 'S' (interruptible
// sleep, which is where futex waits sleep) and 'R' for a thread running or runnable, spinning
// and sched_yield included. Each enrolled thread's stat file stays open and is re-read with
// pread at offset 0, which makes the kernel regenerate it.
//
// Elsewhere there is no such view; wait_until_all_asleep() then just sleeps a millisecond,
// which in practice lets waiters finish spinning and block.
#pragma once

#include <chrono>
#include <cstddef>
#include <thread>
#include <vector>

#if defined(__linux__)
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#endif

namespace futon::bench {

class sleep_probe {
 public:
  explicit sleep_probe(std::size_t threads) : fds_(threads, -1) {}
  sleep_probe(const sleep_probe&) = delete;
  sleep_probe& operator=(const sleep_probe&) = delete;
  ~sleep_probe() {
#if defined(__linux__)
    for (int fd : fds_) {
      if (fd >= 0) close(fd);
    }
#endif
  }

  // Called by thread `index` itself, once, before the benchmark thread calls
  // wait_until_all_asleep (the caller orders the two, e.g. with a release/acquire headcount).
  void enroll([[maybe_unused]] std::size_t index) {
#if defined(__linux__)
    char path[64];
    std::snprintf(path, sizeof path, "/proc/self/task/%ld/stat", static_cast<long>(gettid()));
    fds_[index] = open(path, O_RDONLY | O_CLOEXEC);
#endif
  }

  // Returns once every enrolled thread was seen asleep (each checked until it is).
  void wait_until_all_asleep() const {
#if defined(__linux__)
    for (int fd : fds_) {
      while (fd >= 0 && !is_asleep(fd))
        std::this_thread::yield();
    }
#else
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
#endif
  }

 private:
#if defined(__linux__)
  // The state is the first field after the command name, which is in parentheses and may itself
  // contain ") ": search from the last ')'.
  static bool is_asleep(int fd) {
    char buffer[512];
    const ssize_t n = pread(fd, buffer, sizeof buffer - 1, 0);
    if (n <= 0) return true;  // the thread has exited: it will not run again
    buffer[n] = '\0';
    const char* paren = std::strrchr(buffer, ')');
    return paren != nullptr && paren[1] == ' ' && paren[2] == 'S';
  }
#endif

  std::vector<int> fds_;
};

}  // namespace futon::bench
