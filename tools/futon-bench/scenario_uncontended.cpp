// SPDX-License-Identifier: BSL-1.0
// Scenario 1: lock + unlock on one thread with nobody else around: the cost every user pays.
// References: the least a lock can do, one compare-and-swap to take it and a plain release store
// to give it back; and the floor of a lock that must learn at its unlock whether anyone waits
// (every futex lock), a compare-and-swap each way (issue 11's T1 floor).
#include <atomic>
#include <cstdint>
#include <limits>

#include "implementations.hpp"
#include "process_usage.hpp"
#include "run_order.hpp"
#include "scenarios.hpp"
#include "work.hpp"

namespace futon_bench {

namespace {

// The reference locks. Never contended here, so their lock loops never actually spin.
// With `cas_unlock` false, a plain release store gives the lock back (the least a lock can do);
// with it true, a compare-and-swap does, as in a lock whose unlock must read the word (to see
// waiters) in the same step that frees it.
template <bool cas_unlock>
class reference_lock {
 public:
  void lock() noexcept {
    std::uint32_t expected = 0;
    // Acquire: the critical section sees what the previous holder wrote.
    while (!word_.compare_exchange_weak(expected, 1, std::memory_order_acquire,
                                        std::memory_order_relaxed)) {
      expected = 0;
    }
  }
  // Release: publishes the critical section. (The CAS cannot fail: nobody else touches the
  // word; relaxed on failure.)
  void unlock() noexcept {
    if constexpr (cas_unlock) {
      std::uint32_t held = 1;
      static_cast<void>(word_.compare_exchange_strong(held, 0, std::memory_order_release,
                                                      std::memory_order_relaxed));
    } else {
      word_.store(0, std::memory_order_release);
    }
  }

 private:
  std::atomic<std::uint32_t> word_{0};
};
using cas_store_lock = reference_lock<false>;
using cas_cas_lock = reference_lock<true>;

struct pair_cost {
  double ns = 0;        // wall time per lock+unlock
  double cpu_ns = 0;    // the process's CPU time per lock+unlock (the wall time unless preempted)
  double switches = 0;  // the process's context switches per million pairs (NaN: not known)
};

template <class Mutex>
pair_cost measure_pairs(std::chrono::nanoseconds duration) {
  Mutex m;
  // The clock is read once per batch, so its cost is spread over 1024 pairs.
  constexpr int batch = 1024;
  std::uint64_t pairs = 0;
  const process_usage usage_before = process_usage::now();
  const std::int64_t start = now_ns();
  const std::int64_t end = start + duration.count();
  std::int64_t now = start;
  do {
    for (int i = 0; i < batch; ++i) {
      m.lock();
      m.unlock();
    }
    pairs += batch;
    now = now_ns();
  } while (now < end);
  const process_usage used = process_usage::now() - usage_before;
  const double n = static_cast<double>(pairs);
  return {static_cast<double>(now - start) / n, static_cast<double>(used.cpu_ns) / n,
          used.has_switches() ? static_cast<double>(used.context_switches()) / n * 1e6
                              : std::numeric_limits<double>::quiet_NaN()};
}

}  // namespace

void run_uncontended(context& ctx) {
  point p;
  p.scenario = "uncontended";
  p.title = "uncontended lock+unlock";
  p.metrics = {
      {"time", "lock+unlock", "ns", better::lower, true},
      {"cpu", "CPU per lock+unlock", "ns", better::lower, false},
      {"switches", "ctx switches per M pairs", "cs", better::lower, false},
  };
  // Warm up code, branch predictors and the CPU clock before the first repetition.
  for_each_mutex(
      [&]<class Mutex>(const char*) { measure_pairs<Mutex>(std::chrono::milliseconds(20)); });
  for (int rep = 0; rep < ctx.opts.repetitions; ++rep) {
    ordered_runs runs;
    runs.add([&] {
      for_each_mutex(
          [&]<class Mutex>(const char* name) {
            const pair_cost cost = measure_pairs<Mutex>(ctx.opts.duration / 4);
            p.add(name, "time", cost.ns);
            p.add(name, "cpu", cost.cpu_ns);
            p.add(name, "switches", cost.switches);
            heartbeat(p.title);
          },
          order_of_repetition(rep));
    });
    // The references' time only: they are there to show what a lock cannot beat. They take
    // their turn first or last like the locks, as a target compares futon with them.
    runs.add([&] {
      p.add("CAS lock + store unlock", "time",
            measure_pairs<cas_store_lock>(ctx.opts.duration / 4).ns);
      p.add("CAS lock + CAS unlock", "time", measure_pairs<cas_cas_lock>(ctx.opts.duration / 4).ns);
    });
    runs.run(order_of_repetition(rep));
  }
  ctx.out.points.push_back(p);
  ctx.prog.done(ctx.out.points.back());
}

}  // namespace futon_bench
