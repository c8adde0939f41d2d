// SPDX-License-Identifier: BSL-1.0
// Requeue storm over every backend: every waiter starts on word 0, which nobody ever wakes, and
// only a requeue can move it off; two conductor threads race requeues between all four words (in
// both directions, back onto word 0 too) and wakes on words 1-3, until every waiter has returned.
//
// So every waiter that returns was requeued at least once and then woken wherever it had been
// moved: per round, the woken counts of all wakes and requeues add up to the number of waiters,
// exactly; the moves are at least that many; no waiter's 20 s wait expires (an expiry means a
// requeued waiter was lost: no wake ever found it); and no word keeps a waiter afterwards.
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
using futon::testing::thread_group;

template <class Backend>
class FutexRequeueStorm : public futon::testing::futex_test<Backend> {};
TYPED_TEST_SUITE(FutexRequeueStorm, futon::testing::all_backends, futon::testing::backend_name);

TYPED_TEST(FutexRequeueStorm, EveryRequeuedWaiterIsWokenExactlyOnce) {
  using futex = typename TestFixture::futex;
  futon::testing::watchdog guard(
      "futex requeue storm hung (a conductor never saw every waiter return)",
      futon::stress::watchdog_limit());
  futon::stress::run run;
  // Far beyond any round: a waiter that reaches it was stranded.
  constexpr auto lost = 20s;
  while (run.next_round()) {
    SCOPED_TRACE(run.where());
    constexpr int conductors = 2;
    const int waiters = run.threads() - conductors;
    std::array<futex_word, 4> words{};  // all 0, always: only wakes end a wait

    std::atomic<int> returned{0};
    std::atomic<int> returned_false{0};
    std::atomic<std::uint64_t> woken{0};
    std::atomic<std::uint64_t> moved{0};
    std::atomic<std::uint64_t> operations{0};
    std::atomic<bool> requeue_refused{false};
    const std::uint64_t seed = run.round_seed();
    {
      thread_group threads;
      for (int w = 0; w < waiters; ++w) {
        threads.spawn([&] {
          if (!futex::wait_for(words[0], 0, lost)) returned_false.fetch_add(1);
          returned.fetch_add(1, std::memory_order_release);
        });
      }
      for (int c = 0; c < conductors; ++c) {
        threads.spawn([&, c] {
          std::mt19937_64 rng(seed + static_cast<std::uint64_t>(c));
          std::uint64_t ops = 0;
          while (returned.load(std::memory_order_acquire) < waiters) {
            if (rng() % 4 != 0) {
              const std::size_t from = rng() % words.size();
              const std::size_t to = (from + 1 + rng() % (words.size() - 1)) % words.size();
              // Word 0 is never woken, by a wake or a requeue: leaving it takes a move.
              const std::size_t wake_count = from == 0 ? 0 : rng() % 2;
              const std::size_t requeue_count =
                  rng() % 3 == 0 ? std::numeric_limits<std::size_t>::max() : 1 + rng() % 4;
              const auto result =
                  futex::requeue(words[from], 0, words[to], wake_count, requeue_count);
              if (!result) {
                requeue_refused.store(true);
                break;
              }
              woken.fetch_add(result->woken, std::memory_order_relaxed);
              moved.fetch_add(result->requeued, std::memory_order_relaxed);
            } else {
              const std::size_t count =
                  rng() % 4 == 0 ? std::numeric_limits<std::size_t>::max() : 1 + rng() % 2;
              woken.fetch_add(futex::wake(words[1 + rng() % (words.size() - 1)], count),
                              std::memory_order_relaxed);
            }
            ++ops;
            // The waiters need the CPU to fall asleep; two spinning conductors would take both
            // cores.
            std::this_thread::yield();
          }
          operations.fetch_add(ops);
        });
      }
    }
    ASSERT_FALSE(requeue_refused.load()) << "requeue returned nullopt, but every word holds 0";
    ASSERT_EQ(returned_false.load(), 0)
        << returned_false.load() << " waiters were requeued and never woken (their " << lost.count()
        << " s waits expired)";
    ASSERT_EQ(woken.load(), static_cast<std::uint64_t>(waiters))
        << "wakes and requeues reported " << woken.load() << " woken for " << waiters
        << " waiters that each returned once";
    ASSERT_GE(moved.load(), static_cast<std::uint64_t>(waiters))
        << "every waiter left word 0, which only a move can do";
    for (const futex_word& word : words)
      ASSERT_EQ(futex::wake_all(word), 0u) << "a waiter was left behind on a word";
    run.count(static_cast<std::uint64_t>(waiters) + operations.load());
  }
}

}  // namespace
