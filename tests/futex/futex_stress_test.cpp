// SPDX-License-Identifier: BSL-1.0
// Bounded stress: patterns that hang on a lost wakeup, each guarded by a watchdog that turns a hang
// into a failure with a message. Ideas after Zig's std.Thread.Futex tests (a token passed around
// a ring of threads; a broadcast that every waiter must see), written anew for this API.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

#include "backends.hpp"
#include "test_support.hpp"

namespace {

using namespace std::chrono_literals;
using futon::futex_word;
using futon::testing::scaled;
using futon::testing::thread_group;
using futon::testing::watchdog;

template <class Backend>
class FutexStress : public futon::testing::futex_test<Backend> {};
TYPED_TEST_SUITE(FutexStress, futon::testing::all_backends, futon::testing::backend_name);

constexpr std::uint32_t ring_size = 4;

// A token goes round a ring of four threads, each with its own word (all four in one cache line):
// thread i waits on its word until it holds the token, checks that the token arrived in ring
// order, passes it on and wakes exactly the next thread with wake_one.
TYPED_TEST(FutexStress, RingPassesTokenInOrderWithOneWordEach) {
  using futex = typename TestFixture::futex;
  const std::uint32_t rounds = static_cast<std::uint32_t>(scaled(5000));
  watchdog guard("ring (one word each) lost a wakeup: the token stopped", 60s);
  alignas(64) std::array<futex_word, ring_size> has_token{};  // rounds received so far
  for (auto& w : has_token)
    w.store(0);
  std::atomic<std::uint32_t> hops{0};
  std::atomic<std::uint32_t> out_of_order{0};
  {
    thread_group ring;
    for (std::uint32_t i = 0; i < ring_size; ++i) {
      ring.spawn([&, i] {
        futex_word& mine = has_token[i];
        futex_word& next = has_token[(i + 1) % ring_size];
        for (std::uint32_t round = 1; round <= rounds; ++round) {
          std::uint32_t seen = mine.load(std::memory_order_acquire);
          while (seen < round) {
            futex::wait(mine, seen);
            seen = mine.load(std::memory_order_acquire);
          }
          if (hops.fetch_add(1, std::memory_order_relaxed) % ring_size != i) {
            out_of_order.fetch_add(1, std::memory_order_relaxed);
          }
          next.fetch_add(1, std::memory_order_release);
          futex::wake_one(next);
        }
      });
    }
    has_token[0].store(1, std::memory_order_release);  // start: thread 0 holds round 1
    futex::wake_one(has_token[0]);
  }
  EXPECT_EQ(out_of_order.load(), 0u);
  EXPECT_EQ(hops.load(), rounds * ring_size);
  // Thread 3 passed the token back to thread 0 after every round: one more than thread 0 used.
  EXPECT_EQ(has_token[0].load(), rounds + 1);
}

// The same ring on ONE shared word holding the hop count: every thread sleeps on it, so passing
// the token needs wake_all (wake_one could wake the wrong thread, which would sleep again).
TYPED_TEST(FutexStress, RingPassesTokenInOrderOnOneSharedWord) {
  using futex = typename TestFixture::futex;
  const std::uint32_t rounds = static_cast<std::uint32_t>(scaled(2000));
  watchdog guard("ring (shared word) lost a wakeup: the token stopped", 60s);
  futex_word token{0};  // hop count; thread (token % 4) holds it
  {
    thread_group ring;
    for (std::uint32_t i = 0; i < ring_size; ++i) {
      ring.spawn([&, i] {
        for (std::uint32_t round = 0; round < rounds; ++round) {
          const std::uint32_t my_turn = round * ring_size + i;
          std::uint32_t seen = token.load(std::memory_order_acquire);
          while (seen != my_turn) {
            ASSERT_LT(seen, my_turn) << "the token skipped thread " << i;
            futex::wait(token, seen);
            seen = token.load(std::memory_order_acquire);
          }
          token.store(my_turn + 1, std::memory_order_release);
          futex::wake_all(token);
        }
      });
    }
  }
  EXPECT_EQ(token.load(), rounds * ring_size);
}

// Barrier broadcast: N threads sleep on a word; one store and one wake_all releases every one,
// and wake_all's count is exactly the number asleep.
TYPED_TEST(FutexStress, BroadcastReleasesEveryWaiter) {
  using futex = typename TestFixture::futex;
  constexpr std::size_t n = 8;
  const int rounds = scaled(20);
  watchdog guard("broadcast: a waiter missed the wake_all", 60s);
  for (int round = 0; round < rounds; ++round) {
    futex_word go{0};
    futon::testing::one_shot_waiters<futex> waiters(go, 0, n, futon::testing::wait_kind::untimed);
    ASSERT_TRUE(waiters.all_asleep());
    go.store(1, std::memory_order_release);
    EXPECT_EQ(futex::wake_all(go), n) << "round " << round;
    EXPECT_TRUE(waiters.await_returned(n)) << "round " << round;
  }
}

// Bounded lost-wakeup stress: eight waiters follow a generation counter. The main thread bumps
// the generation and wakes all, then sleeps (on its own futex word) until all eight have checked
// in for that generation. Half the waiters use untimed waits, half long timed ones (which must
// never time out). Any lost wakeup stops the whole thing: the watchdog reports where.
TYPED_TEST(FutexStress, GenerationBroadcastLosesNoWakeups) {
  using futex = typename TestFixture::futex;
  constexpr std::uint32_t waiter_count = 8;
  const std::uint32_t generations = static_cast<std::uint32_t>(scaled(5000));
  futex_word generation{0};
  futex_word checked_in{0};  // total check-ins so far
  std::atomic<std::uint32_t> timeouts{0};
  const auto progress = [&] {
    return "lost wakeup: generation " + std::to_string(generation.load()) + " of " +
           std::to_string(generations) + ", check-ins " + std::to_string(checked_in.load());
  };
  watchdog guard("GenerationBroadcastLosesNoWakeups hung (see the counters in the test)", 60s);
  {
    thread_group waiters;
    for (std::uint32_t t = 0; t < waiter_count; ++t) {
      waiters.spawn([&, t] {
        std::uint32_t seen = 0;
        while (seen < generations) {
          std::uint32_t now = generation.load(std::memory_order_acquire);
          while (now == seen) {
            if (t % 2 == 0) {
              futex::wait(generation, seen);
            } else if (!futex::wait_for(generation, seen, 20s)) {
              timeouts.fetch_add(1);
            }
            now = generation.load(std::memory_order_acquire);
          }
          seen = now;
          checked_in.fetch_add(1, std::memory_order_acq_rel);
          futex::wake_one(checked_in);
        }
      });
    }
    for (std::uint32_t g = 1; g <= generations; ++g) {
      generation.store(g, std::memory_order_release);
      futex::wake_all(generation);
      const std::uint32_t target = g * waiter_count;
      std::uint32_t arrived = checked_in.load(std::memory_order_acquire);
      const auto give_up = std::chrono::steady_clock::now() + 30s;
      while (arrived < target) {
        // Timed, so that a lost wake of *this* thread shows as a stall message, not a hang.
        futex::wait_for(checked_in, arrived, 100ms);
        arrived = checked_in.load(std::memory_order_acquire);
        if (std::chrono::steady_clock::now() >= give_up) {
          ADD_FAILURE() << progress();
          // Unstick everyone so the test can end: jump to the last generation.
          generation.store(generations, std::memory_order_release);
          futex::wake_all(generation);
          g = generations;
          break;
        }
      }
      ASSERT_LE(arrived, target) << "a waiter checked in twice for one generation";
    }
  }
  EXPECT_EQ(checked_in.load(), generations * waiter_count);
  EXPECT_EQ(timeouts.load(), 0u) << "a 20 s timed wait expired: a wake was lost";
}

}  // namespace
