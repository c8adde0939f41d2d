// SPDX-License-Identifier: BSL-1.0
// detail::deadline: the one internal form of every timeout. Pure value logic over the clocks, so
// plain TESTs (no backend involved).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <futon/detail/deadline.hpp>
#include <limits>
#include <thread>

namespace {

using namespace std::chrono_literals;
using futon::detail::deadline;
using futon::detail::deadline_clock;
using steady = std::chrono::steady_clock;
using system_clock = std::chrono::system_clock;
constexpr std::int64_t ns_max = std::numeric_limits<std::int64_t>::max();

std::int64_t ns_of(steady::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}
std::int64_t ns_of(system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

TEST(Deadline, NeverNeverPasses) {
  constexpr deadline never = deadline::never();
  static_assert(never.is_never());
  EXPECT_TRUE(never.is_never());
  EXPECT_FALSE(never.has_passed());
  EXPECT_EQ(never.remaining_ns(), ns_max);
  EXPECT_EQ(never.ns_since_epoch(), ns_max);
}

TEST(Deadline, ZeroAndNegativeTimeoutsHaveAlreadyPassed) {
  for (const deadline d :
       {deadline::after(0ns), deadline::after(-1ns), deadline::after(-1h),
        deadline::after(std::chrono::nanoseconds::min()),
        deadline::after(std::chrono::seconds::min()),
        deadline::after(std::chrono::duration<double>(-1.5)),
        deadline::after(std::chrono::duration<double>(0.0)),
        deadline::after(std::chrono::duration<double>(std::numeric_limits<double>::quiet_NaN())),
        deadline::after(std::chrono::duration<double>(-std::numeric_limits<double>::infinity())),
        deadline::after(std::chrono::duration<std::int64_t, std::pico>(-1)),
        deadline::after(std::chrono::duration<std::int8_t>(-128))}) {
    EXPECT_FALSE(d.is_never());
    EXPECT_TRUE(d.has_passed());
    EXPECT_EQ(d.remaining_ns(), 0);
    EXPECT_EQ(d.clock(), deadline_clock::steady);
  }
}

TEST(Deadline, HugeTimeoutsAreNever) {
  for (const deadline d :
       {deadline::after(std::chrono::nanoseconds::max()),
        deadline::after(std::chrono::nanoseconds::max() - 1ns),  // saturates once "now" is added
        deadline::after(std::chrono::seconds::max()), deadline::after(std::chrono::hours::max()),
        deadline::after(std::chrono::duration<std::uint64_t, std::milli>(
            std::numeric_limits<std::uint64_t>::max())),
        deadline::after(std::chrono::duration<double>(std::numeric_limits<double>::infinity())),
        deadline::after(std::chrono::duration<double>(1e300)),
        deadline::at(steady::time_point::max()), deadline::at(system_clock::time_point::max()),
        deadline::at(std::chrono::time_point<steady, std::chrono::seconds>::max()),
        deadline::at(std::chrono::time_point<system_clock, std::chrono::hours>::max())}) {
    EXPECT_TRUE(d.is_never());
    EXPECT_FALSE(d.has_passed());
    EXPECT_EQ(d.remaining_ns(), ns_max);
  }
}

TEST(Deadline, AfterIsNowPlusTheTimeoutOnSteady) {
  const auto before = steady::now();
  const deadline d = deadline::after(1h);
  const auto after = steady::now();
  EXPECT_EQ(d.clock(), deadline_clock::steady);
  EXPECT_FALSE(d.is_never());
  EXPECT_FALSE(d.has_passed());
  EXPECT_GE(d.ns_since_epoch(), ns_of(before + 1h));
  EXPECT_LE(d.ns_since_epoch(), ns_of(after + 1h));
  EXPECT_GT(d.remaining_ns(), 0);
  EXPECT_LE(d.remaining_ns(), 3'600'000'000'000);
  // Sub-nanosecond timeouts still lie in the future (rounded up), never "now".
  const auto start = steady::now();
  const deadline tiny = deadline::after(std::chrono::duration<std::int64_t, std::pico>(1));
  EXPECT_GT(tiny.ns_since_epoch(), ns_of(start));
}

TEST(Deadline, ShortDeadlinePassesAfterItsTime) {
  const deadline d = deadline::after(2ms);
  std::this_thread::sleep_for(3ms);  // sleeps at least that long
  EXPECT_TRUE(d.has_passed());
  EXPECT_EQ(d.remaining_ns(), 0);
}

TEST(Deadline, SteadyTimePointsKeepTheSteadyClock) {
  const auto now = steady::now();
  const deadline future = deadline::at(now + 1h);
  EXPECT_EQ(future.clock(), deadline_clock::steady);
  EXPECT_EQ(future.ns_since_epoch(), ns_of(now + 1h));
  EXPECT_FALSE(future.has_passed());

  for (const deadline d :
       {deadline::at(now - 1ns), deadline::at(steady::time_point{}),
        deadline::at(steady::time_point{-1h}), deadline::at(steady::time_point::min()),
        deadline::at(std::chrono::time_point<steady, std::chrono::seconds>::min())}) {
    EXPECT_EQ(d.clock(), deadline_clock::steady);
    EXPECT_FALSE(d.is_never());
    EXPECT_TRUE(d.has_passed());
    EXPECT_EQ(d.remaining_ns(), 0);
  }
  EXPECT_EQ(deadline::at(steady::time_point{-1h}).ns_since_epoch(), -3'600'000'000'000);
}

TEST(Deadline, SystemTimePointsKeepTheSystemClock) {
  const auto now = system_clock::now();
  const deadline future = deadline::at(now + 1h);
  EXPECT_EQ(future.clock(), deadline_clock::system);
  EXPECT_EQ(future.ns_since_epoch(), ns_of(now + 1h));
  EXPECT_FALSE(future.has_passed());
  EXPECT_GT(future.remaining_ns(), 0);
  EXPECT_LE(future.remaining_ns(), 3'600'000'000'000);

  // Before the epoch (1970) and the very beginning of time: passed, and kept on the system clock.
  for (const deadline d : {deadline::at(now - 1s), deadline::at(system_clock::time_point{}),
                           deadline::at(system_clock::time_point{-1h}),
                           deadline::at(system_clock::time_point::min())}) {
    EXPECT_EQ(d.clock(), deadline_clock::system);
    EXPECT_FALSE(d.is_never());
    EXPECT_TRUE(d.has_passed());
    EXPECT_EQ(d.remaining_ns(), 0);
  }
  EXPECT_EQ(deadline::at(system_clock::time_point{-1h}).ns_since_epoch(), -3'600'000'000'000);
}

TEST(Deadline, TimePointsWithSubNanosecondTicksRoundUp) {
  using pico_point =
      std::chrono::time_point<steady, std::chrono::duration<std::int64_t, std::pico>>;
  EXPECT_EQ(deadline::at(pico_point(std::chrono::duration<std::int64_t, std::pico>(1001)))
                .ns_since_epoch(),
            2);
  EXPECT_EQ(deadline::at(pico_point(std::chrono::duration<std::int64_t, std::pico>(-1001)))
                .ns_since_epoch(),
            -1);
}

TEST(Deadline, NowFollowsTheClocks) {
  const auto steady_before = ns_of(steady::now());
  const auto steady_now = deadline::now_ns(deadline_clock::steady);
  const auto steady_after = ns_of(steady::now());
  EXPECT_LE(steady_before, steady_now);
  EXPECT_LE(steady_now, steady_after);
  const auto system_before = ns_of(system_clock::now());
  const auto system_now = deadline::now_ns(deadline_clock::system);
  EXPECT_LE(system_before, system_now);
  EXPECT_LE(system_now, ns_of(system_clock::now()) + 1'000'000'000);  // allow a wall-clock step
}

}  // namespace
