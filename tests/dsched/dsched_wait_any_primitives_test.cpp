// SPDX-License-Identifier: BSL-1.0
// futon::wait_any over semaphores, an event and a latch (<futon/wait_any.hpp>), on futon's real
// parking lot under the deterministic scheduler, in every schedule of two primitives and one
// waker (with a plain waiter beside the call where a lost wake would show):
//   - a semaphore and an event: a release whose wake counts the call while it returns through
//     the event must be passed on to the plain acquirer (else it sleeps forever: a deadlock the
//     scheduler reports);
//   - two semaphores released one after the other: exactly one permit taken, of the semaphore
//     reported;
//   - a latch left before its zero through an event: its bit is taken back (the debug check of
//     its destructor stays quiet at count 1) and a plain waiter beside the call still wakes.
// Each call is checked to return an index that was ready, and the permits are counted after.
#include <futon/counting_semaphore.hpp>
#include <futon/event.hpp>
#include <futon/latch.hpp>
#include <futon/wait_any.hpp>
#include <new>
#include <optional>

#include "dsched/dsched_test_support.hpp"

namespace {

using dsched::bounds;
using dsched::check;
using dsched::thread;
using dsched::testing::all_schedules;
using dsched::testing::random_schedules;

using backend = dsched::lot_futex;
using semaphore = futon::basic_counting_semaphore<backend>;
using event = futon::basic_event<backend>;
using latch = futon::basic_latch<backend>;

// The primitives of a case at the same addresses in every run (static storage, constructed per
// run): the parking lot picks buckets by address, and objects on the body's stack could move
// between a run and its replay (see dsched_wait_any_test.cpp).
// Never destroyed: a failed run's threads stay blocked on them (scheduler.hpp).
template <class Objects>
Objects& fresh() {
  static std::optional<Objects>& objects = *new std::optional<Objects>;
  objects.reset();
  return objects.emplace();
}

// How many permits a semaphore holds (taking them; the case is over).
std::ptrdiff_t drain(semaphore& s) {
  std::ptrdiff_t n = 0;
  while (s.try_acquire())
    ++n;
  return n;
}

struct semaphore_and_event {
  semaphore s{0};
  event e;
};

// The call waits on the event and the semaphore (in `semaphore_first` order or the other), a
// plain acquirer on the semaphore; the body releases one permit and sets the event. If the call
// took the permit, the body gives the plain acquirer another. Nobody may be left asleep.
void semaphore_and_event_case(bool semaphore_first, bool timed) {
  semaphore_and_event& o = fresh<semaphore_and_event>();
  const std::size_t s_index = semaphore_first ? 0 : 1;
  std::optional<std::size_t> any;
  thread caller([&] {
    if (semaphore_first) {
      any =
          timed ? futon::wait_any_for(std::chrono::hours(1), o.s, o.e) : futon::wait_any(o.s, o.e);
    } else {
      any =
          timed ? futon::wait_any_for(std::chrono::hours(1), o.e, o.s) : futon::wait_any(o.e, o.s);
    }
  });
  thread plain([&] { o.s.acquire(); });
  o.s.release();
  o.e.set();
  caller.join();
  check(any.has_value(), "the call returned no index");
  if (*any == s_index) o.s.release();  // the call took the first permit: one for the plain thread
  plain.join();
  check(drain(o.s) == 0, "a permit was lost or created");
}

TEST(DschedWaitAnyPrimitives, SemaphoreAndEventEverySchedule) {
  for (bool semaphore_first : {false, true}) {
    const auto result = all_schedules(dsched::testing::sanitizer_scaled(bounds{2, 1}),
                                      [=] { semaphore_and_event_case(semaphore_first, false); });
    EXPECT_NO_FAILING_SCHEDULE(result);
    EXPECT_TRUE(result.exhausted);
  }
}

struct two_semaphores {
  semaphore a{0};
  semaphore b{0};
};

// The call waits on two semaphores, a plain acquirer on b; the body releases a, then b. The call
// takes exactly one permit, of the one it reports; then the body gives the plain acquirer b's
// permit if the call took it.
void two_semaphores_case(bool timed) {
  two_semaphores& o = fresh<two_semaphores>();
  std::optional<std::size_t> any;
  thread caller([&] {
    any = timed ? futon::wait_any_for(std::chrono::hours(1), o.a, o.b) : futon::wait_any(o.a, o.b);
  });
  thread plain([&] { o.b.acquire(); });
  o.a.release();
  o.b.release();
  caller.join();
  check(any.has_value() && *any < 2, "the call returned no index");
  if (*any == 1) o.b.release();
  plain.join();
  const std::ptrdiff_t left_a = drain(o.a);
  const std::ptrdiff_t left_b = drain(o.b);
  check(left_a == (*any == 0 ? 0 : 1) && left_b == 0,
        "the call took a permit it did not report, or two");
}

TEST(DschedWaitAnyPrimitives, TwoSemaphoresEverySchedule) {
  const auto result = all_schedules(dsched::testing::sanitizer_scaled(bounds{1, 1}),
                                    [] { two_semaphores_case(false); });
  EXPECT_NO_FAILING_SCHEDULE(result);
  EXPECT_TRUE(result.exhausted);
}

struct latch_and_event {
  latch l{1};
  event e;
};

// The call waits on a latch and an event, a plain waiter on the latch; the body sets the event
// (the call leaves the latch at count 1), then destroys nothing yet: it counts the latch down
// once the call has returned, which must wake the plain waiter. A second latch, left by a call
// the same way with nobody else waiting, is destroyed at count 1: FUTON_DEBUG_CHECKS would stop
// the run if the call had left its bit behind.
void latch_left_early_case(bool timed) {
  latch_and_event& o = fresh<latch_and_event>();
  std::optional<std::size_t> any;
  thread caller([&] {
    any = timed ? futon::wait_any_for(std::chrono::hours(1), o.l, o.e) : futon::wait_any(o.l, o.e);
  });
  thread plain([&] { o.l.wait(); });
  o.e.set();
  caller.join();
  check(any == std::optional<std::size_t>(1), "the call returned by the latch before its zero");
  o.l.count_down();
  plain.join();
}

TEST(DschedWaitAnyPrimitives, LatchLeftEarlyEverySchedule) {
  const auto result = all_schedules(dsched::testing::sanitizer_scaled(bounds{1, 1}),
                                    [] { latch_left_early_case(false); });
  EXPECT_NO_FAILING_SCHEDULE(result);
  EXPECT_TRUE(result.exhausted);
}

void latch_destroyed_after_call_case() {
  latch_and_event& o = fresh<latch_and_event>();
  std::optional<std::size_t> any;
  thread caller([&] { any = futon::wait_any(o.l, o.e); });
  o.e.set();
  caller.join();
  check(any == std::optional<std::size_t>(1), "the call returned by the latch before its zero");
  o.l.~latch();  // at count 1, nobody waiting: the debug check must stay quiet
  new (&o.l) latch(0);
}

TEST(DschedWaitAnyPrimitives, LatchDestroyedAfterTheCallLeftItEverySchedule) {
  const auto result = all_schedules(dsched::testing::sanitizer_scaled(bounds{2, 1}),
                                    [] { latch_destroyed_after_call_case(); });
  EXPECT_NO_FAILING_SCHEDULE(result);
  EXPECT_TRUE(result.exhausted);
}

// Every case at once, timed too (injected timeouts are early returns of the futex, which the
// call must sleep through), with late wakes, spurious wakes and random wake order.
TEST(DschedWaitAnyPrimitives, RandomSchedules) {
  dsched::random_weights timeouts_often;
  timeouts_often.timeout = 200;
  EXPECT_NO_FAILING_SCHEDULE(random_schedules(
      300,
      [] {
        semaphore_and_event_case(false, true);
        semaphore_and_event_case(true, true);
        two_semaphores_case(true);
        latch_left_early_case(true);
      },
      timeouts_often));
}

}  // namespace
