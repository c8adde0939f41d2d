// SPDX-License-Identifier: BSL-1.0
// Scenario 7: a recursive mutex taken two levels deep (lock, lock, unlock, unlock), as code that
// re-enters its own lock does. Uncontended (one thread, nothing else: the cost of the four calls)
// and contended (N threads, the contended mutex's ~20 ns inside and ~100 ns outside), with the
// contended scenario's per-thread spread, worst wait, CPU time and context switches.
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

// As in the contended scenario: the mutex and the data it guards share a cache line.
template <class Mutex>
struct alignas(64) guarded_counter {
  Mutex mutex;
  std::uint64_t count = 0;  // incremented at the inner level: checks mutual exclusion
};

// Each measurement takes a third of --duration: this scenario is one of several in the default
// report, and its points settle quickly.
std::chrono::nanoseconds measurement(const context& ctx) {
  return ctx.opts.duration / 3;
}

template <class Mutex>
void measure(point& p, const std::string& name, int threads, const context& ctx) {
  // Shared with the threads, which keep it alive should one of them be stuck (thread_run.hpp).
  const auto g = std::make_shared<guarded_counter<Mutex>>();
  const bool uncontended = threads == 1;
  const std::uint32_t inside = ctx.cal.inside_steps;
  const std::uint32_t outside = ctx.cal.outside_steps;
  const thread_run run = run_threads(
      threads, measurement(ctx),
      [g, uncontended, inside, outside](int, const std::atomic<bool>& stop, thread_tally& tally) {
        std::uint64_t acquisitions = 0;
        std::int64_t worst_wait = 0;
        if (uncontended) {
          // The four calls alone, in batches between looks at `stop`. Relaxed: `stop` only says
          // "finish"; the results are read after the thread is done.
          while (!stop.load(std::memory_order_relaxed)) {
            for (int i = 0; i < 256; ++i) {
              g->mutex.lock();
              g->mutex.lock();
              ++g->count;
              g->mutex.unlock();
              g->mutex.unlock();
            }
            acquisitions += 256;
          }
        } else {
          // Relaxed: as above.
          while (!stop.load(std::memory_order_relaxed)) {
            // The clock reads count toward the work outside and inside (see calibrate.hpp).
            const std::int64_t before = now_ns();
            g->mutex.lock();
            const std::int64_t after = now_ns();
            g->mutex.lock();
            ++g->count;
            busy_work(inside);
            g->mutex.unlock();
            g->mutex.unlock();
            ++acquisitions;
            worst_wait = std::max(worst_wait, after - before);
            busy_work(outside);
          }
        }
        tally.operations = acquisitions;
        tally.worst_wait_ns = worst_wait;
      });

  // Uncontended, the clock is not read around each lock (it would cost more than the lock).
  record_lock_run(p, name, run, g->count, threads, measurement(ctx), !uncontended);
}

}  // namespace

void run_recursive(context& ctx) {
  for (const int threads : ctx.opts.recursive_threads) {
    point p;
    p.scenario = "recursive";
    p.param = threads;
    p.title = threads == 1 ? "recursive mutex, depth 2, uncontended"
                           : "recursive mutex, depth 2, " + std::to_string(threads) + " threads";
    p.metrics = lock_run_metrics("worst first lock() wait");
    for (int rep = 0; rep < ctx.opts.repetitions; ++rep) {
      for_each_recursive_mutex(
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
