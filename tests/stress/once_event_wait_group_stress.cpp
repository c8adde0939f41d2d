// SPDX-License-Identifier: BSL-1.0
// call_once, event and wait_group under oversubscription, over every backend:
//
//   - call_once: 64 threads race through 32 flags each, in orders of their own; on a quarter of
//     the flags the first call throws, so a waiting thread must take over. Each flag's function
//     completes exactly once, throws exactly once where it should, and every caller sees its
//     result;
//   - event: generations of set (by one to several setters at once) and reset, waiters using
//     wait, endless timed waits, and 0..50 us timed waits retried: every waiter is released in
//     every generation, and sees a setter's write;
//   - wait_group: generations of add, done by many workers, and waiters of every kind: every
//     waiter is released only once every worker's done(), and sees every worker's write.
//
// Rounds are built out of std::barrier (not futon's), so the primitive under test is the only
// futon code a hang could come from.
#include <algorithm>
#include <array>
#include <atomic>
#include <barrier>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <futon/call_once.hpp>
#include <futon/event.hpp>
#include <futon/wait_group.hpp>
#include <memory>
#include <numeric>
#include <random>
#include <thread>
#include <vector>

#include "backends.hpp"
#include "stress_support.hpp"

namespace {

using namespace std::chrono_literals;
using futon::stress::early_timeouts;
using futon::stress::per_round;
using futon::stress::stress_clock;
using futon::testing::thread_group;

template <class Backend>
class OnceEventWaitGroupStress : public ::testing::Test {};
TYPED_TEST_SUITE(OnceEventWaitGroupStress, futon::testing::all_backends,
                 futon::testing::backend_name);

// Waits for `object` (an event or a wait_group: wait, wait_for, wait_until, true = done) in one
// of four ways; false only if an endless wait reported a timeout.
template <class Waitable>
bool wait_some_way(const Waitable& object, std::mt19937_64& rng, early_timeouts& early) {
  switch (rng() % 4) {
    case 0:
      object.wait();
      return true;
    case 1:
      return object.wait_for(std::chrono::hours(24));
    case 2:
      for (;;) {
        const auto timeout = futon::stress::tiny_timeout(rng);
        const auto start = stress_clock::now();
        if (object.wait_for(timeout)) return true;
        early.check(stress_clock::now() - start, timeout);
      }
    default:
      for (;;) {
        const auto deadline = stress_clock::now() + futon::stress::tiny_timeout(rng);
        if (object.wait_until(deadline)) return true;
        early.check_deadline(stress_clock::now(), deadline);
      }
  }
}

TYPED_TEST(OnceEventWaitGroupStress, CallOnceRunsOncePerFlagWith64RacingThreads) {
  using once_flag = futon::basic_once_flag<TypeParam>;
  futon::testing::watchdog guard("call_once stress hung (a waiting caller was never woken)",
                                 futon::stress::watchdog_limit());
  futon::stress::run run;
  constexpr int threads_n = 64;
  constexpr std::size_t flag_count = 32;
  struct thrown {};
  while (run.next_round()) {
    SCOPED_TRACE(run.where(threads_n));
    std::array<once_flag, flag_count> flags;
    std::array<bool, flag_count> throws_first{};
    for (auto& t : throws_first)
      t = run.rng()() % 4 == 0;
    std::array<std::atomic<int>, flag_count> completions{};
    std::array<std::atomic<int>, flag_count> invocations{};
    std::array<int, flag_count> results{};  // plain: call_once publishes it
    std::atomic<std::uint64_t> wrong_results{0};
    std::atomic<std::uint64_t> calls{0};
    futon::stress::start_gate gate;
    const std::uint64_t seed = run.round_seed();
    {
      thread_group threads;
      for (int t = 0; t < threads_n; ++t) {
        threads.spawn([&, t] {
          std::mt19937_64 rng(seed + static_cast<std::uint64_t>(t));
          std::array<std::size_t, flag_count> order;
          std::iota(order.begin(), order.end(), std::size_t{0});
          std::shuffle(order.begin(), order.end(), rng);
          gate.wait();
          for (std::size_t f : order) {
            for (;;) {
              calls.fetch_add(1, std::memory_order_relaxed);
              try {
                futon::call_once(flags[f], [&] {
                  if (invocations[f].fetch_add(1) == 0 && throws_first[f]) throw thrown{};
                  results[f] = static_cast<int>(f) + 1;
                  completions[f].fetch_add(1);
                });
                break;
              } catch (const thrown&) {
                // This thread's call threw: the flag is free again, and calling again is what
                // a caller does.
              }
            }
            if (results[f] != static_cast<int>(f) + 1) {
              wrong_results.fetch_add(1, std::memory_order_relaxed);
            }
          }
        });
      }
      gate.open();
    }
    for (std::size_t f = 0; f < flag_count; ++f) {
      ASSERT_EQ(completions[f].load(), 1)
          << "flag " << f << ": the function completed " << completions[f].load() << " times";
      // The throwing first call, then the one that completes; nothing after that.
      ASSERT_EQ(invocations[f].load(), throws_first[f] ? 2 : 1)
          << "flag " << f << ": the function ran again after it had completed";
    }
    ASSERT_EQ(wrong_results.load(), 0u) << "a caller returned without seeing the function's result";
    run.count(calls.load());
  }
}

TYPED_TEST(OnceEventWaitGroupStress, EventSetReleasesEveryWaiterEveryGeneration) {
  using event = futon::basic_event<TypeParam>;
  futon::testing::watchdog guard("event stress hung (a waiter missed a set)",
                                 futon::stress::watchdog_limit());
  futon::stress::run run;
  while (run.next_round()) {
    SCOPED_TRACE(run.where());
    const int threads_n = run.threads();
    const int setters = 1 + static_cast<int>(run.rng()() % std::max(1, threads_n / 8));
    const int generations = std::max(5, per_round(2000) / threads_n);
    event ready;
    // Setter s writes its slot (the generation), then sets; a waiter released by a set sees
    // at least the write of the setter whose set released it.
    const std::unique_ptr<std::atomic<int>[]> written(new std::atomic<int>[setters]);
    for (int s = 0; s < setters; ++s)
      written[s].store(0, std::memory_order_relaxed);
    std::atomic<std::uint64_t> released{0};
    std::atomic<std::uint64_t> unseen{0};
    std::atomic<std::uint64_t> false_returns{0};
    early_timeouts early;
    std::barrier<> sync(threads_n);
    const std::uint64_t seed = run.round_seed();
    {
      thread_group threads;
      for (int t = 0; t < threads_n; ++t) {
        threads.spawn([&, t] {
          std::mt19937_64 rng(seed + static_cast<std::uint64_t>(t));
          for (int g = 1; g <= generations; ++g) {
            sync.arrive_and_wait();  // the event was reset for this generation
            if (t < setters) {
              if (rng() % 4 == 0) std::this_thread::yield();
              written[t].store(g, std::memory_order_relaxed);
              ready.set();
            } else {
              if (!wait_some_way(ready, rng, early)) false_returns.fetch_add(1);
              bool seen = false;
              for (int s = 0; s < setters; ++s)
                seen = seen || written[s].load(std::memory_order_relaxed) == g;
              if (!seen) unseen.fetch_add(1, std::memory_order_relaxed);
              released.fetch_add(1, std::memory_order_relaxed);
            }
            sync.arrive_and_wait();  // every waiter of this generation is through
            if (t == 0) ready.reset();
          }
        });
      }
    }
    const std::uint64_t waiters = static_cast<std::uint64_t>(threads_n - setters);
    ASSERT_EQ(false_returns.load(), 0u) << "a 24 h wait on the event reported a timeout";
    ASSERT_EQ(released.load(), waiters * generations);
    ASSERT_EQ(unseen.load(), 0u) << "a waiter was released without seeing any setter's write";
    ASSERT_EQ(early.count(), 0u) << early.report();
    run.count(static_cast<std::uint64_t>(threads_n) * generations);
  }
}

TYPED_TEST(OnceEventWaitGroupStress, WaitGroupReleasesWaitersOnlyAfterEveryDone) {
  using wait_group = futon::basic_wait_group<TypeParam>;
  futon::testing::watchdog guard("wait_group stress hung (a waiter missed the zero)",
                                 futon::stress::watchdog_limit());
  futon::stress::run run;
  while (run.next_round()) {
    SCOPED_TRACE(run.where());
    const int threads_n = run.threads();
    const int workers = threads_n / 2;
    const int generations = std::max(5, per_round(2000) / threads_n);
    wait_group pending;
    std::vector<int> written(workers, 0);  // plain: worker w's slot, read after the zero
    std::atomic<std::uint64_t> released{0};
    std::atomic<std::uint64_t> unseen{0};
    std::atomic<std::uint64_t> false_returns{0};
    early_timeouts early;
    std::barrier<> sync(threads_n);
    const std::uint64_t seed = run.round_seed();
    {
      thread_group threads;
      for (int t = 0; t < threads_n; ++t) {
        threads.spawn([&, t] {
          std::mt19937_64 rng(seed + static_cast<std::uint64_t>(t));
          for (int g = 1; g <= generations; ++g) {
            // The same wait_group every generation: it goes back up after each zero.
            if (t == 0) pending.add(workers);
            sync.arrive_and_wait();
            if (t < workers) {
              if (rng() % 4 == 0) std::this_thread::yield();
              written[t] = g;
              pending.done();
            } else {
              if (!wait_some_way(pending, rng, early)) false_returns.fetch_add(1);
              for (int w = 0; w < workers; ++w) {
                if (written[w] != g) unseen.fetch_add(1, std::memory_order_relaxed);
              }
              released.fetch_add(1, std::memory_order_relaxed);
            }
            sync.arrive_and_wait();  // every waiter is through before the next add
          }
        });
      }
    }
    const std::uint64_t waiters = static_cast<std::uint64_t>(threads_n - workers);
    ASSERT_EQ(false_returns.load(), 0u) << "a 24 h wait on the wait_group reported a timeout";
    ASSERT_EQ(released.load(), waiters * generations);
    ASSERT_EQ(unseen.load(), 0u) << "a waiter returned before a worker's done()";
    ASSERT_EQ(early.count(), 0u) << early.report();
    ASSERT_TRUE(pending.wait_for(0s)) << "the count did not end at zero";
    run.count(static_cast<std::uint64_t>(threads_n) * generations);
  }
}

}  // namespace
