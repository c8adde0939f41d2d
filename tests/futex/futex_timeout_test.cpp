// SPDX-License-Identifier: BSL-1.0
// Timeouts, for every backend: any duration and any clock is accepted. Zero, negative and NaN
// timeouts and past deadlines return false at once; small ones return false never early (checked
// strictly, by the clock in question); huge ones (duration::max(), time_point::max(), ~292 years
// and beyond) wait until woken; clocks the OS cannot wait on are re-checked against themselves.
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <ratio>
#include <string>
#include <thread>
#include <vector>

#include "backends.hpp"
#include "test_support.hpp"
#include "timeout_table.hpp"

namespace {

using namespace std::chrono_literals;
using futon::futex_word;
using futon::testing::not_early;
using futon::testing::test_clock;
using futon::testing::watchdog;
using std::chrono::duration;
using steady = std::chrono::steady_clock;
using system_clock = std::chrono::system_clock;

template <class Backend>
class FutexTimeout : public futon::testing::futex_test<Backend> {};
TYPED_TEST_SUITE(FutexTimeout, futon::testing::all_backends, futon::testing::backend_name);

// ---- Clocks the OS cannot wait on ----------------------------------------------------------

// steady_clock moved by a fixed offset (timeout_table.hpp), ahead or behind.
using futon::testing::offset_clock;
using ahead_clock = offset_clock<1'000'000>;    // ~114 years ahead of steady
using behind_clock = offset_clock<-1'000'000>;  // negative readings

// A clock that runs at half the speed of steady_clock: a wait for 50 ms of it takes 100 ms.
struct half_speed_clock : futon::testing::nanosecond_steady_clock<half_speed_clock> {
  static time_point now() noexcept { return time_point(steady::now().time_since_epoch() / 2); }
};

// A clock that only moves when the test says so.
struct manual_clock : futon::testing::nanosecond_steady_clock<manual_clock> {
  static inline std::atomic<std::int64_t> ticks{0};
  static time_point now() noexcept { return time_point(duration(ticks.load())); }
  static void set(duration d) noexcept { ticks.store(d.count()); }
};

static_assert(ahead_clock::is_steady && half_speed_clock::is_steady && manual_clock::is_steady);

// ---- Helpers -------------------------------------------------------------------------------

// wait_for(d) on an unchanged word returns false at once.
template <class Futex, class Rep, class Period>
void expect_false_at_once(const duration<Rep, Period>& d, const char* label) {
  SCOPED_TRACE(label);
  const futex_word word{0};
  const auto start = test_clock::now();
  EXPECT_FALSE(Futex::wait_for(word, 0, d));
  EXPECT_LT(test_clock::now() - start, 2s) << "should not block at all";
}

// wait_until(t) on an unchanged word returns false at once.
template <class Futex, class Clock, class Duration>
void expect_false_at_once(const std::chrono::time_point<Clock, Duration>& t, const char* label) {
  SCOPED_TRACE(label);
  const futex_word word{0};
  const auto start = test_clock::now();
  EXPECT_FALSE(Futex::wait_until(word, 0, t));
  EXPECT_LT(test_clock::now() - start, 2s) << "should not block at all";
}

// wait_for(d) on an unchanged word returns false, and not before d has elapsed on steady_clock.
template <class Futex, class Rep, class Period>
void expect_times_out_not_early(const duration<Rep, Period>& d, const char* label) {
  SCOPED_TRACE(label);
  const futex_word word{0};
  const auto start = test_clock::now();
  const bool woken = Futex::wait_for(word, 0, d);
  const auto elapsed = test_clock::now() - start;
  EXPECT_FALSE(woken);
  EXPECT_TRUE(not_early(elapsed, d))
      << "timed out early: after " << std::chrono::nanoseconds(elapsed).count() << " ns";
}

#define EXPECT_FALSE_AT_ONCE(value) expect_false_at_once<futex>(value, #value)
#define EXPECT_TIMES_OUT_NOT_EARLY(value) expect_times_out_not_early<futex>(value, #value)

// A wait that must block until woken, however long its timeout reads.
struct forever_case {
  std::string label;
  std::function<bool(const futex_word&)> wait;  // the wait call; true = woken
};

template <class Futex, class Rep, class Period>
forever_case wait_for_case(duration<Rep, Period> d, const char* label) {
  return {label, [d](const futex_word& w) { return Futex::wait_for(w, 0, d); }};
}
template <class Futex, class Clock, class Duration>
forever_case wait_until_case(std::chrono::time_point<Clock, Duration> t, const char* label) {
  return {label, [t](const futex_word& w) { return Futex::wait_until(w, 0, t); }};
}
#define FOR_CASE(value) wait_for_case<futex>(value, #value)
#define UNTIL_CASE(value) wait_until_case<futex>(value, #value)

// Runs every case at once, each on its own word: after they are all asleep and another 100 ms
// has gone by, none may have returned; then each is woken by a single wake, which must count it,
// and it must return true.
template <class Futex>
void expect_each_waits_until_woken(const std::vector<forever_case>& cases) {
  const std::size_t n = cases.size();
  const std::unique_ptr<futex_word[]> words(new futex_word[n]);
  for (std::size_t i = 0; i < n; ++i)
    words[i].store(0);
  const std::unique_ptr<std::atomic<int>[]> results(new std::atomic<int>[n]);  // -1: not returned
  const std::unique_ptr<std::atomic<futon::testing::os_thread_id>[]> ids(
      new std::atomic<futon::testing::os_thread_id>[n]);
  std::atomic<std::size_t> started{0};
  for (std::size_t i = 0; i < n; ++i)
    results[i].store(-1);
  {
    futon::testing::thread_group threads;
    for (std::size_t i = 0; i < n; ++i) {
      threads.spawn([&, i] {
        ids[i].store(futon::testing::current_os_thread_id());
        started.fetch_add(1);
        results[i].store(cases[i].wait(words[i]) ? 1 : 0);
      });
    }
    ASSERT_TRUE(futon::testing::eventually([&] { return started.load() == n; }));
    EXPECT_TRUE(futon::testing::wait_until_asleep([&] {
      std::vector<futon::testing::os_thread_id> asleep;
      for (std::size_t i = 0; i < n; ++i) {
        if (results[i].load() == -1) asleep.push_back(ids[i].load());
      }
      return asleep;
    }));
    std::this_thread::sleep_for(100ms);
    for (std::size_t i = 0; i < n; ++i) {
      EXPECT_EQ(results[i].load(), -1) << cases[i].label << " returned before any wake";
    }
    for (std::size_t i = 0; i < n; ++i) {
      if (results[i].load() != -1) continue;
      // One wake, retried only while it finds nobody (it cannot: the waiter is asleep), so the
      // waiter is counted exactly once.
      const bool counted =
          futon::testing::eventually([&] { return Futex::wake(words[i], 1) == 1; });
      EXPECT_TRUE(counted) << cases[i].label << ": no wake found the waiter";
      EXPECT_TRUE(futon::testing::eventually([&] { return results[i].load() != -1; }))
          << cases[i].label << ": did not return after its wake";
      EXPECT_EQ(results[i].load(), 1)
          << cases[i].label << ": counted by a wake, yet returned false";
    }
    // Release anything still blocked (only after a failure above) before joining.
    futon::testing::eventually([&] {
      bool all = true;
      for (std::size_t i = 0; i < n; ++i) {
        if (results[i].load() == -1) {
          Futex::wake_all(words[i]);
          all = false;
        }
      }
      return all;
    });
  }
}

// ---- The timeout table ------------------------------------------------------------------------

// The table every primitive's timed members pass (timeout_table.hpp), through the futex: an
// unchanged word is "not ready"; a changed and woken one is "ready" (the value check comes
// first). The lists below add what the futex's conversion of a timeout must survive beyond it:
// every representation, clock and limit, with exact wake counts.
template <class Futex>
struct futex_wait_subject {
  struct object {
    futex_word word{0};
  };
  template <class Rep, class Period>
  static bool wait_for(object& o, const duration<Rep, Period>& timeout) {
    return Futex::wait_for(o.word, 0, timeout);
  }
  template <class Clock, class Duration>
  static bool wait_until(object& o, const std::chrono::time_point<Clock, Duration>& deadline) {
    return Futex::wait_until(o.word, 0, deadline);
  }
  static void make_ready(object& o) {
    o.word.store(1);
    Futex::wake_all(o.word);
  }
};

TYPED_TEST(FutexTimeout, TimeoutTable) {
  futon::testing::expect_timeout_table<futex_wait_subject<typename TestFixture::futex>>();
}

// ---- wait_for -------------------------------------------------------------------------------

TYPED_TEST(FutexTimeout, WaitForZeroNegativeAndNaNReturnFalseAtOnce) {
  using futex = typename TestFixture::futex;
  watchdog guard("a zero or negative wait_for blocked");
  EXPECT_FALSE_AT_ONCE(std::chrono::seconds::min());
  EXPECT_FALSE_AT_ONCE((duration<std::int64_t, std::ratio<31556952>>::min()));
  EXPECT_FALSE_AT_ONCE((duration<std::int64_t, std::pico>(-1)));
  EXPECT_FALSE_AT_ONCE((duration<std::int64_t, std::pico>(0)));
  EXPECT_FALSE_AT_ONCE(duration<std::int8_t>(0));
  EXPECT_FALSE_AT_ONCE((duration<std::uint64_t, std::milli>(0)));
  EXPECT_FALSE_AT_ONCE(duration<double>(-0.0));
  EXPECT_FALSE_AT_ONCE(duration<double>(-1e300));
  EXPECT_FALSE_AT_ONCE(duration<double>(-std::numeric_limits<double>::infinity()));
  EXPECT_FALSE_AT_ONCE((duration<float, std::milli>(std::numeric_limits<float>::quiet_NaN())));
  EXPECT_FALSE_AT_ONCE((duration<long double, std::nano>(-9223372036854775807.5L)));
}

TYPED_TEST(FutexTimeout, WaitForSmallTimeoutsReturnFalseNeverEarly) {
  using futex = typename TestFixture::futex;
  watchdog guard("a small wait_for blocked");
  EXPECT_TIMES_OUT_NOT_EARLY(999ns);
  EXPECT_TIMES_OUT_NOT_EARLY(1us);
  EXPECT_TIMES_OUT_NOT_EARLY(10ms);
  EXPECT_TIMES_OUT_NOT_EARLY(25ms);
  EXPECT_TIMES_OUT_NOT_EARLY((duration<std::int64_t, std::pico>(1)));
  EXPECT_TIMES_OUT_NOT_EARLY((duration<std::int64_t, std::pico>(1'500'000'001)));  // 1.5 ms + 1 ps
  EXPECT_TIMES_OUT_NOT_EARLY((duration<std::int8_t, std::milli>(5)));
  EXPECT_TIMES_OUT_NOT_EARLY((duration<std::int8_t, std::micro>(127)));
  EXPECT_TIMES_OUT_NOT_EARLY((duration<std::uint8_t, std::milli>(3)));
  EXPECT_TIMES_OUT_NOT_EARLY((duration<std::uint32_t, std::micro>(1500)));
  EXPECT_TIMES_OUT_NOT_EARLY((duration<std::uint64_t, std::milli>(2)));
  EXPECT_TIMES_OUT_NOT_EARLY((duration<std::int64_t, std::ratio<1, 90>>(1)));
  EXPECT_TIMES_OUT_NOT_EARLY((duration<std::int64_t, std::ratio<1, 300>>(1)));
  EXPECT_TIMES_OUT_NOT_EARLY(duration<double>(0.001));
  EXPECT_TIMES_OUT_NOT_EARLY(duration<double>(1e-12));
  EXPECT_TIMES_OUT_NOT_EARLY((duration<double, std::milli>(12.345)));
  EXPECT_TIMES_OUT_NOT_EARLY((duration<float, std::milli>(2.5f)));
  EXPECT_TIMES_OUT_NOT_EARLY((duration<long double, std::micro>(1234.5678L)));
}

TYPED_TEST(FutexTimeout, WaitForHugeTimeoutsWaitUntilWoken) {
  using futex = typename TestFixture::futex;
  watchdog guard("a huge wait_for was never woken");
  constexpr auto u64_max = std::numeric_limits<std::uint64_t>::max();
  constexpr auto i64_max = std::numeric_limits<std::int64_t>::max();
  expect_each_waits_until_woken<futex>({
      FOR_CASE(std::chrono::nanoseconds(i64_max)),
      FOR_CASE(std::chrono::nanoseconds(i64_max - 1)),
      FOR_CASE((duration<std::int64_t, std::ratio<31556952>>::max())),
      FOR_CASE((duration<std::int64_t, std::ratio<31556952>>(300))),
      FOR_CASE((duration<std::int64_t, std::pico>::max())),  // 106 days: long, but not forever
      FOR_CASE(std::chrono::microseconds(std::int64_t{1} << 32)),
      FOR_CASE((duration<std::uint32_t, std::milli>(UINT32_MAX))),
      FOR_CASE((duration<std::uint32_t, std::micro>(UINT32_MAX))),
      FOR_CASE((duration<std::uint64_t, std::milli>(std::uint64_t{1} << 63))),
      FOR_CASE((duration<std::uint64_t, std::nano>(u64_max))),
      FOR_CASE(duration<std::int8_t>(127)),
      FOR_CASE((duration<std::int8_t, std::ratio<86400 * 365>>(127))),
      FOR_CASE((duration<double, std::nano>(9223372036854775808.0))),
      // 2^63 - 0.5 ns: exactly representable in x86's long double, just below the int64 limit.
      FOR_CASE((duration<long double, std::nano>(9223372036854775807.5L))),
      FOR_CASE(24h),
  });
}

// ---- wait_until on the clocks the OS waits on -----------------------------------------------

TYPED_TEST(FutexTimeout, WaitUntilPastDeadlinesReturnFalseAtOnce) {
  using futex = typename TestFixture::futex;
  watchdog guard("a wait_until with a past deadline blocked");
  const auto steady_now = steady::now();
  const auto system_now = system_clock::now();
  EXPECT_FALSE_AT_ONCE(steady_now);
  EXPECT_FALSE_AT_ONCE(steady_now - 1ns);
  EXPECT_FALSE_AT_ONCE(steady::time_point{-1h});
  EXPECT_FALSE_AT_ONCE((std::chrono::time_point<steady, std::chrono::seconds>::min()));
  EXPECT_FALSE_AT_ONCE((std::chrono::time_point<steady, duration<double>>(duration<double>(-1.0))));
  EXPECT_FALSE_AT_ONCE(system_now);
  EXPECT_FALSE_AT_ONCE(system_now - 1ns);
  EXPECT_FALSE_AT_ONCE((std::chrono::time_point<system_clock, std::chrono::hours>::min()));
}

TYPED_TEST(FutexTimeout, WaitUntilSteadyDeadlineNeverEarly) {
  using futex = typename TestFixture::futex;
  watchdog guard("a steady wait_until blocked");
  const futex_word word{0};
  const auto deadline = steady::now() + 10ms;
  EXPECT_FALSE(futex::wait_until(word, 0, deadline));
  EXPECT_GE(steady::now(), deadline) << "returned before its steady_clock deadline";
  // The same with a coarser and a finer time_point type.
  const auto coarse = std::chrono::ceil<std::chrono::microseconds>(steady::now() + 5ms);
  EXPECT_FALSE(futex::wait_until(word, 0, coarse));
  EXPECT_GE(steady::now(), coarse);
  using pico_point = std::chrono::time_point<steady, duration<std::int64_t, std::pico>>;
  const pico_point fine = std::chrono::time_point_cast<pico_point::duration>(steady::now()) +
                          duration<std::int64_t, std::pico>(5'000'000'001);
  EXPECT_FALSE(futex::wait_until(word, 0, fine));
  EXPECT_GE(std::chrono::time_point_cast<pico_point::duration>(steady::now()), fine);
}

TYPED_TEST(FutexTimeout, WaitUntilSystemDeadlineNeverEarly) {
  using futex = typename TestFixture::futex;
  watchdog guard("a system_clock wait_until blocked");
  const futex_word word{0};
  const auto deadline = system_clock::now() + 10ms;
  EXPECT_FALSE(futex::wait_until(word, 0, deadline));
  EXPECT_GE(system_clock::now(), deadline) << "returned before its system_clock deadline";
}

TYPED_TEST(FutexTimeout, WaitUntilMaxDeadlinesWaitUntilWoken) {
  using futex = typename TestFixture::futex;
  watchdog guard("a time_point::max() wait_until was never woken");
  expect_each_waits_until_woken<futex>({
      UNTIL_CASE((std::chrono::time_point<steady, std::chrono::seconds>::max())),
      UNTIL_CASE((std::chrono::time_point<system_clock, std::chrono::hours>::max())),
      UNTIL_CASE((std::chrono::time_point<steady, duration<double>>(
          duration<double>(std::numeric_limits<double>::infinity())))),
      UNTIL_CASE(steady::now() + 24h),
      UNTIL_CASE(system_clock::now() + 24h),
      UNTIL_CASE(behind_clock::time_point::max()),
      UNTIL_CASE(half_speed_clock::time_point::max()),
      UNTIL_CASE(ahead_clock::now() + 24h),
  });
}

// ---- wait_until on clocks the OS cannot wait on ---------------------------------------------

TYPED_TEST(FutexTimeout, OtherClocksPastDeadlinesReturnFalseAtOnce) {
  using futex = typename TestFixture::futex;
  watchdog guard("a past deadline on another clock blocked");
  EXPECT_FALSE_AT_ONCE(ahead_clock::now());
  EXPECT_FALSE_AT_ONCE(ahead_clock::now() - 1h);
  EXPECT_FALSE_AT_ONCE(behind_clock::now() - 1ns);
  EXPECT_FALSE_AT_ONCE(behind_clock::time_point::min());
  EXPECT_FALSE_AT_ONCE(half_speed_clock::time_point{});
  manual_clock::set(1h);
  EXPECT_FALSE_AT_ONCE(manual_clock::time_point{1h});
  EXPECT_FALSE_AT_ONCE(manual_clock::time_point{});
  EXPECT_FALSE_AT_ONCE(manual_clock::time_point::min());
  // Mismatch first, on other clocks too.
  const futex_word word{1};
  EXPECT_TRUE(futex::wait_until(word, 0, ahead_clock::time_point::min()));
  EXPECT_TRUE(futex::wait_until(word, 0, manual_clock::time_point::max()));
}

TYPED_TEST(FutexTimeout, OffsetClockDeadlineNeverEarlyByItsOwnReading) {
  using futex = typename TestFixture::futex;
  watchdog guard("an offset-clock wait_until blocked");
  const futex_word word{0};
  const auto ahead = ahead_clock::now() + 10ms;
  EXPECT_FALSE(futex::wait_until(word, 0, ahead));
  EXPECT_GE(ahead_clock::now(), ahead);
  const auto behind = behind_clock::now() + 10ms;
  EXPECT_FALSE(futex::wait_until(word, 0, behind));
  EXPECT_GE(behind_clock::now(), behind);
}

// 50 ms of a half-speed clock is 100 ms of steady_clock: a wait that trusted the first steady
// timeout would return after 50 ms, before the clock reached the deadline.
TYPED_TEST(FutexTimeout, SlowClockIsRecheckedAgainstItself) {
  using futex = typename TestFixture::futex;
  watchdog guard("a half-speed-clock wait_until blocked");
  const futex_word word{0};
  const auto steady_start = steady::now();
  const auto deadline = half_speed_clock::now() + 50ms;
  EXPECT_FALSE(futex::wait_until(word, 0, deadline));
  EXPECT_GE(half_speed_clock::now(), deadline) << "returned before the clock's own deadline";
  // half_speed_clock floors steady/2, so its 50 ms can take 1 ns less than 100 ms of steady.
  EXPECT_GE(steady::now() - steady_start, 100ms - 2ns);
}

// A clock that stands still: steady time passes, yet the wait must not time out until the clock
// itself reaches the deadline (advanced by the test from here), and then it must.
TYPED_TEST(FutexTimeout, ManualClockTimesOutOnlyOnceItReachesTheDeadline) {
  using futex = typename TestFixture::futex;
  watchdog guard("a manual-clock wait_until never timed out after the clock passed its deadline");
  manual_clock::set(0ns);
  const auto deadline = manual_clock::time_point{100ms};
  const futex_word word{0};
  std::atomic<bool> clock_reached_deadline{false};
  std::atomic<int> result{-1};
  std::atomic<bool> returned_after_clock_reached{false};
  std::thread waiter([&] {
    const bool woken = futex::wait_until(word, 0, deadline);
    returned_after_clock_reached.store(clock_reached_deadline.load() &&
                                       manual_clock::now() >= deadline);
    result.store(woken ? 1 : 0);
  });
  std::this_thread::sleep_for(250ms);  // more than the deadline's worth of steady time
  EXPECT_EQ(result.load(), -1) << "timed out though the manual clock had not moved";
  manual_clock::set(50ms);  // moving, but not there yet
  std::this_thread::sleep_for(250ms);
  EXPECT_EQ(result.load(), -1) << "timed out though the manual clock was only half way";
  clock_reached_deadline.store(true);
  manual_clock::set(100ms);
  const bool returned = futon::testing::eventually([&] { return result.load() != -1; });
  if (!returned) futex::wake_all(word);  // only after a failure: unblock before joining
  waiter.join();
  EXPECT_TRUE(returned) << "did not time out once the manual clock reached the deadline";
  EXPECT_EQ(result.load(), 0) << "nobody woke it: it must report a timeout";
  EXPECT_TRUE(returned_after_clock_reached.load());
}

TYPED_TEST(FutexTimeout, ManualClockWaiterWokenReturnsTrue) {
  using futex = typename TestFixture::futex;
  watchdog guard("a manual-clock waiter was never woken");
  manual_clock::set(0ns);
  expect_each_waits_until_woken<futex>({
      UNTIL_CASE(manual_clock::time_point{1h}),
      UNTIL_CASE(manual_clock::time_point::max()),
  });
}

}  // namespace
