// SPDX-License-Identifier: BSL-1.0
// futex_wait_any storm over every backend: up to 64 threads, most of them waiting on random
// lists of four words (1 to 5 entries, duplicates allowed, now and then 130 entries: past Linux's
// futex_waitv limit and the parking lot's frame of 32), the others plain timed waiters on the
// same words, with tiny random timeouts, while a waker wakes and a requeuer moves waiters between
// the words nonstop. Every expiry races wakes on several words and requeues.
//
// The words never change value, so every wait that returns woken (wait_any) or true (plain) was
// counted by exactly one wake or requeue: per round, the counts those calls report add up to
// those returns, exactly; a wait_any never reports `changed` or an index out of its list; no
// timeout fires early; afterwards nobody is left on any word.
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <random>
#include <thread>
#include <vector>

#include "backends.hpp"
#include "stress_support.hpp"

namespace {

using namespace std::chrono_literals;
using futon::futex_word;
using futon::wait_any_status;
using futon::wait_on;
using futon::stress::early_timeouts;
using futon::stress::per_round;
using futon::stress::stress_clock;
using futon::testing::thread_group;

template <class Backend>
class WaitAnyStorm : public futon::testing::futex_test<Backend> {};
TYPED_TEST_SUITE(WaitAnyStorm, futon::testing::wait_any_backends, futon::testing::backend_name);

TYPED_TEST(WaitAnyStorm, WaitAnyRacesWakesRequeuesAndTimeoutsWithExactCounts) {
  using futex = typename TestFixture::futex;
  futon::testing::watchdog guard("wait_any storm hung (a waiter or the waker never returned)",
                                 futon::stress::watchdog_limit());
  futon::stress::run run;
  std::uint64_t total_woken = 0;
  std::uint64_t total_timed_out = 0;
  while (run.next_round()) {
    SCOPED_TRACE(run.where());
    const int waiters = run.threads() - 2;  // two threads are the waker and the requeuer
    const int waits_each = std::max(20, per_round(4000) / waiters);
    struct alignas(64) line {
      futex_word word{0};
    };
    std::array<line, 4> lines;
    std::array<const futex_word*, 4> words{};
    for (std::size_t i = 0; i < words.size(); ++i)
      words[i] = &lines[i].word;

    std::atomic<int> waiters_done{0};
    std::atomic<std::uint64_t> woken{0};
    std::atomic<std::uint64_t> timed_out{0};
    std::atomic<std::uint64_t> wrong{0};
    std::atomic<std::uint64_t> counted{0};
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
          std::vector<wait_on> entries;
          gate.wait();
          for (int i = 0; i < waits_each; ++i) {
            const auto timeout = rng() % 16 == 0 ? futon::stress::tiny_timeout(rng, 1ms)
                                                 : futon::stress::tiny_timeout(rng);
            if (w % 4 == 3) {  // a plain waiter among them
              const auto start = stress_clock::now();
              if (futex::wait_for(*words[rng() % words.size()], 0, timeout)) {
                woken.fetch_add(1, std::memory_order_relaxed);  // counters, read after join
              } else {
                early.check(stress_clock::now() - start, timeout);
                timed_out.fetch_add(1, std::memory_order_relaxed);
              }
              continue;
            }
            entries.clear();
            const std::size_t n = rng() % 32 == 0 ? 130 : 1 + rng() % 5;
            for (std::size_t k = 0; k < n; ++k)
              entries.emplace_back(*words[rng() % words.size()], 0);
            const auto start = stress_clock::now();
            const auto r = futex::wait_any_for(entries, timeout);
            if (r.status == wait_any_status::woken && r.index < n) {
              woken.fetch_add(1, std::memory_order_relaxed);
            } else if (r.status == wait_any_status::timed_out) {
              early.check(stress_clock::now() - start, timeout);
              timed_out.fetch_add(1, std::memory_order_relaxed);
            } else {
              wrong.fetch_add(1, std::memory_order_relaxed);
            }
          }
          waiters_done.fetch_add(1, std::memory_order_release);
        });
      }
      const auto storming = [&] { return waiters_done.load(std::memory_order_acquire) < waiters; };
      threads.spawn([&] {
        std::mt19937_64 rng(seed ^ 0x5741'4b45ull);
        gate.wait();
        std::uint64_t ops = 0;
        while (storming()) {
          const std::size_t count =
              rng() % 8 == 0 ? std::numeric_limits<std::size_t>::max() : 1 + rng() % 3;
          counted.fetch_add(futex::wake(*words[rng() % words.size()], count),
                            std::memory_order_relaxed);
          ++ops;
          if (rng() % 2 == 0) std::this_thread::yield();
        }
        wakers_ops.fetch_add(ops);
      });
      threads.spawn([&] {
        std::mt19937_64 rng(seed ^ 0x5245'5155ull);
        gate.wait();
        std::uint64_t ops = 0;
        while (storming()) {
          const std::size_t from = rng() % words.size();
          const std::size_t to = (from + 1 + rng() % 3) % words.size();
          const auto result =
              futex::requeue(*words[from], 0, *words[to], rng() % 2, rng() % 2 == 0 ? 1 : 1000);
          if (!result) {
            requeue_refused.store(true);
            break;
          }
          counted.fetch_add(result->woken, std::memory_order_relaxed);
          ++ops;
          if (rng() % 2 == 0) std::this_thread::yield();
        }
        wakers_ops.fetch_add(ops);
      });
      gate.open();
    }
    const std::uint64_t total = static_cast<std::uint64_t>(waiters) * waits_each;
    ASSERT_FALSE(requeue_refused.load()) << "requeue returned nullopt, but every word holds 0";
    ASSERT_EQ(wrong.load(), 0u) << "a wait_any returned changed, no_entries or a bad index";
    ASSERT_EQ(woken.load() + timed_out.load(), total);
    ASSERT_EQ(early.count(), 0u) << early.report();
    ASSERT_EQ(counted.load(), woken.load()) << "wakes and requeues counted " << counted.load()
                                            << ", but " << woken.load() << " waits returned woken";
    for (const futex_word* word : words)
      ASSERT_EQ(futex::wake_all(*word), 0u) << "a waiter was left behind on a word";
    total_woken += woken.load();
    total_timed_out += timed_out.load();
    run.count(total + wakers_ops.load());
  }
  EXPECT_GT(total_woken, 0u);
  EXPECT_GT(total_timed_out, 0u);
}

}  // namespace
