// SPDX-License-Identifier: BSL-1.0
// Smoke tests: the basic wait/wake round trip works at all, on every backend.
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "backends.hpp"
#include "test_support.hpp"

namespace {

using namespace std::chrono_literals;
using futon::testing::one_shot_waiters;
using futon::testing::watchdog;

template <class Backend>
class FutexSmoke : public futon::testing::futex_test<Backend> {};
TYPED_TEST_SUITE(FutexSmoke, futon::testing::all_backends, futon::testing::backend_name);

TYPED_TEST(FutexSmoke, MismatchReturnsAtOnce) {
  watchdog guard("a wait on a mismatched word blocked");
  futon::futex_word word{1};
  TestFixture::futex::wait(word, 0);
  EXPECT_TRUE(TestFixture::futex::wait_for(word, 0, std::chrono::hours(1)));
}

TYPED_TEST(FutexSmoke, WakeReleasesWaiter) {
  using futex = typename TestFixture::futex;
  watchdog guard("a waiter was never released by store + wake_all");
  futon::futex_word word{0};
  std::thread waiter([&] {
    while (word.load(std::memory_order_acquire) == 0)
      futex::wait(word, 0);
  });
  word.store(1, std::memory_order_release);
  futex::wake_all(word);
  waiter.join();
  EXPECT_EQ(word.load(), 1u);
}

// One blocked waiter, one wake: the wake counts it, and the waiter sees a wake (true), not a
// timeout.
TYPED_TEST(FutexSmoke, TimedWaiterWokenReturnsTrue) {
  using futex = typename TestFixture::futex;
  watchdog guard("TimedWaiterWokenReturnsTrue hung");
  futon::futex_word word{0};
  one_shot_waiters<futex> waiter(word, 0, 1);
  ASSERT_TRUE(waiter.all_asleep());
  EXPECT_TRUE(futex::wake_one(word));
  ASSERT_TRUE(waiter.await_returned(1));
  EXPECT_EQ(waiter.woken(), 1u);
  EXPECT_FALSE(futex::wake_one(word)) << "nobody is left to wake";
}

// Two threads hand a word back and forth: each round needs one wake to reach a sleeping thread.
TYPED_TEST(FutexSmoke, PingPong) {
  using futex = typename TestFixture::futex;
  const int rounds = futon::testing::scaled(10000);
  watchdog guard("PingPong lost a wakeup");
  futon::futex_word turn{0};  // even: ping's turn, odd: pong's
  auto player = [&](std::uint32_t parity) {
    for (int i = 0; i < rounds; ++i) {
      std::uint32_t seen = turn.load(std::memory_order_acquire);
      while (seen % 2 != parity) {
        futex::wait(turn, seen);
        seen = turn.load(std::memory_order_acquire);
      }
      turn.store(seen + 1, std::memory_order_release);
      futex::wake_one(turn);
    }
  };
  std::thread pong(player, 1u);
  player(0u);
  pong.join();
  EXPECT_EQ(turn.load(), static_cast<std::uint32_t>(2 * rounds));
}

// The free functions are the default backend's basic_futex (not backend-typed on purpose: they
// have no backend parameter to type over).
TEST(FutexFreeFunctions, RoundTrip) {
  watchdog guard("free-function round trip hung");
  futon::futex_word word{0};
  EXPECT_TRUE(futon::futex_wait_for(word, 1, 0ns));
  EXPECT_FALSE(futon::futex_wait_for(word, 0, 0ns));
  EXPECT_FALSE(futon::futex_wait_until(word, 0, std::chrono::steady_clock::time_point{}));
  EXPECT_EQ(futon::futex_wake(word, 0), 0u);
  EXPECT_FALSE(futon::futex_wake_one(word));
  EXPECT_EQ(futon::futex_wake_all(word), 0u);
  futon::futex_word other{0};
  EXPECT_EQ(futon::futex_requeue(word, 1, other, 1, 1), std::nullopt);
  EXPECT_EQ(futon::futex_requeue(word, 0, other, 1, 1), (futon::requeue_result{0, 0}));
  std::thread waiter([&] {
    while (word.load(std::memory_order_acquire) == 0)
      futon::futex_wait(word, 0);
  });
  word.store(1, std::memory_order_release);
  futon::futex_wake_all(word);
  waiter.join();
}

#if defined(__linux__)
// The helpers the exact-count tests rely on: "asleep" must mean asleep, or a wake could race a
// waiter that has not blocked yet and the counts would be off for the helper's sake.
TEST(TestSupport, RunningThreadIsNotAsleepBlockedThreadIs) {
  watchdog guard("TestSupport self-test hung");
  std::atomic<bool> stop{false};
  std::atomic<futon::testing::os_thread_id> spinner_id{0};
  std::thread spinner([&] {
    spinner_id.store(futon::testing::current_os_thread_id());
    while (!stop.load(std::memory_order_relaxed)) {
    }
  });
  ASSERT_TRUE(futon::testing::eventually([&] { return spinner_id.load() != 0; }));
  EXPECT_FALSE(futon::testing::wait_until_asleep(
      [&] { return std::vector<futon::testing::os_thread_id>{spinner_id.load()}; }, 200ms))
      << "a spinning thread was reported asleep";
  stop.store(true);
  spinner.join();

  futon::futex_word word{0};
  std::atomic<futon::testing::os_thread_id> sleeper_id{0};
  std::thread sleeper([&] {
    sleeper_id.store(futon::testing::current_os_thread_id());
    while (word.load() == 0)
      futon::futex_wait(word, 0);
  });
  ASSERT_TRUE(futon::testing::eventually([&] { return sleeper_id.load() != 0; }));
  EXPECT_TRUE(futon::testing::wait_until_asleep([&] {
    return std::vector<futon::testing::os_thread_id>{sleeper_id.load()};
  })) << "a thread blocked in a futex wait was never reported asleep";
  word.store(1);
  futon::futex_wake_all(word);
  sleeper.join();
}
#endif

}  // namespace
