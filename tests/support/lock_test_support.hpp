// SPDX-License-Identifier: BSL-1.0
// Helpers for the lock and condition-variable tests: the standard's named requirements as
// concepts, and their timed members as subjects of the timeout table (timeout_table.hpp).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <concepts>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <version>
#if defined(__cpp_lib_jthread)  // libc++ 16 (zig 0.11, macOS check) has no <stop_token>
#include <stop_token>
#endif

#include "std_flag.hpp"
#include "timeout_table.hpp"

namespace futon::testing {

// [thread.req.lockable.basic], [thread.req.lockable.req], [thread.req.lockable.timed],
// [thread.sharedmutex.requirements], [thread.sharedtimedmutex.requirements].
template <class M>
concept basic_lockable = requires(M m) {
  m.lock();
  m.unlock();
};
template <class M>
concept lockable = basic_lockable<M> && requires(M m) {
  { m.try_lock() } -> std::same_as<bool>;
};
template <class M>
concept timed_lockable = lockable<M> && requires(M m) {
  { m.try_lock_for(std::chrono::milliseconds(1)) } -> std::same_as<bool>;
  { m.try_lock_until(std::chrono::steady_clock::now()) } -> std::same_as<bool>;
};
template <class M>
concept shared_timed_lockable = timed_lockable<M> && requires(M m) {
  m.lock_shared();
  m.unlock_shared();
  { m.try_lock_shared() } -> std::same_as<bool>;
  { m.try_lock_shared_for(std::chrono::milliseconds(1)) } -> std::same_as<bool>;
  { m.try_lock_shared_until(std::chrono::steady_clock::now()) } -> std::same_as<bool>;
};

// ---- Subjects of the timeout table (timeout_table.hpp) ---------------------------------------

// A lock held by another thread until release() (or destruction): the "not ready" state of a
// timed lock member. `hold` runs on that thread before the constructor returns, `let_go` on the
// same thread before release() returns.
class held_by_another_thread {
 public:
  template <class Hold, class LetGo>
  held_by_another_thread(Hold hold, LetGo let_go)
      : thread_([this, hold, let_go] {
          hold();
          held_.set();
          go_.wait();
          let_go();
        }) {
    held_.wait();
  }
  held_by_another_thread(const held_by_another_thread&) = delete;
  held_by_another_thread& operator=(const held_by_another_thread&) = delete;
  ~held_by_another_thread() { release(); }

  void release() {
    if (!thread_.joinable()) return;
    go_.set();
    thread_.join();
  }

 private:
  std_flag held_;
  std_flag go_;
  std::thread thread_;
};

enum class ownership : std::uint8_t { exclusive, shared };

// Takes (`held`) or lets go of `Kind` ownership of `lock`.
template <ownership Kind, class Lock>
void set_held(Lock& lock, bool held) {
  if constexpr (Kind == ownership::exclusive) {
    held ? lock.lock() : lock.unlock();
  } else {
    held ? lock.lock_shared() : lock.unlock_shared();
  }
}

// The timed member that takes `Kind` ownership by `timeout`: try_lock_for or try_lock_shared_for
// for a duration, try_lock_until or try_lock_shared_until for a time point.
template <ownership Kind, class Lock, class Timeout>
bool try_take(Lock& lock, const Timeout& timeout) {
  if constexpr (Kind == ownership::exclusive && is_time_point_v<Timeout>) {
    return lock.try_lock_until(timeout);
  } else if constexpr (Kind == ownership::exclusive) {
    return lock.try_lock_for(timeout);
  } else if constexpr (is_time_point_v<Timeout>) {
    return lock.try_lock_shared_until(timeout);
  } else {
    return lock.try_lock_shared_for(timeout);
  }
}

// A timed lock member as a timeout-table Subject: the member takes `Tried` ownership of a Lock
// that another thread holds with `Held` ownership, `levels` times over (a recursive mutex's
// levels); made ready, that thread lets go of every level. A member that succeeds lets go at
// once, on its own thread.
template <class Lock, ownership Tried, ownership Held = ownership::exclusive, int levels = 1>
struct timed_lock_subject {
  struct object {
    Lock lock;
    held_by_another_thread holder{[this] { set_levels(true); }, [this] { set_levels(false); }};

