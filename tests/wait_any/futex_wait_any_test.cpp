// SPDX-License-Identifier: BSL-1.0
// futex_wait_any's contract on every backend, at 1, 2, 3, 128 and 129 entries: the value check
// first (lowest changed index), timeouts never early, each entry's wake reported by its index and
// counted once, duplicates, a plain waiter and a wait_any waiter sharing a word, racing wakes on
// two words, requeues, and wakes racing timeouts with exact counts.
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "backends.hpp"
#include "test_support.hpp"
#include "timeout_table.hpp"
#include "wait_any_support.hpp"

namespace {

using namespace std::chrono_literals;
using futon::futex_word;
using futon::wait_any_result;
using futon::wait_any_status;
using futon::wait_on;
using futon::testing::one_shot_any_waiter;
using futon::testing::one_shot_waiters;
using futon::testing::test_clock;
using futon::testing::watchdog;
using futon::testing::word_set;

template <class Backend>
class FutexWaitAny : public futon::testing::futex_test<Backend> {};
TYPED_TEST_SUITE(FutexWaitAny, futon::testing::wait_any_backends, futon::testing::backend_name);

// 128 is Linux futex_waitv's limit, 129 one past it; 33 crosses the parking lot's frames of 32.
constexpr std::array<std::size_t, 6> entry_counts{1, 2, 3, 33, 128, 129};

TYPED_TEST(FutexWaitAny, EmptySpanReturnsAtOnce) {
  using futex = typename TestFixture::futex;
  const std::span<const wait_on> none;
  EXPECT_EQ(futex::wait_any(none), wait_any_result::empty());
  EXPECT_EQ(futex::wait_any_for(none, 1h), wait_any_result::empty());
  EXPECT_EQ(futex::wait_any_until(none, std::chrono::steady_clock::now() + 1h),
            wait_any_result::empty());
  EXPECT_EQ(futex::wait_any_for(none, 0s), wait_any_result::empty());
  EXPECT_FALSE(wait_any_result::empty().has_index());
}

// The value check comes first and reports the lowest changed entry, even with no time left.
TYPED_TEST(FutexWaitAny, MismatchReturnsLowestChangedIndex) {
  using futex = typename TestFixture::futex;
  for (std::size_t n : entry_counts) {
    word_set words(n);
    for (std::size_t k : {n - 1, n / 2, std::size_t{0}}) {
      SCOPED_TRACE(std::to_string(n) + " entries, entry " + std::to_string(k) + " changed");
      words[k].store(1);
      EXPECT_EQ(futex::wait_any(words.entries()), wait_any_result::changed_at(k));
      EXPECT_EQ(futex::wait_any_for(words.entries(), 0s), wait_any_result::changed_at(k));
      EXPECT_EQ(futex::wait_any_for(words.entries(), -1s), wait_any_result::changed_at(k));
      EXPECT_EQ(futex::wait_any_until(words.entries(), std::chrono::system_clock::now() - 1h),
                wait_any_result::changed_at(k));
    }
  }
}

TYPED_TEST(FutexWaitAny, ZeroNegativeAndPastTimeoutsReturnTimedOut) {
  using futex = typename TestFixture::futex;
  for (std::size_t n : entry_counts) {
    SCOPED_TRACE(std::to_string(n) + " entries");
    word_set words(n);
    EXPECT_EQ(futex::wait_any_for(words.entries(), 0s), wait_any_result::timeout());
    EXPECT_EQ(futex::wait_any_for(words.entries(), -5ms), wait_any_result::timeout());
    EXPECT_EQ(futex::wait_any_for(words.entries(), std::chrono::duration<double>(-1e300)),
              wait_any_result::timeout());
    EXPECT_EQ(futex::wait_any_until(words.entries(), std::chrono::steady_clock::now() - 1s),
              wait_any_result::timeout());
    EXPECT_EQ(futex::wait_any_until(words.entries(), std::chrono::system_clock::time_point::min()),
              wait_any_result::timeout());
  }
}

// The timeout table every primitive's timed members pass (timeout_table.hpp), through
// wait_any_for / wait_any_until on `n` unchanged words ("not ready"); made ready, the last word
// changes and is woken, and the wait reports that entry.
template <class Futex, std::size_t n>
struct wait_any_subject {
  struct object {
    word_set words{n};
  };
  template <class Rep, class Period>
  static bool wait_for(object& o, const std::chrono::duration<Rep, Period>& timeout) {
    return ended_by_the_last_word(Futex::wait_any_for(o.words.entries(), timeout));
  }
  template <class Clock, class Duration>
  static bool wait_until(object& o, const std::chrono::time_point<Clock, Duration>& deadline) {
    return ended_by_the_last_word(Futex::wait_any_until(o.words.entries(), deadline));
  }
  static void make_ready(object& o) {
    o.words[n - 1].store(1);
    Futex::wake_all(o.words[n - 1]);
  }

