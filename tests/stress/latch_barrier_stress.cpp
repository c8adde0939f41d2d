// SPDX-License-Identifier: BSL-1.0
// latch and barrier under oversubscription, over every backend:
//
//   - a run of eight latches per round: half the threads count each one down (by 1 or 2, with
//     count_down or arrive_and_wait), the other half wait on it (wait, or try_wait polling); every
//     waiter of every latch is released, and sees every count-down's write (plain memory,
//     ordered only by the latch: ThreadSanitizer checks that too);
//   - a barrier with a completion function over dozens of phases, with arrive_and_wait, arrive
//     then wait, and a quarter of the threads dropping out at random phases: the completion runs
//     once per phase, each time after exactly the arrivals that phase expected, and before any
//     thread waiting for that phase goes on.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <futon/barrier.hpp>
#include <futon/latch.hpp>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "backends.hpp"
#include "stress_support.hpp"

namespace {

using futon::stress::per_round;
using futon::testing::thread_group;

template <class Backend>
class LatchBarrierStress : public ::testing::Test {};
TYPED_TEST_SUITE(LatchBarrierStress, futon::testing::all_backends, futon::testing::backend_name);

TYPED_TEST(LatchBarrierStress, EveryLatchReleasesEveryWaiterAfterEveryCountDown) {
  using latch = futon::basic_latch<TypeParam>;
  futon::testing::watchdog guard("latch stress hung (a waiter was never released)",
                                 futon::stress::watchdog_limit());
  futon::stress::run run;
  constexpr std::size_t latches_per_round = 8;
  while (run.next_round()) {
    SCOPED_TRACE(run.where());
    const int counters = run.threads() / 2;
    const int waiters = run.threads() - counters;
    // Counter c counts latch l down by updates[l][c]: 1 or 2.
    std::mt19937_64& rng = run.rng();
    std::vector<std::vector<std::ptrdiff_t>> updates(latches_per_round);
    std::deque<latch> latches;
    for (auto& row : updates) {
      std::ptrdiff_t expected = 0;
      for (int c = 0; c < counters; ++c) {
        row.push_back(1 + static_cast<std::ptrdiff_t>(rng() % 2));
        expected += row.back();
      }
      latches.emplace_back(expected);
    }
    // Written by counter c before it counts latch l down; read by the waiters after l opens.
    std::vector<std::vector<int>> marks(latches_per_round, std::vector<int>(counters, 0));
    std::atomic<std::uint64_t> released{0};
    std::atomic<std::uint64_t> missing_marks{0};
    futon::stress::start_gate gate;
    const std::uint64_t seed = run.round_seed();
    const auto check_marks = [&](std::size_t l) {
      for (int c = 0; c < counters; ++c) {
        if (marks[l][c] != 1) missing_marks.fetch_add(1, std::memory_order_relaxed);
      }
    };
    {
      thread_group threads;
      for (int c = 0; c < counters; ++c) {
        threads.spawn([&, c] {
          std::mt19937_64 own(seed + static_cast<std::uint64_t>(c));
          gate.wait();
          for (std::size_t l = 0; l < latches_per_round; ++l) {
            marks[l][c] = 1;
            if (own() % 4 == 0) {
              latches[l].arrive_and_wait(updates[l][c]);
              check_marks(l);
              released.fetch_add(1, std::memory_order_relaxed);
            } else {
              latches[l].count_down(updates[l][c]);
            }
          }
        });
      }
      for (int w = 0; w < waiters; ++w) {
        threads.spawn([&, w] {
          std::mt19937_64 own(seed ^ (0xA0'0000ull + static_cast<std::uint64_t>(w)));
          gate.wait();
          for (std::size_t l = 0; l < latches_per_round; ++l) {
            if (own() % 4 == 0) {
              while (!latches[l].try_wait())
                std::this_thread::yield();
            } else {
              latches[l].wait();
            }
            check_marks(l);
            released.fetch_add(1, std::memory_order_relaxed);
          }
        });
      }
      gate.open();
    }
    ASSERT_EQ(missing_marks.load(), 0u) << "a waiter was released before every count-down";
    ASSERT_GE(released.load(), static_cast<std::uint64_t>(waiters) * latches_per_round);
    for (std::size_t l = 0; l < latches_per_round; ++l)
      ASSERT_TRUE(latches[l].try_wait()) << "latch " << l << " did not reach zero";
    run.count(static_cast<std::uint64_t>(run.threads()) * latches_per_round);
  }
}

TYPED_TEST(LatchBarrierStress, BarrierPhasesCompleteWithEveryThread) {
  futon::testing::watchdog guard("barrier stress hung (a phase never ended)",
                                 futon::stress::watchdog_limit());
  futon::stress::run run;
  while (run.next_round()) {
    SCOPED_TRACE(run.where());
    const int threads_n = run.threads();
    const int phases = std::max(5, per_round(3000) / threads_n);
    std::mt19937_64& rng = run.rng();
    // Thread t drops out at phase drop_at[t] (an arrival of that phase), or never (= phases).
    // Threads 1, 5, 9, ... may drop; thread 0 never does, so every phase has someone.
    std::vector<int> drop_at(threads_n, phases);
    for (int t = 1; t < threads_n; t += 4)
      drop_at[t] = static_cast<int>(rng() % static_cast<std::uint64_t>(phases));
    std::vector<int> expected(phases, 0);
    for (int p = 0; p < phases; ++p) {
      for (int t = 0; t < threads_n; ++t)
        expected[p] += drop_at[t] >= p ? 1 : 0;
    }
    const std::unique_ptr<std::atomic<int>[]> arrivals(new std::atomic<int>[phases]);
    for (int p = 0; p < phases; ++p)
      arrivals[p].store(0, std::memory_order_relaxed);

    // Plain: only the barrier orders the completion's writes before the released threads' reads.
    int completed = 0;
    int wrong_arrivals = 0;
    std::atomic<std::uint64_t> released_early{0};
    auto completion = [&]() noexcept {
      if (completed >= phases ||
          arrivals[completed].load(std::memory_order_relaxed) != expected[completed]) {
        ++wrong_arrivals;
      }
      ++completed;
    };
    futon::basic_barrier<TypeParam, decltype(completion)> barrier(threads_n, completion);
    const std::uint64_t seed = run.round_seed();
    {
      thread_group threads;
      for (int t = 0; t < threads_n; ++t) {
        threads.spawn([&, t] {
          std::mt19937_64 own(seed + static_cast<std::uint64_t>(t));
          for (int p = 0; p < phases; ++p) {
            arrivals[p].fetch_add(1, std::memory_order_relaxed);
            if (p == drop_at[t]) {
              barrier.arrive_and_drop();
              return;
            }
            if (own() % 2 == 0) {
              barrier.arrive_and_wait();
            } else {
              auto token = barrier.arrive();
              if (own() % 4 == 0) std::this_thread::yield();
              barrier.wait(std::move(token));
            }
            if (completed <= p) released_early.fetch_add(1, std::memory_order_relaxed);
          }
        });
      }
    }
    ASSERT_EQ(wrong_arrivals, 0) << "a phase ended with the wrong number of arrivals";
    ASSERT_EQ(completed, phases) << "the completion did not run exactly once per phase";
    ASSERT_EQ(released_early.load(), 0u) << "a thread went on before its phase's completion ran";
    std::uint64_t arrived = 0;
    for (int p = 0; p < phases; ++p)
      arrived += static_cast<std::uint64_t>(arrivals[p].load());
    run.count(arrived);
  }
}

}  // namespace
