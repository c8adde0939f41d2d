// SPDX-License-Identifier: BSL-1.0
#include "run_figures.hpp"

#include <algorithm>
#include <limits>

namespace futon_bench {

std::vector<metric> run_figure_metrics(const std::string& what) {
  return {
      {"throughput", "throughput", "M " + what + "/s", better::higher, true},
      {"spread", "spread max/min per thread", "x", better::lower, false},
      {"cpu", "CPU per M " + what, "s", better::lower, false},
      {"switches", "ctx switches per 1k " + what, "cs", better::lower, false},
  };
}

int add_run_figures(point& p, const std::string& name, const thread_run& run,
                    std::uint64_t operations, std::span<const thread_tally> counted) {
  std::uint64_t most = 0;
  std::uint64_t fewest = std::numeric_limits<std::uint64_t>::max();
  int idle = 0;
  for (const auto& t : counted) {
    most = std::max(most, t.operations);
    fewest = std::min(fewest, t.operations);
    if (t.operations == 0) ++idle;
  }
  const double ops = static_cast<double>(std::max<std::uint64_t>(operations, 1));
  p.add(name, "throughput", ops / run.seconds * 1e-6);
  p.add(name, "spread",
        static_cast<double>(most) / static_cast<double>(std::max<std::uint64_t>(fewest, 1)));
  p.add(name, "cpu", static_cast<double>(run.usage.cpu_ns) * 1e-9 / (ops * 1e-6));
  p.add(name, "switches",
        run.usage.has_switches() ? static_cast<double>(run.usage.context_switches()) / ops * 1000
                                 : std::numeric_limits<double>::quiet_NaN());
  return idle;
}

bool record_app_run(point& p, const std::string& name, const thread_run& run,
                    std::uint64_t operations, std::span<const thread_tally> counted,
                    std::chrono::nanoseconds duration) {
  if (run.stuck > 0) {
    p.fail(name + ": " + stuck_message(run.stuck, static_cast<int>(run.threads.size()), duration));
    return false;
  }
  const int idle = add_run_figures(p, name, run, operations, counted);
  if (idle > 0) {
    p.note(name + ": " + std::to_string(idle) + " of " + std::to_string(counted.size()) +
           " threads did no operation in one repetition");
  }
  return true;
}

}  // namespace futon_bench