 private:
  static bool ended_by_the_last_word(wait_any_result r) {
    if (r.timed_out()) return false;
    EXPECT_TRUE(r.has_index() && r.index == n - 1) << "returned neither timed out nor by its word";
    return true;
  }
};

TYPED_TEST(FutexWaitAny, TimeoutTable) {
  using futex = typename TestFixture::futex;
  {
    SCOPED_TRACE("1 entry");
    futon::testing::expect_timeout_table<wait_any_subject<futex, 1>>();
  }
  {
    SCOPED_TRACE("3 entries");
    futon::testing::expect_timeout_table<wait_any_subject<futex, 3>>();
  }
  {
    SCOPED_TRACE("129 entries");
    futon::testing::expect_timeout_table<wait_any_subject<futex, 129>>();
  }
}

TYPED_TEST(FutexWaitAny, TimeoutIsNeverEarly) {
  using futex = typename TestFixture::futex;
  for (std::size_t n : {std::size_t{1}, std::size_t{3}, std::size_t{129}}) {
    SCOPED_TRACE(std::to_string(n) + " entries");
    word_set words(n);
    const auto start = test_clock::now();
    EXPECT_EQ(futex::wait_any_for(words.entries(), 30ms), wait_any_result::timeout());
    EXPECT_GE(test_clock::now() - start, 30ms);
    const auto deadline = std::chrono::system_clock::now() + 20ms;
    EXPECT_EQ(futex::wait_any_until(words.entries(), deadline), wait_any_result::timeout());
    EXPECT_GE(std::chrono::system_clock::now(), deadline);
    // Afterwards nobody is left queued on any word.
    for (std::size_t i = 0; i < n; ++i)
      EXPECT_EQ(futex::wake_all(words[i]), 0u);
  }
}

// A wake of entry k's word wakes the waiter, returns 1, and is reported as entry k; the waiter
// has then left every queue (later wakes find nobody).
TYPED_TEST(FutexWaitAny, WakeOfEachEntryIsReportedByItsIndex) {
  using futex = typename TestFixture::futex;
  watchdog guard("WakeOfEachEntryIsReportedByItsIndex hung");
  for (std::size_t n : entry_counts) {
    for (std::size_t k : {std::size_t{0}, n / 2, n - 1}) {
      for (bool timed : {false, true}) {
        SCOPED_TRACE(std::to_string(n) + " entries, wake entry " + std::to_string(k) +
                     (timed ? ", timed" : ", untimed"));
        word_set words(n);
        one_shot_any_waiter<futex> waiter(words.entries(), timed ? std::chrono::nanoseconds(30s)
                                                                 : std::chrono::nanoseconds::max());
        ASSERT_TRUE(waiter.asleep());
        EXPECT_EQ(futex::wake(words[k], 1), 1u);
        ASSERT_TRUE(waiter.await_done());
        EXPECT_EQ(waiter.result(), wait_any_result::woken_at(k));
        for (std::size_t i = 0; i < n; ++i)
          EXPECT_EQ(futex::wake_all(words[i]), 0u) << "entry " << i << " still queued";
      }
    }
  }
}

// A word listed twice (or more) counts the waiter once: wake(w, 3) returns 1.
TYPED_TEST(FutexWaitAny, DuplicateWordsCountTheWaiterOnce) {
  using futex = typename TestFixture::futex;
  watchdog guard("DuplicateWordsCountTheWaiterOnce hung");
  futex_word a{0};
  futex_word b{0};
  one_shot_any_waiter<futex> waiter({{a, 0}, {b, 0}, {a, 0}, {a, 0}});
  ASSERT_TRUE(waiter.asleep());
  EXPECT_EQ(futex::wake(a, 3), 1u);
  ASSERT_TRUE(waiter.await_done());
  EXPECT_EQ(waiter.result().status, wait_any_status::woken);
  EXPECT_TRUE(waiter.result().index == 0 || waiter.result().index == 2 ||
              waiter.result().index == 3);
  EXPECT_EQ(futex::wake_all(a), 0u);
  EXPECT_EQ(futex::wake_all(b), 0u);
}

// A plain waiter and a wait_any waiter on one word: each wake(w, 1) counts exactly one of them.
TYPED_TEST(FutexWaitAny, PlainAndAnyWaiterOnOneWordEachTakeOneWake) {
  using futex = typename TestFixture::futex;
  watchdog guard("PlainAndAnyWaiterOnOneWordEachTakeOneWake hung");
  for (std::size_t n : entry_counts) {
    SCOPED_TRACE(std::to_string(n) + " entries");
    word_set words(n);
    futex_word& shared = words[n - 1];
    one_shot_waiters<futex> plain(shared, 0, 1);
    ASSERT_TRUE(plain.all_asleep());
    one_shot_any_waiter<futex> any(words.entries());
    ASSERT_TRUE(any.asleep());
    EXPECT_EQ(futex::wake(shared, 1), 1u);
    ASSERT_TRUE(futon::testing::eventually([&] { return plain.returned() + any.done() >= 1; }));
    std::this_thread::sleep_for(20ms);
    EXPECT_EQ(plain.returned() + (any.done() ? 1u : 0u), 1u) << "one wake returned two threads";
    EXPECT_EQ(futex::wake(shared, 1), 1u);
    EXPECT_TRUE(plain.await_returned(1));
    ASSERT_TRUE(any.await_done());
    EXPECT_EQ(any.result(), wait_any_result::woken_at(n - 1));
    EXPECT_EQ(plain.woken(), 1u);
    EXPECT_EQ(futex::wake_all(shared), 0u);
  }
}

// Two wakes racing on two words of one wait_any waiter, with a plain waiter queued behind it on
// the second word: the waiter is counted once, so the second wake reaches the plain waiter.
// (Linux's futex_waitv counts the waiter twice here and the plain waiter sleeps on.)
TYPED_TEST(FutexWaitAny, RacingWakesOnTwoWordsCountTheWaiterOnce) {
  using futex = typename TestFixture::futex;
  watchdog guard("RacingWakesOnTwoWordsCountTheWaiterOnce hung", 120s);
  for (int round = 0; round < futon::testing::scaled(30); ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    futex_word a{0};
    futex_word b{0};
    one_shot_any_waiter<futex> any({{a, 0}, {b, 0}});
    ASSERT_TRUE(any.asleep());
    one_shot_waiters<futex> plain(b, 0, 1);
    ASSERT_TRUE(plain.all_asleep());
    const std::size_t on_a = futex::wake(a, 1);
    const std::size_t on_b = futex::wake(b, 1);
    EXPECT_EQ(on_a, 1u);
    EXPECT_EQ(on_b, 1u);
    ASSERT_TRUE(any.await_done());
    EXPECT_TRUE(plain.await_returned(1)) << "the second wake was swallowed";
    EXPECT_EQ(any.result(), wait_any_result::woken_at(0));
  }
}

// A requeue moves a wait_any entry like any waiter: woken through the target word, reported by
// its own index; a requeue of one whose other word was already woken moves nobody.
TYPED_TEST(FutexWaitAny, RequeueMovesAnEntry) {
  using futex = typename TestFixture::futex;
  watchdog guard("RequeueMovesAnEntry hung");
  for (std::size_t n : {std::size_t{2}, std::size_t{3}, std::size_t{129}}) {
    SCOPED_TRACE(std::to_string(n) + " entries");
    word_set words(n);
    futex_word target{0};
    one_shot_any_waiter<futex> waiter(words.entries());
    ASSERT_TRUE(waiter.asleep());
    const auto moved = futex::requeue(words[0], 0, target, 0, 1);
    ASSERT_TRUE(moved.has_value());
    EXPECT_EQ(*moved, (futon::requeue_result{0, 1}));
    EXPECT_EQ(futex::wake_all(words[0]), 0u);
    std::this_thread::sleep_for(10ms);
    EXPECT_FALSE(waiter.done());
    EXPECT_EQ(futex::wake(target, 1), 1u);
    ASSERT_TRUE(waiter.await_done());
    EXPECT_EQ(waiter.result(), wait_any_result::woken_at(0));
    for (std::size_t i = 0; i < n; ++i)
      EXPECT_EQ(futex::wake_all(words[i]), 0u);
    EXPECT_EQ(futex::wake_all(target), 0u);
  }
}

TYPED_TEST(FutexWaitAny, RequeueWakesAndMovesWithExactCounts) {
  using futex = typename TestFixture::futex;
  watchdog guard("RequeueWakesAndMovesWithExactCounts hung");
  futex_word from{0};
  futex_word other{0};
  futex_word to{0};
  one_shot_waiters<futex> plain(from, 0, 2);
  ASSERT_TRUE(plain.all_asleep());
  plain.also_release(to);
  one_shot_any_waiter<futex> any1({{other, 0}, {from, 0}});
  one_shot_any_waiter<futex> any2({{from, 0}, {other, 0}});
  ASSERT_TRUE(any1.asleep());
  ASSERT_TRUE(any2.asleep());
  // 4 waiters on `from`: wake 1, move 2, leave 1.
  const auto r = futex::requeue(from, 0, to, 1, 2);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, (futon::requeue_result{1, 2}));
  EXPECT_EQ(futex::requeue(from, 7, to, 1, 2), std::nullopt) << "a mismatch touches nobody";
  EXPECT_EQ(futex::wake_all(to), 2u);
  EXPECT_EQ(futex::wake_all(from), 1u);
  EXPECT_TRUE(plain.await_returned(2));
  ASSERT_TRUE(any1.await_done());
  ASSERT_TRUE(any2.await_done());
  EXPECT_EQ(any1.result(), wait_any_result::woken_at(1));
  EXPECT_EQ(any2.result(), wait_any_result::woken_at(0));
  EXPECT_EQ(futex::wake_all(other), 0u);
}

