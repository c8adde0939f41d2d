// SPDX-License-Identifier: BSL-1.0
// Scenario 1: lock + unlock on one thread with nobody else around: the cost every user pays.
// Reference: the least a lock can do, one compare-and-swap to take it and a plain release store
// to give it back.
#include <atomic>
#include <cstdint>

#include "implementations.hpp"
#include "scenarios.hpp"
#include "work.hpp"

namespace futon_bench {

namespace {

// The reference lock. Never contended here, so its lock loop never actually spins.
class cas_store_lock {
 public:
  void lock() noexcept {
    std::uint32_t expected = 0;
    // Acquire: the critical section sees what the previous holder wrote.
    while (!word_.compare_exchange_weak(expected, 1, std::memory_order_acquire,
                                        std::memory_order_relaxed)) {
      expected = 0;
    }
  }
  // Release: publishes the critical section. A plain store, no read-modify-write.
  void unlock() noexcept { word_.store(0, std::memory_order_release); }

 private:
  std::atomic<std::uint32_t> word_{0};
};

template <class Mutex>
double ns_per_pair(std::chrono::nanoseconds duration) {
  Mutex m;
  // The clock is read once per batch, so its cost is spread over 1024 pairs.
  constexpr int batch = 1024;
  std::uint64_t pairs = 0;
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
  return static_cast<double>(now - start) / static_cast<double>(pairs);
}

}  // namespace

void run_uncontended(context& ctx) {
  point p;
  p.scenario = "uncontended";
  p.title = "uncontended lock+unlock";
  p.metrics = {{"time", "lock+unlock", "ns", better::lower, true}};
  // Warm up code, branch predictors and the CPU clock before the first repetition.
  for_each_mutex(
      [&]<class Mutex>(const char*) { ns_per_pair<Mutex>(std::chrono::milliseconds(20)); });
  for (int rep = 0; rep < ctx.opts.repetitions; ++rep) {
    for_each_mutex([&]<class Mutex>(const char* name) {
      p.add(name, "time", ns_per_pair<Mutex>(ctx.opts.duration / 4));
      heartbeat(p.title);
    });
    p.add("CAS lock + store unlock", "time", ns_per_pair<cas_store_lock>(ctx.opts.duration / 4));
  }
  ctx.out.points.push_back(p);
  ctx.prog.done(ctx.out.points.back());
}

}  // namespace futon_bench
