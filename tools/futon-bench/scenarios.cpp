// SPDX-License-Identifier: BSL-1.0
#include "scenarios.hpp"

namespace futon_bench {

int point_count(const std::string& scenario, const options& opts) {
  if (scenario == "contended") return static_cast<int>(opts.contended_threads.size());
  if (scenario == "broadcast") return static_cast<int>(opts.waiters.size());
  if (scenario == "shared") return static_cast<int>(opts.shared_threads.size());
  if (scenario == "semaphore") return static_cast<int>(opts.pairs.size());
  if (scenario == "recursive") return static_cast<int>(opts.recursive_threads.size());
  return 1;  // uncontended, atomic_wait
}

void run_scenario(const std::string& scenario, context& ctx) {
  if (scenario == "uncontended") run_uncontended(ctx);
  if (scenario == "contended") run_contended(ctx);
  if (scenario == "broadcast") run_broadcast(ctx);
  if (scenario == "shared") run_shared(ctx);
  if (scenario == "semaphore") run_semaphore(ctx);
  if (scenario == "atomic_wait") run_atomic_wait(ctx);
  if (scenario == "recursive") run_recursive(ctx);
}

}  // namespace futon_bench
