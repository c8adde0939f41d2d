// Is a thread asleep? How one thread learns that another is blocked, per OS.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <futon/futex.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#elif defined(_WIN32)
#ifndef NOMINMAX
#define NOMINMAX  // std::min / std::max stay usable in every test
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#elif defined(__APPLE__)
#include <mach/mach.h>
#include <pthread.h>
#else
#include <pthread.h>
#include <time.h>
#endif

#include "hang_guard.hpp"
#include "sanitizer_scaling.hpp"

namespace futon::testing {

//
// Exact-count tests wake only once every waiter is blocked, or a wake could race a waiter that has
// not blocked yet and the count would be off for the helper's sake. How one thread learns that
// another is blocked depends on the OS:
//   - Linux and macOS report a thread's scheduler state: asleep means state 'S' in
//     /proc/self/task/<tid>/stat, or TH_STATE_WAITING from thread_info().
//   - Windows (whose per-thread states wine does not report) and the other POSIX systems report
//     only the CPU time a thread has used: a thread counts as asleep once its CPU time has stood
//     still for `cpu_quiet_time`, several ticks of the coarsest thread clock (Windows charges CPU
//     time per 15.6 ms tick, wine per 10 ms). A thread that spins or runs toward its wait uses
//     CPU time and is not counted; one that is runnable but not running for that long is, which
//     can only make a count come out short (a failure), never make a test pass that should not.

// A thread's id, never 0 (tests use 0 for "not started yet"), unique among live threads.
using os_thread_id = long;

#if defined(__linux__) || defined(__APPLE__)
#define FUTON_TEST_OS_REPORTS_SLEEP_STATE 1
#else
inline constexpr std::chrono::milliseconds cpu_quiet_time{60};
#endif

#if !defined(__linux__) && !defined(_WIN32) && !defined(__APPLE__)
// Other POSIX systems: ids are handed out here, and each is mapped to the thread's CPU-time clock
// (pthread_getcpuclockid), the only per-thread measure another thread can read there.
struct cpu_clock_registry {
  std::mutex mutex;
  std::vector<std::pair<os_thread_id, clockid_t>> clocks;  // a test program starts few threads
  os_thread_id next = 1;

  static cpu_clock_registry& instance() {
    static cpu_clock_registry registry;
    return registry;
  }
};
#endif

inline os_thread_id current_os_thread_id() {
#if defined(__linux__)
  return static_cast<os_thread_id>(::syscall(SYS_gettid));
#elif defined(_WIN32)
  return static_cast<os_thread_id>(::GetCurrentThreadId());
#elif defined(__APPLE__)
  // The thread's Mach port name in this task, which thread_info() takes from any thread.
  return static_cast<os_thread_id>(::pthread_mach_thread_np(::pthread_self()));
#else
  thread_local const os_thread_id id = [] {
    auto& registry = cpu_clock_registry::instance();
    clockid_t clock{};
    const bool has_clock = ::pthread_getcpuclockid(::pthread_self(), &clock) == 0;
    std::lock_guard<std::mutex> lock(registry.mutex);
    const os_thread_id assigned = registry.next++;
    if (has_clock) registry.clocks.emplace_back(assigned, clock);
    return assigned;
  }();
  return id;
#endif
}

#if defined(FUTON_TEST_OS_REPORTS_SLEEP_STATE)
// True when the OS reports the thread as sleeping, which is where a thread blocked in a futex
// wait or parked by any backend shows up.
inline bool os_thread_is_sleeping(os_thread_id id) {
#if defined(__linux__)
  std::ifstream stat("/proc/self/task/" + std::to_string(id) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  // "tid (comm) S ...": comm may contain spaces and parentheses, so look after the last ')'.
  const auto paren = line.rfind(')');
  return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] == 'S';
#else
  thread_basic_info_data_t info{};
  mach_msg_type_number_t count = THREAD_BASIC_INFO_COUNT;
  if (::thread_info(static_cast<thread_act_t>(id), THREAD_BASIC_INFO,
                    reinterpret_cast<thread_info_t>(&info), &count) != KERN_SUCCESS) {
    return false;  // the thread is gone
  }
  return info.run_state == TH_STATE_WAITING;
#endif
}
#else
// The CPU time the thread has used so far, in the OS's units; -1 when it cannot be read (the
// thread has exited).
inline std::int64_t os_thread_cpu_time(os_thread_id id) {
#if defined(_WIN32)
  const HANDLE thread =
      ::OpenThread(THREAD_QUERY_LIMITED_INFORMATION, FALSE, static_cast<DWORD>(id));
  if (thread == nullptr) return -1;
  FILETIME created, exited, kernel, user;
  const BOOL ok = ::GetThreadTimes(thread, &created, &exited, &kernel, &user);
  ::CloseHandle(thread);
  if (!ok) return -1;
  const auto ticks = [](const FILETIME& t) {
    return static_cast<std::int64_t>((static_cast<std::uint64_t>(t.dwHighDateTime) << 32) |
                                     t.dwLowDateTime);
  };
  return ticks(kernel) + ticks(user);
#else
  auto& registry = cpu_clock_registry::instance();
  clockid_t clock{};
  {
    std::lock_guard<std::mutex> lock(registry.mutex);
    const auto it = std::find_if(registry.clocks.begin(), registry.clocks.end(),
                                 [id](const auto& entry) { return entry.first == id; });
    if (it == registry.clocks.end()) return -1;
    clock = it->second;
  }
  timespec used{};
  if (::clock_gettime(clock, &used) != 0) return -1;
  return static_cast<std::int64_t>(used.tv_sec) * 1'000'000'000 + used.tv_nsec;
#endif
}
#endif

// Waits until every thread in `ids()` (re-read on each poll, so threads that returned meanwhile
// drop out) is asleep; false after `limit`. This is the "retry until all are sleeping" pattern
// that exact wake counts need. Where the OS reports sleep states, each thread must be seen asleep
// on two polls 5 ms apart and again after 10 ms more; elsewhere its CPU time must stand still for
// cpu_quiet_time (see the top of this section).
template <class Ids>
bool wait_until_asleep(Ids ids, std::chrono::milliseconds limit = patience) {
  const auto give_up = test_clock::now() + limit;
#if defined(FUTON_TEST_OS_REPORTS_SLEEP_STATE)
  const auto all_asleep = [&] {
    for (os_thread_id id : ids()) {
      if (!os_thread_is_sleeping(id)) return false;
    }
    return true;
  };
  int consecutive = 0;
  while (test_clock::now() < give_up) {
    consecutive = all_asleep() ? consecutive + 1 : 0;
    if (consecutive >= 2) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      if (all_asleep()) return true;
      consecutive = 0;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
#else
  struct sample {
    os_thread_id id;
    std::int64_t cpu_time;
    test_clock::time_point unchanged_since;
  };
  std::vector<sample> seen;
  while (test_clock::now() < give_up) {
    const auto now = test_clock::now();
    bool all_quiet = true;
    for (os_thread_id id : ids()) {
      const std::int64_t cpu_time = os_thread_cpu_time(id);
      auto it =
          std::find_if(seen.begin(), seen.end(), [id](const sample& s) { return s.id == id; });
      if (it == seen.end()) it = seen.insert(seen.end(), sample{id, cpu_time, now});
      if (cpu_time < 0 || it->cpu_time != cpu_time) {
        *it = sample{id, cpu_time, now};
        all_quiet = false;
      } else if (now - it->unchanged_since < cpu_quiet_time) {
        all_quiet = false;
      }
    }
    if (all_quiet) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
#endif
}

}  // namespace futon::testing
