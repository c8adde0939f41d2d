// SPDX-License-Identifier: BSL-1.0
// deadline: the one internal form of every timeout.
//
// Every timed wait turns its argument into a deadline once, at the top of the call, and keeps it
// across retries (spurious wakeups, EINTR), so a retry never restarts the timeout. A deadline is
// an absolute instant on one of two clocks, in int64 nanoseconds since that clock's epoch:
//
//   - steady: std::chrono::steady_clock (CLOCK_MONOTONIC on Linux). Relative timeouts and
//     steady_clock deadlines use it; wall-clock changes never move them.
//   - system: std::chrono::system_clock (CLOCK_REALTIME). system_clock deadlines use it, so a
//     wall-clock change moves them, as users of system_clock expect.
//
// Deadlines on other clocks are converted to steady by the caller and re-checked against their
// own clock (see attempt_until below). A deadline whose nanosecond count saturates
// (duration::max(), time_point::max(), anything beyond ~292 years) is `never`.
#pragma once

#include <chrono>
#include <cstdint>
#include <futon/detail/saturating_ns.hpp>
#include <type_traits>

namespace futon {
inline namespace v0 {
namespace detail {

enum class deadline_clock : std::uint8_t { steady, system };

class deadline {
 public:
  // A deadline that never passes.
  static constexpr deadline never() noexcept { return deadline(deadline_clock::steady, ns_max); }

  // `timeout` from now on the steady clock. Zero and negative timeouts have already passed.
  template <class Rep, class Period>
  static deadline after(const std::chrono::duration<Rep, Period>& timeout) noexcept {
    const std::int64_t relative = saturating_ceil_ns(timeout);
    if (relative == ns_max) return never();
    if (relative <= 0) return deadline(deadline_clock::steady, ns_min);
    return from_ns(deadline_clock::steady,
                   saturating_add(now_ns(deadline_clock::steady), relative));
  }

  template <class Duration>
  static deadline at(
      const std::chrono::time_point<std::chrono::steady_clock, Duration>& t) noexcept {
    return from_ns(deadline_clock::steady, saturating_ceil_ns(t.time_since_epoch()));
  }

  template <class Duration>
  static deadline at(
      const std::chrono::time_point<std::chrono::system_clock, Duration>& t) noexcept {
    return from_ns(deadline_clock::system, saturating_ceil_ns(t.time_since_epoch()));
  }

  constexpr bool is_never() const noexcept { return ns_ == ns_max; }
  constexpr deadline_clock clock() const noexcept { return clock_; }
  // Nanoseconds since the clock's epoch; negative for instants before it.
  constexpr std::int64_t ns_since_epoch() const noexcept { return ns_; }

  // True once the clock has reached the deadline. Never true for `never()`.
  bool has_passed() const noexcept { return !is_never() && now_ns(clock_) >= ns_; }

  // Nanoseconds left (0 once passed, ns_max for never): for OS calls that take a relative timeout.
  std::int64_t remaining_ns() const noexcept {
    if (is_never()) return ns_max;
    const std::int64_t left = saturating_sub(ns_, now_ns(clock_));
    return left > 0 ? left : 0;
  }

  // The clock's current time in nanoseconds since its epoch.
  static std::int64_t now_ns(deadline_clock clock) noexcept {
    if (clock == deadline_clock::steady) {
      return saturating_ceil_ns(std::chrono::steady_clock::now().time_since_epoch());
    }
    return saturating_ceil_ns(std::chrono::system_clock::now().time_since_epoch());
  }

 private:
  constexpr deadline(deadline_clock clock, std::int64_t ns) noexcept : ns_(ns), clock_(clock) {}
  static constexpr deadline from_ns(deadline_clock clock, std::int64_t ns) noexcept {
    return ns == ns_max ? never() : deadline(clock, ns);
  }

  std::int64_t ns_;
  deadline_clock clock_;
};

// std::chrono::is_clock_v ([time.traits.is.clock]), spelled out: libc++ 14 does not have it yet.
// A program may not specialize is_clock, so this definition and std's always agree.
template <class T>
inline constexpr bool is_clock_v = requires {
  typename T::rep;
  typename T::period;
  typename T::duration;
  typename T::time_point;
  T::is_steady;
  T::now();
};

// Runs `attempt(deadline) -> bool` (true = done) against a time point on any clock. steady_clock
// and system_clock time points become one deadline, computed once. Other clocks cannot be waited
// on by the OS: their remaining time is waited for on steady_clock, and a false result is
// believed only once `Clock` itself has reached `t`, so a timeout never ends early by `Clock`.
//
// Every *_until member of futon (the futex's, atomic_wait's and each primitive's) comes here, so
// this is where a Clock that is not a clock is rejected, as [thread.req.paramname] asks.
template <class Clock, class Duration, class Attempt>
bool attempt_until(const std::chrono::time_point<Clock, Duration>& t, Attempt&& attempt) {
  static_assert(is_clock_v<Clock>,
                "futon: the deadline of a *_until call must be a time_point of a clock "
                "(std::chrono::is_clock_v<Clock> is false: Clock lacks rep, period, duration, "
                "time_point, is_steady or now())");
  if constexpr (!is_clock_v<Clock>) {
    return false;  // rejected above; no further errors from the body
  } else if constexpr (std::is_same_v<Clock, std::chrono::steady_clock> ||
                       std::is_same_v<Clock, std::chrono::system_clock>) {
    return attempt(deadline::at(t));
  } else {
    for (;;) {
      const std::int64_t left = saturating_sub(saturating_ceil_ns(t.time_since_epoch()),
                                               saturating_ceil_ns(Clock::now().time_since_epoch()));
      if (attempt(deadline::after(std::chrono::nanoseconds(left)))) return true;
      if (Clock::now() >= t) return false;
    }
  }
}

}  // namespace detail
}  // namespace v0
}  // namespace futon
