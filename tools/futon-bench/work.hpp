// SPDX-License-Identifier: BSL-1.0
// The simulated work inside and outside a critical section: a busy loop of a calibrated number of
// iterations, the random stream that picks what a thread does next, and the clock the scenarios
// read.
#pragma once

#include <chrono>
#include <cstdint>

namespace futon_bench {

// Spins for `iterations` steps. Each step is one register increment that the compiler must keep
// (the empty asm claims to read and change `i`), so the loop can neither be removed nor folded
// into a single addition; it touches no memory, so it adds no cache traffic of its own.
inline void busy_work(std::uint32_t iterations) noexcept {
  for (std::uint32_t i = 0; i < iterations; ++i) {
#if defined(__GNUC__) || defined(__clang__)
    asm volatile("" : "+r"(i));
#else
    static_cast<void>(static_cast<volatile std::uint32_t&>(i));
#endif
  }
}

// xorshift32: a per-thread random stream that costs a few instructions and no shared state.
// `state` must not start at 0 (it would stay there).
inline std::uint32_t next_random(std::uint32_t& state) noexcept {
  state ^= state << 13;
  state ^= state >> 17;
  state ^= state << 5;
  return state;
}

// steady_clock in nanoseconds: the same clock on every thread, so per-thread readings compare.
inline std::int64_t now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace futon_bench
