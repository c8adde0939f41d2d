// SPDX-License-Identifier: BSL-1.0
// Shared by the deterministic-schedule tests: the backends they run on, and the two ways of
// exploring schedules, each reporting a failure with the line that replays it.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <functional>
#include <futon/futex.hpp>
#include <string>
#include <vector>

#include "dsched/lot_futex.hpp"
#include "dsched/scheduler.hpp"
#include "dsched/sim_futex.hpp"
#include "test_support.hpp"

namespace dsched::testing {

// The simulated futex (the primitives' own protocols, with spurious wakeups) and futon's real
// parking lot and futex backend (the whole stack).
using backends = ::testing::Types<sim_futex, lot_futex>;

struct backend_name {
  template <class Backend>
  static std::string GetName(int) {
    return Backend::name;
  }
};

// `waiters` threads loop on a flag with futex waits; the body sets it, then wakes them all.
template <class Backend>
void futex_handshake(int waiters) {
  using futex = futon::basic_futex<Backend>;
  typename Backend::word_type flag{0};
  std::vector<thread> threads;
  for (int i = 0; i < waiters; ++i) {
    threads.emplace_back([&] {
      // Acquire: pairs with the release store below (what a real waiter needs to see).
      while (flag.load(std::memory_order_acquire) == 0)
        futex::wait(flag, 0);
    });
  }
  flag.store(1, std::memory_order_release);  // publishes to the waiters' acquire loads
  futex::wake_all(flag);
  for (auto& t : threads)
    t.join();
}

// Random schedules: `runs` of them, fewer under sanitizers (which slow each thread switch) unless
// `scale` is false (the planted-bug tests, whose budget is the claim they check).
inline exploration random_schedules(std::uint64_t runs, const std::function<void()>& body,
                                    const random_weights& weights = {}, bool scale = true) {
  if (scale) runs = static_cast<std::uint64_t>(futon::testing::scaled(static_cast<int>(runs)));
  const exploration result = explore_random(1, runs, weights, body);
  if (result.failed) lot::reset();  // the failed run's waiters stay parked in the copy's table
  return result;
}

// The bounds of an exhaustive search that real primitives must pass, smaller under sanitizers
// (each thread switch costs 5-20 times more there): at most one preemption and no injected
// fault. The plain builds run the full bounds; a sanitizer checks the same code paths for what
// it sees (memory errors, races) on a smaller tree. Not for searches that must find a planted
// bug: their bounds are the claim.
inline bounds sanitizer_scaled(bounds limits) {
  if constexpr (futon::testing::thread_sanitizer || futon::testing::address_sanitizer) {
    limits.preemptions = limits.preemptions < 1 ? limits.preemptions : 1;
    limits.faults = 0;
  }
  return limits;
}

// Every schedule within the bounds.
inline exploration all_schedules(const bounds& limits, const std::function<void()>& body) {
  const exploration result = explore_exhaustive(limits, body);
  if (result.failed) lot::reset();
  return result;
}

}  // namespace dsched::testing

// The exploration found no failing schedule (and, for an exhaustive one, ran them all).
#define EXPECT_NO_FAILING_SCHEDULE(exploration_expr)                                        \
  do {                                                                                      \
    const ::dsched::exploration dsched_result_ = (exploration_expr);                        \
    EXPECT_FALSE(dsched_result_.failed) << dsched_result_.message;                          \
    EXPECT_GT(dsched_result_.runs, 0u);                                                     \
    std::printf("%llu schedules%s\n", static_cast<unsigned long long>(dsched_result_.runs), \
                dsched_result_.exhausted ? " (every one within the bounds)" : "");          \
  } while (false)
