// SPDX-License-Identifier: BSL-1.0
#include "lock_run_metrics.hpp"

#include <algorithm>
#include <limits>

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
  std::uint64_t most = 0;
  std::uint64_t fewest = std::numeric_limits<std::uint64_t>::max();
  std::int64_t worst_wait = 0;
  int starved = 0;
  for (const auto& t : run.threads) {
    most = std::max(most, t.operations);
    fewest = std::min(fewest, t.operations);
    worst_wait = std::max(worst_wait, t.worst_wait_ns);
    if (t.operations == 0) ++starved;
  }
  if (starved > 0) {
    p.note(name + ": " + std::to_string(starved) + " of " + std::to_string(threads) +
           " threads never got the lock in one repetition");
  }
  const double ops = static_cast<double>(std::max<std::uint64_t>(total, 1));
  p.add(name, "throughput", ops / run.seconds * 1e-6);
  // A thread with no acquisition counts as one, so the spread stays finite (starvation is noted).
  p.add(name, "spread",
        static_cast<double>(most) / static_cast<double>(std::max<std::uint64_t>(fewest, 1)));
  if (with_worst_wait) p.add(name, "worst_wait", static_cast<double>(worst_wait) * 1e-3);
  p.add(name, "cpu", static_cast<double>(run.usage.cpu_ns) * 1e-9 / (ops * 1e-6));
  p.add(name, "switches",
        run.usage.has_switches() ? static_cast<double>(run.usage.context_switches()) / ops * 1000
                                 : std::numeric_limits<double>::quiet_NaN());
}

}  // namespace futon_bench
