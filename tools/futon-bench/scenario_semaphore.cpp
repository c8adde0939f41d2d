// SPDX-License-Identifier: BSL-1.0
// Scenario 5: producer/consumer pairs over a bounded queue of 16 slots, made of two counting
// semaphores (free slots, filled items). Producing and consuming an item each cost ~100 ns of
// work. Measured: items handed over per second, CPU time and context switches per item.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <semaphore>
#include <string>

#include "run_order.hpp"
#include "scenarios.hpp"
#include "thread_run.hpp"
#include "work.hpp"

#if __has_include(<futon/counting_semaphore.hpp>)
#include <futon/counting_semaphore.hpp>
#define FUTON_BENCH_HAVE_SEMAPHORE 1
#endif

namespace futon_bench {

namespace {

constexpr std::ptrdiff_t queue_slots = 16;
// Room for the queue plus the permits handed out at the end to release blocked threads.
constexpr std::ptrdiff_t semaphore_max = 1024;

template <class Semaphore>
struct queue_semaphores {
  Semaphore free_slots{queue_slots};
  Semaphore filled{0};
  std::atomic<std::uint64_t> produced{0};  // added by each producer when it finishes
};

template <class Semaphore>
void measure(point& p, const std::string& name, int pairs, const context& ctx) {
  // Shared with the threads, which keep it alive should one of them be stuck (thread_run.hpp).
  const auto q = std::make_shared<queue_semaphores<Semaphore>>();
  const std::uint32_t work = ctx.cal.outside_steps;
  const thread_run run = run_threads(
      2 * pairs, ctx.opts.duration,
      [q, work, pairs](int index, const std::atomic<bool>& stop, thread_tally& tally) {
        std::uint64_t items = 0;
        if (index < pairs) {
          for (;;) {
            busy_work(work);  // produce
            q->free_slots.acquire();
            // Relaxed: a permit released after `stop` was raised (see on_stop) carries the
            // raise with it (release/acquire on the semaphore), so such a thread sees it.
            if (stop.load(std::memory_order_relaxed)) break;
            q->filled.release();
            ++items;
          }
          // Relaxed: a plain sum, read after the thread is done.
          q->produced.fetch_add(items, std::memory_order_relaxed);
        } else {
          for (;;) {
            q->filled.acquire();
            // Relaxed: as for the producer.
            if (stop.load(std::memory_order_relaxed)) break;
            q->free_slots.release();
            ++items;
            busy_work(work);  // consume
          }
          tally.operations = items;  // throughput counts consumed items
        }
      },
      [q, pairs] {
        // Every thread blocked in acquire gets one permit, sees `stop` and leaves.
        q->free_slots.release(pairs);
        q->filled.release(pairs);
      });
  // Relaxed: the threads are done (the harness's acquire of their `done` flags).
  const std::uint64_t made = q->produced.load(std::memory_order_relaxed);
  const std::uint64_t consumed = run.operations();
  if (run.stuck > 0) {
    p.fail(name + ": " + stuck_message(run.stuck, 2 * pairs, ctx.opts.duration));
    return;
  }
  if (consumed > made) {
    p.fail(name + ": consumed " + std::to_string(consumed) + " items but produced only " +
           std::to_string(made));
  }
  const double items = static_cast<double>(std::max<std::uint64_t>(consumed, 1));
  p.add(name, "throughput", items / run.seconds * 1e-6);
  p.add(name, "cpu", static_cast<double>(run.usage.cpu_ns) * 1e-9 / (items * 1e-6));
  p.add(name, "switches",
        run.usage.has_switches() ? static_cast<double>(run.usage.context_switches()) / items * 1000
                                 : std::numeric_limits<double>::quiet_NaN());
}

}  // namespace

void run_semaphore(context& ctx) {
  for (const int pairs : ctx.opts.pairs) {
    point p;
    p.scenario = "semaphore";
    p.param = pairs;
    p.title =
        "semaphore producer/consumer, " + std::to_string(pairs) + (pairs == 1 ? " pair" : " pairs");
    p.metrics = {
        {"throughput", "throughput", "M items/s", better::higher, true},
        {"cpu", "CPU per M items", "s", better::lower, false},
        {"switches", "ctx switches per 1k items", "cs", better::lower, false},
    };
#if defined(FUTON_BENCH_HAVE_SEMAPHORE)
    for (int rep = 0; rep < ctx.opts.repetitions; ++rep) {
      ordered_runs runs;
      runs.add([&] {
        measure<futon::counting_semaphore<semaphore_max>>(p, "futon", pairs, ctx);
        heartbeat(p.title);
      });
      runs.add([&] {
        measure<std::counting_semaphore<semaphore_max>>(p, "std", pairs, ctx);
        heartbeat(p.title);
      });
      runs.run(order_of_repetition(rep));
    }
#else
    p.note("futon::counting_semaphore is not written yet: std only");
    for (int rep = 0; rep < ctx.opts.repetitions; ++rep) {
      measure<std::counting_semaphore<semaphore_max>>(p, "std", pairs, ctx);
      heartbeat(p.title);
    }
#endif
    ctx.out.points.push_back(std::move(p));
    ctx.prog.done(ctx.out.points.back());
  }
}

}  // namespace futon_bench
