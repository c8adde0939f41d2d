// SPDX-License-Identifier: BSL-1.0
// futon's performance targets, checked against this run's numbers (1-6, 12 and 13 are issue 11's,
// stated as it states them):
//   1. uncontended lock+unlock: futon's time at most 0.75x std::mutex's, and at most 1.05x the
//      bare CAS-lock / CAS-unlock floor measured beside it (medians);
//   2. contended mutex, every thread count 2..32: the worst repetition at least 0.9x the median
//      (no convoy regime), and futon's throughput at least std's in every repetition (the two
//      run side by side within a repetition);
//   3. contended CPU: CPU time per acquisition no higher than std::mutex's at any thread count;
//   4. contended fairness: spread at 32 threads no worse than std::mutex's;
//   5. broadcast to 4, 16 and 64 waiters: faster than std::condition_variable at each, with at
//      most N + 2 context switches per broadcast;
//   6. atomic_wait ping-pong: at least as many round trips as std::atomic::wait, for no more
//      CPU time per round trip;
//   7. interprocess (Linux): at every point of the ping-pong and the contended mutex between
//      processes, futon::interprocess's throughput at least the better pthread process-shared
//      variant's (plain or robust), and its CPU time per operation at most the lower one's;
//   8-11. the application scenarios, each with all its cases (8 group commit, 9 thread pool,
//      10 read-mostly cache, 11 pipeline): at every point (every thread count), the throughput of
//      futon's primitives at least std's, and their CPU time per operation at most std's;
//   12. semaphore producer/consumer: throughput at least std's at 1, 2 and 4 pairs;
//   13. shared_mutex 90 % reads: throughput at least std's at every thread count.
// A target whose scenario or point was not run is SKIP. Each line gives the target's number and
// its bar; where peers other than std were measured, it also gives futon's ratio to the best of
// them, for information: these targets are stated against std (peers.hpp, best_peer, is the
// helper for a target stated against "the best peer").
#pragma once

#include <string>
#include <vector>

#include "results.hpp"

namespace futon_bench {

enum class verdict { pass, miss, skip };

struct target_result {
  int number = 0;  // 1..11 as listed above
  std::string name;
  verdict outcome = verdict::skip;
  std::string detail;  // the measured ratio and the bar it was held to

  std::string line() const;  // "PASS  T1 uncontended lock+unlock: ..."
};

std::vector<target_result> evaluate_targets(const results& r);

}  // namespace futon_bench
