// SPDX-License-Identifier: BSL-1.0
// Scenario 8: locks shared between processes (Linux). futon::interprocess against the C
// library's PTHREAD_PROCESS_SHARED mutex and condition variable, plain and robust, each in a
// memfd that every forked child maps at its own address (process_run.hpp):
//   ping-pong   two processes take turns through a mutex and one condition variable;
//   contended   N processes share one mutex, with the contended scenario's loop.
// Each measurement takes half of the configured duration, to keep the full run's added time
// small (forking and mapping are outside the timed part).
#include "interprocess_adapters.hpp"  // FUTON_BENCH_HAVE_INTERPROCESS
#include "scenarios.hpp"

#if defined(FUTON_BENCH_HAVE_INTERPROCESS)
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <mutex>
#include <string>

#include "implementations.hpp"
#include "lock_run_metrics.hpp"
#include "process_run.hpp"
#include "work.hpp"
#endif

namespace futon_bench {

#if defined(FUTON_BENCH_HAVE_INTERPROCESS)
namespace {

std::chrono::nanoseconds measure_time(const options& opts) {
  return opts.duration / 2;
}

// A lock that could not be made (a robust mutex where the kernel has no robust list) leaves its
// implementation out of the point, with a note, rather than failing the run.
template <class Mutex, class ConditionVariable>
bool can_make(point& p, const std::string& name) {
  const Mutex m;
  const ConditionVariable cv;
  const int error = init_error(m) != 0 ? init_error(m) : init_error(cv);
  if (error == 0) return true;
  p.note(name + ": left out: its initialization failed here (" + std::strerror(error) + ")");
  return false;
}

template <class Mutex, class ConditionVariable>
struct alignas(64) rally {
  Mutex mutex;
  ConditionVariable turn_changed;
  std::uint64_t turns = 0;  // even: process 0 plays, odd: process 1; under the mutex
  bool finished = false;    // one side saw `stop` and left; under the mutex
};

template <class Mutex, class ConditionVariable>
void measure_pingpong(point& p, const std::string& name, const context& ctx) {
  using state = rally<Mutex, ConditionVariable>;
  const process_run run = run_processes<state>(
      2, measure_time(ctx.opts), [](int me, const stop_word& stop, state& s, thread_tally& tally) {
        std::uint64_t played = 0;
        std::unique_lock lock(s.mutex);
        for (;;) {
          while (s.turns % 2 != static_cast<std::uint64_t>(me) && !s.finished)
            s.turn_changed.wait(lock);
          if (s.finished) break;
          // Relaxed: `stop` only says "finish"; the results are read after the children exit.
          if (stop.load(std::memory_order_relaxed) != 0) s.finished = true;
          if (!s.finished) {
            ++s.turns;
            ++played;
          }
          // Under the mutex, as most code does: the woken side then waits for the mutex too,
          // which is the hand-off a ping-pong through a condition variable pays for.
          s.turn_changed.notify_one();
          if (s.finished) break;
        }
        tally.operations = played;
      });
  if (!run.ok()) {
    p.fail(name + ": " + run.problem(measure_time(ctx.opts)));
    return;
  }
  // Each round trip is two turns; every turn was counted once, by the process that played it.
  const auto& s = run.processes;
  const std::uint64_t turns = s[0].operations + s[1].operations;
  if (s[0].operations < s[1].operations || s[0].operations > s[1].operations + 1) {
    p.fail(name + ": turns out of order: " + std::to_string(s[0].operations) + " and " +
           std::to_string(s[1].operations));
  }
  const double n = static_cast<double>(std::max<std::uint64_t>(turns / 2, 1));
  p.add(name, "round_trips", n / run.seconds * 1e-3);
  p.add(name, "cpu", static_cast<double>(run.usage.cpu_ns) * 1e-3 / n);
  p.add(name, "switches",
        run.usage.has_switches() ? static_cast<double>(run.usage.context_switches()) / n
                                 : std::numeric_limits<double>::quiet_NaN());
}

// The contended scenario's guarded counter, in shared memory.
template <class Mutex>
struct alignas(64) guarded_counter {
  Mutex mutex;
  std::uint64_t count = 0;  // incremented under the mutex: checks mutual exclusion
};

template <class Mutex>
void measure_contended(point& p, const std::string& name, int processes, const context& ctx) {
  const std::uint32_t inside = ctx.cal.inside_steps;
  const std::uint32_t outside = ctx.cal.outside_steps;
  // Read by the parent after every child has exited, before the state is destroyed.
  std::uint64_t guarded = 0;
  process_run run = run_processes<guarded_counter<Mutex>>(
      processes, measure_time(ctx.opts),
      [inside, outside](int, const stop_word& stop, guarded_counter<Mutex>& g,
                        thread_tally& tally) {
        std::uint64_t acquisitions = 0;
        std::int64_t worst_wait = 0;
        // Relaxed: as in the ping-pong.
        while (stop.load(std::memory_order_relaxed) == 0) {
          // The contended scenario's loop (scenario_contended.cpp), clock reads included.
          const std::int64_t before = now_ns();
          g.mutex.lock();
          const std::int64_t after = now_ns();
          ++g.count;
          busy_work(inside);
          g.mutex.unlock();
          ++acquisitions;
          worst_wait = std::max(worst_wait, after - before);
          busy_work(outside);
        }
        tally.operations = acquisitions;
        tally.worst_wait_ns = worst_wait;
      },
      [&guarded](const guarded_counter<Mutex>& g) { guarded = g.count; });
  if (!run.ok()) {
    p.fail(name + ": " + run.problem(measure_time(ctx.opts)));
    return;
  }
  thread_run as_threads;
  as_threads.threads = std::move(run.processes);
  as_threads.seconds = run.seconds;
  as_threads.usage = run.usage;
  record_lock_run(p, name, as_threads, guarded, processes, measure_time(ctx.opts), true);
}

}  // namespace

void run_interprocess_pingpong(context& ctx) {
  point p;
  p.scenario = "interprocess_pingpong";
  p.title = "interprocess ping-pong, mutex + condition_variable";
  p.metrics = {
      {"round_trips", "round trips", "k/s", better::higher, true},
      {"cpu", "CPU per round trip", "us", better::lower, false},
      {"switches", "ctx switches per round trip", "cs", better::lower, false},
  };
  for (int rep = 0; rep < ctx.opts.repetitions; ++rep) {
    for_each_interprocess(
        [&]<class Mutex, class ConditionVariable>(const char* name) {
          if (!can_make<Mutex, ConditionVariable>(p, name)) return;
          measure_pingpong<Mutex, ConditionVariable>(p, name, ctx);
          heartbeat(p.title);
        },
        order_of_repetition(rep));
  }
  ctx.out.points.push_back(std::move(p));
  ctx.prog.done(ctx.out.points.back());
}

void run_interprocess_contended(context& ctx) {
  for (const int processes : ctx.opts.processes) {
    point p;
    p.scenario = "interprocess_contended";
    p.param = processes;
    p.title = "interprocess mutex, " + std::to_string(processes) +
              (processes == 1 ? " process" : " processes");
    p.metrics = lock_run_metrics("worst lock() wait");
    p.metrics[static_cast<std::size_t>(p.metric_index("spread"))].title =
        "spread max/min per process";
    for (int rep = 0; rep < ctx.opts.repetitions; ++rep) {
      // futon-robust takes its turn last or first like the rest: a target compares it with
      // pthread-robust.
      ordered_runs runs;
      runs.add([&] {
        for_each_interprocess(
            [&]<class Mutex, class ConditionVariable>(const char* name) {
              if (!can_make<Mutex, ConditionVariable>(p, name)) return;
              measure_contended<Mutex>(p, name, processes, ctx);
              heartbeat(p.title);
            },
            order_of_repetition(rep));
      });
#if FUTON_HAS_ROBUST_MUTEX
      runs.add([&] {
        measure_contended<recovering_robust_mutex>(p, "futon-robust", processes, ctx);
        heartbeat(p.title);
      });
#endif
      runs.run(order_of_repetition(rep));
    }
    ctx.out.points.push_back(std::move(p));
    ctx.prog.done(ctx.out.points.back());
  }
}

#else
// Not compiled in (not Linux): the scenarios are not offered (options.cpp), so never called.
void run_interprocess_pingpong(context&) {}
void run_interprocess_contended(context&) {}
#endif

}  // namespace futon_bench
