// SPDX-License-Identifier: BSL-1.0
// The futex contract under the deterministic scheduler, on the simulated futex and on futon's
// real parking lot: every schedule of a wait/wake handshake within two preemptions and one
// fault, random schedules of larger cases, timeouts racing wakes and requeues.
#include <futon/futex.hpp>

#include "dsched/dsched_test_support.hpp"

namespace {

using dsched::bounds;
using dsched::check;
using dsched::thread;
using dsched::testing::all_schedules;
using dsched::testing::random_schedules;

template <class Backend>
class DschedFutex : public ::testing::Test {};
TYPED_TEST_SUITE(DschedFutex, dsched::testing::backends, dsched::testing::backend_name);

template <class Backend>
using word_t = typename Backend::word_type;

TYPED_TEST(DschedFutex, WaitWakeHandshakeEverySchedule) {
  const auto result =
      all_schedules(bounds{2, 1}, [] { dsched::testing::futex_handshake<TypeParam>(1); });
  EXPECT_NO_FAILING_SCHEDULE(result);
  EXPECT_TRUE(result.exhausted);
}

TYPED_TEST(DschedFutex, WaitWakeHandshakeRandomSchedules) {
  EXPECT_NO_FAILING_SCHEDULE(
      random_schedules(300, [] { dsched::testing::futex_handshake<TypeParam>(3); }));
}

// A timed wait racing a wake: whichever wins, a waiter the wake counted returns true, and one
// that timed out was not counted (the contract's "counts match returns").
template <class Backend>
void timeout_races_wake(int waiters) {
  using futex = futon::basic_futex<Backend>;
  word_t<Backend> word{0};
  std::vector<int> saw_wake(static_cast<std::size_t>(waiters), -1);
  std::vector<thread> threads;
  for (int i = 0; i < waiters; ++i) {
    threads.emplace_back([&, i] {
      saw_wake[static_cast<std::size_t>(i)] = futex::wait_for(word, 0, std::chrono::hours(1));
    });
  }
  // Relaxed: the waiters publish nothing through the word; the futex decides who sleeps.
  word.store(1, std::memory_order_relaxed);
  const std::size_t woken = futex::wake_all(word);
  for (auto& t : threads)
    t.join();
  int timed_out = 0;
  for (int r : saw_wake)
    timed_out += r == 0;
  check(woken + static_cast<std::size_t>(timed_out) <= static_cast<std::size_t>(waiters),
        "a waiter the wake counted reported a timeout");
}

TYPED_TEST(DschedFutex, TimeoutRacesWakeEverySchedule) {
  const auto result = all_schedules(bounds{2, 1}, [] { timeout_races_wake<TypeParam>(1); });
  EXPECT_NO_FAILING_SCHEDULE(result);
  EXPECT_TRUE(result.exhausted);
}

TYPED_TEST(DschedFutex, TimeoutRacesWakeRandomSchedules) {
  dsched::random_weights timeouts_often;
  timeouts_often.timeout = 200;
  EXPECT_NO_FAILING_SCHEDULE(random_schedules(
      300, [] { timeout_races_wake<TypeParam>(3); }, timeouts_often));
}

// Requeue moves sleepers from one word to another, racing waiters that time out: every waiter
// returns, and (with no spurious wakeups, on the parking lot) each requeued untimed waiter is
// woken by exactly one later wake of the target.
template <class Backend>
void requeue_races_timeouts() {
  using futex = futon::basic_futex<Backend>;
  word_t<Backend> from{0};
  word_t<Backend> to{0};
  thread untimed([&] {
    // Acquire/release on `from`: the flag's usual pairing (the scheduler runs them SC anyway).
    while (from.load(std::memory_order_acquire) == 0)
      futex::wait(from, 0);
  });
  thread timed([&] { static_cast<void>(futex::wait_for(from, 0, std::chrono::hours(1))); });
  from.store(1, std::memory_order_release);  // pairs with the waiter's acquire load
  const auto moved = futex::requeue(from, 1, to, 0, 2);
  check(moved.has_value(), "requeue reported a mismatch on a matching word");
  const std::size_t woken_on_to = futex::wake_all(to);
  check(woken_on_to <= moved->requeued, "woke more waiters on the target than were moved");
  futex::wake_all(from);  // a waiter that was not moved (it had not slept yet)
  untimed.join();
  timed.join();
}

TYPED_TEST(DschedFutex, RequeueRacesTimeoutsRandomSchedules) {
  dsched::random_weights timeouts_often;
  timeouts_often.timeout = 200;
  EXPECT_NO_FAILING_SCHEDULE(random_schedules(
      300, [] { requeue_races_timeouts<TypeParam>(); }, timeouts_often));
}

TYPED_TEST(DschedFutex, RequeueRacesTimeoutsEverySchedule) {
  const auto result = all_schedules(bounds{1, 1}, [] { requeue_races_timeouts<TypeParam>(); });
  EXPECT_NO_FAILING_SCHEDULE(result);
  EXPECT_TRUE(result.exhausted);
}

}  // namespace
