// SPDX-License-Identifier: BSL-1.0
// Scenario 2: one mutex, N threads, each looping: lock, ~20 ns of work, unlock, ~100 ns of work.
// On a 2-core machine, 4..32 threads oversubscribe it: what a lock does then (spin, sleep, hand
// off) decides throughput, fairness and CPU spent.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>

#include "implementations.hpp"
#include "lock_run_metrics.hpp"
#include "scenarios.hpp"
#include "thread_run.hpp"
#include "work.hpp"

namespace futon_bench {

namespace {

// The mutex and the data it guards share a cache line, as in most real code: the line that
// carries the lock to the next holder carries the data with it.
template <class Mutex>
struct alignas(64) guarded_counter {
  Mutex mutex;
  std::uint64_t count = 0;  // incremented under the mutex: checks mutual exclusion
};

template <class Mutex>
void measure(point& p, const std::string& name, int threads, const context& ctx) {
  // Shared with the threads, which keep it alive should one of them be stuck (thread_run.hpp).
  const auto g = std::make_shared<guarded_counter<Mutex>>();
  const std::uint32_t inside = ctx.cal.inside_steps;
  const std::uint32_t outside = ctx.cal.outside_steps;
  const thread_run run =
      run_threads(threads, ctx.opts.duration,
                  [g, inside, outside](int, const std::atomic<bool>& stop, thread_tally& tally) {
                    std::uint64_t acquisitions = 0;
                    std::int64_t worst_wait = 0;
                    // Relaxed: `stop` only says "finish"; the results are read after the thread is
                    // done.
                    while (!stop.load(std::memory_order_relaxed)) {
                      // The two clock reads count toward the work outside and inside (see
                      // calibrate.hpp).
                      const std::int64_t before = now_ns();
                      g->mutex.lock();
                      const std::int64_t after = now_ns();
                      ++g->count;
                      busy_work(inside);
                      g->mutex.unlock();
                      ++acquisitions;
                      worst_wait = std::max(worst_wait, after - before);
                      busy_work(outside);
                    }
                    tally.operations = acquisitions;
                    tally.worst_wait_ns = worst_wait;
                  });

  record_lock_run(p, name, run, g->count, threads, ctx.opts.duration, true);
}

}  // namespace

void run_contended(context& ctx) {
  for (const int threads : ctx.opts.contended_threads) {
    point p;
    p.scenario = "contended";
    p.param = threads;
    p.title =
        "contended mutex, " + std::to_string(threads) + (threads == 1 ? " thread" : " threads");
    p.metrics = lock_run_metrics("worst lock() wait");
    for (int rep = 0; rep < ctx.opts.repetitions; ++rep) {
      for_each_mutex(
          [&]<class Mutex>(const char* name) {
            measure<Mutex>(p, name, threads, ctx);
            heartbeat(p.title);
          },
          order_of_repetition(rep));
    }
    ctx.out.points.push_back(std::move(p));
    ctx.prog.done(ctx.out.points.back());
  }
}

}  // namespace futon_bench
