// SPDX-License-Identifier: BSL-1.0
// What the numbers were measured on: the futon commit, CPU, core count, kernel, load, compiler,
// standard library, build type and futon's futex backend. Load matters most: the machine is shared,
// and a busy one shifts every figure (the ratios less, since implementations are measured
// interleaved).
#pragma once

#include <string>

namespace futon_bench {

struct machine_info {
  std::string futon_commit;  // "0092922a1b2c", "-dirty" appended for local changes, or "unknown"
  std::string cpu;
  unsigned cpus = 0;
  std::string kernel;  // "Linux 6.1.0-18-amd64 x86_64", from uname(), or "unknown"
  std::string compiler;
  std::string standard_library;
  bool assertions = false;  // FUTON_DEBUG_CHECKS: futon's debug checks run in every call
  std::string futon_backend;
  std::string date_utc;
};

machine_info describe_machine();
// "1.23 1.10 0.95" from /proc/loadavg, or "n/a".
std::string load_average();

}  // namespace futon_bench
