// Helpers shared by the futex tests: sanitizer-aware scaling, a watchdog that turns a hang into a
// failure with a message, "wait until these threads are asleep", and groups of one-shot waiters
// whose returns are counted (the unit of every exact-count test).
//
// Nothing here depends on a particular backend: every helper takes the basic_futex<Backend> under
// test as a template parameter, so a new backend in backends.hpp gets the whole suite.
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
#include <futon/detail/sanitizers.hpp>
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

// ---- Sanitizers ------------------------------------------------------------------------------
namespace futon::testing {

inline constexpr bool thread_sanitizer = FUTON_SANITIZE_THREAD;
inline constexpr bool address_sanitizer = FUTON_SANITIZE_ADDRESS;

// An iteration count for stress loops, scaled down under sanitizers (TSan runs 5-20x slower).
constexpr int scaled(int count) {
  if constexpr (thread_sanitizer) return std::max(1, count / 10);
  if constexpr (address_sanitizer) return std::max(1, count / 3);
  return count;
}

using test_clock = std::chrono::steady_clock;

// How long to wait for something that should happen "soon" before calling it a failure.
inline constexpr std::chrono::milliseconds patience{10'000};

// ---- Hangs become failures -------------------------------------------------------------------

// Aborts the whole test program with `what` unless destroyed within `limit`. Declare it first in a
// test (so it is destroyed last, after the joins) wherever a lost wakeup would otherwise hang.
class watchdog {
 public:
  explicit watchdog(std::string what, std::chrono::milliseconds limit = std::chrono::seconds(30))
      : what_(std::move(what)) {
    thread_ = std::thread([this, limit] {
      std::unique_lock<std::mutex> lock(mutex_);
      if (!cv_.wait_for(lock, limit, [this] { return disarmed_; })) {
        std::fprintf(stderr, "\nFAILED (watchdog, %lld ms): %s\n",
                     static_cast<long long>(limit.count()), what_.c_str());
        std::fflush(stderr);
        std::abort();
      }
    });
  }
  watchdog(const watchdog&) = delete;
  watchdog& operator=(const watchdog&) = delete;
  ~watchdog() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      disarmed_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }

 private:
  std::string what_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool disarmed_ = false;
  std::thread thread_;
};

// Polls `condition` every millisecond until it holds or `limit` passes; returns its last value.
template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds limit = patience) {
  const auto give_up = test_clock::now() + limit;
  for (;;) {
    if (condition()) return true;
    if (test_clock::now() >= give_up) return condition();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

// True when `elapsed` is at least `requested`, compared exactly for integer durations and in long
// double nanoseconds for floating ones (a timeout must never fire early).
template <class Rep, class Period>
bool not_early(std::chrono::nanoseconds elapsed,
               const std::chrono::duration<Rep, Period>& requested) {
  if constexpr (std::is_floating_point_v<Rep>) {
    return static_cast<long double>(elapsed.count()) >=
           std::chrono::duration<long double, std::nano>(requested).count();
  } else if constexpr (std::is_unsigned_v<Rep>) {
    return elapsed.count() >= 0 && std::chrono::duration<std::uint64_t, std::nano>(
                                       static_cast<std::uint64_t>(elapsed.count())) >= requested;
  } else {
    return elapsed >= requested;
  }
}

// ---- Is a thread asleep? ---------------------------------------------------------------------
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

// ---- Threads ---------------------------------------------------------------------------------

// A set of threads joined on destruction (so a failed ASSERT does not leave a joinable
// std::thread).
class thread_group {
 public:
  thread_group() = default;
  thread_group(const thread_group&) = delete;
  thread_group& operator=(const thread_group&) = delete;
  ~thread_group() { join(); }

  template <class F>
  void spawn(F&& f) {
    threads_.emplace_back(std::forward<F>(f));
  }
  void join() {
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  std::size_t size() const { return threads_.size(); }
  std::thread& operator[](std::size_t i) { return threads_[i]; }

 private:
  std::vector<std::thread> threads_;
};

enum class wait_kind { untimed, timed };

// `count` threads that each make exactly ONE wait call on `word` (expecting `expected`) and record
// how it returned: the unit of every exact-count test. A waiter never loops, so a spurious return
// or an early timeout shows up as a count that is off (a loud failure), never as a hang.
//
// Timed waiters use `timeout` (default 30 s, far beyond any test: reaching it means a wake was
// lost, and it is counted in timed_out()). On destruction, waiters still blocked are released by
// waking every word in release_words() until all have returned (words a requeue may have moved
// them to must be added with also_release), then joined.
template <class Futex>
class one_shot_waiters {
 public:
  enum state : int { not_started, waiting, returned_true, returned_false };

  one_shot_waiters(const futex_word& word, std::uint32_t expected, std::size_t count,
                   wait_kind kind = wait_kind::timed,
                   std::chrono::nanoseconds timeout = std::chrono::seconds(30))
      : count_(count),
        states_(new std::atomic<int>[count]),
        ids_(new std::atomic<os_thread_id>[count]),
        elapsed_(new std::atomic<std::int64_t>[count]) {
    release_.push_back(&word);
    for (std::size_t i = 0; i < count; ++i) {
      states_[i].store(not_started);
      ids_[i].store(0);
      elapsed_[i].store(0);
    }
    for (std::size_t i = 0; i < count; ++i) {
      threads_.spawn([this, &word, expected, kind, timeout, i] {
        ids_[i].store(current_os_thread_id(), std::memory_order_relaxed);
        states_[i].store(waiting, std::memory_order_release);
        const auto start = test_clock::now();
        bool woken = true;
        if (kind == wait_kind::timed) {
          woken = Futex::wait_for(word, expected, timeout);
        } else {
          Futex::wait(word, expected);
        }
        elapsed_[i].store((test_clock::now() - start).count(), std::memory_order_relaxed);
        states_[i].store(woken ? returned_true : returned_false, std::memory_order_release);
      });
    }
  }
  one_shot_waiters(const one_shot_waiters&) = delete;
  one_shot_waiters& operator=(const one_shot_waiters&) = delete;

  ~one_shot_waiters() {
    const bool released = eventually(
        [&] {
          for (const futex_word* w : release_)
            Futex::wake_all(*w);
          return returned() == count_;
        },
        std::chrono::seconds(20));
    if (!released) {
      std::fprintf(stderr, "FAILED: %zu of %zu one-shot waiters never returned\n",
                   count_ - returned(), count_);
      std::fflush(stderr);
      std::abort();
    }
    threads_.join();
  }

  // Words the waiters may have been requeued onto, woken too on destruction.
  void also_release(const futex_word& word) { release_.push_back(&word); }

  // Waits until every waiter has started and each one not yet returned is asleep.
  [[nodiscard]] bool all_asleep(std::chrono::milliseconds limit = patience) {
    if (!eventually([&] { return started() == count_; }, limit)) return false;
    return wait_until_asleep(
        [&] {
          std::vector<os_thread_id> ids;
          for (std::size_t i = 0; i < count_; ++i) {
            if (states_[i].load(std::memory_order_acquire) == waiting) {
              ids.push_back(ids_[i].load(std::memory_order_relaxed));
            }
          }
          return ids;
        },
        limit);
  }

  // Waits until at least `n` waiters have returned; false after `limit`.
  [[nodiscard]] bool await_returned(std::size_t n, std::chrono::milliseconds limit = patience) {
    return eventually([&] { return returned() >= n; }, limit);
  }

  std::size_t size() const { return count_; }
  std::size_t started() const { return count_ - count_of(not_started); }
  std::size_t returned() const { return woken() + timed_out(); }
  std::size_t woken() const { return count_of(returned_true); }
  std::size_t timed_out() const { return count_of(returned_false); }
  state state_of(std::size_t i) const {
    return static_cast<state>(states_[i].load(std::memory_order_acquire));
  }
  // How long waiter i's wait call took (valid once it returned).
  std::chrono::nanoseconds elapsed_of(std::size_t i) const {
    return std::chrono::nanoseconds(elapsed_[i].load(std::memory_order_relaxed));
  }

  // Joins the threads; only call once every waiter has returned (or will, unaided).
  void join() { threads_.join(); }

 private:
  std::size_t count_of(int s) const {
    std::size_t n = 0;
    for (std::size_t i = 0; i < count_; ++i) {
      if (states_[i].load(std::memory_order_acquire) == s) ++n;
    }
    return n;
  }

  std::size_t count_;
  std::unique_ptr<std::atomic<int>[]> states_;
  std::unique_ptr<std::atomic<os_thread_id>[]> ids_;
  std::unique_ptr<std::atomic<std::int64_t>[]> elapsed_;
  std::vector<const futex_word*> release_;
  thread_group threads_;  // last: joined before the arrays above are freed
};

// A typed-test fixture base: `futex` is basic_futex over the backend under test.
template <class Backend>
class futex_test : public ::testing::Test {
 protected:
  using futex = basic_futex<Backend>;
};

}  // namespace futon::testing
