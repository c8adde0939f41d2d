// SPDX-License-Identifier: BSL-1.0
// The timeout table: every timeout a timed member of a primitive must handle, in one place, and
// the checks that hold a member to it. A new edge case goes into one of the three lists below and
// reaches every timed member of every primitive, each test of which runs expect_timeout_table
// (mutex, recursive and shared mutexes, condition_variable and condition_variable_any, semaphore,
// event, wait_group, atomic_wait), and the futex itself: futex_wait_* (tests/futex/
// futex_timeout_test.cpp, which drives the futex's conversion of a timeout further, one
// representation at a time) and futex_wait_any_* (tests/wait_any/futex_wait_any_test.cpp).
//
// The lists hand each timeout to `visit(label, timeout)`: a duration for the *_for member, a
// time point for the *_until member, on steady_clock, system_clock or a clock the OS cannot wait
// on. Past deadlines are read from the clock when the list is walked, so each is in the past
// when used.
//   - for_each_expired_timeout: zero, negative, NaN, past: the member gives up at once (after
//     its one try of the state);
//   - for_each_endless_timeout: so large they mean forever (max(), infinity, far beyond any
//     clock's range): the member waits until the state changes;
//   - for_each_finite_timeout: short real timeouts, each with the instant, on the clock that
//     judges it, before which it must not end (`visit(label, make)`: make() returns both, read
//     from the clock just before the call).
//
// A Subject describes one timed member for the checks:
//   struct Subject {
//     struct object;  // default-constructed "not ready": a timed wait on it times out
//     template <class R, class P> static bool wait_for(object&, const duration<R, P>&);
//     template <class C, class D> static bool wait_until(object&, const time_point<C, D>&);
//     static void make_ready(object&);  // after this, a wait returns true
//   };
// and expect_timeout_table<Subject>() checks, on fresh objects:
//   - every expired timeout: false at once;
//   - every finite timeout: false, and never early, strictly;
//   - every endless timeout: blocking until made ready (checked asleep and still blocked 100 ms
//     later), then true;
//   - a ready object: true with every expired and every endless timeout (the state check
//     comes first).
// A member that cannot see a state made ready before it was called (a condition variable's
// wait without a predicate) runs the first three checks on their own.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "test_support.hpp"

