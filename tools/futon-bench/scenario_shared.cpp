// SPDX-License-Identifier: BSL-1.0
// Scenario 4: a reader/writer lock with 90 % shared (read) and 10 % exclusive (write) locks, N
// threads, the same ~20 ns inside and ~100 ns outside as the contended mutex.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>

#include "implementations.hpp"
#include "scenarios.hpp"
#include "thread_run.hpp"
#include "work.hpp"

namespace futon_bench {

namespace {

template <class SharedMutex>
struct alignas(64) guarded_value {
  SharedMutex mutex;
  std::uint64_t value = 0;  // written under the exclusive lock, read under the shared one
  // Totals the threads add when they finish, to check the value against.
  alignas(64) std::atomic<std::uint64_t> writes{0};
  std::atomic<std::uint64_t> torn_reads{0};
};

template <class SharedMutex>
void measure(point& p, const std::string& name, int threads, const context& ctx) {
  // Shared with the threads, which keep it alive should one of them be stuck (thread_run.hpp).
  const auto g = std::make_shared<guarded_value<SharedMutex>>();
  const std::uint32_t inside = ctx.cal.inside_steps;
  const std::uint32_t outside = ctx.cal.outside_steps;
  const thread_run run = run_threads(
      threads, ctx.opts.duration,
      [g, inside, outside](int index, const std::atomic<bool>& stop, thread_tally& tally) {
        std::uint32_t random = 0x9E3779B9u * static_cast<std::uint32_t>(index + 1);
        std::uint64_t operations = 0;
        std::uint64_t my_writes = 0;
        std::uint64_t my_torn = 0;
        // Relaxed: `stop` only says "finish"; the results are read after the thread is done.
        while (!stop.load(std::memory_order_relaxed)) {
          if (next_random(random) % 10 == 0) {
            g->mutex.lock();
            ++g->value;
            busy_work(inside);
            g->mutex.unlock();
            ++my_writes;
          } else {
            g->mutex.lock_shared();
            // Volatile reads: the compiler must really read twice, to catch a writer that got
            // in while we hold the shared lock.
            const volatile std::uint64_t& value = g->value;
            const std::uint64_t seen = value;
            busy_work(inside);
            if (value != seen) ++my_torn;
            g->mutex.unlock_shared();
          }
          ++operations;
          busy_work(outside);
        }
        tally.operations = operations;
        // Relaxed: plain sums, read after the thread is done.
        g->writes.fetch_add(my_writes, std::memory_order_relaxed);
        g->torn_reads.fetch_add(my_torn, std::memory_order_relaxed);
      });
  // Relaxed: the threads are done (the harness's acquire of their `done` flags).
  const std::uint64_t writes = g->writes.load(std::memory_order_relaxed);
  const std::uint64_t torn = g->torn_reads.load(std::memory_order_relaxed);
  if (run.stuck > 0) {
    p.fail(name + ": " + stuck_message(run.stuck, threads, ctx.opts.duration));
    return;
  }
  if (g->value != writes || torn != 0) {
    p.fail(name + ": exclusion broken: " + std::to_string(writes) + " writes, value " +
           std::to_string(g->value) + ", " + std::to_string(torn) +
           " reads saw a write while shared-locked");
  }
  const double ops = static_cast<double>(std::max<std::uint64_t>(run.operations(), 1));
  p.add(name, "throughput", ops / run.seconds * 1e-6);
  p.add(name, "cpu", static_cast<double>(run.usage.cpu_ns) * 1e-9 / (ops * 1e-6));
  p.add(name, "switches",
        run.usage.has_switches() ? static_cast<double>(run.usage.context_switches()) / ops * 1000
                                 : std::numeric_limits<double>::quiet_NaN());
}

}  // namespace

void run_shared(context& ctx) {
  for (const int threads : ctx.opts.shared_threads) {
    point p;
    p.scenario = "shared";
    p.param = threads;
    p.title = "shared_mutex 90% reads, " + std::to_string(threads) +
              (threads == 1 ? " thread" : " threads");
    p.metrics = {
        {"throughput", "throughput", "M ops/s", better::higher, true},
        {"cpu", "CPU per M operations", "s", better::lower, false},
        {"switches", "ctx switches per 1k ops", "cs", better::lower, false},
    };
    for (int rep = 0; rep < ctx.opts.repetitions; ++rep) {
      for_each_shared_mutex(
          [&]<class SharedMutex>(const char* name) {
            measure<SharedMutex>(p, name, threads, ctx);
            heartbeat(p.title);
          },
          order_of_repetition(rep));
    }
    ctx.out.points.push_back(std::move(p));
    ctx.prog.done(ctx.out.points.back());
  }
}

}  // namespace futon_bench
