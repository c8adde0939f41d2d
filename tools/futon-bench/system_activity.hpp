// SPDX-License-Identifier: BSL-1.0
// Whether the machine was quiet while futon-bench measured. The load average before the run
// says whether others held the CPUs when it started (and the one after is raised by futon-bench's
// own threads, so it says little); the CPU time the whole machine spent during the run, less
// futon-bench's own, says whether others took CPUs from it while it measured.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace futon_bench {

// The machine's CPU time so far, summed over every CPU, from /proc/stat (Linux): busy (user,
// nice, system, irq, softirq, steal) and in all (busy + idle + iowait), in seconds.
struct system_cpu_time {
  double busy_seconds = -1;  // -1: not known on this OS
  double total_seconds = -1;

  static system_cpu_time now();
  bool known() const { return total_seconds >= 0; }
};

// Parses /proc/stat's first line ("cpu  user nice system idle iowait irq softirq steal ...")
// with `ticks_per_second` clock ticks per second; unknown if it does not parse.
system_cpu_time parse_proc_stat_cpu_line(const std::string& line, double ticks_per_second);

// The share of the machine's CPU time (0..1) that other processes used between `before` and
// `after`, while futon-bench itself used `own_cpu_seconds`; nullopt if unknown.
std::optional<double> others_cpu_share(const system_cpu_time& before, const system_cpu_time& after,
                                       double own_cpu_seconds);

// Above this share of the machine, others used enough CPU to shift the figures.
inline constexpr double busy_others_share = 0.05;

// The warnings for a machine that was not quiet: the 1-minute load average at the start
// (`load_before`, "0.12 0.30 0.40") at or above 0.5, which docs/design.md requires for a figure
// to count, and others' share of the CPUs during the run above busy_others_share. Empty: quiet.
std::vector<std::string> quiet_warnings(const std::string& load_before,
                                        std::optional<double> others_share, unsigned cpus);

}  // namespace futon_bench
