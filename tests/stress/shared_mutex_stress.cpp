// SPDX-License-Identifier: BSL-1.0
// shared_mutex under oversubscription, over every backend: 4-64 threads, a quarter of them
// writers, each mixing the blocking, try and timed (0..50 us) members of its kind, holders now
// and then yielding inside so that writers drain readers and readers queue behind writers.
//
// Per round: a writer is never inside with another writer or with a reader; a reader never sees
// the two fields the writers keep equal differ (a torn write); both fields equal the number of
// writes; a failed timed attempt gave up no earlier than its timeout; afterwards the lock is free
// for a writer and for a reader.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <futon/shared_mutex.hpp>
#include <mutex>
#include <random>
#include <shared_mutex>
#include <thread>

#include "backends.hpp"
#include "stress_support.hpp"

namespace {

using futon::stress::early_timeouts;
using futon::stress::per_round;
using futon::stress::stress_clock;
using futon::testing::thread_group;

template <class Backend>
class SharedMutexStress : public ::testing::Test {};
TYPED_TEST_SUITE(SharedMutexStress, futon::testing::all_backends, futon::testing::backend_name);

TYPED_TEST(SharedMutexStress, ReadersAndWritersNeverOverlapOrTear) {
  using shared_mutex = futon::basic_shared_mutex<TypeParam>;
  futon::testing::watchdog guard("shared_mutex stress hung (a lost wakeup left a thread asleep)",
                                 futon::stress::watchdog_limit());
  futon::stress::run run;
  while (run.next_round()) {
    SCOPED_TRACE(run.where());
    const int threads_n = run.threads();
    const int writers = std::max(1, threads_n / 4);
    const int ops_each = std::max(20, per_round(8000) / threads_n);

    shared_mutex m;
    std::uint64_t first = 0;  // plain, guarded by m; writers keep first == second
    std::uint64_t second = 0;
    std::atomic<int> writers_inside{0};
    std::atomic<int> readers_inside{0};
    std::atomic<std::uint64_t> writes{0};
    std::atomic<std::uint64_t> reads{0};
    std::atomic<std::uint64_t> failed_attempts{0};
    std::atomic<std::uint64_t> overlaps{0};
    std::atomic<std::uint64_t> torn{0};
    early_timeouts early;
    futon::stress::start_gate gate;
    const std::uint64_t seed = run.round_seed();
    {
      thread_group threads;
      for (int t = 0; t < threads_n; ++t) {
        const bool writer = t < writers;
        threads.spawn([&, t, writer] {
          std::mt19937_64 rng(seed + static_cast<std::uint64_t>(t));
          const auto write = [&] {
            if (writers_inside.fetch_add(1, std::memory_order_relaxed) != 0 ||
                readers_inside.load(std::memory_order_relaxed) != 0) {
              overlaps.fetch_add(1, std::memory_order_relaxed);
            }
            ++first;
            if (rng() % 8 == 0) std::this_thread::yield();
            ++second;
            writers_inside.fetch_sub(1, std::memory_order_relaxed);
            writes.fetch_add(1, std::memory_order_relaxed);
          };
          const auto read = [&] {
            readers_inside.fetch_add(1, std::memory_order_relaxed);
            if (writers_inside.load(std::memory_order_relaxed) != 0) {
              overlaps.fetch_add(1, std::memory_order_relaxed);
            }
            const std::uint64_t a = first;
            if (rng() % 8 == 0) std::this_thread::yield();
            if (second != a) torn.fetch_add(1, std::memory_order_relaxed);
            readers_inside.fetch_sub(1, std::memory_order_relaxed);
            reads.fetch_add(1, std::memory_order_relaxed);
          };
          gate.wait();
          for (int i = 0; i < ops_each; ++i) {
            const auto timeout = futon::stress::tiny_timeout(rng);
            switch (rng() % 5) {
              case 0:
              case 1:
                if (writer) {
                  std::lock_guard<shared_mutex> lock(m);
                  write();
                } else {
                  std::shared_lock<shared_mutex> lock(m);
                  read();
                }
                break;
              case 2:
                if (writer ? m.try_lock() : m.try_lock_shared()) {
                  writer ? write() : read();
                  writer ? m.unlock() : m.unlock_shared();
                } else {
                  failed_attempts.fetch_add(1, std::memory_order_relaxed);
                }
                break;
              case 3: {
                const auto start = stress_clock::now();
                if (writer ? m.try_lock_for(timeout) : m.try_lock_shared_for(timeout)) {
                  writer ? write() : read();
                  writer ? m.unlock() : m.unlock_shared();
                } else {
                  early.check(stress_clock::now() - start, timeout);
                  failed_attempts.fetch_add(1, std::memory_order_relaxed);
                }
                break;
              }
              default: {
                const auto deadline = stress_clock::now() + timeout;
                if (writer ? m.try_lock_until(deadline) : m.try_lock_shared_until(deadline)) {
                  writer ? write() : read();
                  writer ? m.unlock() : m.unlock_shared();
                } else {
                  early.check_deadline(stress_clock::now(), deadline);
                  failed_attempts.fetch_add(1, std::memory_order_relaxed);
                }
                break;
              }
            }
          }
        });
      }
      gate.open();
    }
    ASSERT_EQ(overlaps.load(), 0u) << "a writer was inside together with another thread";
    ASSERT_EQ(torn.load(), 0u) << "a reader saw a half-done write";
    ASSERT_EQ(early.count(), 0u) << early.report();
    ASSERT_EQ(first, writes.load()) << "a write was lost or doubled";
    ASSERT_EQ(second, writes.load());
    ASSERT_TRUE(m.try_lock()) << "still held (or marked wanted by a writer) after the round";
    m.unlock();
    ASSERT_TRUE(m.try_lock_shared()) << "readers are shut out after the round";
    m.unlock_shared();
    run.count(writes.load() + reads.load() + failed_attempts.load());
  }
}

}  // namespace
