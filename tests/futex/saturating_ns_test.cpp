// SPDX-License-Identifier: BSL-1.0
// detail::saturating_ceil_ns and friends: any duration to int64 nanoseconds, rounded up (a
// timeout never fires early) and clamped (nothing overflows). Pure functions, so plain TESTs.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <futon/detail/saturating_ns.hpp>
#include <limits>
#include <ratio>

namespace {

using futon::detail::saturating_add;
using futon::detail::saturating_ceil_ns;
using futon::detail::saturating_sub;
using std::chrono::duration;

constexpr std::int64_t max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t min = std::numeric_limits<std::int64_t>::min();
using picoseconds = duration<std::int64_t, std::pico>;
using years = duration<std::int64_t, std::ratio<31556952>>;
using thirds = duration<std::int64_t, std::ratio<1, 3>>;  // 333333333.3... ns per tick

// A few are also checked at compile time: the conversion is constexpr.
static_assert(saturating_ceil_ns(std::chrono::seconds(1)) == 1'000'000'000);
static_assert(saturating_ceil_ns(picoseconds(1)) == 1);
static_assert(saturating_ceil_ns(std::chrono::hours::max()) == max);

TEST(SaturatingCeilNs, ExactIntegerConversions) {
  EXPECT_EQ(saturating_ceil_ns(std::chrono::nanoseconds(0)), 0);
  EXPECT_EQ(saturating_ceil_ns(std::chrono::nanoseconds(1)), 1);
  EXPECT_EQ(saturating_ceil_ns(std::chrono::nanoseconds(-1)), -1);
  EXPECT_EQ(saturating_ceil_ns(std::chrono::nanoseconds(999)), 999);
  EXPECT_EQ(saturating_ceil_ns(std::chrono::microseconds(1)), 1'000);
  EXPECT_EQ(saturating_ceil_ns(std::chrono::milliseconds(-5)), -5'000'000);
  EXPECT_EQ(saturating_ceil_ns(std::chrono::seconds(-3)), -3'000'000'000);
  EXPECT_EQ(saturating_ceil_ns(std::chrono::hours(1)), 3'600'000'000'000);
  EXPECT_EQ(saturating_ceil_ns(std::chrono::nanoseconds::max()), max);
  EXPECT_EQ(saturating_ceil_ns(std::chrono::nanoseconds::min()), min);
  // 2^32 microseconds and UINT32_MAX milliseconds: past 32 bits, well within 64.
  EXPECT_EQ(saturating_ceil_ns(std::chrono::microseconds(std::int64_t{1} << 32)),
            4'294'967'296'000);
  EXPECT_EQ(saturating_ceil_ns(duration<std::uint32_t, std::milli>(UINT32_MAX)),
            4'294'967'295'000'000);
  EXPECT_EQ(saturating_ceil_ns(duration<std::uint32_t, std::micro>(UINT32_MAX)), 4'294'967'295'000);
}

TEST(SaturatingCeilNs, SubNanosecondTicksRoundUp) {
  EXPECT_EQ(saturating_ceil_ns(picoseconds(1)), 1);   // 1 ps -> 1 ns, never 0
  EXPECT_EQ(saturating_ceil_ns(picoseconds(-1)), 0);  // -0.001 ns -> 0 (up)
  EXPECT_EQ(saturating_ceil_ns(picoseconds(999)), 1);
  EXPECT_EQ(saturating_ceil_ns(picoseconds(1000)), 1);
  EXPECT_EQ(saturating_ceil_ns(picoseconds(1001)), 2);
  EXPECT_EQ(saturating_ceil_ns(picoseconds(-999)), 0);
  EXPECT_EQ(saturating_ceil_ns(picoseconds(-1000)), -1);
  EXPECT_EQ(saturating_ceil_ns(picoseconds(-1001)), -1);  // -1.001 -> -1
  EXPECT_EQ(saturating_ceil_ns(picoseconds(-1999)), -1);
  EXPECT_EQ(saturating_ceil_ns(picoseconds(-2000)), -2);
  // 9223372036854775.807 ns rounds up to ...776.
  EXPECT_EQ(saturating_ceil_ns(picoseconds::max()), 9'223'372'036'854'776);
  EXPECT_EQ(saturating_ceil_ns(picoseconds::min()), -9'223'372'036'854'775);
  EXPECT_EQ(saturating_ceil_ns(duration<std::int64_t, std::femto>(1)), 1);
  EXPECT_EQ(saturating_ceil_ns(duration<std::int64_t, std::atto>(-1)), 0);
}

TEST(SaturatingCeilNs, PeriodsThatAreNotPowersOfTen) {
  EXPECT_EQ(saturating_ceil_ns(thirds(1)), 333'333'334);
  EXPECT_EQ(saturating_ceil_ns(thirds(3)), 1'000'000'000);
  EXPECT_EQ(saturating_ceil_ns(thirds(-1)), -333'333'333);
  EXPECT_EQ(saturating_ceil_ns(duration<std::int64_t, std::ratio<2, 3>>(1)), 666'666'667);
  EXPECT_EQ(saturating_ceil_ns(duration<std::int64_t, std::ratio<1, 7>>(1)), 142'857'143);
  EXPECT_EQ(saturating_ceil_ns(duration<std::int64_t, std::ratio<1, 7>>::max()), max);
  EXPECT_EQ(saturating_ceil_ns(duration<std::int64_t, std::ratio<1, 7>>::min()), min);
}

TEST(SaturatingCeilNs, NarrowRepresentations) {
  // int8 ticks: the product does not fit int8 and must not wrap.
  EXPECT_EQ(saturating_ceil_ns(duration<std::int8_t, std::pico>(127)), 1);
  EXPECT_EQ(saturating_ceil_ns(duration<std::int8_t, std::pico>(-128)), 0);
  EXPECT_EQ(saturating_ceil_ns(duration<std::int8_t>(127)), 127'000'000'000);
  EXPECT_EQ(saturating_ceil_ns(duration<std::int8_t>(-128)), -128'000'000'000);
  EXPECT_EQ(saturating_ceil_ns(duration<std::int8_t, std::ratio<3600>>(127)),
            127 * 3'600'000'000'000);
  EXPECT_EQ(saturating_ceil_ns(duration<std::uint8_t, std::milli>(255)), 255'000'000);
  EXPECT_EQ(saturating_ceil_ns(duration<std::int16_t, std::micro>(-32768)), -32'768'000);
  EXPECT_EQ(saturating_ceil_ns(duration<std::int32_t, std::ratio<86400>>(-1)), -86'400'000'000'000);
}

TEST(SaturatingCeilNs, SaturatesInsteadOfOverflowing) {
  EXPECT_EQ(saturating_ceil_ns(std::chrono::seconds::max()), max);
  EXPECT_EQ(saturating_ceil_ns(std::chrono::seconds::min()), min);
  EXPECT_EQ(saturating_ceil_ns(std::chrono::hours::max()), max);
  EXPECT_EQ(saturating_ceil_ns(std::chrono::hours::min()), min);
  EXPECT_EQ(saturating_ceil_ns(years::max()), max);
  EXPECT_EQ(saturating_ceil_ns(years::min()), min);
  EXPECT_EQ(saturating_ceil_ns(years(300)), max);  // 300 years > 292 years of int64 ns
  EXPECT_EQ(saturating_ceil_ns(years(-300)), min);
  // Right at the edge: the largest whole number of microseconds that fits, and one more.
  EXPECT_EQ(saturating_ceil_ns(std::chrono::microseconds(max / 1000)), max / 1000 * 1000);
  EXPECT_EQ(saturating_ceil_ns(std::chrono::microseconds(max / 1000 + 1)), max);
  EXPECT_EQ(saturating_ceil_ns(std::chrono::microseconds(min / 1000)), min / 1000 * 1000);
  EXPECT_EQ(saturating_ceil_ns(std::chrono::microseconds(min / 1000 - 1)), min);
}

TEST(SaturatingCeilNs, UnsignedRepresentations) {
  constexpr std::uint64_t u64_max = std::numeric_limits<std::uint64_t>::max();
  EXPECT_EQ(saturating_ceil_ns(duration<std::uint64_t, std::nano>(u64_max)), max);
  EXPECT_EQ(saturating_ceil_ns(duration<std::uint64_t, std::nano>(std::uint64_t{1} << 63)), max);
  EXPECT_EQ(saturating_ceil_ns(duration<std::uint64_t, std::nano>(static_cast<std::uint64_t>(max))),
            max);
  EXPECT_EQ(saturating_ceil_ns(duration<std::uint64_t, std::nano>(12345)), 12345);
  EXPECT_EQ(saturating_ceil_ns(duration<std::uint64_t, std::milli>(u64_max)), max);
  EXPECT_EQ(saturating_ceil_ns(duration<std::uint64_t, std::milli>(std::uint64_t{1} << 40)),
            (std::int64_t{1} << 40) * 1'000'000);
  // 18446744073709551.615 ns rounds up.
  EXPECT_EQ(saturating_ceil_ns(duration<std::uint64_t, std::pico>(u64_max)),
            18'446'744'073'709'552);
  EXPECT_EQ(saturating_ceil_ns(duration<std::uint64_t, std::pico>(1)), 1);
  EXPECT_EQ(saturating_ceil_ns(duration<std::uint64_t, std::pico>(0)), 0);
}

TEST(SaturatingCeilNs, FloatingPoint) {
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  constexpr double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(saturating_ceil_ns(duration<double>(0.0)), 0);
  EXPECT_EQ(saturating_ceil_ns(duration<double>(-0.0)), 0);
  EXPECT_EQ(saturating_ceil_ns(duration<double>(1.5)), 1'500'000'000);
  EXPECT_EQ(saturating_ceil_ns(duration<double>(-1.5)), -1'500'000'000);
  EXPECT_EQ(saturating_ceil_ns(duration<double, std::nano>(0.1)), 1);
  EXPECT_EQ(saturating_ceil_ns(duration<double, std::nano>(-0.1)), 0);
  EXPECT_EQ(saturating_ceil_ns(duration<double, std::nano>(-1.9)), -1);
  EXPECT_EQ(saturating_ceil_ns(duration<double>(1e-12)), 1);  // a picosecond in seconds
  EXPECT_EQ(saturating_ceil_ns(duration<float, std::milli>(2.5f)), 2'500'000);
  // The double nearest 0.001 is a hair above it: the exact ceiling is 1000001 ns; 1000000 would
  // also be defensible if the library chose double arithmetic. Either way never below 1 ms.
  const std::int64_t one_ms = saturating_ceil_ns(duration<double>(0.001));
  EXPECT_GE(one_ms, 1'000'000);
  EXPECT_LE(one_ms, 1'000'001);
  // NaN is neither a positive timeout nor forever: zero.
  EXPECT_EQ(saturating_ceil_ns(duration<double>(nan)), 0);
  EXPECT_EQ(saturating_ceil_ns(duration<float>(std::numeric_limits<float>::quiet_NaN())), 0);
  EXPECT_EQ(saturating_ceil_ns(duration<double>(inf)), max);
  EXPECT_EQ(saturating_ceil_ns(duration<double>(-inf)), min);
  EXPECT_EQ(saturating_ceil_ns(duration<double>(1e300)), max);
  EXPECT_EQ(saturating_ceil_ns(duration<double>(-1e300)), min);
  EXPECT_EQ(saturating_ceil_ns(duration<double>(std::numeric_limits<double>::max())), max);
  EXPECT_EQ(saturating_ceil_ns(duration<double, std::nano>(9223372036854775808.0)), max);
  EXPECT_EQ(saturating_ceil_ns(duration<double, std::nano>(-9223372036854775808.0)), min);
  // The largest double below 2^63 converts exactly.
  EXPECT_EQ(saturating_ceil_ns(duration<double, std::nano>(9223372036854774784.0)),
            9'223'372'036'854'774'784);
}

// Long double has a 64-bit significand on x86: 2^63 - 0.5 is representable, truncates to INT64_MAX
// and must round up to 2^63, i.e. saturate to INT64_MAX (not overflow to INT64_MIN, which would
// make a ~292-year timeout fire at once).
TEST(SaturatingCeilNs, LongDoubleJustBelowTwoToThe63) {
  constexpr long double just_below = 9223372036854775807.5L;
  EXPECT_EQ(saturating_ceil_ns(duration<long double, std::nano>(just_below)), max);
  EXPECT_EQ(saturating_ceil_ns(duration<long double, std::nano>(9223372036854775806.5L)), max);
  EXPECT_EQ(saturating_ceil_ns(duration<long double, std::nano>(-9223372036854775807.5L)),
            std::numeric_limits<long double>::digits >= 64 ? min + 1 : min);
}

TEST(SaturatingArithmetic, AddAndSubClamp) {
  EXPECT_EQ(saturating_add(1, 2), 3);
  EXPECT_EQ(saturating_add(max, 1), max);
  EXPECT_EQ(saturating_add(max, max), max);
  EXPECT_EQ(saturating_add(min, -1), min);
  EXPECT_EQ(saturating_add(min, min), min);
  EXPECT_EQ(saturating_add(max, min), -1);
  EXPECT_EQ(saturating_sub(5, 7), -2);
  EXPECT_EQ(saturating_sub(max, -1), max);
  EXPECT_EQ(saturating_sub(min, 1), min);
  EXPECT_EQ(saturating_sub(0, min), max);
  EXPECT_EQ(saturating_sub(-1, min), max);
  EXPECT_EQ(saturating_sub(min, min), 0);
}

}  // namespace
