// SPDX-License-Identifier: BSL-1.0
// Helpers shared by the primitive tests (semaphores, latch, barrier, call_once, event,
// wait_group, atomic_wait):
//   - counting_backend<B>: a futex backend that forwards to B and counts the calls, so a test can
//     check that an uncontended operation never reached the futex (no system call);
//   - backend_and<B, T> / with_values<Backends, Ts...>: typed tests over backends x value types;
//   - expect_timeout_table<Subject>(): the timeout table every timed member must pass.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <futon/futex.hpp>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "backends.hpp"
#include "test_support.hpp"

namespace futon::testing {

// ---- Counting the calls that reach the futex -------------------------------------------------

template <class Backend>
struct counting_backend {
  static constexpr const char* name = Backend::name;

  static inline std::atomic<std::size_t> waits{0};
  static inline std::atomic<std::size_t> wakes{0};
  static inline std::atomic<std::size_t> requeues{0};

  static void reset() noexcept {
    waits.store(0);
    wakes.store(0);
    requeues.store(0);
  }
  static std::size_t calls() noexcept { return waits.load() + wakes.load() + requeues.load(); }

  static void wait(const futex_word& word, std::uint32_t expected) noexcept {
    waits.fetch_add(1);
    Backend::wait(word, expected);
  }
  static bool wait_until(const futex_word& word, std::uint32_t expected,
                         const detail::deadline& limit) noexcept {
    waits.fetch_add(1);
    return Backend::wait_until(word, expected, limit);
  }
  static std::size_t wake(const futex_word& word, std::size_t count) noexcept {
    wakes.fetch_add(1);
    return Backend::wake(word, count);
  }
  static std::optional<requeue_result> requeue(const futex_word& from, std::uint32_t expected,
                                               const futex_word& to, std::size_t wake_count,
                                               std::size_t requeue_count) noexcept {
    requeues.fetch_add(1);
    return Backend::requeue(from, expected, to, wake_count, requeue_count);
  }
};

// ---- Backends x value types --------------------------------------------------------------------

template <class Backend, class T>
struct backend_and {
  using backend = Backend;
  using value = T;
};

template <class... Lists>
struct concat_types;
template <class... As>
struct concat_types<::testing::Types<As...>> {
  using type = ::testing::Types<As...>;
};
template <class... As, class... Bs, class... Rest>
struct concat_types<::testing::Types<As...>, ::testing::Types<Bs...>, Rest...> {
  using type = typename concat_types<::testing::Types<As..., Bs...>, Rest...>::type;
};

template <class T, class... Backends>
struct every_backend_with {
  using type = ::testing::Types<backend_and<Backends, T>...>;
};

template <class Backends, class... Ts>
struct with_values;
template <class... Backends, class... Ts>
struct with_values<::testing::Types<Backends...>, Ts...> {
  using type = typename concat_types<typename every_backend_with<Ts, Backends...>::type...>::type;
};

// ---- Elapsed time on any clock ---------------------------------------------------------------

template <class Clock>
std::chrono::nanoseconds since(typename Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start);
}

// steady_clock moved a million hours ahead: a clock the OS cannot wait on, so timed members go
// through detail::attempt_until's re-check.
struct offset_steady_clock {
  using duration = std::chrono::nanoseconds;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::time_point<offset_steady_clock>;
  static constexpr bool is_steady = true;
  static time_point now() noexcept {
    return time_point(std::chrono::steady_clock::now().time_since_epoch() +
                      std::chrono::hours(1'000'000));
  }
};

// ---- The timeout table -----------------------------------------------------------------------
//
// A Subject describes one timed member:
//   struct Subject {
//     struct object;  // default-constructed "not ready": a timed wait on it times out
//     template <class R, class P> static bool wait_for(object&, const duration<R, P>&);
//     template <class C, class D> static bool wait_until(object&, const time_point<C, D>&);
//     static void make_ready(object&);  // after this, a wait returns true
//   };
// and the table checks, on fresh objects:
//   - zero, negative, NaN and past timeouts: false at once;
//   - 1 ns: false, not early;
//   - 20 ms by duration, duration<double>, steady_clock, system_clock and a clock the OS does not
//     know: false, and the clock in question has really moved on by 20 ms (strictly);
//   - duration::max(), time_point::max() and the like: blocking until made ready (checked asleep
//     and still blocked 100 ms later), then true;
//   - a ready object: true even with a zero or past timeout (the state check comes first).

template <class Subject>
using subject_object = typename Subject::object;

