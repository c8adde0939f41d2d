// SPDX-License-Identifier: BSL-1.0
// What the whole process (every thread, including those that have exited) has used so far: CPU
// time and context switches, from getrusage(RUSAGE_SELF). A scenario takes a snapshot before and
// after its timed part and reports the difference per operation.
#pragma once

#include <cstdint>

namespace futon_bench {

struct process_usage {
  std::int64_t cpu_ns = 0;                 // user + system
  std::int64_t voluntary_switches = -1;    // the thread blocked (-1: not known on this OS)
  std::int64_t involuntary_switches = -1;  // the thread was preempted

  static process_usage now() noexcept;

  std::int64_t context_switches() const noexcept {
    return voluntary_switches < 0 ? -1 : voluntary_switches + involuntary_switches;
  }
  bool has_switches() const noexcept { return voluntary_switches >= 0; }
};

inline process_usage operator-(const process_usage& a, const process_usage& b) noexcept {
  process_usage d;
  d.cpu_ns = a.cpu_ns - b.cpu_ns;
  if (a.has_switches() && b.has_switches()) {
    d.voluntary_switches = a.voluntary_switches - b.voluntary_switches;
    d.involuntary_switches = a.involuntary_switches - b.involuntary_switches;
  }
  return d;
}

}  // namespace futon_bench