    void set_levels(bool held) {
      for (int i = 0; i < levels; ++i)
        set_held<Held>(lock, held);
    }
  };
  template <class Rep, class Period>
  static bool wait_for(object& o, const std::chrono::duration<Rep, Period>& timeout) {
    return let_go_if_taken(o, try_take<Tried>(o.lock, timeout));
  }
  template <class Clock, class Duration>
  static bool wait_until(object& o, const std::chrono::time_point<Clock, Duration>& deadline) {
    return let_go_if_taken(o, try_take<Tried>(o.lock, deadline));
  }
  static void make_ready(object& o) { o.holder.release(); }

 private:
  static bool let_go_if_taken(object& o, bool taken) {
    if (taken) set_held<Tried>(o.lock, false);
    return taken;
  }
};

// How a condition variable's timed wait is called: with a predicate, without one (then true
// means no_timeout), or with a predicate and a std::stop_token nobody stops.
enum class condition_wait : std::uint8_t { predicate, no_predicate, stop_token };

// A condition variable's timed wait as a timeout-table Subject: it waits, holding a Lock<Mutex>,
// for `ready`, which make_ready sets under the mutex and notifies to all. The wait without a
// predicate cannot see a state made ready before it began: it runs every check of the table but
// expect_ready_state_wins_over_any_timeout.
template <class ConditionVariable, class Mutex, condition_wait Form,
          template <class> class Lock = std::unique_lock>
struct condition_wait_subject {
  struct object {
    ConditionVariable cv;
    Mutex m;
    bool ready = false;  // under m
#if defined(__cpp_lib_jthread)
    std::stop_source never_stopped;
#endif
  };
  template <class Rep, class Period>
  static bool wait_for(object& o, const std::chrono::duration<Rep, Period>& timeout) {
    return wait(o, timeout);
  }
  template <class Clock, class Duration>
  static bool wait_until(object& o, const std::chrono::time_point<Clock, Duration>& deadline) {
    return wait(o, deadline);
  }
  static void make_ready(object& o) {
    {
      std::lock_guard guard(o.m);
      o.ready = true;
    }
    o.cv.notify_all();
  }

 private:
  template <class Timeout>
  static bool wait(object& o, const Timeout& timeout) {
    Lock<Mutex> lock(o.m);
    const auto ready = [&] { return o.ready; };
    bool result = false;
    if constexpr (Form == condition_wait::predicate && is_time_point_v<Timeout>) {
      result = o.cv.wait_until(lock, timeout, ready);
    } else if constexpr (Form == condition_wait::predicate) {
      result = o.cv.wait_for(lock, timeout, ready);
    } else if constexpr (Form == condition_wait::no_predicate && is_time_point_v<Timeout>) {
      result = o.cv.wait_until(lock, timeout) == std::cv_status::no_timeout;
    } else if constexpr (Form == condition_wait::no_predicate) {
      result = o.cv.wait_for(lock, timeout) == std::cv_status::no_timeout;
    } else {
#if defined(__cpp_lib_jthread)
      if constexpr (is_time_point_v<Timeout>) {
        result = o.cv.wait_until(lock, o.never_stopped.get_token(), timeout, ready);
      } else {
        result = o.cv.wait_for(lock, o.never_stopped.get_token(), timeout, ready);
      }
#else
      static_assert(Form != condition_wait::stop_token, "the stop_token waits need <stop_token>");
#endif
    }
    EXPECT_TRUE(lock.owns_lock()) << "a timed wait returned without the lock";
    return result;
  }
};

}  // namespace futon::testing