// wait_any waiters with short timeouts, wakers on both of their words: every wake a waker counted
// is a waiter that returned woken, and no timeout came early.
TYPED_TEST(FutexWaitAny, WakesRacingTimeoutsKeepExactCounts) {
  using futex = typename TestFixture::futex;
  watchdog guard("WakesRacingTimeoutsKeepExactCounts hung", 120s);
  for (int round = 0; round < futon::testing::scaled(20); ++round) {
    futex_word a{0};
    futex_word b{0};
    constexpr int waiters = 6;
    std::atomic<int> woken{0};
    std::atomic<int> timed_out{0};
    std::atomic<int> running{waiters};
    std::atomic<std::size_t> counted{0};
    {
      futon::testing::thread_group threads;
      for (int i = 0; i < waiters; ++i) {
        threads.spawn([&, i] {
          const std::array<wait_on, 3> entries{wait_on{a, 0}, wait_on{b, 0}, wait_on{a, 0}};
          const auto timeout = std::chrono::microseconds(200 + 300 * i);
          const auto start = test_clock::now();
          const wait_any_result r = futex::wait_any_for(entries, timeout);
          if (r.timed_out()) {
            EXPECT_GE(test_clock::now() - start, timeout) << "early timeout";
            timed_out.fetch_add(1);
          } else {
            EXPECT_EQ(r.status, wait_any_status::woken);
            woken.fetch_add(1);
          }
          running.fetch_sub(1);
        });
      }
      for (int w = 0; w < 2; ++w) {
        threads.spawn([&, w] {
          futex_word& word = w == 0 ? a : b;
          while (running.load() > 0) {
            counted.fetch_add(futex::wake(word, 1));
            std::this_thread::yield();
          }
        });
      }
    }
    EXPECT_EQ(static_cast<int>(counted.load()), woken.load()) << "round " << round;
    EXPECT_EQ(woken.load() + timed_out.load(), waiters);
    EXPECT_EQ(futex::wake_all(a) + futex::wake_all(b), 0u);
  }
}

// Many wait_any waiters over overlapping words: wake_all of one word counts each waiter once,
// and the others are left for the other words.
TYPED_TEST(FutexWaitAny, WakeAllCountsEachWaiterOnce) {
  using futex = typename TestFixture::futex;
  watchdog guard("WakeAllCountsEachWaiterOnce hung");
  word_set words(4);
  std::vector<std::unique_ptr<one_shot_any_waiter<futex>>> waiters;
  for (std::size_t i = 0; i < 4; ++i) {
    // waiter i waits on words i and (i + 1) % 4, and on word 0 once more.
    waiters.push_back(std::make_unique<one_shot_any_waiter<futex>>(
        std::vector<wait_on>{{words[i], 0}, {words[(i + 1) % 4], 0}, {words[0], 0}}));
  }
  for (auto& w : waiters)
    ASSERT_TRUE(w->asleep());
  EXPECT_EQ(futex::wake_all(words[0]), 4u);
  for (auto& w : waiters) {
    ASSERT_TRUE(w->await_done());
    EXPECT_EQ(w->result().status, wait_any_status::woken);
  }
  for (std::size_t i = 0; i < 4; ++i)
    EXPECT_EQ(futex::wake_all(words[i]), 0u);
}

}  // namespace