template <class Subject, class Call>
void expect_false_at_once(Call call, const char* label) {
  SCOPED_TRACE(label);
  subject_object<Subject> object;
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(call(object));
  EXPECT_LT(since<std::chrono::steady_clock>(start), std::chrono::seconds(2)) << "should not block";
}

template <class Subject, class Call>
void expect_true_when_ready(Call call, const char* label) {
  SCOPED_TRACE(label);
  subject_object<Subject> object;
  Subject::make_ready(object);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(call(object));
  EXPECT_LT(since<std::chrono::steady_clock>(start), std::chrono::seconds(2)) << "should not block";
}

// A timed call that must time out no earlier than `at` by `Clock`.
template <class Subject, class Clock, class Call>
void expect_times_out_not_before(typename Clock::time_point at, Call call, const char* label) {
  SCOPED_TRACE(label);
  subject_object<Subject> object;
  EXPECT_FALSE(call(object));
  const auto now = Clock::now();
  EXPECT_GE(now, at) << "timed out early by "
                     << std::chrono::duration_cast<std::chrono::nanoseconds>(at - now).count()
                     << " ns";
}

struct blocking_case {
  std::string label;
  std::function<bool(void*)> wait;  // called with the object's address
};

template <class Subject>
void expect_each_blocks_until_ready(const std::vector<blocking_case>& cases) {
  using object = subject_object<Subject>;
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
      results[i].store(cases[i].wait(&objects[i]) ? 1 : 0);
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
void expect_timeout_table() {
  using namespace std::chrono_literals;
  using object = subject_object<Subject>;
  using steady = std::chrono::steady_clock;
  using system = std::chrono::system_clock;
  using other = offset_steady_clock;
  watchdog guard("a timed wait of the timeout table hung", std::chrono::seconds(60));

  // Variadic: an argument like duration<double, std::milli>(1.5) holds a comma.
#define FUTON_FOR(...) \
  [&](object& o) { return Subject::wait_for(o, __VA_ARGS__); }, "wait_for(" #__VA_ARGS__ ")"
#define FUTON_UNTIL(...) \
  [&](object& o) { return Subject::wait_until(o, __VA_ARGS__); }, "wait_until(" #__VA_ARGS__ ")"

  // Zero, negative, NaN, past: false at once.
  expect_false_at_once<Subject>(FUTON_FOR(0ns));
  expect_false_at_once<Subject>(FUTON_FOR(0s));
  expect_false_at_once<Subject>(FUTON_FOR(-1ns));
  expect_false_at_once<Subject>(FUTON_FOR(-1h));
  expect_false_at_once<Subject>(FUTON_FOR(std::chrono::nanoseconds::min()));
  expect_false_at_once<Subject>(FUTON_FOR(std::chrono::hours::min()));
  expect_false_at_once<Subject>(FUTON_FOR(std::chrono::duration<double>(0.0)));
  expect_false_at_once<Subject>(FUTON_FOR(std::chrono::duration<double, std::milli>(-1.5)));
  expect_false_at_once<Subject>(
      FUTON_FOR(std::chrono::duration<double>(std::numeric_limits<double>::quiet_NaN())));
  expect_false_at_once<Subject>(FUTON_FOR(-std::chrono::duration<double>::max()));
  expect_false_at_once<Subject>(FUTON_UNTIL(steady::now() - 1ms));
  expect_false_at_once<Subject>(FUTON_UNTIL(system::now() - 1s));
  expect_false_at_once<Subject>(FUTON_UNTIL(steady::time_point{}));
  expect_false_at_once<Subject>(FUTON_UNTIL(system::time_point{}));
  expect_false_at_once<Subject>(FUTON_UNTIL(steady::time_point::min()));
  expect_false_at_once<Subject>(FUTON_UNTIL(system::time_point::min()));
  expect_false_at_once<Subject>(FUTON_UNTIL(other::now() - 1s));
  expect_false_at_once<Subject>(FUTON_UNTIL(other::time_point::min()));

  // 1 ns, and 20 ms on every kind of clock: false, never early (strictly).
  {
    const auto start = steady::now();
    expect_times_out_not_before<Subject, steady>(start + 1ns, FUTON_FOR(1ns));
  }
  {
    const auto start = steady::now();
    expect_times_out_not_before<Subject, steady>(start + 20ms, FUTON_FOR(20ms));
  }
  {
    const auto start = steady::now();
    expect_times_out_not_before<Subject, steady>(
        start + 20ms, FUTON_FOR(std::chrono::duration<double, std::milli>(20.0)));
  }
  {
    const auto deadline = steady::now() + 20ms;
    expect_times_out_not_before<Subject, steady>(deadline, FUTON_UNTIL(deadline));
  }
  {
    const auto deadline = system::now() + 20ms;
    expect_times_out_not_before<Subject, system>(deadline, FUTON_UNTIL(deadline));
  }
  {
    const auto deadline = other::now() + 20ms;
    expect_times_out_not_before<Subject, other>(deadline, FUTON_UNTIL(deadline));
  }

  // Huge: blocks until made ready, then true.
#define FUTON_BLOCKING_FOR(...)                                                          \
  blocking_case {                                                                        \
    "wait_for(" #__VA_ARGS__ ")",                                                        \
        [](void* o) { return Subject::wait_for(*static_cast<object*>(o), __VA_ARGS__); } \
  }
#define FUTON_BLOCKING_UNTIL(...)                                                          \
  blocking_case {                                                                          \
    "wait_until(" #__VA_ARGS__ ")",                                                        \
        [](void* o) { return Subject::wait_until(*static_cast<object*>(o), __VA_ARGS__); } \
  }
  expect_each_blocks_until_ready<Subject>({
      FUTON_BLOCKING_FOR(std::chrono::nanoseconds::max()),
      FUTON_BLOCKING_FOR(std::chrono::hours::max()),
      FUTON_BLOCKING_FOR(std::chrono::duration<double>::max()),
      FUTON_BLOCKING_FOR(std::chrono::duration<double>(std::numeric_limits<double>::infinity())),
      FUTON_BLOCKING_UNTIL(steady::time_point::max()),
      FUTON_BLOCKING_UNTIL(system::time_point::max()),
      FUTON_BLOCKING_UNTIL(other::time_point::max()),
  });
#undef FUTON_BLOCKING_FOR
#undef FUTON_BLOCKING_UNTIL

  // Ready: true, whatever the timeout.
  expect_true_when_ready<Subject>(FUTON_FOR(0ns));
  expect_true_when_ready<Subject>(FUTON_FOR(-1h));
  expect_true_when_ready<Subject>(FUTON_FOR(std::chrono::nanoseconds::max()));
  expect_true_when_ready<Subject>(FUTON_UNTIL(steady::time_point::min()));
  expect_true_when_ready<Subject>(FUTON_UNTIL(system::now() - 1s));
  expect_true_when_ready<Subject>(FUTON_UNTIL(other::now() - 1s));

#undef FUTON_FOR
#undef FUTON_UNTIL
}

// Waits until the threads whose ids `ids()` lists are asleep; a readable assertion helper.
template <class Ids>
::testing::AssertionResult asleep(Ids ids) {
  if (wait_until_asleep(ids)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "threads did not fall asleep";
}

}  // namespace futon::testing

namespace futon::testing {

// ---- A hook inside a wake --------------------------------------------------------------------

// hooked_backend<B>: forwards to B, but the next wake (on any thread) runs the hook the test
// armed, once, just before or just after the wake itself. A test uses it to make something
// happen at an exact point: between a primitive's releasing step and its wake (another thread
// locks, unlocks and destroys the object; a new waiter registers), or right after the wake,
// deterministically rather than by luck. `runs` counts the hooks run.
enum class hook_point : std::uint8_t { before_wake, after_wake };

template <class Backend>
struct hooked_backend {
  static constexpr const char* name = Backend::name;

  static inline std::function<void()> hook;
  static inline hook_point when = hook_point::before_wake;
  static inline std::atomic<bool> armed{false};
  static inline std::atomic<int> runs{0};

  static void arm(hook_point at, std::function<void()> h) {
    hook = std::move(h);
    when = at;
    armed.store(true);  // seq_cst: publishes `hook` and `when` to the thread that runs it
  }

  static void wait(const futex_word& word, std::uint32_t expected) noexcept {
    Backend::wait(word, expected);
  }
  static bool wait_until(const futex_word& word, std::uint32_t expected,
                         const detail::deadline& limit) noexcept {
    return Backend::wait_until(word, expected, limit);
  }
  static std::size_t wake(const futex_word& word, std::size_t count) noexcept {
    if (!armed.exchange(false)) return Backend::wake(word, count);  // seq_cst: pairs with arm()
    const std::function<void()> h = std::move(hook);
    hook = nullptr;
    if (when == hook_point::before_wake) h();
    const std::size_t woken = Backend::wake(word, count);
    if (when == hook_point::after_wake) h();
    runs.fetch_add(1);
    return woken;
  }
  static std::optional<requeue_result> requeue(const futex_word& from, std::uint32_t expected,
                                               const futex_word& to, std::size_t wake_count,
                                               std::size_t requeue_count) noexcept {
    return Backend::requeue(from, expected, to, wake_count, requeue_count);
  }
};

}  // namespace futon::testing
