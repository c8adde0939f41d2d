// SPDX-License-Identifier: BSL-1.0
// counting_semaphore and binary_semaphore under oversubscription, over every backend:
//
//   - a pool of 1-8 tokens (a counting_semaphore<8>, or a binary_semaphore for one token) that
//     4-64 threads take with every kind of acquire (blocking, try, timed with 0..50 us) and give
//     back one at a time or two at once with release(2): never more holders than tokens, every
//     failed timed acquire lasted its timeout, and afterwards exactly the initial tokens are
//     there (that many try_acquire succeed, the next fails);
//   - producers releasing batches of 1-4 onto a counting_semaphore<16> that starts empty, held
//     below its max by a reservation, and consumers taking them one by one: every token
//     released is acquired exactly once, and afterwards none is left over.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <futon/counting_semaphore.hpp>
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
class SemaphoreStress : public ::testing::Test {};
TYPED_TEST_SUITE(SemaphoreStress, futon::testing::all_backends, futon::testing::backend_name);

// Takes one token in one of four ways picked by `rng`; false when a try or a timed try failed.
template <class Semaphore>
bool acquire_some_way(Semaphore& semaphore, std::mt19937_64& rng, early_timeouts& early) {
  switch (rng() % 4) {
    case 0:
      semaphore.acquire();
      return true;
    case 1:
      return semaphore.try_acquire();
    case 2: {
      const auto timeout = futon::stress::tiny_timeout(rng);
      const auto start = stress_clock::now();
      if (semaphore.try_acquire_for(timeout)) return true;
      early.check(stress_clock::now() - start, timeout);
      return false;
    }
    default: {
      const auto deadline = stress_clock::now() + futon::stress::tiny_timeout(rng);
      if (semaphore.try_acquire_until(deadline)) return true;
      early.check_deadline(stress_clock::now(), deadline);
      return false;
    }
  }
}

// One round of the token pool on `Semaphore` holding `tokens`.
template <class Semaphore>
void token_pool_round(futon::stress::run& run, std::ptrdiff_t tokens) {
  const int threads_n = run.threads();
  const int ops_each = std::max(20, per_round(8000) / threads_n);
  Semaphore semaphore(tokens);
  std::atomic<std::ptrdiff_t> holding{0};
  std::atomic<std::ptrdiff_t> most_held{0};
  std::atomic<std::uint64_t> acquired{0};
  std::atomic<std::uint64_t> released{0};
  std::atomic<std::uint64_t> failed_attempts{0};
  early_timeouts early;
  futon::stress::start_gate gate;
  const std::uint64_t seed = run.round_seed();
  {
    thread_group threads;
    for (int t = 0; t < threads_n; ++t) {
      threads.spawn([&, t] {
        std::mt19937_64 rng(seed + static_cast<std::uint64_t>(t));
        const auto hold = [&](std::ptrdiff_t n) {
          const std::ptrdiff_t now = holding.fetch_add(n, std::memory_order_relaxed) + n;
          std::ptrdiff_t most = most_held.load(std::memory_order_relaxed);
          while (now > most && !most_held.compare_exchange_weak(most, now)) {
          }
          acquired.fetch_add(static_cast<std::uint64_t>(n), std::memory_order_relaxed);
        };
        gate.wait();
        for (int i = 0; i < ops_each; ++i) {
          if (!acquire_some_way(semaphore, rng, early)) {
            failed_attempts.fetch_add(1, std::memory_order_relaxed);
            continue;
          }
          // Now and then a second token without blocking (blocking for it while holding one
          // could deadlock the pool), given back with a single release(2).
          const std::ptrdiff_t n = rng() % 4 == 0 && semaphore.try_acquire() ? 2 : 1;
          hold(n);
          if (rng() % 8 == 0) std::this_thread::yield();
          holding.fetch_sub(n, std::memory_order_relaxed);
          released.fetch_add(static_cast<std::uint64_t>(n), std::memory_order_relaxed);
          semaphore.release(n);
        }
      });
    }
    gate.open();
  }
  ASSERT_LE(most_held.load(), tokens) << "more threads held a token than there are tokens";
  ASSERT_EQ(early.count(), 0u) << early.report();
  ASSERT_EQ(acquired.load(), released.load());
  for (std::ptrdiff_t i = 0; i < tokens; ++i)
    ASSERT_TRUE(semaphore.try_acquire()) << "token " << i << " of " << tokens << " went missing";
  ASSERT_FALSE(semaphore.try_acquire()) << "a token appeared from nowhere";
  semaphore.release(tokens);
  run.count(acquired.load() + failed_attempts.load());
}

