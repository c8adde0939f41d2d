// SPDX-License-Identifier: BSL-1.0
// Condition variable under oversubscription, over every backend, with every kind of wait (with
// and without a predicate, wait_for and wait_until with 0..50 us timeouts, and endless ones) and
// every kind of notify (notify_one, notify_all, under the lock and after it):
//
//   - a bounded queue of four slots between producers and consumers: each item is consumed
//     exactly once, and every consumer leaves once all items are through;
//   - generations broadcast to every waiter: each waiter sees each generation exactly once (the
//     notifier waits for all of them before the next), whether notify_all (which requeues the
//     waiters onto the mutex) or one notify_one per waiter released them, while timed waiters
//     time out and withdraw in the middle of the broadcast.
//
// A timed wait that reports a timeout must have lasted its full timeout, strictly.
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <futon/condition_variable.hpp>
#include <futon/mutex.hpp>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

#include "backends.hpp"
#include "stress_support.hpp"

namespace {

using namespace std::chrono_literals;
using futon::stress::early_timeouts;
using futon::stress::per_round;
using futon::stress::stress_clock;
using futon::testing::thread_group;

template <class Backend>
class CondvarStress : public ::testing::Test {};
TYPED_TEST_SUITE(CondvarStress, futon::testing::all_backends, futon::testing::backend_name);

// Waits on `cv` until `ready()` in one of five ways picked by `rng`; timed ways re-wait until
// `ready()` holds, checking each reported timeout against its request.
template <class Condvar, class Lock, class Ready>
void wait_some_way(Condvar& cv, Lock& lock, Ready ready, std::mt19937_64& rng,
                   early_timeouts& early) {
  switch (rng() % 5) {
    case 0:
      cv.wait(lock, ready);
      break;
    case 1:
      // Without a predicate, a return means a notify came (futon never returns spuriously
      // here); the loop is for notifies meant for somebody else's condition.
      while (!ready())
        cv.wait(lock);
      break;
    case 2:
      while (!ready()) {
        const auto timeout = futon::stress::tiny_timeout(rng);
        const auto start = stress_clock::now();
        if (cv.wait_for(lock, timeout) == std::cv_status::timeout) {
          early.check(stress_clock::now() - start, timeout);
        }
      }
      break;
    case 3:
      while (!ready()) {
        const auto deadline = stress_clock::now() + futon::stress::tiny_timeout(rng);
        if (!cv.wait_until(lock, deadline, ready)) {
          early.check_deadline(stress_clock::now(), deadline);
        }
      }
      break;
    default:
      // Endless timeouts must behave as untimed waits.
      if (!cv.wait_for(lock, std::chrono::hours(24), ready)) {
        ADD_FAILURE() << "a 24 h wait_for reported a timeout";
      }
      break;
  }
}

TYPED_TEST(CondvarStress, BoundedQueueHandsOverEveryItemExactlyOnce) {
  using mutex = futon::basic_mutex<TypeParam>;
  using condvar = futon::basic_condition_variable<TypeParam>;
  futon::testing::watchdog guard("condvar queue stress hung (a lost notify left a thread asleep)",
                                 futon::stress::watchdog_limit());
  futon::stress::run run;
  constexpr std::size_t capacity = 4;
  while (run.next_round()) {
    SCOPED_TRACE(run.where());
    const int producers = run.threads() / 2;
    const int consumers = run.threads() - producers;
    const std::uint32_t items_each =
        static_cast<std::uint32_t>(std::max(10, per_round(6000) / run.threads()));
    const std::uint32_t total = items_each * static_cast<std::uint32_t>(producers);

    mutex m;
    condvar not_full;
    condvar not_empty;
    std::array<std::uint32_t, capacity> ring{};  // guarded by m, as are the three below
    std::size_t head = 0;
    std::size_t size = 0;
    std::uint32_t consumed = 0;
    const std::unique_ptr<std::atomic<int>[]> seen(new std::atomic<int>[total]);
    for (std::uint32_t i = 0; i < total; ++i)
      seen[i].store(0, std::memory_order_relaxed);
    early_timeouts early;
    futon::stress::start_gate gate;
    const std::uint64_t seed = run.round_seed();
    {
      thread_group threads;
      for (int p = 0; p < producers; ++p) {
        threads.spawn([&, p] {
          std::mt19937_64 rng(seed + static_cast<std::uint64_t>(p));
          gate.wait();
          for (std::uint32_t i = 0; i < items_each; ++i) {
            std::unique_lock<mutex> lock(m);
            wait_some_way(
                not_full, lock, [&] { return size < capacity; }, rng, early);
            ring[(head + size) % capacity] = static_cast<std::uint32_t>(p) * items_each + i;
            ++size;
            if (rng() % 2 == 0) lock.unlock();  // notify after the unlock, or under the lock
            if (rng() % 8 == 0) {
              not_empty.notify_all();
            } else {
              not_empty.notify_one();
            }
          }
        });
      }
      for (int c = 0; c < consumers; ++c) {
        threads.spawn([&, c] {
          std::mt19937_64 rng(seed ^ (0xC0'0000ull + static_cast<std::uint64_t>(c)));
          gate.wait();
          for (;;) {
            std::unique_lock<mutex> lock(m);
            wait_some_way(
                not_empty, lock, [&] { return size > 0 || consumed == total; }, rng, early);
            if (size == 0) return;  // every item is through
            const std::uint32_t item = ring[head];
            head = (head + 1) % capacity;
            --size;
            const bool last = ++consumed == total;
            seen[item].fetch_add(1, std::memory_order_relaxed);
            if (rng() % 2 == 0) lock.unlock();
            if (last) not_empty.notify_all();  // the consumers still waiting can leave
            if (rng() % 8 == 0) {
              not_full.notify_all();
            } else {
              not_full.notify_one();
            }
          }
        });
      }
      gate.open();
    }
    ASSERT_EQ(early.count(), 0u) << early.report();
    ASSERT_EQ(consumed, total);
    ASSERT_EQ(size, 0u);
    std::uint32_t lost = 0;
    std::uint32_t doubled = 0;
    for (std::uint32_t i = 0; i < total; ++i) {
      const int n = seen[i].load();
      if (n == 0) ++lost;
      if (n > 1) ++doubled;
    }
    ASSERT_EQ(lost, 0u) << "items never consumed";
    ASSERT_EQ(doubled, 0u) << "items consumed more than once";
    ASSERT_TRUE(m.try_lock()) << "the mutex is still held after the round";
    m.unlock();
    run.count(2u * total);
  }
}

TYPED_TEST(CondvarStress, EveryWaiterSeesEveryBroadcastGeneration) {
  using mutex = futon::basic_mutex<TypeParam>;
  using condvar = futon::basic_condition_variable<TypeParam>;
  futon::testing::watchdog guard("condvar broadcast stress hung (a waiter missed a generation)",
                                 futon::stress::watchdog_limit());
  futon::stress::run run;
  while (run.next_round()) {
    SCOPED_TRACE(run.where());
    const int waiters = run.threads() - 1;  // and the notifier
    const std::uint32_t generations =
        static_cast<std::uint32_t>(std::max(5, per_round(1500) / run.threads()));
    mutex m;
    condvar changed;
    condvar checked;
    std::uint32_t generation = 0;  // guarded by m, as is check_ins
    std::uint64_t check_ins = 0;
    std::atomic<std::uint64_t> skipped{0};
    early_timeouts early;
    const std::uint64_t seed = run.round_seed();
    {
      thread_group threads;
      for (int w = 0; w < waiters; ++w) {
        threads.spawn([&, w] {
          std::mt19937_64 rng(seed + static_cast<std::uint64_t>(w));
          std::uint32_t seen = 0;
          while (seen < generations) {
            std::unique_lock<mutex> lock(m);
            wait_some_way(
                changed, lock, [&] { return generation != seen; }, rng, early);
            if (generation != seen + 1) skipped.fetch_add(1, std::memory_order_relaxed);
            seen = generation;
            if (++check_ins == static_cast<std::uint64_t>(waiters) * seen) checked.notify_one();
          }
        });
      }
      std::mt19937_64 rng(seed ^ 0xB0'0000ull);
      for (std::uint32_t g = 1; g <= generations; ++g) {
        std::unique_lock<mutex> lock(m);
        generation = g;
        if (rng() % 3 == 0) {
          // One notify_one per waiter, all under the lock: each reaches a different registered
          // waiter, and none can check in and register again for the next generation (taking a
          // notify meant for another) before the last one is sent. A waiter not yet registered
          // sees the new generation before it would wait.
          for (int i = 0; i < waiters; ++i)
            changed.notify_one();
        } else {
          if (rng() % 2 == 0) lock.unlock();
          changed.notify_all();
          if (!lock.owns_lock()) lock.lock();
        }
        const std::uint64_t target = static_cast<std::uint64_t>(waiters) * g;
        checked.wait(lock, [&] { return check_ins == target; });
      }
    }
    ASSERT_EQ(skipped.load(), 0u) << "a waiter skipped a generation or saw one twice";
    ASSERT_EQ(check_ins, static_cast<std::uint64_t>(waiters) * generations);
    ASSERT_EQ(early.count(), 0u) << early.report();
    run.count(check_ins + generations);
  }
}

}  // namespace
