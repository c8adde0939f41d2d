// Test sizes and patience: stress loops scaled down under the sanitizers, the test clock, and
// how long "soon" may take.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <futon/detail/sanitizers.hpp>

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

}  // namespace futon::testing
