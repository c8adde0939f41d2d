// SPDX-License-Identifier: BSL-1.0
// Shared by the stress programs (tests/stress/, `ctest -L stress`): the time budget each test
// spends in rounds, the seed its random choices come from, the thread counts it cycles through,
// the strict "never early" check of timed waits, and the one-line summary each test prints.
//
// A stress test is a loop of short rounds: each round starts fresh threads on fresh objects,
// makes them race, joins them and checks its counters exactly, so a failure names the round (and
// the seed that chose its parameters) instead of a sum over minutes. Rounds go on until the
// budget is spent: FUTON_STRESS_SECONDS (default 2) per test and backend.
//
// Memory orders, for every stress test: a round's counters are relaxed read-modify-writes (their
// atomicity is what keeps the counts exact) and are read only after the round's threads are
// joined, and join orders every write before it; data the primitive under test publishes is
// written and read with plain accesses or acquire/release exactly as its users would, so that
// ThreadSanitizer checks the primitive's ordering, not the test's. Orders other than these carry
// their own comment.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "test_support.hpp"

namespace futon::stress {

using stress_clock = std::chrono::steady_clock;

// A plain `ctest -L stress` stays quick; the stress and soak presets set more.
inline constexpr double default_budget_seconds = 2.0;

// FUTON_STRESS_SECONDS, or the default when unset. A value that is not a number of seconds is a
// failure, not a silent default: a soak run must not quietly shrink to two seconds.
inline double budget_seconds() {
  const char* text = std::getenv("FUTON_STRESS_SECONDS");
  if (text == nullptr || *text == '\0') return default_budget_seconds;
  char* end = nullptr;
  const double seconds = std::strtod(text, &end);
  if (end == text || *end != '\0' || !(seconds >= 0.0 && seconds <= 1e6)) {
    ADD_FAILURE() << "FUTON_STRESS_SECONDS=\"" << text << "\" is not a number of seconds";
    return default_budget_seconds;
  }
  return seconds;
}

// How long a stress test may run before its watchdog calls it hung: the budget, plus room for
// the round that is running when the budget ends (slow under sanitizers, with 64 threads on two
// cores), plus the time a lost wakeup would need to show itself as a timed wait expiring.
inline std::chrono::milliseconds watchdog_limit() {
  return std::chrono::milliseconds(static_cast<std::int64_t>(budget_seconds() * 1000.0)) +
         std::chrono::seconds(180);
}

// FUTON_STRESS_SEED replays a failing run's choices (thread counts, timeouts, operation mixes);
// the interleavings themselves stay up to the OS.
inline std::uint64_t seed_from_env() {
  if (const char* text = std::getenv("FUTON_STRESS_SEED")) {
    char* end = nullptr;
    const unsigned long long seed = std::strtoull(text, &end, 0);
    if (end != text && *end == '\0') return seed;
    ADD_FAILURE() << "FUTON_STRESS_SEED=\"" << text << "\" is not a number";
  }
  std::random_device device;
  return (std::uint64_t{device()} << 32) | device();
}

// Round r runs thread_counts[r % 5] threads: every size, oversubscription included (64 threads on
// the two cores CI has), comes up within five rounds, so even a one-second budget covers them.
inline constexpr std::array<int, 5> thread_counts{4, 8, 16, 32, 64};

// A round's operation count (shared out among its threads), cut down under sanitizers so that a
// round stays well under a second there too: the budget, not the round size, sets how long a
// test runs.
constexpr int per_round(int count) {
  return futon::testing::scaled(count);
}

// One stress test's run: rounds until the budget is spent, then a summary line.
//
//   futon::stress::run run;
//   while (run.next_round()) {
//     SCOPED_TRACE(run.where());
//     ... make run.threads() threads race, join them, check the counters, run.count(ops) ...
//   }
class run {
 public:
  run() : budget_(budget_seconds()), seed_(seed_from_env()), start_(stress_clock::now()) {}
  run(const run&) = delete;
  run& operator=(const run&) = delete;
  ~run() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::printf(
        "[ stress   ] %s.%s: %d rounds, %llu operations, %.2f s (budget %.2f s, seed %llu)\n",
        info != nullptr ? info->test_suite_name() : "?", info != nullptr ? info->name() : "?",
        rounds_, static_cast<unsigned long long>(operations_), seconds(), budget_,
        static_cast<unsigned long long>(seed_));
    std::fflush(stdout);
    ::testing::Test::RecordProperty("stress_rounds", rounds_);
    ::testing::Test::RecordProperty("stress_operations", std::to_string(operations_));
  }

