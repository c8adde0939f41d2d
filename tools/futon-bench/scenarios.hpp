// SPDX-License-Identifier: BSL-1.0
// The scenarios. Each runs its points (one per thread / waiter / pair count), every point for
// every implementation, repetitions interleaved (repetition 1 of futon, std, absl, then
// repetition 2, ...) so that a change in machine load falls on all of them alike.
#pragma once

#include <chrono>
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
// The application scenarios: futon's mutex, condition variable, shared_mutex, semaphore and wait
// group inside small programs shaped like real ones, against std's, over opts.contended_threads.
void run_group_commit(context& ctx);
void run_thread_pool(context& ctx, const std::string& scenario);  // thread_pool_* (its case)
void run_cache(context& ctx, const std::string& scenario);        // cache_* (its read share)
void run_pipeline(context& ctx);
void run_interprocess_pingpong(context& ctx);   // Linux only (all_scenarios offers it there)
void run_interprocess_contended(context& ctx);  // likewise

// Whether `scenario` is one of the application scenarios above.
bool is_application_scenario(const std::string& scenario);
// One measurement of an application scenario: an eighth of --duration. Nine scenarios of six
// points each would otherwise add more than the rest of the default report takes.
std::chrono::nanoseconds application_measurement(const options& opts);
// Repetitions of an application point: --repetitions, plus one when that is odd. Their order
// alternates (futon first, then std first), which is even-handed only over an even count: on
// this 2-core VM a 1-thread point's runs alternate slow and fast whatever runs (the thread
// lands on the other vCPU), and with 5 repetitions futon ran 3 of its 5 at the slow place:
// group_commit at 1 writer read 0.62x std, its runs [0.17 0.28 0.17 0.27 0.17] against std's
// [0.28 0.17 0.28 0.17 0.28] M/s (2026-12-05, load 0.48).
int application_repetitions(const options& opts);

// Called by the scenarios whenever a measurement finishes: the watchdog in main.cpp aborts the
// run, naming the point, if none finishes for a long time (a lost wake-up would hang it).
void heartbeat(const std::string& what);

}  // namespace futon_bench
