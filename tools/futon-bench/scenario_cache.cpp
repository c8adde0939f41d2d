// SPDX-License-Identifier: BSL-1.0
// Application scenario: a read-mostly cache. N threads share a std::unordered_map of 4096 keys
// (room reserved up front, half of them present at the start) under one reader/writer lock. Each
// operation picks a random key and, with probability 99, 90 or 50 % (cache_99, cache_90,
// cache_50), looks it up under the shared lock, else inserts or updates it under the exclusive
// lock; then ~100 ns of work outside the lock (what a caller does with the value). Throughput
// counts operations of both kinds.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "application_point.hpp"
#include "run_figures.hpp"
#include "scenarios.hpp"
#include "thread_run.hpp"
#include "work.hpp"

namespace futon_bench {

namespace {

constexpr std::uint32_t key_space = 4096;

struct entry {
  std::uint64_t value = 0;
  std::uint64_t check = ~std::uint64_t{0};  // ~value, written with it: a torn read shows
};

template <class Primitives>
struct cache {
  cache() {
    map.reserve(key_space);
    for (std::uint32_t k = 0; k < key_space; k += 2)
      map.emplace(k, entry{});
  }
  typename Primitives::shared_mutex mutex;
  // Guarded by `mutex`: the map, and the number of writes, to check against the threads' counts.
  std::unordered_map<std::uint32_t, entry> map;
  std::uint64_t writes = 0;
  // Totals the threads add when they finish.
  alignas(64) std::atomic<std::uint64_t> counted_writes{0};
  std::atomic<std::uint64_t> torn_reads{0};
  std::atomic<std::uint64_t> sink{0};  // keeps the values read alive
};

template <class Primitives>
void measure(point& p, int threads, std::uint32_t read_percent, const context& ctx) {
  // Shared with the threads, which keep it alive should one of them be stuck (thread_run.hpp).
  const auto c = std::make_shared<cache<Primitives>>();
  const std::uint32_t outside = ctx.cal.outside_steps;
  const auto duration = application_measurement(ctx.opts);
  const thread_run run = run_threads(
      threads, duration,
      [c, outside, read_percent](int index, const std::atomic<bool>& stop, thread_tally& tally) {
        std::uint32_t random = 0x9E3779B9u * static_cast<std::uint32_t>(index + 1);
        std::uint64_t operations = 0;
        std::uint64_t my_writes = 0;
        std::uint64_t my_torn = 0;
        std::uint64_t sum = 0;
        // Relaxed: `stop` only says "finish"; the results are read after the thread is done.
        while (!stop.load(std::memory_order_relaxed)) {
          const std::uint32_t key = next_random(random) % key_space;
          if (next_random(random) % 100 < read_percent) {
            std::shared_lock<typename Primitives::shared_mutex> lock(c->mutex);
            const auto it = c->map.find(key);
            if (it != c->map.end()) {
              sum += it->second.value;
              if (it->second.check != ~it->second.value) ++my_torn;
            }
          } else {
            std::lock_guard<typename Primitives::shared_mutex> lock(c->mutex);
            entry& e = c->map[key];
            e.value = ++c->writes;
            e.check = ~e.value;
            ++my_writes;
          }
          ++operations;
          busy_work(outside);
        }
        tally.operations = operations;
        // Relaxed: plain sums, read after the thread is done.
        c->counted_writes.fetch_add(my_writes, std::memory_order_relaxed);
        c->torn_reads.fetch_add(my_torn, std::memory_order_relaxed);
        c->sink.fetch_add(sum, std::memory_order_relaxed);
      });
  const char* name = Primitives::name;
  if (!record_app_run(p, name, run, run.operations(), run.threads, duration)) return;
  // Relaxed: the threads are done (the harness's acquire of their `done` flags).
  const std::uint64_t writes = c->counted_writes.load(std::memory_order_relaxed);
  const std::uint64_t torn = c->torn_reads.load(std::memory_order_relaxed);
  if (c->writes != writes || torn != 0) {
    p.fail(std::string(name) + ": exclusion broken: " + std::to_string(writes) +
           " writes, counter " + std::to_string(c->writes) + ", " + std::to_string(torn) +
           " lookups saw a half-written entry");
  }
}

}  // namespace

void run_cache(context& ctx, const std::string& scenario) {
  // The lookups' share is the key's suffix: cache_99, cache_90, cache_50.
  const std::uint32_t read_percent =
      static_cast<std::uint32_t>(std::stoul(scenario.substr(scenario.rfind('_') + 1)));
  for (const int threads : ctx.opts.contended_threads) {
    measure_application_point(ctx, scenario, threads,
                              "cache, " + std::to_string(read_percent) + "% lookups, " +
                                  count_of(threads, "thread", "threads"),
                              run_figure_metrics("ops"), [&]<class Primitives>(point& p) {
                                measure<Primitives>(p, threads, read_percent, ctx);
                              });
  }
}

}  // namespace futon_bench
