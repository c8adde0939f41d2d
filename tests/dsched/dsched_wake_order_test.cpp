// SPDX-License-Identifier: BSL-1.0
// Any wake order: the scheduler offers every blocked thread to a wake that cannot reach them all
// (exhaustively, as a combination per wake; at random, often the newest), and the primitives
// pass whichever the wake reaches. The parking lot keeps its own FIFO queues, so on lot_futex
// these cases check the lot; on sim_futex the wake order is free.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <futon/condition_variable.hpp>
#include <futon/counting_semaphore.hpp>
#include <futon/mutex.hpp>
#include <set>
#include <vector>

#include "dsched/dsched_scenarios.hpp"
#include "dsched/dsched_test_support.hpp"

namespace {

using dsched::bounds;
using dsched::check;
using dsched::thread;
using dsched::testing::all_schedules;
using dsched::testing::random_schedules;
using dsched::testing::sanitizer_scaled;
namespace scenarios = dsched::scenarios;

// ---- The scheduler's choice -------------------------------------------------------------------

// Three threads block on a key; then one call wakes `wake_count` of them (or requeues: wakes
// `wake_count` and moves one more). The threads the call reached, by the order they blocked in
// (1 = the oldest, 3 = the newest), are recorded, sorted, in `reached` (the outcomes across
// runs). Only the scheduler's block_on / wake_on / requeue_on, so no spurious returns.
std::set<std::vector<int>> reached;

void wake_some_of_three(std::size_t wake_count, bool requeue) {
  // Plain: only the scheduler's turn-taking orders them.
  int blocked = 0;
  std::vector<int> woken;
  const int key = 0;
  const int moved_to = 0;
  const int body_key = 0;
  std::vector<thread> threads;
  for (int i = 1; i <= 3; ++i) {
    threads.emplace_back([&] {
      const int position = ++blocked;
      if (position == 3) static_cast<void>(dsched::wake_on(&body_key, 1));
      static_cast<void>(dsched::block_on(&key, false, false));
      woken.push_back(position);
      if (woken.size() == wake_count) static_cast<void>(dsched::wake_on(&body_key, 1));
    });
  }
  // The check and the block are one step: no schedule point between them.
  if (blocked < 3) static_cast<void>(dsched::block_on(&body_key, false, false));
  if (requeue) {
    const auto [n, moved] = dsched::requeue_on(&key, &moved_to, wake_count, 1);
    check(n == wake_count && moved == 1, "requeue counts");
  } else {
    check(dsched::wake_on(&key, wake_count) == wake_count, "wake count");
  }
  if (woken.size() < wake_count) static_cast<void>(dsched::block_on(&body_key, false, false));
  std::vector<int> outcome = woken;
  std::sort(outcome.begin(), outcome.end());
  reached.insert(outcome);
  static_cast<void>(dsched::wake_on(&key, 3));
  static_cast<void>(dsched::wake_on(&moved_to, 3));
  for (auto& t : threads)
    t.join();
}

// Searches every schedule of wake_some_of_three without preemptions (the threads still switch
// when one blocks or ends), with any wake order and with FIFO wakes, and returns how many more
// schedules the wake choices made. The threads are interchangeable, so each pick a wake or
// requeue offers multiplies the schedules by exactly its number of options.
std::uint64_t schedules_per_fifo_schedule(std::size_t wake_count, bool requeue) {
  bounds fifo{0, 0};
  fifo.reorders = 0;
  reached.clear();
  const auto in_order = all_schedules(fifo, [=] { wake_some_of_three(wake_count, requeue); });
  EXPECT_NO_FAILING_SCHEDULE(in_order);
  reached.clear();
  const auto any = all_schedules(bounds{0, 0}, [=] { wake_some_of_three(wake_count, requeue); });
  EXPECT_NO_FAILING_SCHEDULE(any);
  EXPECT_EQ(any.runs % in_order.runs, 0u);
  return any.runs / in_order.runs;
}

TEST(DschedWakeOrder, EveryScheduleOffersEveryBlockedThread) {
  EXPECT_EQ(schedules_per_fifo_schedule(1, false), 3u);
  EXPECT_EQ(reached, (std::set<std::vector<int>>{{1}, {2}, {3}}));
}

// A wake of two offers each pair once (a combination, not each ordering of it).
TEST(DschedWakeOrder, EveryScheduleOffersEachSetOnce) {
  EXPECT_EQ(schedules_per_fifo_schedule(2, false), 3u);
  EXPECT_EQ(reached, (std::set<std::vector<int>>{{1, 2}, {1, 3}, {2, 3}}));
}

// A requeue picks whom to wake (3 options), then whom to move among the other two (2).
TEST(DschedWakeOrder, EveryScheduleOffersEveryRequeuePick) {
  EXPECT_EQ(schedules_per_fifo_schedule(1, true), 6u);
  EXPECT_EQ(reached, (std::set<std::vector<int>>{{1}, {2}, {3}}));
}

// reorders = 0 asks for FIFO wakes: only the oldest.
TEST(DschedWakeOrder, FifoBoundWakesTheOldestOnly) {
  reached.clear();
  bounds fifo{0, 0};
  fifo.reorders = 0;
  const auto result = all_schedules(fifo, [] { wake_some_of_three(1, false); });
  EXPECT_NO_FAILING_SCHEDULE(result);
  EXPECT_EQ(reached, (std::set<std::vector<int>>{{1}}));
}

// Random schedules reach every thread, and the newest often; zero weights ask for FIFO.
TEST(DschedWakeOrder, RandomSchedulesPickAnyBlockedThread) {
  dsched::random_weights no_preemption;
  no_preemption.preempt = 0;  // fewer schedules to look at: the wake order is the point here
  reached.clear();
  int newest = 0;
  const int runs = 200;
  for (int seed = 1; seed <= runs; ++seed) {
    const auto before = reached;
    reached.clear();
    const auto result = dsched::explore_random(static_cast<std::uint64_t>(seed), 1, no_preemption,
                                               [] { wake_some_of_three(1, false); });
    ASSERT_FALSE(result.failed) << result.message;
    newest += reached.count({3}) != 0 ? 1 : 0;
    reached.insert(before.begin(), before.end());
  }
  EXPECT_EQ(reached, (std::set<std::vector<int>>{{1}, {2}, {3}}));
  EXPECT_GT(newest, runs / 4) << "the newest blocked thread was woken in " << newest << " runs";

  dsched::random_weights fifo = no_preemption;
  fifo.wake_newest = 0;
  fifo.wake_random = 0;
  reached.clear();
  EXPECT_NO_FAILING_SCHEDULE(random_schedules(
      runs, [] { wake_some_of_three(1, false); }, fifo, false));
  EXPECT_EQ(reached, (std::set<std::vector<int>>{{1}}));
}

// ---- The primitives under any wake order ------------------------------------------------------

template <class Backend>
class DschedWakeOrderPrimitives : public ::testing::Test {};
TYPED_TEST_SUITE(DschedWakeOrderPrimitives, dsched::testing::backends,
                 dsched::testing::backend_name);

template <class Backend>
void newer_waiter_case() {
  scenarios::condvar_notify_all_reaches_newer_waiter<futon::basic_mutex<Backend>,
                                                     futon::basic_condition_variable<Backend>>();
}

// Defect 3's schedule: the notify_all's wake reaches a thread that began waiting after it.
TYPED_TEST(DschedWakeOrderPrimitives, ConditionVariableNotifyAllReachingANewerWaiter) {
  const auto result = all_schedules(sanitizer_scaled(bounds{2, 0}), newer_waiter_case<TypeParam>);
  EXPECT_NO_FAILING_SCHEDULE(result);
  EXPECT_TRUE(result.exhausted);
  EXPECT_NO_FAILING_SCHEDULE(random_schedules(500, newer_waiter_case<TypeParam>));
}

template <class Backend>
void waiter_beginning_case() {
  scenarios::condvar_notify_all_with_a_waiter_beginning<futon::basic_mutex<Backend>,
                                                        futon::basic_condition_variable<Backend>>();
}

// C reads the sequence, the notify_all runs (outside the lock) while C is preempted, then C
// registers: it must not count itself eligible for the one token that notify handed out for A.
// The condition variable of acbdd53 let it, and A slept for good: this search found that lost
// wakeup in 128 schedules on sim_futex and 184 on lot_futex (fixed in 192bc26).
TYPED_TEST(DschedWakeOrderPrimitives, ConditionVariableWaiterBeginningDuringANotifyTakesNoToken) {
  const auto result =
      all_schedules(sanitizer_scaled(bounds{1, 0}), waiter_beginning_case<TypeParam>);
  EXPECT_NO_FAILING_SCHEDULE(result);
  EXPECT_TRUE(result.exhausted);
  EXPECT_NO_FAILING_SCHEDULE(random_schedules(500, waiter_beginning_case<TypeParam>));
}

template <class Backend>
void notify_races_timeout_case() {
  scenarios::condvar_notify_one_races_timeout<futon::basic_mutex<Backend>,
                                              futon::basic_condition_variable<Backend>>();
}

// A notify_one that a timed-out waiter does not report is not lost: it releases the other.
TYPED_TEST(DschedWakeOrderPrimitives, ConditionVariableNotifyOneRacingATimeoutIsNotLost) {
  // Timeouts anywhere (one fault), and preemptions anywhere (timeouts only when forced).
  for (const bounds limits : {bounds{0, 1}, bounds{1, 0}}) {
    const auto result =
        all_schedules(sanitizer_scaled(limits), notify_races_timeout_case<TypeParam>);
    EXPECT_NO_FAILING_SCHEDULE(result);
    EXPECT_TRUE(result.exhausted);
  }
  dsched::random_weights timeouts_often;
  timeouts_often.timeout = 200;
  EXPECT_NO_FAILING_SCHEDULE(
      random_schedules(500, notify_races_timeout_case<TypeParam>, timeouts_often));
}

template <class Backend>
void consumers_case(int consumers, int items) {
  scenarios::condvar_consumers<futon::basic_mutex<Backend>,
                               futon::basic_condition_variable<Backend>>(consumers, items);
}

TYPED_TEST(DschedWakeOrderPrimitives, ConditionVariableNotifyOneToManyWaitersEverySchedule) {
  const auto result =
      all_schedules(sanitizer_scaled(bounds{1, 0}), [] { consumers_case<TypeParam>(3, 2); });
  EXPECT_NO_FAILING_SCHEDULE(result);
  EXPECT_TRUE(result.exhausted);
}

TYPED_TEST(DschedWakeOrderPrimitives, ConditionVariableNotifyOneToManyWaitersRandomSchedules) {
  EXPECT_NO_FAILING_SCHEDULE(random_schedules(500, [] { consumers_case<TypeParam>(3, 5); }));
}

// Three threads take turns on a mutex while others sleep on it: any sleeper may get the wake.
template <class Backend>
void mutex_turns(int threads, int rounds) {
  futon::basic_mutex<Backend> m;
  int inside = 0;  // plain: a second thread inside is what the check looks for
  std::vector<thread> workers;
  for (int i = 0; i < threads; ++i) {
    workers.emplace_back([&] {
      for (int r = 0; r < rounds; ++r) {
        std::lock_guard lock(m);
        check(++inside == 1, "two threads hold the mutex");
        dsched::point("critical section");
        --inside;
      }
    });
  }
  for (auto& w : workers)
    w.join();
}

TYPED_TEST(DschedWakeOrderPrimitives, MutexSleepersEverySchedule) {
  const auto result =
      all_schedules(sanitizer_scaled(bounds{1, 0}), [] { mutex_turns<TypeParam>(3, 1); });
  EXPECT_NO_FAILING_SCHEDULE(result);
  EXPECT_TRUE(result.exhausted);
}

// Acquirers sleep on a semaphore; releases of one token each may reach any of them.
template <class Backend>
void semaphore_acquirers(int acquirers) {
  futon::basic_counting_semaphore<Backend> tokens(0);
  int acquired = 0;  // plain: the scheduler orders it
  std::vector<thread> threads;
  for (int i = 0; i < acquirers; ++i) {
    threads.emplace_back([&] {
      tokens.acquire();
      ++acquired;
    });
  }
  for (int i = 0; i < acquirers; ++i)
    tokens.release(1);
  for (auto& t : threads)
    t.join();
  check(acquired == acquirers && !tokens.try_acquire(), "a token was lost or created");
}

TYPED_TEST(DschedWakeOrderPrimitives, SemaphoreSleepersEverySchedule) {
  const auto result =
      all_schedules(sanitizer_scaled(bounds{1, 0}), [] { semaphore_acquirers<TypeParam>(3); });
  EXPECT_NO_FAILING_SCHEDULE(result);
  EXPECT_TRUE(result.exhausted);
}

}  // namespace