TYPED_TEST(SemaphoreStress, TokenPoolNeverHandsOutMoreThanItHolds) {
  futon::testing::watchdog guard("semaphore token pool hung (a release woke nobody)",
                                 futon::stress::watchdog_limit());
  futon::stress::run run;
  while (run.next_round()) {
    SCOPED_TRACE(run.where());
    const std::ptrdiff_t tokens = 1 + static_cast<std::ptrdiff_t>(run.rng()() % 8);
    if (tokens == 1 && run.rng()() % 2 == 0) {
      token_pool_round<futon::basic_binary_semaphore<TypeParam>>(run, tokens);
    } else {
      token_pool_round<futon::basic_counting_semaphore<TypeParam, 8>>(run, tokens);
    }
  }
}

TYPED_TEST(SemaphoreStress, BatchedReleasesAreEachAcquiredOnce) {
  using semaphore = futon::basic_counting_semaphore<TypeParam, 16>;
  futon::testing::watchdog guard("semaphore batches hung (a released token woke nobody)",
                                 futon::stress::watchdog_limit());
  futon::stress::run run;
  while (run.next_round()) {
    SCOPED_TRACE(run.where());
    const int producers = std::max(1, run.threads() / 4);
    const int consumers = run.threads() - producers;
    const std::uint64_t per_producer =
        static_cast<std::uint64_t>(std::max(20, per_round(8000) / producers));
    const std::uint64_t total = per_producer * static_cast<std::uint64_t>(producers);

    semaphore tokens(0);
    // Tokens promised (reserved before release) and taken (counted after acquire): the count
    // in the semaphore is at most promised - taken, kept <= max() so release never overflows.
    std::atomic<std::uint64_t> promised{0};
    std::atomic<std::uint64_t> taken{0};
    std::atomic<std::uint64_t> claims{0};
    std::atomic<std::uint64_t> failed_attempts{0};
    early_timeouts early;
    futon::stress::start_gate gate;
    const std::uint64_t seed = run.round_seed();
    {
      thread_group threads;
      for (int p = 0; p < producers; ++p) {
        threads.spawn([&, p] {
          std::mt19937_64 rng(seed + static_cast<std::uint64_t>(p));
          gate.wait();
          std::uint64_t left = per_producer;
          while (left > 0) {
            const std::uint64_t batch = std::min<std::uint64_t>(left, 1 + rng() % 4);
            std::uint64_t reserved = promised.load();
            if (reserved + batch - taken.load() > static_cast<std::uint64_t>(semaphore::max()) ||
                !promised.compare_exchange_weak(reserved, reserved + batch)) {
              std::this_thread::yield();
              continue;
            }
            tokens.release(static_cast<std::ptrdiff_t>(batch));
            left -= batch;
          }
        });
      }
      for (int c = 0; c < consumers; ++c) {
        threads.spawn([&, c] {
          std::mt19937_64 rng(seed ^ (0xC0'0000ull + static_cast<std::uint64_t>(c)));
          gate.wait();
          // Each claim is one token that will be released: claims never outnumber tokens, so
          // every consumer's last acquire is sure to be served.
          while (claims.fetch_add(1, std::memory_order_relaxed) < total) {
            while (!acquire_some_way(tokens, rng, early))
              failed_attempts.fetch_add(1, std::memory_order_relaxed);
            taken.fetch_add(1);
          }
        });
      }
      gate.open();
    }
    ASSERT_EQ(early.count(), 0u) << early.report();
    ASSERT_EQ(promised.load(), total);
    ASSERT_EQ(taken.load(), total) << "tokens released and tokens acquired differ";
    ASSERT_FALSE(tokens.try_acquire()) << "a token was left over (or created)";
    run.count(2 * total + failed_attempts.load());
  }
}

}  // namespace
