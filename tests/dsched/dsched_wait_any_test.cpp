// SPDX-License-Identifier: BSL-1.0
// futex_wait_any on futon's real parking lot under the deterministic scheduler: one waiter on
// two or three words, a plain waiter sharing one of them, two wakers on two words racing (in
// every interleaving, so in either order and at every step of the waiter's registration), a
// timeout racing them, and a requeue. Checked per word: the wakes counted on a word equal the
// waiters that returned woken through it, each waiter returns exactly once, nobody is left
// queued (a final wake_all finds only those still asleep), and no schedule deadlocks.
#include <array>
#include <futon/futex.hpp>
#include <span>

#include "dsched/dsched_test_support.hpp"

namespace {

using dsched::bounds;
using dsched::check;
using dsched::thread;
using dsched::testing::all_schedules;
using dsched::testing::random_schedules;
using futon::wait_any_result;
using futon::wait_any_status;
using futon::wait_on;

using futex = futon::basic_futex<dsched::lot_futex>;
using word = dsched::lot_futex::word_type;

// The words, at the same addresses in every run: the parking lot picks buckets by address, and
// words on the body's stack could move between runs (its thread's stack comes from glibc's
// cache, in whatever order earlier threads ended), so that two words shared a bucket in one run
// and not in its replay, and the scheduler saw different choices (it failed under load).
std::array<word, 3>& fresh_words() {
  static std::array<word, 3> words{};
  for (auto& x : words)
    x.store(0, std::memory_order_relaxed);
  return words;
}

// `words` words; the wait_any waiter on all of them (timed or not), a plain waiter on word 1,
// waker 0 wakes word 0 once, waker 1 wakes word 1 once; then the body changes and wakes every
// word (so that nobody sleeps on), and checks the counts word by word.
void two_wakers(std::size_t words, bool timed, bool plain_waiter) {
  std::array<word, 3>& w = fresh_words();
  std::array<wait_on, 3> entries{wait_on{w[0], 0}, wait_on{w[1], 0}, wait_on{w[2], 0}};
  const std::span<const wait_on> listed(entries.data(), words);
  wait_any_result any = wait_any_result::empty();
  wait_any_result plain = wait_any_result::empty();
  thread any_waiter([&] {
    any = timed ? futex::wait_any_for(listed, std::chrono::hours(1)) : futex::wait_any(listed);
  });
  thread plain_thread([&] {
    if (plain_waiter) plain = futex::wait_any(std::span<const wait_on>(&entries[1], 1));
  });
  std::array<std::size_t, 3> counted{};
  thread waker0([&] { counted[0] += futex::wake(w[0], 1); });
  counted[1] += futex::wake(w[1], 1);  // the body is waker 1 (one thread fewer to interleave)
  waker0.join();
  // Release whoever still sleeps (a waiter both wakes missed, or one that registers only now):
  // change every word, then wake it; these wakes are counted too.
  for (std::size_t i = 0; i < words; ++i) {
    w[i].store(1, std::memory_order_relaxed);  // the scheduler runs one thread at a time
    counted[i] += futex::wake_all(w[i]);
  }
  any_waiter.join();
  plain_thread.join();
  check(any.has_index() || (timed && any.timed_out()), "the wait_any waiter returned no index");
  if (plain_waiter) {
    check(plain == wait_any_result::woken_at(0) || plain == wait_any_result::changed_at(0),
          "the plain waiter returned neither woken nor changed");
  }
  for (std::size_t i = 0; i < words; ++i) {
    std::size_t returned = any == wait_any_result::woken_at(i) ? 1 : 0;
    if (i == 1 && plain == wait_any_result::woken_at(0)) ++returned;
    check(counted[i] == returned, "the wakes counted on a word differ from the waiters woken");
  }
  for (std::size_t i = 0; i < words; ++i)
    check(futex::wake_all(w[i]) == 0, "a waiter was left queued");
}

TEST(DschedWaitAny, TwoWordsTwoWakersEverySchedule) {
  const auto result = all_schedules(dsched::testing::sanitizer_scaled(bounds{1, 1}),
                                    [] { two_wakers(2, false, false); });
  EXPECT_NO_FAILING_SCHEDULE(result);
  EXPECT_TRUE(result.exhausted);
}

TEST(DschedWaitAny, ThreeWordsTwoWakersEverySchedule) {
  const auto result = all_schedules(dsched::testing::sanitizer_scaled(bounds{1, 0}),
                                    [] { two_wakers(3, false, false); });
  EXPECT_NO_FAILING_SCHEDULE(result);
  EXPECT_TRUE(result.exhausted);
}

TEST(DschedWaitAny, PlainWaiterSharesAWordEverySchedule) {
  const auto result = all_schedules(dsched::testing::sanitizer_scaled(bounds{1, 0}),
                                    [] { two_wakers(2, false, true); });
  EXPECT_NO_FAILING_SCHEDULE(result);
  EXPECT_TRUE(result.exhausted);
}

TEST(DschedWaitAny, TimeoutRacesTwoWakersEverySchedule) {
  const auto result = all_schedules(dsched::testing::sanitizer_scaled(bounds{1, 1}),
                                    [] { two_wakers(2, true, false); });
  EXPECT_NO_FAILING_SCHEDULE(result);
  EXPECT_TRUE(result.exhausted);
}

TEST(DschedWaitAny, RandomSchedules) {
  dsched::random_weights timeouts_often;
  timeouts_often.timeout = 200;
  EXPECT_NO_FAILING_SCHEDULE(random_schedules(
      400, [] { two_wakers(3, true, true); }, timeouts_often));
}

// A requeue of one of the waiter's words racing a wake of another and its timeout: the waiter is
// woken at most once, the counts on the target word match, nobody is left queued.
void requeue_races_wake() {
  std::array<word, 3>& w = fresh_words();  // w[2] is the requeue target
  const std::array<wait_on, 2> entries{wait_on{w[0], 0}, wait_on{w[1], 0}};
  wait_any_result any = wait_any_result::empty();
  thread any_waiter([&] { any = futex::wait_any_for(entries, std::chrono::hours(1)); });
  std::size_t requeued = 0;
  std::size_t counted1 = 0;
  thread requeuer([&] {
    const auto r = futex::requeue(w[0], 0, w[2], 0, 1);
    check(r.has_value() && r->woken == 0, "requeue with a matching word woke or failed");
    requeued = r->requeued;
  });
  thread waker([&] { counted1 = futex::wake(w[1], 1); });
  requeuer.join();
  waker.join();
  std::size_t counted_target = 0;
  std::size_t counted0 = 0;
  // Release: change and wake every word (the scheduler runs one thread at a time: relaxed).
  for (auto* x : {&w[0], &w[1], &w[2]})
    x->store(1, std::memory_order_relaxed);
  counted_target += futex::wake_all(w[2]);
  counted0 += futex::wake_all(w[0]);
  counted1 += futex::wake_all(w[1]);
  any_waiter.join();
  check(counted_target <= requeued, "the target woke more than was moved to it");
  check(counted0 + counted1 + counted_target == (any.status == wait_any_status::woken ? 1u : 0u),
        "counts differ from the waiter's return");
  if (any.status == wait_any_status::woken && counted_target == 1) {
    check(any.index == 0, "woken through the target, but not reported as entry 0");
  }
  for (auto& x : w)
    check(futex::wake_all(x) == 0, "a waiter was left queued");
}

TEST(DschedWaitAny, RequeueRacesWakeAndTimeoutEverySchedule) {
  const auto result =
      all_schedules(dsched::testing::sanitizer_scaled(bounds{1, 1}), [] { requeue_races_wake(); });
  EXPECT_NO_FAILING_SCHEDULE(result);
  EXPECT_TRUE(result.exhausted);
}

}  // namespace
