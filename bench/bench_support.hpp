// SPDX-License-Identifier: BSL-1.0
// Small measuring helpers shared by the benchmark programs.
#pragma once

#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <vector>

namespace futon::bench {

// Measures what the whole process (every thread) spends over a benchmark's timed loop: CPU time
// and voluntary context switches. Google Benchmark's own CPU column counts only the benchmark's
// thread unless MeasureProcessCPUTime() is set; this one is read right around the loop and adds
//   cpu_ns/op  process CPU nanoseconds per iteration, helper threads included;
//   sleeps/op  voluntary context switches per iteration: how often some thread really blocked
//              (in these loops only a futex wait blocks), which tells a hand-off that slept and
//              was woken from one that a spinning waiter caught.
class loop_meter {
 public:
  void start() noexcept { start_ = now(); }
  void stop() noexcept { end_ = now(); }

  void report(benchmark::State& state) const {
    state.counters["cpu_ns/op"] = benchmark::Counter(
        static_cast<double>(end_.cpu_ns - start_.cpu_ns), benchmark::Counter::kAvgIterations);
    state.counters["sleeps/op"] =
        benchmark::Counter(static_cast<double>(end_.voluntary_switches - start_.voluntary_switches),
                           benchmark::Counter::kAvgIterations);
  }

 private:
  struct sample {
    std::int64_t cpu_ns = 0;
    std::int64_t voluntary_switches = 0;
  };

  static sample now() noexcept {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return {static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec,
            static_cast<std::int64_t>(usage.ru_nvcsw)};
  }

  sample start_;
  sample end_;
};

// Adds "spread": the most operations any thread did divided by the fewest (1 = perfectly even),
// and "starved": how many threads did none (their minimum counts as 1 in the spread, so the
// spread stays finite and the starvation shows in its own column).
inline void report_spread(benchmark::State& state, const std::vector<std::uint64_t>& ops) {
  if (ops.empty()) return;
  const auto [min_it, max_it] = std::minmax_element(ops.begin(), ops.end());
  const auto starved = std::count(ops.begin(), ops.end(), std::uint64_t{0});
  state.counters["spread"] =
      static_cast<double>(*max_it) / static_cast<double>(std::max<std::uint64_t>(*min_it, 1));
  state.counters["starved"] = static_cast<double>(starved);
}

// steady_clock in nanoseconds: comparable between threads (CLOCK_MONOTONIC on Linux).
inline std::int64_t steady_now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace futon::bench