namespace futon::testing {

// What a test clock shares with steady_clock: nanosecond ticks, steady. Clock supplies now().
// (The time point names its duration: Clock is not complete yet where this is instantiated.)
template <class Clock>
struct nanosecond_steady_clock {
  using duration = std::chrono::nanoseconds;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::time_point<Clock, duration>;
  static constexpr bool is_steady = true;
};

// steady_clock moved by a fixed offset (hours), so its epoch and its values differ from steady's:
// a clock the OS cannot wait on, so timed members go through detail::attempt_until's re-check.
template <std::int64_t OffsetHours>
struct offset_clock : nanosecond_steady_clock<offset_clock<OffsetHours>> {
  static typename offset_clock::time_point now() noexcept {
    return typename offset_clock::time_point(std::chrono::steady_clock::now().time_since_epoch() +
                                             std::chrono::hours(OffsetHours));
  }
};
// A million hours (~114 years) ahead: the table's clock the OS does not know.
using offset_steady_clock = offset_clock<1'000'000>;

template <class T>
inline constexpr bool is_time_point_v = false;
template <class Clock, class Duration>
inline constexpr bool is_time_point_v<std::chrono::time_point<Clock, Duration>> = true;

// ---- The lists --------------------------------------------------------------------------------

// The label is the expression itself. Variadic: an argument like duration<double, milli>(1.5)
// holds a comma.
#define FUTON_TIMEOUT(...) visit(#__VA_ARGS__, __VA_ARGS__)

template <class Visit>
void for_each_expired_timeout(Visit visit) {
  using namespace std::chrono_literals;
  using std::chrono::duration;
  using steady = std::chrono::steady_clock;
  using system = std::chrono::system_clock;
  using other = offset_steady_clock;
  // Zero and negative, in several representations, down to their minimum.
  FUTON_TIMEOUT(0ns);
  FUTON_TIMEOUT(0s);
  FUTON_TIMEOUT(-1ns);
  FUTON_TIMEOUT(-1h);
  FUTON_TIMEOUT(std::chrono::nanoseconds::min());
  FUTON_TIMEOUT(std::chrono::hours::min());
  FUTON_TIMEOUT(duration<std::int8_t>(-128));
  // Floating point: zero, negative, NaN, the most negative.
  FUTON_TIMEOUT(duration<double>(0.0));
  FUTON_TIMEOUT(duration<double>(-1.5));
  FUTON_TIMEOUT(duration<double, std::milli>(-1.5));
  FUTON_TIMEOUT(duration<double>(std::numeric_limits<double>::quiet_NaN()));
  FUTON_TIMEOUT(-duration<double>::max());
  // Past deadlines on each kind of clock: just past, long past, the epoch, before it, min().
  FUTON_TIMEOUT(steady::now() - 1ms);
  FUTON_TIMEOUT(steady::now() - 1h);
  FUTON_TIMEOUT(steady::time_point{});
  FUTON_TIMEOUT(steady::time_point::min());
  FUTON_TIMEOUT(system::now() - 1s);
  FUTON_TIMEOUT(system::time_point{});
  FUTON_TIMEOUT(system::time_point{} - 1h);
  FUTON_TIMEOUT(system::time_point::min());
  FUTON_TIMEOUT(other::now() - 1s);
  FUTON_TIMEOUT(other::time_point::min());
}

template <class Visit>
void for_each_endless_timeout(Visit visit) {
  using std::chrono::duration;
  FUTON_TIMEOUT(std::chrono::nanoseconds::max());
  FUTON_TIMEOUT(std::chrono::seconds::max());
  FUTON_TIMEOUT(std::chrono::hours::max());
  FUTON_TIMEOUT(duration<std::uint64_t, std::milli>(std::numeric_limits<std::uint64_t>::max()));
  FUTON_TIMEOUT(duration<double>(1e300));
  FUTON_TIMEOUT(duration<double>::max());
  FUTON_TIMEOUT(duration<double>(std::numeric_limits<double>::infinity()));
  FUTON_TIMEOUT(std::chrono::steady_clock::time_point::max());
  FUTON_TIMEOUT(std::chrono::system_clock::time_point::max());
  FUTON_TIMEOUT(offset_steady_clock::time_point::max());
}

#undef FUTON_TIMEOUT

// A finite timeout and the instant before which it must not end, on the clock that judges it.
template <class Timeout, class NotBefore>
struct finite_timeout {
  Timeout timeout;
  NotBefore not_before;
};

// A relative timeout, judged by steady_clock from now on.
template <class Rep, class Period>
auto relative_timeout(std::chrono::duration<Rep, Period> timeout) {
  const auto not_before = std::chrono::steady_clock::now() + timeout;
  return finite_timeout<decltype(timeout), decltype(not_before)>{timeout, not_before};
}

// A deadline `after` from now on Clock, judged by Clock.
template <class Clock, class Rep, class Period>
auto deadline_timeout(std::chrono::duration<Rep, Period> after) {
  const auto deadline = Clock::now() + after;
  return finite_timeout<decltype(deadline), decltype(deadline)>{deadline, deadline};
}

template <class Visit>
void for_each_finite_timeout(Visit visit) {
  using namespace std::chrono_literals;
  using std::chrono::duration;
  visit("1ns", [] { return relative_timeout(1ns); });
  visit("1ms", [] { return relative_timeout(1ms); });
  visit("20ms", [] { return relative_timeout(20ms); });
  visit("duration<double, milli>(20.0)",
        [] { return relative_timeout(duration<double, std::milli>(20.0)); });
  visit("steady_clock::now() + 20ms",
        [] { return deadline_timeout<std::chrono::steady_clock>(20ms); });
  visit("system_clock::now() + 20ms",
        [] { return deadline_timeout<std::chrono::system_clock>(20ms); });
  visit("offset_steady_clock::now() + 20ms",
        [] { return deadline_timeout<offset_steady_clock>(20ms); });
}

// ---- The checks -------------------------------------------------------------------------------

template <class Subject>
using subject_object = typename Subject::object;

// The Subject's wait_until for a time point, its wait_for for a duration.
template <class Subject, class Timeout>
bool timed_wait(subject_object<Subject>& object, const Timeout& timeout) {
  if constexpr (is_time_point_v<Timeout>) {
    return Subject::wait_until(object, timeout);
  } else {
    return Subject::wait_for(object, timeout);
  }
}

template <class Clock>
std::chrono::nanoseconds since(typename Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start);
}

