// SPDX-License-Identifier: BSL-1.0
// Scenario 3: notify_all to N waiters, each of which, once woken, takes the mutex, records that
// it passed, and waits again (releasing the mutex). Measured: the time from the notify_all call
// until the last waiter has passed, and the context switches and CPU time per broadcast.
//
// One round, with the notifier on the main thread:
//   notifier: lock; passed = 0; ++generation; unlock; t0 = now; notify_all;
//             sleep until the last waiter says "round done"
//   waiter:   wakes, relocks (inside wait), sees the new generation, ++passed; the last one
//             reads the clock and signals "round done"; back into wait
// The notifier locks the mutex before the next round only once the last waiter has gone back
// into wait (which releases it), so every broadcast finds all N waiters waiting. The "round
// done" signal costs the notifier one sleep and wake per round, the same for every
// implementation: it is included in the context switch count (so the floor is N + 1).
// A round that never completes (a lost wake-up) is reported as a failed check, not hung on.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "implementations.hpp"
#include "process_usage.hpp"
#include "scenarios.hpp"
#include "thread_run.hpp"
#include "work.hpp"

namespace futon_bench {

namespace {

template <class Mutex, class ConditionVariable>
struct broadcast_state {
  explicit broadcast_state(int n) : waiters(n), done(std::make_unique<std::atomic<bool>[]>(n)) {}
  const int waiters;
  Mutex mutex;
  ConditionVariable cv;
  // Guarded by `mutex`:
  std::uint64_t generation = 0;
  int passed = 0;
  std::int64_t last_pass_ns = 0;
  bool stop = false;
  // "Round done", from the last waiter to the notifier, which cannot sleep on the measured
  // condition variable (that would add a waiter). A std::mutex and std::condition_variable for
  // every implementation alike; timed, so that a lost wake-up is reported, not hung on.
  std::mutex round_mutex;
  std::condition_variable round_cv;
  bool round_done = false;                    // guarded by round_mutex
  std::unique_ptr<std::atomic<bool>[]> done;  // per waiter: it has returned
};

template <class Mutex, class ConditionVariable>
void measure(point& p, const std::string& name, int waiters, const context& ctx) {
  using state = broadcast_state<Mutex, ConditionVariable>;
  // Shared with the threads, which keep it alive should one of them be stuck (thread_run.hpp).
  const auto s = std::make_shared<state>(waiters);

  std::vector<std::thread> threads;
  threads.reserve(static_cast<std::size_t>(waiters));
  for (int i = 0; i < waiters; ++i) {
    threads.emplace_back([s, i] {
      {
        std::unique_lock<Mutex> lock(s->mutex);
        std::uint64_t seen = s->generation;
        for (;;) {
          if (++s->passed == s->waiters) {
            s->last_pass_ns = now_ns();
            {
              std::lock_guard<std::mutex> guard(s->round_mutex);
              s->round_done = true;
            }
            s->round_cv.notify_one();
          }
          // Without a predicate: std's wait may return spuriously, so look at the generation.
          do {
            s->cv.wait(lock);
          } while (s->generation == seen && !s->stop);
          if (s->stop) break;
          seen = s->generation;
        }
      }
      // Release: everything this thread did is finished (see join_or_detach).
      s->done[static_cast<std::size_t>(i)].store(true, std::memory_order_release);
    });
  }

  const auto limit = stuck_after(ctx.opts.duration);
  // Waits for the last waiter of the round; false if it did not come within `limit`.
  const auto wait_for_round = [&s, limit] {
    std::unique_lock<std::mutex> lock(s->round_mutex);
    const bool done = s->round_cv.wait_for(lock, limit, [&s] { return s->round_done; });
    s->round_done = false;
    return done;
  };
  bool lost = !wait_for_round();  // round 0: every waiter has started and waits

  const process_usage before = process_usage::now();
  const std::int64_t start = now_ns();
  std::int64_t notified_at = 0;
  std::int64_t total_latency = 0;
  std::uint64_t rounds = 0;
  int passed_when_lost = 0;
  process_usage used;
  while (!lost) {
    bool finished = false;
    {
      std::lock_guard<Mutex> guard(s->mutex);
      if (rounds > 0) total_latency += s->last_pass_ns - notified_at;
      finished = rounds > 0 && now_ns() - start >= ctx.opts.duration.count();
      if (finished) {
        s->stop = true;
      } else {
        s->passed = 0;
        ++s->generation;
      }
    }
    if (finished) {
      used = process_usage::now() - before;
      break;
    }
    notified_at = now_ns();
    s->cv.notify_all();
    ++rounds;
    if (!wait_for_round()) {
      lost = true;
      std::lock_guard<Mutex> guard(s->mutex);
      passed_when_lost = s->passed;
      s->stop = true;
    }
  }
  s->cv.notify_all();  // the stop round
  const int stuck = join_or_detach(threads, s->done.get(), limit);
  if (lost) {
    p.fail(name + ": lost wake-up: after notify_all only " + std::to_string(passed_when_lost) +
           " of " + std::to_string(waiters) + " waiters passed within " +
           std::to_string(std::chrono::duration_cast<std::chrono::seconds>(limit).count()) +
           " s (" + std::to_string(stuck) +
           " still blocked at the end, detached; this repetition is left out of the figures)");
    return;
  }
  if (stuck > 0) {
    p.fail(name + ": " + stuck_message(stuck, waiters, ctx.opts.duration));
    return;
  }

  const double n = static_cast<double>(rounds);
  p.add(name, "latency", static_cast<double>(total_latency) * 1e-3 / n);
  p.add(name, "switches",
        used.has_switches() ? static_cast<double>(used.context_switches()) / n
                            : std::numeric_limits<double>::quiet_NaN());
  p.add(name, "cpu", static_cast<double>(used.cpu_ns) * 1e-3 / n);
  p.add(name, "broadcasts", n);
}

}  // namespace

void run_broadcast(context& ctx) {
  for (const int waiters : ctx.opts.waiters) {
    point p;
    p.scenario = "broadcast";
    p.param = waiters;
    p.title = "condition_variable broadcast to " + std::to_string(waiters) +
              (waiters == 1 ? " waiter" : " waiters");
    p.metrics = {
        {"latency", "notify_all to last pass", "us", better::lower, true},
        {"switches", "ctx switches per broadcast", "cs", better::lower, false},
        {"cpu", "CPU per broadcast", "us", better::lower, false},
        {"broadcasts", "broadcasts per repetition", "n", better::higher, false, false},
    };
    for (int rep = 0; rep < ctx.opts.repetitions; ++rep) {
      for_each_condition_variable(
          [&]<class Mutex, class ConditionVariable>(const char* name) {
            measure<Mutex, ConditionVariable>(p, name, waiters, ctx);
            heartbeat(p.title);
          },
          order_of_repetition(rep));
    }
    ctx.out.points.push_back(std::move(p));
    ctx.prog.done(ctx.out.points.back());
  }
}

}  // namespace futon_bench
