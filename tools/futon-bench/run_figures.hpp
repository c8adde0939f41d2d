// SPDX-License-Identifier: BSL-1.0
// The figures every threaded scenario reports from one run: throughput, the spread of work
// between threads, CPU time and context switches per operation. The mutex scenarios
// (lock_run_metrics.hpp) add their checks and worst wait to these; the application scenarios
// (group commit, thread pool, cache, pipeline) report them with checks of their own.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "results.hpp"
#include "thread_run.hpp"

namespace futon_bench {

// Throughput, spread, CPU and context switches, for operations called `what` ("writes").
std::vector<metric> run_figure_metrics(const std::string& what);

// Adds `run`'s figures for `name` to `p`: `operations` over the run's time, the process's CPU
// time and context switches per operation, and the spread between the `counted` threads' tallies
// (those that do the operations: a thread pool's workers, not its submitter). Returns how many
// of them did none; each counts as one in the spread, so that it stays finite.
int add_run_figures(point& p, const std::string& name, const thread_run& run,
                    std::uint64_t operations, std::span<const thread_tally> counted);

// An application scenario's run: fails the point if a thread was stuck (after `duration`) and
// returns false; else adds the figures, notes counted threads that did nothing, returns true.
bool record_app_run(point& p, const std::string& name, const thread_run& run,
                    std::uint64_t operations, std::span<const thread_tally> counted,
                    std::chrono::nanoseconds duration);

}  // namespace futon_bench
