// SPDX-License-Identifier: BSL-1.0
// The scenarios. Each runs its points (one per thread / waiter / pair count), every point for
// every implementation, repetitions interleaved (repetition 1 of futon, std, absl, then
// repetition 2, ...) so that a change in machine load falls on all of them alike.
#pragma once

#include <string>
#include <vector>

#include "calibrate.hpp"
#include "options.hpp"
#include "progress.hpp"
#include "results.hpp"

namespace futon_bench {

struct context {
  const options& opts;
  const calibration& cal;
  progress& prog;
  results& out;
};

// How many points `scenario` has under `opts` (for the progress count).
int point_count(const std::string& scenario, const options& opts);
// What each of `scenario`'s points costs, in seconds of measuring (durations x implementations x
// repetitions), in run order: the weights of the progress line's estimate of the time left.
std::vector<double> planned_costs(const std::string& scenario, const options& opts);
// Runs one scenario by key.
void run_scenario(const std::string& scenario, context& ctx);

void run_uncontended(context& ctx);
void run_contended(context& ctx);
void run_broadcast(context& ctx);
void run_shared(context& ctx);
void run_semaphore(context& ctx);
void run_atomic_wait(context& ctx);
void run_recursive(context& ctx);
void run_interprocess_pingpong(context& ctx);   // Linux only (all_scenarios offers it there)
void run_interprocess_contended(context& ctx);  // likewise

// Called by the scenarios whenever a measurement finishes: the watchdog in main.cpp aborts the
// run, naming the point, if none finishes for a long time (a lost wake-up would hang it).
void heartbeat(const std::string& what);

}  // namespace futon_bench
