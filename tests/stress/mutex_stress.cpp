// SPDX-License-Identifier: BSL-1.0
// Mutex under oversubscription, over every backend: 4-64 threads on four mutexes mix every way of
// taking one (lock, try_lock, try_lock_for and try_lock_until with 0..50 us timeouts, and two at
// once with std::scoped_lock), and holders now and then yield inside the critical section, so
// that a holder is preempted with sleepers queued behind it (the case that loses wakeups).
//
// Per round and per mutex: the plain counter it guards equals the number of acquisitions, no two
// threads are ever inside at once, a failed timed attempt gave up no earlier than its timeout,
// and afterwards every mutex is free (try_lock succeeds).
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <futon/mutex.hpp>
#include <mutex>
#include <random>
#include <thread>

#include "backends.hpp"
#include "stress_support.hpp"

namespace {

using futon::stress::early_timeouts;
using futon::stress::per_round;
using futon::stress::stress_clock;
using futon::testing::thread_group;

template <class Backend>
class MutexStress : public ::testing::Test {};
TYPED_TEST_SUITE(MutexStress, futon::testing::all_backends, futon::testing::backend_name);

template <class Mutex>
struct guarded {
  Mutex mutex;
  std::atomic<int> inside{0};
  std::uint64_t counter = 0;  // plain: only the mutex protects it
  std::atomic<std::uint64_t> acquisitions{0};
};

TYPED_TEST(MutexStress, EveryWayOfLockingKeepsCountsExact) {
  using mutex = futon::basic_mutex<TypeParam>;
  futon::testing::watchdog guard("mutex stress hung (a lost wakeup left a thread asleep)",
                                 futon::stress::watchdog_limit());
  futon::stress::run run;
  constexpr std::size_t mutex_count = 4;
  while (run.next_round()) {
    SCOPED_TRACE(run.where());
    const int threads_n = run.threads();
    const int ops_each = std::max(20, per_round(8000) / threads_n);
    std::array<guarded<mutex>, mutex_count> slots;
    std::atomic<std::uint64_t> overlaps{0};
    std::atomic<std::uint64_t> failed_attempts{0};
    early_timeouts early;
    futon::stress::start_gate gate;
    const std::uint64_t seed = run.round_seed();
    {
      thread_group threads;
      for (int t = 0; t < threads_n; ++t) {
        threads.spawn([&, t] {
          std::mt19937_64 rng(seed + static_cast<std::uint64_t>(t));
          const auto critical_section = [&](guarded<mutex>& slot) {
            if (slot.inside.fetch_add(1, std::memory_order_relaxed) != 0) {
              overlaps.fetch_add(1, std::memory_order_relaxed);
            }
            ++slot.counter;
            if (rng() % 16 == 0) std::this_thread::yield();
            slot.inside.fetch_sub(1, std::memory_order_relaxed);
            slot.acquisitions.fetch_add(1, std::memory_order_relaxed);
          };
          gate.wait();
          for (int i = 0; i < ops_each; ++i) {
            guarded<mutex>& slot = slots[rng() % mutex_count];
            switch (rng() % 8) {
              case 0:
              case 1:
              case 2: {
                std::lock_guard<mutex> lock(slot.mutex);
                critical_section(slot);
                break;
              }
              case 3:
                if (slot.mutex.try_lock()) {
                  critical_section(slot);
                  slot.mutex.unlock();
                } else {
                  failed_attempts.fetch_add(1, std::memory_order_relaxed);
                }
                break;
              case 4: {
                const auto timeout = futon::stress::tiny_timeout(rng);
                const auto start = stress_clock::now();
                if (slot.mutex.try_lock_for(timeout)) {
                  critical_section(slot);
                  slot.mutex.unlock();
                } else {
                  early.check(stress_clock::now() - start, timeout);
                  failed_attempts.fetch_add(1, std::memory_order_relaxed);
                }
                break;
              }
              case 5: {
                const auto deadline = stress_clock::now() + futon::stress::tiny_timeout(rng);
                if (slot.mutex.try_lock_until(deadline)) {
                  critical_section(slot);
                  slot.mutex.unlock();
                } else {
                  early.check_deadline(stress_clock::now(), deadline);
                  failed_attempts.fetch_add(1, std::memory_order_relaxed);
                }
                break;
              }
              default: {
                // Two at once: scoped_lock's try-and-back-off order avoids deadlock whatever the
                // order, and it exercises try_lock on a contended mutex.
                std::size_t other = rng() % mutex_count;
                if (&slots[other] == &slot) other = (other + 1) % mutex_count;
                std::scoped_lock lock(slot.mutex, slots[other].mutex);
                critical_section(slot);
                critical_section(slots[other]);
                break;
              }
            }
          }
        });
      }
      gate.open();
    }
    ASSERT_EQ(overlaps.load(), 0u) << "two threads were inside one mutex at once";
    ASSERT_EQ(early.count(), 0u) << early.report();
    std::uint64_t acquisitions = 0;
    for (std::size_t m = 0; m < mutex_count; ++m) {
      ASSERT_EQ(slots[m].counter, slots[m].acquisitions.load())
          << "mutex " << m << ": the counter it guards lost or doubled an increment";
      ASSERT_TRUE(slots[m].mutex.try_lock()) << "mutex " << m << " is still held after the round";
      slots[m].mutex.unlock();
      acquisitions += slots[m].acquisitions.load();
    }
    run.count(acquisitions + failed_attempts.load());
  }
}

}  // namespace