template <class Subject>
void expect_expired_timeouts_give_up_at_once() {
  watchdog guard("an expired timeout blocked", std::chrono::seconds(60));
  for_each_expired_timeout([](const char* label, const auto& timeout) {
    SCOPED_TRACE(label);
    subject_object<Subject> object;
    const auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(timed_wait<Subject>(object, timeout));
    EXPECT_LT(since<std::chrono::steady_clock>(start), std::chrono::seconds(2))
        << "should not block";
  });
}

template <class Subject>
void expect_finite_timeouts_never_end_early() {
  watchdog guard("a finite timeout blocked", std::chrono::seconds(60));
  for_each_finite_timeout([](const char* label, auto make) {
    SCOPED_TRACE(label);
    subject_object<Subject> object;
    const auto finite = make();
    EXPECT_FALSE(timed_wait<Subject>(object, finite.timeout));
    using clock = typename decltype(finite.not_before)::clock;
    const auto now = clock::now();
    EXPECT_GE(now, finite.not_before)
        << "timed out early by "
        << std::chrono::duration_cast<std::chrono::nanoseconds>(finite.not_before - now).count()
        << " ns";
  });
}

// Every endless timeout at once, each on its own object and thread: asleep, still blocked 100 ms
// later, then each made ready in turn must return true.
template <class Subject>
void expect_endless_timeouts_wait_until_ready() {
  using object = subject_object<Subject>;
  struct blocking_case {
    std::string label;
    std::function<bool(object&)> wait;
  };
  std::vector<blocking_case> cases;
  for_each_endless_timeout([&](const char* label, const auto& timeout) {
    cases.push_back({label, [timeout](object& o) { return timed_wait<Subject>(o, timeout); }});
  });
  watchdog guard("an endless timeout was never released", std::chrono::seconds(60));
  const std::size_t n = cases.size();
  const std::unique_ptr<object[]> objects(new object[n]);
  const std::unique_ptr<std::atomic<int>[]> results(new std::atomic<int>[n]);  // -1 = blocked
  const std::unique_ptr<std::atomic<os_thread_id>[]> ids(new std::atomic<os_thread_id>[n]);
  std::atomic<std::size_t> started{0};
  for (std::size_t i = 0; i < n; ++i) {
    results[i].store(-1);
    ids[i].store(0);
  }
  thread_group threads;
  for (std::size_t i = 0; i < n; ++i) {
    threads.spawn([&, i] {
      ids[i].store(current_os_thread_id());
      started.fetch_add(1);
      results[i].store(cases[i].wait(objects[i]) ? 1 : 0);
    });
  }
  ASSERT_TRUE(eventually([&] { return started.load() == n; }));
  EXPECT_TRUE(wait_until_asleep([&] {
    std::vector<os_thread_id> asleep;
    for (std::size_t i = 0; i < n; ++i) {
      if (results[i].load() == -1) asleep.push_back(ids[i].load());
    }
    return asleep;
  }));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  for (std::size_t i = 0; i < n; ++i) {
    EXPECT_EQ(results[i].load(), -1) << cases[i].label << " returned before it was made ready";
  }
  for (std::size_t i = 0; i < n; ++i) {
    Subject::make_ready(objects[i]);
    EXPECT_TRUE(eventually([&] { return results[i].load() != -1; }))
        << cases[i].label << " did not return once ready";
    EXPECT_EQ(results[i].load(), 1) << cases[i].label << " returned false once ready";
  }
  threads.join();
}

template <class Subject>
void expect_ready_state_wins_over_any_timeout() {
  watchdog guard("a wait on a ready object blocked", std::chrono::seconds(60));
  const auto check = [](const char* label, const auto& timeout) {
    SCOPED_TRACE(label);
    subject_object<Subject> object;
    Subject::make_ready(object);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_TRUE(timed_wait<Subject>(object, timeout));
    EXPECT_LT(since<std::chrono::steady_clock>(start), std::chrono::seconds(2))
        << "should not block";
  };
  for_each_expired_timeout(check);
  for_each_endless_timeout(check);
}

template <class Subject>
void expect_timeout_table() {
  expect_expired_timeouts_give_up_at_once<Subject>();
  expect_finite_timeouts_never_end_early<Subject>();
  expect_endless_timeouts_wait_until_ready<Subject>();
  expect_ready_state_wins_over_any_timeout<Subject>();
}

}  // namespace futon::testing
