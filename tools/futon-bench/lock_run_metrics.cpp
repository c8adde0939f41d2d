// SPDX-License-Identifier: BSL-1.0
#include "lock_run_metrics.hpp"

#include <algorithm>

#include "run_figures.hpp"

namespace futon_bench {

std::vector<metric> lock_run_metrics(const char* wait_label) {
  return {
      {"throughput", "throughput", "M acq/s", better::higher, true},
      {"spread", "spread max/min per thread", "x", better::lower, false},
      {"worst_wait", wait_label, "us", better::lower, false},
      {"cpu", "CPU per M acquisitions", "s", better::lower, false},
      {"switches", "ctx switches per 1k acq", "cs", better::lower, false},
  };
}

void record_lock_run(point& p, const std::string& name, const thread_run& run,
                     std::uint64_t guarded_count, int threads, std::chrono::nanoseconds duration,
                     bool with_worst_wait) {
  const std::uint64_t total = run.operations();
  if (run.stuck > 0) {
    p.fail(name + ": " + stuck_message(run.stuck, threads, duration));
    return;
  }
  if (guarded_count != total) {
    p.fail(name + ": mutual exclusion broken: " + std::to_string(total) +
           " acquisitions but the guarded counter reads " + std::to_string(guarded_count));
  }
  const int starved = add_run_figures(p, name, run, total, run.threads);
  if (starved > 0) {
    p.note(name + ": " + std::to_string(starved) + " of " + std::to_string(threads) +
           " threads never got the lock in one repetition");
  }
  if (with_worst_wait) {
    std::int64_t worst_wait = 0;
    for (const auto& t : run.threads)
      worst_wait = std::max(worst_wait, t.worst_wait_ns);
    p.add(name, "worst_wait", static_cast<double>(worst_wait) * 1e-3);
  }
}

}  // namespace futon_bench
