// SPDX-License-Identifier: BSL-1.0
// The metrics of a mutex scenario's run (contended, recursive): throughput, per-thread spread,
// worst wait, CPU and context switches per acquisition, with the checks that make them
// trustworthy (no stuck thread, the guarded counter matches the acquisitions).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "results.hpp"
#include "thread_run.hpp"

namespace futon_bench {

// The metric columns of a mutex scenario; `wait_label` names its worst-wait metric.
std::vector<metric> lock_run_metrics(const char* wait_label);

// Adds `run`'s figures for implementation `name` to `p`, or fails the point if a thread was stuck
// (after `duration`) or `guarded_count` (a counter incremented under the lock) disagrees with the
// acquisitions. `with_worst_wait`: the threads timed their lock() calls.
void record_lock_run(point& p, const std::string& name, const thread_run& run,
                     std::uint64_t guarded_count, int threads, std::chrono::nanoseconds duration,
                     bool with_worst_wait);

}  // namespace futon_bench
