// SPDX-License-Identifier: BSL-1.0
// Exact wake counts: wake(w, n) wakes min(n, waiters) and says so; the threads that return are
// exactly the ones counted; a wake on one word never reaches a waiter on another, however close;
// and when wakes race timeouts, the wakers' total equals the waiters that returned true.
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <limits>
#include <string>
#include <thread>

#include "backends.hpp"
#include "test_support.hpp"

namespace {

using namespace std::chrono_literals;
using futon::futex_word;
using futon::testing::one_shot_waiters;
using futon::testing::wait_kind;
using futon::testing::watchdog;

template <class Backend>
class FutexWakeCount : public futon::testing::futex_test<Backend> {};
TYPED_TEST_SUITE(FutexWakeCount, futon::testing::all_backends, futon::testing::backend_name);

constexpr std::size_t waiters_per_test = 8;

// M waiters asleep on one word; wake(w, n) must return min(n, M), exactly that many threads
// return (true), and no more follow within 100 ms; then the rest are woken and counted too.
template <class Futex>
void expect_exact_wake(std::size_t n, wait_kind kind) {
  SCOPED_TRACE("wake(w, " + std::to_string(n) + ") with " + std::to_string(waiters_per_test) +
               (kind == wait_kind::timed ? " timed" : " untimed") + " waiters");
  const futex_word word{0};
  one_shot_waiters<Futex> waiters(word, 0, waiters_per_test, kind);
  ASSERT_TRUE(waiters.all_asleep()) << "waiters never went to sleep";
  const std::size_t expected = std::min(n, waiters_per_test);
  EXPECT_EQ(Futex::wake(word, n), expected);
  EXPECT_TRUE(waiters.await_returned(expected)) << "counted waiters did not return";
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(waiters.returned(), expected) << "a wake returned more threads than it counted";
  EXPECT_EQ(waiters.timed_out(), 0u);
  // The rest are still queued, all of them.
  EXPECT_EQ(Futex::wake_all(word), waiters_per_test - expected);
  EXPECT_TRUE(waiters.await_returned(waiters_per_test));
  EXPECT_EQ(waiters.woken(), waiters_per_test);
  EXPECT_EQ(Futex::wake_all(word), 0u);
}

TYPED_TEST(FutexWakeCount, WakeOneOfMany) {
  watchdog guard("WakeOneOfMany hung");
  expect_exact_wake<typename TestFixture::futex>(1, wait_kind::timed);
}

TYPED_TEST(FutexWakeCount, WakeThreeOfMany) {
  watchdog guard("WakeThreeOfMany hung");
  expect_exact_wake<typename TestFixture::futex>(3, wait_kind::timed);
}

TYPED_TEST(FutexWakeCount, WakeExactlyAll) {
  watchdog guard("WakeExactlyAll hung");
  expect_exact_wake<typename TestFixture::futex>(waiters_per_test, wait_kind::timed);
}

TYPED_TEST(FutexWakeCount, WakeMoreThanAreWaiting) {
  watchdog guard("WakeMoreThanAreWaiting hung");
  expect_exact_wake<typename TestFixture::futex>(waiters_per_test + 5, wait_kind::timed);
}

TYPED_TEST(FutexWakeCount, WakeCountsUntimedWaitersToo) {
  watchdog guard("WakeCountsUntimedWaitersToo hung");
  expect_exact_wake<typename TestFixture::futex>(3, wait_kind::untimed);
}

TYPED_TEST(FutexWakeCount, WakeSizeMaxWakesAll) {
  watchdog guard("WakeSizeMaxWakesAll hung");
  expect_exact_wake<typename TestFixture::futex>(std::numeric_limits<std::size_t>::max(),
                                                 wait_kind::timed);
}

// Repeated single wakes drain the queue one by one, each counted once.
TYPED_TEST(FutexWakeCount, WakeOneDrainsOneAtATime) {
  using futex = typename TestFixture::futex;
  watchdog guard("WakeOneDrainsOneAtATime hung");
  const futex_word word{0};
  one_shot_waiters<futex> waiters(word, 0, 4);
  ASSERT_TRUE(waiters.all_asleep());
  for (std::size_t i = 1; i <= 4; ++i) {
    EXPECT_TRUE(futex::wake_one(word)) << "wake " << i;
    EXPECT_TRUE(waiters.await_returned(i));
    EXPECT_EQ(waiters.returned(), i);
  }
  EXPECT_FALSE(futex::wake_one(word));
  EXPECT_EQ(waiters.woken(), 4u);
}

// Sixteen words in one cache line, a waiter on every other one: a wake on a word wakes its own
// waiter only, and a wake on an empty neighbour finds nobody.
TYPED_TEST(FutexWakeCount, WakeNeverReachesAnotherWord) {
  using futex = typename TestFixture::futex;
  watchdog guard("WakeNeverReachesAnotherWord hung");
  alignas(64) std::array<futex_word, 16> words{};
  for (auto& w : words)
    w.store(0);
  std::array<std::unique_ptr<one_shot_waiters<futex>>, 16> waiters;
  for (std::size_t i = 0; i < words.size(); i += 2) {
    waiters[i] = std::make_unique<one_shot_waiters<futex>>(words[i], 0, 1);
  }
  for (std::size_t i = 0; i < words.size(); i += 2)
    ASSERT_TRUE(waiters[i]->all_asleep());

  // Empty neighbours: nobody to wake, and nobody else is disturbed.
  for (std::size_t i = 1; i < words.size(); i += 2) {
    EXPECT_EQ(futex::wake_all(words[i]), 0u) << "word " << i << " has no waiter";
  }
  std::this_thread::sleep_for(50ms);
  for (std::size_t i = 0; i < words.size(); i += 2) {
    EXPECT_EQ(waiters[i]->returned(), 0u) << "waiter on word " << i << " woken by a neighbour";
  }

  // Each word in turn: exactly its own waiter.
  for (std::size_t i = 0; i < words.size(); i += 2) {
    EXPECT_EQ(futex::wake_all(words[i]), 1u) << "word " << i;
    EXPECT_TRUE(waiters[i]->await_returned(1)) << "word " << i;
    std::this_thread::sleep_for(20ms);
    for (std::size_t j = i + 2; j < words.size(); j += 2) {
      EXPECT_EQ(waiters[j]->returned(), 0u)
          << "waking word " << i << " woke the waiter on word " << j;
    }
  }
}

// Same address, different values: a word's waiters are keyed by address, not by value, and a
// waiter whose expected value went stale is still woken by a wake on its address.
TYPED_TEST(FutexWakeCount, WaitersWithDifferentExpectedValuesShareTheQueue) {
  using futex = typename TestFixture::futex;
  watchdog guard("WaitersWithDifferentExpectedValuesShareTheQueue hung");
  futex_word word{0};
  one_shot_waiters<futex> first(word, 0, 2);
  ASSERT_TRUE(first.all_asleep());
  word.store(1);  // no wake: the first two stay asleep (a spurious return would show in counts)
  one_shot_waiters<futex> second(word, 1, 2);
  ASSERT_TRUE(second.all_asleep());
  EXPECT_EQ(first.returned(), 0u);
  EXPECT_EQ(futex::wake_all(word), 4u);
  EXPECT_TRUE(first.await_returned(2));
  EXPECT_TRUE(second.await_returned(2));
  EXPECT_EQ(first.woken() + second.woken(), 4u);
}

// Wakes racing timeouts: waiters make short timed waits on a word that never changes, while two
// wakers wake one or two at a time. The contract says a waiter a wake counted returns true, even
// if its deadline passed meanwhile, so the wakers' total must equal the waiters' true returns
// (true can come from nothing else here: the value never changes, and a spurious return would
// break the equality loudly).
TYPED_TEST(FutexWakeCount, CountsMatchTrueReturnsWhenWakesRaceTimeouts) {
  using futex = typename TestFixture::futex;
  watchdog guard("CountsMatchTrueReturnsWhenWakesRaceTimeouts hung", 60s);
  const futex_word word{0};
  const int rounds = futon::testing::scaled(1000);
  constexpr int waiter_count = 4;
  std::atomic<std::size_t> true_returns{0};
  std::atomic<std::size_t> false_returns{0};
  std::atomic<std::size_t> woken_total{0};
  std::atomic<int> waiters_left{waiter_count};
  {
    futon::testing::thread_group threads;
    for (int t = 0; t < waiter_count; ++t) {
      threads.spawn([&, t] {
        for (int i = 0; i < rounds; ++i) {
          // 0 to 2 ms, staggered so that some time out while a wake is in flight.
          const auto timeout = std::chrono::microseconds(((i * 7 + t * 13) % 21) * 100);
          if (futex::wait_for(word, 0, timeout)) {
            true_returns.fetch_add(1);
          } else {
            false_returns.fetch_add(1);
          }
        }
        waiters_left.fetch_sub(1);
      });
    }
    for (std::size_t n : {std::size_t{1}, std::size_t{2}}) {
      threads.spawn([&, n] {
        std::size_t spin = 0;
        while (waiters_left.load() > 0) {
          woken_total.fetch_add(futex::wake(word, n));
          if (++spin % 4 == 0) std::this_thread::sleep_for(200us);
        }
      });
    }
  }
  EXPECT_EQ(woken_total.load(), true_returns.load())
      << "wakes counted " << woken_total.load() << " waiters, " << true_returns.load()
      << " returned true (" << false_returns.load() << " timed out)";
  EXPECT_EQ(true_returns.load() + false_returns.load(),
            static_cast<std::size_t>(rounds) * waiter_count);
  // Both outcomes must have happened, or the race was not exercised.
  EXPECT_GT(true_returns.load(), 0u);
  EXPECT_GT(false_returns.load(), 0u);
}

}  // namespace
