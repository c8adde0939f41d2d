// SPDX-License-Identifier: BSL-1.0
// Object lifetime: the scheduler's check itself (an access to a retired object fails the run, a
// wake by address does not), and every primitive destroyed at the earliest moment its header
// allows, under every schedule of a small case and under random ones, on the simulated futex
// and on the parking lot. The planted 7add648 versions fail the same scenarios
// (dsched_planted_primitives_test.cpp).
#include <cstdint>
#include <futon/barrier.hpp>
#include <futon/condition_variable.hpp>
#include <futon/counting_semaphore.hpp>
#include <futon/event.hpp>
#include <futon/futex.hpp>
#include <futon/latch.hpp>
#include <futon/mutex.hpp>
#include <futon/recursive_mutex.hpp>
#include <futon/shared_mutex.hpp>
#include <futon/wait_group.hpp>
#include <limits>
#include <string>
#include <vector>

#include "dsched/dsched_scenarios.hpp"
#include "dsched/dsched_test_support.hpp"

namespace {

using dsched::bounds;
using dsched::check;
using dsched::thread;
using dsched::testing::all_schedules;
using dsched::testing::random_schedules;
namespace scenarios = dsched::scenarios;

// ---- The check itself -------------------------------------------------------------------------

TEST(DschedLifetime, AnAccessAfterRetireFailsTheRunWithAReplayableReport) {
  const auto body = [] {
    scenarios::owned<dsched::atomic<std::uint32_t>> word("the word", 0u);
    // Relaxed: the value does not matter, only that the access is made.
    thread reader([&] { static_cast<void>(word->load(std::memory_order_relaxed)); });
    word.destroy();
    reader.join();
  };
  const auto result = all_schedules(bounds{1, 0}, body);
  ASSERT_TRUE(result.failed);
  EXPECT_NE(result.message.find("access to atomic load at "), std::string::npos) << result.message;
  EXPECT_NE(result.message.find("after its object was destroyed (the word"), std::string::npos)
      << result.message;
  EXPECT_NE(result.message.find("FUTON_DSCHED_REPLAY="), std::string::npos) << result.message;
}

// revive: a new object in the same storage is alive again.
TEST(DschedLifetime, ARevivedObjectMayBeUsed) {
  EXPECT_NO_FAILING_SCHEDULE(all_schedules(bounds{1, 0}, [] {
    dsched::atomic<std::uint32_t> word{0};
    dsched::retire(&word, sizeof(word), "the word");
    dsched::revive(&word, sizeof(word));
    // Relaxed: only the access matters.
    word.store(1, std::memory_order_relaxed);
  }));
}

template <class Backend>
class DschedLifetimeFutex : public ::testing::Test {};
TYPED_TEST_SUITE(DschedLifetimeFutex, dsched::testing::backends, dsched::testing::backend_name);

// Wakes and requeues use the address only: allowed on a retired word (the futex contract), on
// the simulated futex and through the parking lot's keys.
TYPED_TEST(DschedLifetimeFutex, WakeAndRequeueByAddressAfterRetirePass) {
  using futex = futon::basic_futex<TypeParam>;
  EXPECT_NO_FAILING_SCHEDULE(all_schedules(bounds{1, 0}, [] {
    typename TypeParam::word_type other{0};
    scenarios::owned<typename TypeParam::word_type> word("the word", 0u);
    thread waker([&] {
      futex::wake_all(*word);
      static_cast<void>(futex::requeue(*word, 0, other, 1, 1));
    });
    word.destroy();
    futex::wake_one(*word);
    waker.join();
  }));
}

// A wait reads the word: on a retired one it fails the run.
TYPED_TEST(DschedLifetimeFutex, AWaitOnARetiredWordFails) {
  using futex = futon::basic_futex<TypeParam>;
  const auto result = all_schedules(bounds{0, 0}, [] {
    scenarios::owned<typename TypeParam::word_type> word("the word", 0u);
    word.destroy();
    futex::wait(*word, 1);
  });
  ASSERT_TRUE(result.failed);
  EXPECT_NE(result.message.find("access to futex wait at "), std::string::npos) << result.message;
}

// ---- Each primitive destroyed at the earliest moment it allows --------------------------------

template <class Backend>
class DschedLifetimePrimitives : public ::testing::Test {};
TYPED_TEST_SUITE(DschedLifetimePrimitives, dsched::testing::backends,
                 dsched::testing::backend_name);

// Both searches over one body: every schedule within `limits` (all of them must run; smaller
// under sanitizers), then `random_runs` random schedules (fewer under sanitizers).
template <class Body>
void every_and_random_schedule(const bounds& limits, Body body, std::uint64_t random_runs = 300) {
  const auto result = all_schedules(dsched::testing::sanitizer_scaled(limits), body);
  EXPECT_NO_FAILING_SCHEDULE(result);
  EXPECT_TRUE(result.exhausted);
  if (random_runs != 0) EXPECT_NO_FAILING_SCHEDULE(random_schedules(random_runs, body));
}

// Defect 1's scenario: the mutex destroyed by the thread that locks and unlocks last, right
// after its unlock, while the first holder may still be inside unlock() (after a timed waiter
// left the sleepers bit behind, and without one).
TYPED_TEST(DschedLifetimePrimitives, MutexDestroyedByTheLastLocker) {
  using mutex = futon::basic_mutex<TypeParam>;
  every_and_random_schedule(bounds{2, 1},
                            [] { scenarios::mutex_destroyed_by_last_locker<mutex>(true); });
  every_and_random_schedule(bounds{2, 1},
                            [] { scenarios::mutex_destroyed_by_last_locker<mutex>(false); });
}

// More users, some of them timed: the last of three to drop its reference destroys the mutex.
TYPED_TEST(DschedLifetimePrimitives, MutexReferenceCountOfThree) {
  using mutex = futon::basic_mutex<TypeParam>;
  dsched::random_weights timeouts_often;
  timeouts_often.timeout = 200;
  every_and_random_schedule(bounds{1, 1}, [] { scenarios::mutex_reference_count<mutex>(3, true); });
  EXPECT_NO_FAILING_SCHEDULE(random_schedules(
      500, [] { scenarios::mutex_reference_count<mutex>(3, true); }, timeouts_often));
}

// The recursive mutexes: destroyed by the last locker right after its last level's unlock, while
// the first holder may still be inside its own last unlock; and as a reference count of three.
TYPED_TEST(DschedLifetimePrimitives, RecursiveMutexDestroyedByTheLastLocker) {
  using recursive = futon::basic_recursive_mutex<TypeParam>;
  using recursive_timed = futon::basic_recursive_timed_mutex<TypeParam>;
  every_and_random_schedule(
      bounds{2, 1}, [] { scenarios::recursive_mutex_destroyed_by_last_locker<recursive>(false); });
  every_and_random_schedule(bounds{2, 1}, [] {
    scenarios::recursive_mutex_destroyed_by_last_locker<recursive_timed>(true);
  });
}

TYPED_TEST(DschedLifetimePrimitives, RecursiveTimedMutexReferenceCountOfThree) {
  using recursive_timed = futon::basic_recursive_timed_mutex<TypeParam>;
  dsched::random_weights timeouts_often;
  timeouts_often.timeout = 200;
  // One preemption and no fault: the owner word's schedule points make the tree of {1, 1} four
  // times the plain mutex's; the random schedules below inject faults and timeouts.
  every_and_random_schedule(
      bounds{1, 0}, [] { scenarios::mutex_reference_count<recursive_timed>(3, true); }, 0);
  EXPECT_NO_FAILING_SCHEDULE(random_schedules(
      300, [] { scenarios::mutex_reference_count<recursive_timed>(3, true); }, timeouts_often));
}

// Defect 2's scenario, and the writer's unlock followed by a reader (and another writer).
TYPED_TEST(DschedLifetimePrimitives, SharedMutexDestroyedByTheLastUnlocker) {
  using shared_mutex = futon::basic_shared_mutex<TypeParam>;
  every_and_random_schedule(bounds{2, 1}, [] {
    scenarios::shared_mutex_destroyed_by_writer_after_last_reader<shared_mutex>();
  });
  every_and_random_schedule(
      bounds{2, 1}, [] { scenarios::shared_mutex_destroyed_after_writer<shared_mutex>(false); });
  every_and_random_schedule(
      bounds{1, 1}, [] { scenarios::shared_mutex_destroyed_after_writer<shared_mutex>(true); });
}

TYPED_TEST(DschedLifetimePrimitives, SharedMutexReferenceCountOfReadersAndWriters) {
  using shared_mutex = futon::basic_shared_mutex<TypeParam>;
  dsched::random_weights timeouts_often;
  timeouts_often.timeout = 200;
  every_and_random_schedule(
      bounds{1, 0}, [] { scenarios::shared_mutex_reference_count<shared_mutex>(1, 2, true); });
  EXPECT_NO_FAILING_SCHEDULE(random_schedules(
      500, [] { scenarios::shared_mutex_reference_count<shared_mutex>(2, 2, true); },
      timeouts_often));
}

// Defect 6's scenario: destroyed by the notifier right after the notify that notifies the last
// waiter, after it unlocks the mutex and while it still holds it (the destructor then waits for
// the notified waiters to take their notification, which they do before they re-lock).
template <class Backend>
void condvar_case(int waiters, bool all, bool under_lock) {
  scenarios::condvar_destroyed_after_notify<futon::basic_mutex<Backend>,
                                            futon::basic_condition_variable<Backend>>(waiters, all,
                                                                                      under_lock);
}

TYPED_TEST(DschedLifetimePrimitives, ConditionVariableDestroyedAfterNotifyAll) {
  for (const bool under_lock : {false, true}) {
    // Two preemptions outside the lock; one under it, where the destructor's wait for the
    // notified waiters multiplies the schedules.
    every_and_random_schedule(bounds{under_lock ? 1u : 2u, 0},
                              [under_lock] { condvar_case<TypeParam>(2, true, under_lock); });
    EXPECT_NO_FAILING_SCHEDULE(
        random_schedules(300, [under_lock] { condvar_case<TypeParam>(4, true, under_lock); }));
  }
}

TYPED_TEST(DschedLifetimePrimitives, ConditionVariableDestroyedAfterNotifyOne) {
  for (const bool under_lock : {false, true}) {
    every_and_random_schedule(bounds{2, 1},
                              [under_lock] { condvar_case<TypeParam>(1, false, under_lock); });
  }
}

// Timed waiters (timed out and waiting again at the scheduler's whim) notified and destroyed.
TYPED_TEST(DschedLifetimePrimitives, ConditionVariableWithTimedWaitersDestroyedAfterNotifyAll) {
  using mutex = futon::basic_mutex<TypeParam>;
  using condvar = futon::basic_condition_variable<TypeParam>;
  dsched::random_weights timeouts_often;
  timeouts_often.timeout = 200;
  for (const bool under_lock : {false, true}) {
    const auto body = [under_lock] {
      scenarios::condvar_timed_waiters_destroyed_after_notify_all<mutex, condvar>(2, under_lock);
    };
    // Preemptions anywhere (timeouts when forced), then timeouts anywhere at random.
    every_and_random_schedule(bounds{1, 0}, body, 0);
    EXPECT_NO_FAILING_SCHEDULE(random_schedules(500, body, timeouts_often));
  }
}

// One notify_one per consumer, the last followed by the destructor.
TYPED_TEST(DschedLifetimePrimitives, ConditionVariableDestroyedAfterTheLastNotifyOne) {
  using mutex = futon::basic_mutex<TypeParam>;
  using condvar = futon::basic_condition_variable<TypeParam>;
  every_and_random_schedule(
      bounds{1, 0}, [] { scenarios::condvar_destroyed_after_last_notify_one<mutex, condvar>(2); });
  EXPECT_NO_FAILING_SCHEDULE(random_schedules(
      500, [] { scenarios::condvar_destroyed_after_last_notify_one<mutex, condvar>(3); }));
}

// Defect 5's scenario: 128 zeros (a lap of a 7-bit generation) after a wait began, while the
// waiter is preempted after its first access, or woken and off the CPU. One preemption: every
// place the waiter can be stopped at.
TYPED_TEST(DschedLifetimePrimitives, WaitGroupNotLappedByZerosAfterTheWaitBegan) {
  const auto result = all_schedules(
      bounds{1, 0}, [] { scenarios::lapped_wait_group<futon::basic_wait_group, TypeParam>(128); });
  EXPECT_NO_FAILING_SCHEDULE(result);
  EXPECT_TRUE(result.exhausted);
}

// The waiter destroys the object as soon as its wait returns, while the releasing thread may
// still be inside its call: wait_group, latch, event, semaphore, barrier.
TYPED_TEST(DschedLifetimePrimitives, WaitGroupDestroyedWhenTheWaitReturns) {
  using wait_group = futon::basic_wait_group<TypeParam>;
  every_and_random_schedule(bounds{2, 1}, [] {
    // Added before the worker starts (as in Go): the wait is for this one.
    scenarios::owned<wait_group> group("wait_group");
    group->add(1);
    thread worker([&] { group->done(); });
    group->wait();
    group.destroy();
    worker.join();
  });
}

TYPED_TEST(DschedLifetimePrimitives, LatchDestroyedWhenTheWaitReturns) {
  using latch = futon::basic_latch<TypeParam>;
  every_and_random_schedule(bounds{2, 1}, [] {
    scenarios::destroyed_after_wait<latch>(
        "latch", [](latch& l) { l.count_down(); }, [](latch& l) { l.wait(); }, 1);
  });
}

TYPED_TEST(DschedLifetimePrimitives, EventDestroyedWhenTheWaitReturns) {
  using event = futon::basic_event<TypeParam>;
  every_and_random_schedule(bounds{2, 1}, [] {
    scenarios::destroyed_after_wait<event>(
        "event", [](event& e) { e.set(); }, [](event& e) { e.wait(); });
  });
}

TYPED_TEST(DschedLifetimePrimitives, SemaphoreDestroyedWhenTheAcquireReturns) {
  using semaphore = futon::basic_counting_semaphore<TypeParam>;
  every_and_random_schedule(bounds{2, 1}, [] {
    scenarios::destroyed_after_wait<semaphore>(
        "counting_semaphore", [](semaphore& s) { s.release(1); }, [](semaphore& s) { s.acquire(); },
        0);
  });
}

// The wide semaphore (above 2^31 - 1): release's CAS of the 64-bit word is its last access; the
// wake is by the address of the word's low half.
TYPED_TEST(DschedLifetimePrimitives, WideSemaphoreDestroyedWhenTheAcquireReturns) {
  using semaphore =
      futon::basic_counting_semaphore<TypeParam, std::numeric_limits<std::ptrdiff_t>::max()>;
  every_and_random_schedule(bounds{2, 1}, [] {
    scenarios::destroyed_after_wait<semaphore>(
        "wide counting_semaphore", [](semaphore& s) { s.release(1); },
        [](semaphore& s) { s.acquire(); }, 0);
  });
}

// Several waiters: the last to return destroys the object, while the releasing thread may
// still be inside its call. Every schedule of two waiters within one preemption, and random
// schedules of three waiters and two releasers.
TYPED_TEST(DschedLifetimePrimitives, WaitGroupDestroyedByTheLastOfSeveralWaiters) {
  using wait_group = futon::basic_wait_group<TypeParam>;
  const auto body = [](int workers, int waiters) {
    scenarios::owned<wait_group> group("wait_group");
    group->add(workers);
    int left = waiters;  // plain: the scheduler orders it; changed after the waits return
    std::vector<thread> threads;
    for (int i = 0; i < workers; ++i)
      threads.emplace_back([&] { group->done(); });
    for (int i = 0; i < waiters; ++i) {
      threads.emplace_back([&] {
        group->wait();
        if (--left == 0) group.destroy();
      });
    }
    for (auto& t : threads)
      t.join();
  };
  every_and_random_schedule(
      bounds{1, 0}, [&] { body(1, 2); }, 0);
  EXPECT_NO_FAILING_SCHEDULE(random_schedules(500, [&] { body(2, 3); }));
}

TYPED_TEST(DschedLifetimePrimitives, LatchDestroyedByTheLastOfSeveralWaiters) {
  using latch = futon::basic_latch<TypeParam>;
  const auto body = [](int counters, int waiters) {
    scenarios::destroyed_by_last_waiter<latch>(
        "latch", counters, waiters, [](latch& l) { l.count_down(); }, [](latch& l) { l.wait(); },
        counters);
  };
  every_and_random_schedule(
      bounds{1, 0}, [&] { body(1, 2); }, 0);
  EXPECT_NO_FAILING_SCHEDULE(random_schedules(500, [&] { body(2, 3); }));
}

TYPED_TEST(DschedLifetimePrimitives, EventDestroyedByTheLastOfSeveralWaiters) {
  using event = futon::basic_event<TypeParam>;
  const auto body = [](int waiters) {
    scenarios::destroyed_by_last_waiter<event>(
        "event", 1, waiters, [](event& e) { e.set(); }, [](event& e) { e.wait(); });
  };
  every_and_random_schedule(
      bounds{1, 0}, [&] { body(2); }, 0);
  EXPECT_NO_FAILING_SCHEDULE(random_schedules(500, [&] { body(3); }));
}

TYPED_TEST(DschedLifetimePrimitives, SemaphoreDestroyedByTheLastOfSeveralAcquirers) {
  using semaphore = futon::basic_counting_semaphore<TypeParam>;
  // One token per acquirer: the last acquirer returns only after every release's step.
  const auto body = [](int acquirers, int tokens_per_release) {
    scenarios::destroyed_by_last_waiter<semaphore>(
        "counting_semaphore", acquirers / tokens_per_release, acquirers,
        [tokens_per_release](semaphore& s) { s.release(tokens_per_release); },
        [](semaphore& s) { s.acquire(); }, 0);
  };
  every_and_random_schedule(
      bounds{1, 0}, [&] { body(2, 2); }, 0);
  EXPECT_NO_FAILING_SCHEDULE(random_schedules(500, [&] { body(3, 1); }));
}

TYPED_TEST(DschedLifetimePrimitives, WideSemaphoreDestroyedByTheLastOfSeveralAcquirers) {
  using semaphore =
      futon::basic_counting_semaphore<TypeParam, std::numeric_limits<std::ptrdiff_t>::max()>;
  const auto body = [](int acquirers, int tokens_per_release) {
    scenarios::destroyed_by_last_waiter<semaphore>(
        "wide counting_semaphore", acquirers / tokens_per_release, acquirers,
        [tokens_per_release](semaphore& s) { s.release(tokens_per_release); },
        [](semaphore& s) { s.acquire(); }, 0);
  };
  every_and_random_schedule(
      bounds{1, 0}, [&] { body(2, 2); }, 0);
  EXPECT_NO_FAILING_SCHEDULE(random_schedules(500, [&] { body(3, 1); }));
}

TYPED_TEST(DschedLifetimePrimitives, BarrierDestroyedByTheLastOfSeveralWaiters) {
  using barrier = futon::basic_barrier<TypeParam>;
  every_and_random_schedule(
      bounds{1, 0},
      [] {
        scenarios::destroyed_by_last_waiter<barrier>(
            "barrier", 1, 2, [](barrier& b) { static_cast<void>(b.arrive()); },
            [](barrier& b) { b.arrive_and_wait(); }, 3);
      },
      500);
}

TYPED_TEST(DschedLifetimePrimitives, BarrierDestroyedWhenTheWaitReturns) {
  using barrier = futon::basic_barrier<TypeParam>;
  every_and_random_schedule(bounds{2, 1}, [] {
    // The other participant arrives and does not wait: its arrive() may be the one that ends
    // the phase, and still be inside it when the waiter returns.
    scenarios::destroyed_after_wait<barrier>(
        "barrier", [](barrier& b) { static_cast<void>(b.arrive()); },
        [](barrier& b) { b.arrive_and_wait(); }, 2);
  });
}

}  // namespace
