// SPDX-License-Identifier: BSL-1.0
// Timeout storm over every backend: many waiters with tiny random timeouts (0..50 us, and now and
// then up to 1 ms so that some are asleep when a requeue comes) on three words, while a waker
// wakes and a requeuer moves waiters between the words nonstop. Every expiry races a wake or a
// requeue.
//
// The words never change value, so a wait that returns true was counted by exactly one wake or
// requeue: per round, the woken counts those calls report must add up to the true returns,
// exactly (futex.hpp: a waiter a wake counted returns true even if its deadline passed
// meanwhile). A false return must come after its full timeout, strictly. After the round nobody
// may be left on any word.
//
// tests/parking_lot/parking_lot_timeout_storm_test.cpp runs a fixed-size storm on the parking lot
// alone; this one runs on every backend, with relative and absolute deadlines, at 4-64 threads,
// round after round until the budget is spent.
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <random>
#include <thread>

#include "backends.hpp"
#include "stress_support.hpp"

namespace {

using namespace std::chrono_literals;
using futon::futex_word;
using futon::stress::early_timeouts;
using futon::stress::per_round;
using futon::stress::stress_clock;
using futon::testing::thread_group;

template <class Backend>
class FutexTimeoutStorm : public futon::testing::futex_test<Backend> {};
TYPED_TEST_SUITE(FutexTimeoutStorm, futon::testing::all_backends, futon::testing::backend_name);

struct storm_totals {
  std::uint64_t woken = 0;
  std::uint64_t timed_out = 0;
  std::uint64_t moved = 0;
};

TYPED_TEST(FutexTimeoutStorm, TimeoutsRaceWakesAndRequeuesAndCountsStayExact) {
  using futex = typename TestFixture::futex;
  futon::testing::watchdog guard("futex timeout storm hung (a waiter or the waker never returned)",
                                 futon::stress::watchdog_limit());
  futon::stress::run run;
  storm_totals totals;
  while (run.next_round()) {
    SCOPED_TRACE(run.where());
    // Two of the threads are the waker and the requeuer.
    const int waiters = run.threads() - 2;
    const int waits_each = std::max(20, per_round(6000) / waiters);
    // Two words in one cache line, the third in another: the parking lot may hash them to one
    // bucket or two; the kernel keys them apart either way.
    struct alignas(64) line {
      futex_word word{0};
    };
    std::array<line, 2> lines;
    futex_word second_in_line{0};
    const std::array<const futex_word*, 3> words{&lines[0].word, &second_in_line, &lines[1].word};

    std::atomic<int> waiters_done{0};
    std::atomic<std::uint64_t> returned_true{0};
    std::atomic<std::uint64_t> returned_false{0};
    std::atomic<std::uint64_t> woken_by_wake{0};
    std::atomic<std::uint64_t> woken_by_requeue{0};
    std::atomic<std::uint64_t> moved{0};
    std::atomic<std::uint64_t> wakers_ops{0};
    std::atomic<bool> requeue_refused{false};
    early_timeouts early;
    futon::stress::start_gate gate;
    const std::uint64_t seed = run.round_seed();
    {
      thread_group threads;
      for (int w = 0; w < waiters; ++w) {
        threads.spawn([&, w] {
          std::mt19937_64 rng(seed + static_cast<std::uint64_t>(w));
          gate.wait();
          for (int i = 0; i < waits_each; ++i) {
            const futex_word& word = *words[rng() % words.size()];
            const auto timeout = rng() % 16 == 0 ? futon::stress::tiny_timeout(rng, 1ms)
                                                 : futon::stress::tiny_timeout(rng);
            bool woken = false;
            if (rng() % 4 == 0) {
              const auto deadline = stress_clock::now() + timeout;
              woken = futex::wait_until(word, 0, deadline);
              if (!woken) early.check_deadline(stress_clock::now(), deadline);
            } else {
              const auto start = stress_clock::now();
              woken = futex::wait_for(word, 0, timeout);
              if (!woken) early.check(stress_clock::now() - start, timeout);
            }
            (woken ? returned_true : returned_false).fetch_add(1, std::memory_order_relaxed);
          }
          waiters_done.fetch_add(1, std::memory_order_release);
        });
      }
      const auto storming = [&] { return waiters_done.load(std::memory_order_acquire) < waiters; };
      threads.spawn([&] {  // 1-3 at a time, sometimes all
        std::mt19937_64 rng(seed ^ 0x5741'4b45ull);
        gate.wait();
        std::uint64_t ops = 0;
        while (storming()) {
          const futex_word& word = *words[rng() % words.size()];
          const std::size_t count =
              rng() % 8 == 0 ? std::numeric_limits<std::size_t>::max() : 1 + rng() % 3;
          woken_by_wake.fetch_add(futex::wake(word, count), std::memory_order_relaxed);
          ++ops;
          if (rng() % 2 == 0) std::this_thread::yield();
        }
        wakers_ops.fetch_add(ops);
      });
      threads.spawn([&] {  // between every pair of words, both ways, sometimes waking one too
        std::mt19937_64 rng(seed ^ 0x5245'5155ull);
        gate.wait();
        std::uint64_t ops = 0;
        while (storming()) {
          const std::size_t from = rng() % words.size();
          const std::size_t to = (from + 1 + rng() % 2) % words.size();
          const std::size_t wake_count = rng() % 2;
          const std::size_t requeue_count =
              rng() % 2 == 0 ? std::numeric_limits<std::size_t>::max() : 1 + rng() % 2;
          const auto result =
              futex::requeue(*words[from], 0, *words[to], wake_count, requeue_count);
          if (!result) {
            requeue_refused.store(true);
            break;
          }
          woken_by_requeue.fetch_add(result->woken, std::memory_order_relaxed);
          moved.fetch_add(result->requeued, std::memory_order_relaxed);
          ++ops;
          if (rng() % 2 == 0) std::this_thread::yield();
        }
        wakers_ops.fetch_add(ops);
      });
      gate.open();
    }

    const std::uint64_t total = static_cast<std::uint64_t>(waiters) * waits_each;
    ASSERT_FALSE(requeue_refused.load()) << "requeue returned nullopt, but every word holds 0";
    ASSERT_EQ(returned_true.load() + returned_false.load(), total);
    ASSERT_EQ(early.count(), 0u) << early.report();
    ASSERT_EQ(woken_by_wake.load() + woken_by_requeue.load(), returned_true.load())
        << "wakes counted " << woken_by_wake.load() << " and requeues woke "
        << woken_by_requeue.load() << ", but " << returned_true.load() << " waits returned true";
    for (const futex_word* word : words)
      ASSERT_EQ(futex::wake_all(*word), 0u) << "a waiter was left behind on a word";
    totals.woken += returned_true.load();
    totals.timed_out += returned_false.load();
    totals.moved += moved.load();
    run.count(total + wakers_ops.load());
  }
  // The storm must have been one: wakes, expiries and moves all happened.
  EXPECT_GT(totals.woken, 0u);
  EXPECT_GT(totals.timed_out, 0u);
  EXPECT_GT(totals.moved, 0u) << "no requeue ever found a sleeper to move";
  ::testing::Test::RecordProperty("woken", std::to_string(totals.woken));
  ::testing::Test::RecordProperty("timed_out", std::to_string(totals.timed_out));
  ::testing::Test::RecordProperty("moved", std::to_string(totals.moved));
}

}  // namespace
