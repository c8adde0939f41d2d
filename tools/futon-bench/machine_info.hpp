// SPDX-License-Identifier: BSL-1.0
// What the numbers were measured on: CPU, core count, load, compiler, standard library, build
// type and futon's futex backend. Load matters most: the machine is shared, and a busy one
// shifts every figure (the ratios less, since implementations are measured interleaved).
#pragma once

#include <string>

namespace futon_bench {

struct machine_info {
  std::string cpu;
  unsigned cpus = 0;
  std::string compiler;
  std::string standard_library;
  bool assertions = false;  // FUTON_DEBUG_CHECKS: futon's debug checks run in every call
  std::string futon_backend;
  std::string date_utc;
};

machine_info describe_machine();
// "1.23 1.10 0.95" from /proc/loadavg, or "n/a".
std::string load_average();
// A warning when the 1-minute load average says other processes hold the CPUs (above half a
// runnable thread per CPU), else "". On a busy machine more threads win a larger share of the
// CPUs from the scheduler, so throughput can even rise with the thread count.
std::string load_warning(const std::string& load, unsigned cpus);

}  // namespace futon_bench
