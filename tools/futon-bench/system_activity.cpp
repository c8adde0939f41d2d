// SPDX-License-Identifier: BSL-1.0
#include "system_activity.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#if __has_include(<unistd.h>)
#include <unistd.h>
#endif

namespace futon_bench {

system_cpu_time parse_proc_stat_cpu_line(const std::string& line, double ticks_per_second) {
  std::istringstream in(line);
  std::string label;
  // user nice system idle iowait irq softirq steal (guest time is already in user and nice).
  double field[8] = {};
  in >> label;
  int read = 0;
  while (read < 8 && in >> field[read])
    ++read;
  if (label != "cpu" || read < 4 || ticks_per_second <= 0) return {};
  const double idle = field[3] + field[4];
  const double busy = field[0] + field[1] + field[2] + field[5] + field[6] + field[7];
  return {busy / ticks_per_second, (busy + idle) / ticks_per_second};
}

system_cpu_time system_cpu_time::now() {
#if defined(_SC_CLK_TCK)
  std::ifstream stat("/proc/stat");
  std::string line;
  if (std::getline(stat, line)) {
    return parse_proc_stat_cpu_line(line, static_cast<double>(sysconf(_SC_CLK_TCK)));
  }
#endif
  return {};
}

std::optional<double> others_cpu_share(const system_cpu_time& before, const system_cpu_time& after,
                                       double own_cpu_seconds) {
  if (!before.known() || !after.known()) return std::nullopt;
  const double total = after.total_seconds - before.total_seconds;
  if (total <= 0) return std::nullopt;
  const double others = after.busy_seconds - before.busy_seconds - own_cpu_seconds;
  // Ticks are coarse (10 ms) and sampled, so a quiet machine can come out slightly negative.
  return std::clamp(others / total, 0.0, 1.0);
}

std::vector<std::string> quiet_warnings(const std::string& load_before,
                                        std::optional<double> others_share, unsigned cpus) {
  std::vector<std::string> warnings;
  char text[400];
  char* end = nullptr;
  const double one_minute = std::strtod(load_before.c_str(), &end);
  if (end != load_before.c_str() && one_minute >= 0.5) {
    std::snprintf(text, sizeof text,
                  "the 1-minute load average was %.2f at the start (%u CPUs): a figure counts "
                  "only from a run started below 0.5 (docs/design.md)",
                  one_minute, cpus);
    warnings.emplace_back(text);
  }
  if (others_share && *others_share > busy_others_share) {
    std::snprintf(text, sizeof text,
                  "other processes used %.0f%% of the machine's CPU time during the run: they "
                  "took CPUs from the measured threads",
                  100 * *others_share);
    warnings.emplace_back(text);
  }
  return warnings;
}

}  // namespace futon_bench
