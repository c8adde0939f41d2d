// SPDX-License-Identifier: BSL-1.0
#include "scenarios.hpp"

#include <chrono>

#include "implementations.hpp"

namespace futon_bench {

bool is_application_scenario(const std::string& scenario) {
  return in_family(scenario, "group_commit") || in_family(scenario, "thread_pool") ||
         in_family(scenario, "cache") || in_family(scenario, "pipeline");
}

std::chrono::nanoseconds application_measurement(const options& opts) {
  return opts.duration / 8;
}

int application_repetitions(const options& opts) {
  return opts.repetitions + opts.repetitions % 2;
}

int point_count(const std::string& scenario, const options& opts) {
  if (scenario == "contended" || is_application_scenario(scenario))
    return static_cast<int>(opts.contended_threads.size());
  if (scenario == "broadcast") return static_cast<int>(opts.waiters.size());
  if (scenario == "shared") return static_cast<int>(opts.shared_threads.size());
  if (scenario == "semaphore") return static_cast<int>(opts.pairs.size());
  if (scenario == "recursive") return static_cast<int>(opts.recursive_threads.size());
  if (scenario == "interprocess_contended") return static_cast<int>(opts.processes.size());
  return 1;  // uncontended, atomic_wait, interprocess_pingpong
}

std::vector<double> planned_costs(const std::string& scenario, const options& opts) {
  const double duration = std::chrono::duration<double>(opts.duration).count();
  const double reps = opts.repetitions;
  double cost = 2 * reps * duration;  // semaphore, atomic_wait: futon and std
  if (scenario == "uncontended") cost = (count_mutexes() + 1) * reps * duration / 4;  // + CAS lock
  if (scenario == "contended") cost = count_mutexes() * reps * duration;
  if (scenario == "broadcast") cost = count_condition_variables() * reps * duration;
  if (scenario == "shared") cost = count_shared_mutexes() * reps * duration;
  if (scenario == "recursive") cost = 2 * reps * duration / 3;
  // Half the duration each (scenario_interprocess.cpp), plus a few milliseconds of forking.
  if (scenario.starts_with("interprocess_")) cost = count_interprocess() * reps * duration / 2;
  if (is_application_scenario(scenario)) {
    cost = (opts.control ? 3 : 2) * application_repetitions(opts) *
           std::chrono::duration<double>(application_measurement(opts)).count();
  }
  return std::vector<double>(static_cast<std::size_t>(point_count(scenario, opts)), cost);
}

void run_scenario(const std::string& scenario, context& ctx) {
  if (scenario == "uncontended") run_uncontended(ctx);
  if (scenario == "contended") run_contended(ctx);
  if (scenario == "broadcast") run_broadcast(ctx);
  if (scenario == "shared") run_shared(ctx);
  if (scenario == "semaphore") run_semaphore(ctx);
  if (scenario == "atomic_wait") run_atomic_wait(ctx);
  if (scenario == "recursive") run_recursive(ctx);
  if (scenario == "group_commit") run_group_commit(ctx);
  if (in_family(scenario, "thread_pool")) run_thread_pool(ctx, scenario);
  if (in_family(scenario, "cache")) run_cache(ctx, scenario);
  if (scenario == "pipeline") run_pipeline(ctx);
  if (scenario == "interprocess_pingpong") run_interprocess_pingpong(ctx);
  if (scenario == "interprocess_contended") run_interprocess_contended(ctx);
}

}  // namespace futon_bench