  // True for the first round, then while the budget lasts and nothing has failed: after a
  // failure the round that failed is the one to look at, and later rounds would bury it.
  bool next_round() {
    if (::testing::Test::HasFailure()) return false;
    if (rounds_ > 0 && seconds() >= budget_) return false;
    ++rounds_;
    rng_.seed(round_seed());
    return true;
  }

  int round() const { return rounds_ - 1; }
  int threads() const {
    return thread_counts[static_cast<std::size_t>(round()) % thread_counts.size()];
  }
  // This round's random choices: the same seed and round give the same choices.
  std::mt19937_64& rng() { return rng_; }
  std::uint64_t round_seed() const { return seed_ ^ (0x9E3779B97F4A7C15ull * (rounds_ + 1)); }
  void count(std::uint64_t operations) { operations_ += operations; }
  double seconds() const {
    return std::chrono::duration<double>(stress_clock::now() - start_).count();
  }

  // For SCOPED_TRACE: what a failure report needs to name the round and replay its choices.
  std::string where() const { return where(threads()); }
  // The same, for a test whose rounds always run `threads` threads.
  std::string where(int threads) const {
    return "round " + std::to_string(round()) + " with " + std::to_string(threads) +
           " threads; FUTON_STRESS_SEED=" + std::to_string(seed_) + " replays the choices";
  }

 private:
  double budget_;
  std::uint64_t seed_;
  stress_clock::time_point start_;
  int rounds_ = 0;
  std::uint64_t operations_ = 0;
  std::mt19937_64 rng_;
};

// A uniformly random timeout in [0, max]: the storms' "tiny" timeouts (0..50 us by default)
// expire while wakes, requeues and unlocks are in flight.
inline std::chrono::nanoseconds tiny_timeout(
    std::mt19937_64& rng, std::chrono::nanoseconds max = std::chrono::microseconds(50)) {
  return std::chrono::nanoseconds(static_cast<std::int64_t>(rng() % (max.count() + 1)));
}

// Collects timed waits that gave up early (strict: a timeout never fires early, by any amount),
// from many threads at once; a test expects none.
class early_timeouts {
 public:
  // A wait that timed out after `elapsed`, having been given `timeout`.
  void check(std::chrono::nanoseconds elapsed, std::chrono::nanoseconds timeout) {
    checked_.fetch_add(1, std::memory_order_relaxed);  // a counter, read after the join
    if (elapsed >= timeout) return;
    count_.fetch_add(1, std::memory_order_relaxed);  // a counter, read after the join
    const std::int64_t by = (timeout - elapsed).count();
    // Relaxed: a running maximum, read after the join; the CAS loop keeps it exact.
    std::int64_t worst = worst_ns_.load(std::memory_order_relaxed);
    while (by > worst && !worst_ns_.compare_exchange_weak(worst, by, std::memory_order_relaxed)) {
    }
  }
  // A wait_until that timed out when the clock read `now`, its deadline being `deadline`.
  void check_deadline(stress_clock::time_point now, stress_clock::time_point deadline) {
    check(std::chrono::duration_cast<std::chrono::nanoseconds>(now - deadline),
          std::chrono::nanoseconds(0));
  }

  std::uint64_t count() const { return count_.load(); }
  std::uint64_t checked() const { return checked_.load(); }
  std::string report() const {
    return std::to_string(count()) + " of " + std::to_string(checked()) +
           " timed-out waits gave up early, the worst by " + std::to_string(worst_ns_.load()) +
           " ns";
  }

 private:
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> checked_{0};
  std::atomic<std::int64_t> worst_ns_{0};
};

// Lets a round's threads start their race together: without it the first threads spawned would
// finish before the last ones exist, and 64 threads would never contend at once.
class start_gate {
 public:
  void open() {
    open_.store(true, std::memory_order_release);  // releases the set-up to the acquire below
    open_.notify_all();
  }
  void wait() const { open_.wait(false, std::memory_order_acquire); }

 private:
  std::atomic<bool> open_{false};
};

}  // namespace futon::stress
