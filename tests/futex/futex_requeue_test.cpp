// SPDX-License-Identifier: BSL-1.0
// futex_requeue: wakes up to n waiters of `from` and moves up to m more onto `to`, exactly, when
// `from` holds `expected`; otherwise (or when from and to are the same word) touches nobody.
// A requeued waiter whose timeout expires leaves the queue it was moved to (the OpenBSD seed's
// "a timed-out waiter follows a requeue to its new bucket").
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <limits>
#include <optional>
#include <thread>

#include "backends.hpp"
#include "test_support.hpp"

namespace {

using namespace std::chrono_literals;
using futon::futex_word;
using futon::requeue_result;
using futon::testing::one_shot_waiters;
using futon::testing::test_clock;
using futon::testing::wait_kind;
using futon::testing::watchdog;

template <class Backend>
class FutexRequeue : public futon::testing::futex_test<Backend> {};
TYPED_TEST_SUITE(FutexRequeue, futon::testing::all_backends, futon::testing::backend_name);

constexpr std::size_t m = 6;

TYPED_TEST(FutexRequeue, WakesOneMovesTwoLeavesTheRest) {
  using futex = typename TestFixture::futex;
  watchdog guard("WakesOneMovesTwoLeavesTheRest hung");
  const futex_word from{0};
  const futex_word to{0};
  one_shot_waiters<futex> waiters(from, 0, m);
  waiters.also_release(to);
  ASSERT_TRUE(waiters.all_asleep());

  EXPECT_EQ(futex::requeue(from, 0, to, 1, 2), (requeue_result{1, 2}));
  EXPECT_TRUE(waiters.await_returned(1));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(waiters.returned(), 1u) << "requeue woke more than wake_count";

  // The two moved waiters now sleep on `to`, and only there.
  EXPECT_EQ(futex::wake_all(to), 2u);
  EXPECT_TRUE(waiters.await_returned(3));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(waiters.returned(), 3u);

  // The rest never left `from`.
  EXPECT_EQ(futex::wake_all(from), m - 3);
  EXPECT_TRUE(waiters.await_returned(m));
  EXPECT_EQ(waiters.woken(), m) << "a requeued or woken waiter reported a timeout";
}

TYPED_TEST(FutexRequeue, MovesAllWithoutWaking) {
  using futex = typename TestFixture::futex;
  watchdog guard("MovesAllWithoutWaking hung");
  const futex_word from{5};
  const futex_word to{9};  // `to`'s value does not matter
  one_shot_waiters<futex> waiters(from, 5, m, wait_kind::untimed);
  waiters.also_release(to);
  ASSERT_TRUE(waiters.all_asleep());
  EXPECT_EQ(futex::requeue(from, 5, to, 0, std::numeric_limits<std::size_t>::max()),
            (requeue_result{0, m}));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(waiters.returned(), 0u);
  EXPECT_EQ(futex::wake_all(from), 0u) << "requeued waiters are still on `from`";
  EXPECT_EQ(futex::wake(to, 2), 2u);
  EXPECT_EQ(futex::wake_all(to), m - 2);
  EXPECT_TRUE(waiters.await_returned(m));
}

TYPED_TEST(FutexRequeue, WakeCountBeyondWaitersWakesAllMovesNone) {
  using futex = typename TestFixture::futex;
  watchdog guard("WakeCountBeyondWaitersWakesAllMovesNone hung");
  const futex_word from{0};
  const futex_word to{0};
  one_shot_waiters<futex> waiters(from, 0, m);
  waiters.also_release(to);
  ASSERT_TRUE(waiters.all_asleep());
  EXPECT_EQ(futex::requeue(from, 0, to, m + 1, 3), (requeue_result{m, 0}));
  EXPECT_TRUE(waiters.await_returned(m));
  EXPECT_EQ(futex::wake_all(to), 0u);
}

TYPED_TEST(FutexRequeue, ZeroCountsTouchNobody) {
  using futex = typename TestFixture::futex;
  watchdog guard("ZeroCountsTouchNobody hung");
  const futex_word from{0};
  const futex_word to{0};
  one_shot_waiters<futex> waiters(from, 0, 3);
  waiters.also_release(to);
  ASSERT_TRUE(waiters.all_asleep());
  EXPECT_EQ(futex::requeue(from, 0, to, 0, 0), (requeue_result{0, 0}));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(waiters.returned(), 0u);
  EXPECT_EQ(futex::wake_all(to), 0u);
  EXPECT_EQ(futex::wake_all(from), 3u);
  EXPECT_TRUE(waiters.await_returned(3));
}

TYPED_TEST(FutexRequeue, MismatchReturnsNulloptAndTouchesNobody) {
  using futex = typename TestFixture::futex;
  watchdog guard("MismatchReturnsNulloptAndTouchesNobody hung");
  futex_word from{0};
  const futex_word to{0};
  one_shot_waiters<futex> waiters(from, 0, m);
  waiters.also_release(to);
  ASSERT_TRUE(waiters.all_asleep());
  EXPECT_EQ(futex::requeue(from, 1, to, 1, 2), std::nullopt);
  EXPECT_EQ(futex::requeue(from, 1, to, std::numeric_limits<std::size_t>::max(),
                           std::numeric_limits<std::size_t>::max()),
            std::nullopt);
  // The word changes under the waiters (no wake): a requeue expecting the old value fails too.
  from.store(2);
  EXPECT_EQ(futex::requeue(from, 0, to, 1, 2), std::nullopt);
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(waiters.returned(), 0u) << "a failed requeue woke someone";
  EXPECT_EQ(futex::wake_all(to), 0u) << "a failed requeue moved someone";
  EXPECT_EQ(futex::wake_all(from), m) << "a failed requeue took someone off `from`";
  EXPECT_TRUE(waiters.await_returned(m));
  EXPECT_EQ(waiters.woken(), m);
}

TYPED_TEST(FutexRequeue, SameWordReturnsNulloptAndTouchesNobody) {
  using futex = typename TestFixture::futex;
  watchdog guard("SameWordReturnsNulloptAndTouchesNobody hung");
  const futex_word word{0};
  one_shot_waiters<futex> waiters(word, 0, 3);
  ASSERT_TRUE(waiters.all_asleep());
  EXPECT_EQ(futex::requeue(word, 0, word, 1, 1), std::nullopt);
  EXPECT_EQ(futex::requeue(word, 0, word, std::numeric_limits<std::size_t>::max(), 0),
            std::nullopt);
  EXPECT_EQ(futex::requeue(word, 1, word, 1, 1), std::nullopt);
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(waiters.returned(), 0u) << "requeue(w, w) woke someone";
  EXPECT_EQ(futex::wake_all(word), 3u);
  EXPECT_TRUE(waiters.await_returned(3));
}

TYPED_TEST(FutexRequeue, NobodyWaitingReturnsZeroZero) {
  using futex = typename TestFixture::futex;
  const futex_word from{4};
  const futex_word to{0};
  EXPECT_EQ(futex::requeue(from, 4, to, 1, 1), (requeue_result{0, 0}));
  EXPECT_EQ(futex::requeue(from, 4, to, 0, 0), (requeue_result{0, 0}));
  EXPECT_EQ(futex::requeue(from, 4, to, std::numeric_limits<std::size_t>::max(),
                           std::numeric_limits<std::size_t>::max()),
            (requeue_result{0, 0}));
  EXPECT_EQ(futex::requeue(from, 3, to, 1, 1), std::nullopt);
}

// Adjacent words in one cache line: requeue between neighbours, and back.
TYPED_TEST(FutexRequeue, BetweenAdjacentWordsAndBack) {
  using futex = typename TestFixture::futex;
  watchdog guard("BetweenAdjacentWordsAndBack hung");
  alignas(64) std::array<futex_word, 2> words{};
  words[0].store(0);
  words[1].store(1);
  one_shot_waiters<futex> waiters(words[0], 0, 4);
  waiters.also_release(words[1]);
  ASSERT_TRUE(waiters.all_asleep());
  EXPECT_EQ(futex::requeue(words[0], 0, words[1], 0, 3), (requeue_result{0, 3}));
  EXPECT_EQ(futex::requeue(words[1], 1, words[0], 0, 1), (requeue_result{0, 1}));
  EXPECT_EQ(futex::wake_all(words[1]), 2u);
  EXPECT_EQ(futex::wake_all(words[0]), 2u);
  EXPECT_TRUE(waiters.await_returned(4));
  EXPECT_EQ(waiters.woken(), 4u);
}

// A waiter requeued from `from` to `to` times out on its original deadline (never early), returns
// false, and is no longer on `to`'s queue afterwards: a later wake on `to` finds nobody.
TYPED_TEST(FutexRequeue, RequeuedWaiterThatTimesOutLeavesTheTargetQueue) {
  using futex = typename TestFixture::futex;
  watchdog guard("RequeuedWaiterThatTimesOutLeavesTheTargetQueue hung");
  constexpr auto timeout = 300ms;
  // The requeue must land while the waiter is still asleep; on a very loaded machine the 300 ms
  // can run out first, so retry a few times rather than fail for the machine's sake.
  bool requeued = false;
  for (int attempt = 0; attempt < 5 && !requeued; ++attempt) {
    const futex_word from{0};
    const futex_word to{0};
    one_shot_waiters<futex> waiter(from, 0, 1, wait_kind::timed, timeout);
    waiter.also_release(to);
    ASSERT_TRUE(waiter.all_asleep());
    const auto result = futex::requeue(from, 0, to, 0, 1);
    ASSERT_TRUE(result.has_value());
    if (*result != requeue_result{0, 1}) {
      EXPECT_EQ(*result, (requeue_result{0, 0})) << "requeue woke a waiter it was told to move";
      continue;  // it had already timed out: try again
    }
    requeued = true;
    ASSERT_TRUE(waiter.await_returned(1, timeout + 10s));
    EXPECT_EQ(waiter.timed_out(), 1u) << "nobody woke the requeued waiter: it must time out";
    EXPECT_GE(waiter.elapsed_of(0), timeout) << "the requeued waiter timed out early";
    EXPECT_EQ(futex::wake_all(to), 0u) << "a timed-out waiter was left on the target queue";
    EXPECT_EQ(futex::wake_all(from), 0u);
  }
  EXPECT_TRUE(requeued) << "never managed to requeue the waiter before its timeout";
}

// Requeued waiters whose timeouts expire at different times, mixed with waiters that stay: each
// leaves the queue it is on, and the counts of later wakes show exactly who is left where.
TYPED_TEST(FutexRequeue, TimedOutAndRemainingWaitersAreAccountedFor) {
  using futex = typename TestFixture::futex;
  watchdog guard("TimedOutAndRemainingWaitersAreAccountedFor hung", 60s);
  bool requeued = false;
  for (int attempt = 0; attempt < 3 && !requeued; ++attempt) {
    const futex_word from{0};
    const futex_word to{0};
    one_shot_waiters<futex> short_lived(from, 0, 2, wait_kind::timed, 500ms);
    one_shot_waiters<futex> long_lived(from, 0, 2);  // 30 s: woken below
    short_lived.also_release(to);
    long_lived.also_release(to);
    ASSERT_TRUE(short_lived.all_asleep());
    ASSERT_TRUE(long_lived.all_asleep());
    // FIFO order is not part of the contract, so move everyone and let the short ones expire.
    const auto moved = futex::requeue(from, 0, to, 0, 4);
    ASSERT_TRUE(moved.has_value());
    if (short_lived.returned() != 0 || moved->requeued != 4) continue;  // too slow: retry
    requeued = true;
    EXPECT_EQ(*moved, (requeue_result{0, 4}));
    ASSERT_TRUE(short_lived.await_returned(2, 10s));
    EXPECT_EQ(short_lived.timed_out(), 2u);
    EXPECT_GE(short_lived.elapsed_of(0), 500ms);
    EXPECT_GE(short_lived.elapsed_of(1), 500ms);
    EXPECT_EQ(long_lived.returned(), 0u);
    EXPECT_EQ(futex::wake_all(to), 2u) << "only the two long-lived waiters should be left on `to`";
    EXPECT_TRUE(long_lived.await_returned(2));
    EXPECT_EQ(long_lived.woken(), 2u);
  }
  EXPECT_TRUE(requeued) << "never managed to requeue the waiters before their timeout";
}

}  // namespace
