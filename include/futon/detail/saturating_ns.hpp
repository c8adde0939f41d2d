// SPDX-License-Identifier: BSL-1.0
// Converting any std::chrono::duration to int64 nanoseconds without overflow.
//
// Timeouts arrive as durations of any representation (int8 to uint64, float, double) and any
// period (picoseconds to years). The futex layer works in int64 nanoseconds, so every conversion
// saturates to [INT64_MIN, INT64_MAX] instead of wrapping, and rounds towards +infinity so that a
// deadline built from it is never earlier than the caller asked for (a timeout never fires early).
#pragma once

#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <ratio>
#include <type_traits>

namespace futon {
inline namespace v0 {
namespace detail {

inline constexpr std::int64_t ns_max = std::numeric_limits<std::int64_t>::max();
inline constexpr std::int64_t ns_min = std::numeric_limits<std::int64_t>::min();

// The overflow checks below are plain comparisons, not the GNU __builtin_*_overflow, so that the
// public headers compile with any C++20 compiler (MSVC has no such builtins).

// a + b, clamped to the int64 range.
constexpr std::int64_t saturating_add(std::int64_t a, std::int64_t b) noexcept {
  if (b > 0 && a > ns_max - b) return ns_max;
  if (b < 0 && a < ns_min - b) return ns_min;
  return a + b;
}

// a - b, clamped to the int64 range.
constexpr std::int64_t saturating_sub(std::int64_t a, std::int64_t b) noexcept {
  if (b < 0 && a > ns_max + b) return ns_max;
  if (b > 0 && a < ns_min + b) return ns_min;
  return a - b;
}

// a * b for b > 0 (a ratio's numerator), stored in `product` if it fits the int64 range; false
// if it does not. `a` is intmax_t or uintmax_t (64 bits on every supported target).
template <class Wide>
constexpr bool multiply_fits(Wide a, std::intmax_t b, std::int64_t& product) noexcept {
  if constexpr (std::is_signed_v<Wide>) {
    // ns_min / b truncates towards zero, i.e. rounds up: the smallest a whose product fits.
    if (a > ns_max / b || a < ns_min / b) return false;
  } else {
    if (a > static_cast<std::uintmax_t>(ns_max / b)) return false;
  }
  product = static_cast<std::int64_t>(a) * b;
  return true;
}

// Floating-point nanoseconds, rounded up and clamped. NaN counts as zero: it compares false with
// everything, so it is neither a positive timeout nor "forever".
constexpr std::int64_t ceil_ns_from_floating(long double ns) noexcept {
  if (!(ns == ns)) return 0;
  // 2^63 is exact in long double and double; anything at or beyond it saturates.
  constexpr long double two_pow_63 = 9223372036854775808.0L;
  if (ns >= two_pow_63) return ns_max;
  if (ns <= -two_pow_63) return ns_min;
  auto truncated = static_cast<std::int64_t>(ns);
  if (static_cast<long double>(truncated) < ns && truncated != ns_max) ++truncated;  // up
  return truncated;
}

// `d` in nanoseconds, rounded towards +infinity, clamped to the int64 range.
template <class Rep, class Period>
constexpr std::int64_t saturating_ceil_ns(const std::chrono::duration<Rep, Period>& d) noexcept {
  // Nanoseconds per tick of `d`, as the reduced fraction num/den.
  using ns_per_tick = std::ratio_divide<Period, std::nano>;
  constexpr auto num = ns_per_tick::num;
  constexpr auto den = ns_per_tick::den;
  const Rep count = d.count();

  if constexpr (std::is_floating_point_v<Rep>) {
    return ceil_ns_from_floating(static_cast<long double>(count) * num / den);
  } else {
    // count * num / den computed as (whole ticks of den) * num + the rounded-up remainder, each
    // step checked for overflow (multiply_fits takes signed and unsigned operands).
    // Widen first so that a narrow Rep (int8_t ticks of picoseconds) cannot wrap on `den`.
    using wide = std::conditional_t<std::is_signed_v<Rep>, std::intmax_t, std::uintmax_t>;
    const auto wide_count = static_cast<wide>(count);
    const wide whole = wide_count / static_cast<wide>(den);
    const wide remainder = wide_count % static_cast<wide>(den);
    std::int64_t ns = 0;
    if (!multiply_fits(whole, num, ns)) return wide_count > 0 ? ns_max : ns_min;
    std::int64_t scaled_remainder = 0;
    if (!multiply_fits(remainder, num, scaled_remainder)) {
      // Only for exotic periods whose num * den exceeds int64: fall back to long double.
      return ceil_ns_from_floating(static_cast<long double>(count) * num / den);
    }
    // Division truncates towards zero, which is already "up" for a negative remainder.
    std::int64_t remainder_ns = scaled_remainder / den;
    if (scaled_remainder > 0 && scaled_remainder % den != 0) ++remainder_ns;
    return saturating_add(ns, remainder_ns);
  }
}

}  // namespace detail
}  // namespace v0
}  // namespace futon
