// SPDX-License-Identifier: BSL-1.0
// barrier, typed over every backend: phases whose completion function runs exactly once, after
// every arrival and before anyone is released; arrive/wait split; arrive_and_drop lowering the
// expected count; no futex call when nobody sleeps; stress with drops; and misuse that stops a
// debug build.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <futon/barrier.hpp>
#include <memory>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "primitive_test_support.hpp"

namespace {

using namespace std::chrono_literals;
using futon::testing::counting_backend;
using futon::testing::eventually;
using futon::testing::os_thread_id;
using futon::testing::scaled;
using futon::testing::thread_group;
using futon::testing::watchdog;

constinit futon::barrier<> global_barrier(1);

static_assert(futon::barrier<>::max() == (1 << 24) - 1);
static_assert(
    std::is_same_v<futon::barrier<>,
                   futon::basic_barrier<futon::backend::default_backend, futon::empty_completion>>);

template <class Backend>
class Barrier : public ::testing::Test {};
TYPED_TEST_SUITE(Barrier, futon::testing::primitive_backends, futon::testing::backend_name);

// A completion function with state: the barrier grows by its size (no [[no_unique_address]]
// saving), and it is moved in.
struct counting_completion {
  int* calls;
  void operator()() noexcept { ++*calls; }
};

// As libstdc++'s 30_threads/barrier/completion.cc (from libc++'s completion.pass.cpp): a lambda
// that is not noexcept is accepted as the completion function (issue 16; df8d42e rejected it
// with a static_assert), and runs once per phase with two threads meeting ten times.
TYPED_TEST(Barrier, CompletionNeedNotBeNoexcept) {
  int phases = 0;
  auto completion = [&phases] { ++phases; };
  static_assert(!std::is_nothrow_invocable_v<decltype(completion)&>);
  futon::basic_barrier<TypeParam, decltype(completion)> b(2, completion);
  std::thread other([&] {
    for (int i = 0; i < 10; ++i)
      b.arrive_and_wait();
  });
  for (int i = 0; i < 10; ++i)
    b.arrive_and_wait();
  other.join();
  EXPECT_EQ(phases, 10);
}

TYPED_TEST(Barrier, GlobalIsConstantInitialized) {
  global_barrier.arrive_and_wait();  // expected 1: every arrival ends a phase
  global_barrier.arrive_and_wait();
}

TYPED_TEST(Barrier, SingleParticipantPhases) {
  int calls = 0;
  futon::basic_barrier<TypeParam, counting_completion> b(1, counting_completion{&calls});
  for (int i = 0; i < 10; ++i)
    b.arrive_and_wait();
  EXPECT_EQ(calls, 10);
  auto token = b.arrive();  // ends phase 10
  EXPECT_EQ(calls, 11);
  b.wait(std::move(token));  // its phase has ended: at once
}

// N threads through many phases. The completion function checks that every arrival of its phase
// came first, and publishes the phase number in a plain int; every thread, once released, must
// see that the completion of its phase ran (and only it).
TYPED_TEST(Barrier, CompletionRunsOncePerPhaseAfterAllArrivalsBeforeRelease) {
  constexpr int n = 4;
  const int phases = scaled(5000);
  watchdog guard("barrier phases stopped: lost wakeup", 60s);
  std::atomic<int> arrivals{0};
  std::atomic<int> bad_completions{0};
  int completions = 0;       // written only by the completion function
  int completed_phase = -1;  // ditto
  auto completion = [&]() noexcept {
    if (arrivals.load(std::memory_order_relaxed) != n * (completions + 1)) {
      bad_completions.fetch_add(1);
    }
    completed_phase = completions;
    ++completions;
  };
  futon::basic_barrier<TypeParam, decltype(completion)> b(n, completion);
  std::atomic<int> bad_releases{0};
  {
    thread_group threads;
    for (int t = 0; t < n; ++t) {
      threads.spawn([&, t] {
        for (int phase = 0; phase < phases; ++phase) {
          arrivals.fetch_add(1, std::memory_order_relaxed);
          if ((phase + t) % 2 == 0) {
            b.arrive_and_wait();
          } else {
            auto token = b.arrive();
            b.wait(std::move(token));
          }
          if (completed_phase != phase || completions != phase + 1) bad_releases.fetch_add(1);
        }
      });
    }
  }
  EXPECT_EQ(completions, phases);
  EXPECT_EQ(bad_completions.load(), 0) << "a completion ran before every arrival of its phase";
  EXPECT_EQ(bad_releases.load(), 0) << "a thread was released before its phase's completion";
}

// A token kept while its phase ends and then waited on returns at once.
TYPED_TEST(Barrier, WaitOnAnEndedPhaseReturnsAtOnce) {
  watchdog guard("wait on an ended phase blocked");
  futon::basic_barrier<TypeParam> b(2);
  auto token = b.arrive();
  std::thread other([&] { b.arrive_and_wait(); });
  other.join();  // the other arrival ended the phase
  b.wait(std::move(token));
}

// Waiters sleep until the last arrival, then all return.
TYPED_TEST(Barrier, WaitersSleepUntilTheLastArrival) {
  constexpr int waiters = 3;
  watchdog guard("barrier waiters were not released");
  futon::basic_barrier<TypeParam> b(waiters + 1);
  std::atomic<int> returned{0};
  std::vector<std::atomic<os_thread_id>> ids(waiters);
  thread_group threads;
  for (int w = 0; w < waiters; ++w) {
    threads.spawn([&, w] {
      ids[w].store(futon::testing::current_os_thread_id());
      b.arrive_and_wait();
      returned.fetch_add(1);
    });
  }
  ASSERT_TRUE(eventually([&] {
    for (auto& id : ids)
      if (id.load() == 0) return false;
    return true;
  }));
  ASSERT_TRUE(futon::testing::wait_until_asleep([&] {
    std::vector<os_thread_id> v;
    for (auto& id : ids)
      v.push_back(id.load());
    return v;
  }));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(returned.load(), 0);
  auto token = b.arrive();
  EXPECT_TRUE(eventually([&] { return returned.load() == waiters; }));
  b.wait(std::move(token));
  threads.join();
}

TYPED_TEST(Barrier, ArriveWithUpdateCountsSeveralArrivals) {
  watchdog guard("arrive(n) lost a wakeup");
  int calls = 0;
  futon::basic_barrier<TypeParam, counting_completion> b(5, counting_completion{&calls});
  std::thread other([&] { b.arrive_and_wait(); });
  auto token = b.arrive(3);
  auto last = b.arrive(1);
  b.wait(std::move(token));
  b.wait(std::move(last));
  other.join();
  EXPECT_EQ(calls, 1);
  b.wait(b.arrive(5));  // a whole phase in one arrival
  EXPECT_EQ(calls, 2);
}

// arrive_and_drop: the dropping thread counts in its phase, then no longer in any later one.
TYPED_TEST(Barrier, ArriveAndDropLowersTheExpectedCount) {
  constexpr int n = 4;
  const int phases = scaled(200);
  watchdog guard("a barrier with dropped participants stopped", 60s);
  int calls = 0;
  futon::basic_barrier<TypeParam, counting_completion> b(n, counting_completion{&calls});
  {
    thread_group threads;
    // Thread t takes part in phases [0, t * phases / n] and drops at the last of them; thread
    // n - 1 never drops (it stays to the end, alone at last).
    for (int t = 0; t < n; ++t) {
      threads.spawn([&, t] {
        const int last_phase = t == n - 1 ? phases : t * phases / n;
        for (int phase = 0; phase < last_phase; ++phase)
          b.arrive_and_wait();
        if (t != n - 1) b.arrive_and_drop();
      });
    }
  }
  EXPECT_EQ(calls, phases);
  // One participant left: a single arrival ends a phase.
  b.arrive_and_wait();
  EXPECT_EQ(calls, phases + 1);
  b.arrive_and_drop();  // the last one leaves: phase ends, nobody is expected any more
  EXPECT_EQ(calls, phases + 2);
}

TYPED_TEST(Barrier, EveryoneMayDrop) {
  int calls = 0;
  futon::basic_barrier<TypeParam, counting_completion> b(2, counting_completion{&calls});
  std::thread other([&] { b.arrive_and_drop(); });
  b.arrive_and_drop();
  other.join();
  EXPECT_EQ(calls, 1);
}

TYPED_TEST(Barrier, MaxExpectedCount) {
  int calls = 0;
  constexpr auto max = futon::basic_barrier<TypeParam, counting_completion>::max();
  futon::basic_barrier<TypeParam, counting_completion> b(max, counting_completion{&calls});
  auto token = b.arrive(max - 1);
  EXPECT_EQ(calls, 0);
  b.arrive_and_wait();
  b.wait(std::move(token));
  EXPECT_EQ(calls, 1);
}

TYPED_TEST(Barrier, PhasesWithoutSleepersMakeNoFutexCall) {
  using counted = counting_backend<TypeParam>;
  counted::reset();
  futon::basic_barrier<counted> alone(1);
  for (int i = 0; i < 1000; ++i)
    alone.arrive_and_wait();
  futon::basic_barrier<counted> pair(2);
  for (int i = 0; i < 1000; ++i) {
    auto first = pair.arrive();
    auto second = pair.arrive();  // ends the phase: nobody sleeps
    pair.wait(std::move(first));
    pair.wait(std::move(second));
  }
  EXPECT_EQ(counted::calls(), 0u);
}

// Many threads (more than cores) through many phases, half of them splitting arrive and wait
// with some work in between: a lost wakeup stops the test.
TYPED_TEST(Barrier, ManyThreadsManyPhases) {
  constexpr int n = 8;
  const int phases = scaled(3000);
  watchdog guard("barrier stress stopped: lost wakeup", 60s);
  std::atomic<long> phase_sum{0};
  auto completion = [&]() noexcept { phase_sum.fetch_add(1, std::memory_order_relaxed); };
  futon::basic_barrier<TypeParam, decltype(completion)> b(n, completion);
  {
    thread_group threads;
    for (int t = 0; t < n; ++t) {
      threads.spawn([&, t] {
        for (int phase = 0; phase < phases; ++phase) {
          if (t % 2 == 0) {
            b.arrive_and_wait();
          } else {
            auto token = b.arrive();
            if (phase % 7 == 0) std::this_thread::yield();
            b.wait(std::move(token));
          }
        }
      });
    }
  }
  EXPECT_EQ(phase_sum.load(), phases);
}

// ---- Misuse ----------------------------------------------------------------------------------

// As libstdc++'s 30_threads/barrier/lwg3898.cc: a completion function that throws calls
// std::terminate (in every build, not a debug check), from the arrival that ends the phase.
template <class Backend>
class BarrierTerminateDeathTest : public ::testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};
TYPED_TEST_SUITE(BarrierTerminateDeathTest, futon::testing::primitive_backends,
                 futon::testing::backend_name);

[[noreturn]] void report_terminate() {
  std::fputs("futon-test: std::terminate called\n", stderr);
  std::_Exit(3);
}

struct throwing_completion {
  void operator()() const { throw 1; }
};

// Two threads meet; whichever ends the phase runs the completion, which throws.
template <class Backend>
void meet_with_throwing_completion() {
  std::set_terminate(report_terminate);
  futon::basic_barrier<Backend, throwing_completion> b(2);
  std::thread other([&] { b.arrive_and_wait(); });
  b.arrive_and_wait();
  other.join();
  std::fputs("futon-test: the phase ended without terminate\n", stderr);
  std::_Exit(0);
}

TYPED_TEST(BarrierTerminateDeathTest, ThrowingCompletionTerminates) {
  EXPECT_EXIT(meet_with_throwing_completion<TypeParam>(), ::testing::ExitedWithCode(3),
              "futon-test: std::terminate called");
}

#if FUTON_DEBUG_CHECKS

template <class Backend>
class BarrierDeathTest : public ::testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};
TYPED_TEST_SUITE(BarrierDeathTest, futon::testing::all_backends, futon::testing::backend_name);

TYPED_TEST(BarrierDeathTest, ArrivingPastTheExpectedCountStops) {
  EXPECT_DEATH(
      {
        futon::basic_barrier<TypeParam> b(2);
        static_cast<void>(b.arrive(3));
      },
      "more arrivals than the phase expects");
  EXPECT_DEATH(
      {
        futon::basic_barrier<TypeParam> b(3);
        static_cast<void>(b.arrive(2));
        static_cast<void>(b.arrive(2));
      },
      "more arrivals than the phase expects");
  EXPECT_DEATH(
      {
        futon::basic_barrier<TypeParam> b(0);
        static_cast<void>(b.arrive());
      },
      "more arrivals than the phase expects");
}

TYPED_TEST(BarrierDeathTest, NonPositiveUpdateStops) {
  EXPECT_DEATH(
      {
        futon::basic_barrier<TypeParam> b(2);
        static_cast<void>(b.arrive(0));
      },
      "update must be > 0");
}

TYPED_TEST(BarrierDeathTest, DroppingFromAnEmptyBarrierStops) {
  EXPECT_DEATH(
      {
        futon::basic_barrier<TypeParam> b(0);
        b.arrive_and_drop();
      },
      "no participant left to drop");
}

TYPED_TEST(BarrierDeathTest, BadExpectedCountStops) {
  EXPECT_DEATH(futon::basic_barrier<TypeParam> b(-1), "expected count is negative or above max");
  EXPECT_DEATH(futon::basic_barrier<TypeParam> b(futon::basic_barrier<TypeParam>::max() + 1),
               "expected count is negative or above max");
}

TYPED_TEST(BarrierDeathTest, TokenTwoPhasesOldStops) {
  EXPECT_DEATH(
      {
        futon::basic_barrier<TypeParam> b(1);
        auto old = b.arrive();  // ends phase 0
        b.arrive_and_wait();    // ends phase 1
        b.wait(std::move(old));
      },
      "token is not of the current or previous phase");
}

TYPED_TEST(BarrierDeathTest, DestroyingWithAWaiterStops) {
  EXPECT_DEATH(
      {
        std::optional<futon::basic_barrier<TypeParam>> b(std::in_place, 2);
        std::atomic<os_thread_id> id{0};
        std::thread waiter([&] {
          id.store(futon::testing::current_os_thread_id());
          b->arrive_and_wait();
        });
        waiter.detach();
        while (id.load() == 0)
          std::this_thread::yield();
        futon::testing::wait_until_asleep([&] { return std::vector{id.load()}; });
        b.reset();
      },
      "barrier destroyed while a thread waits on it");
}

#endif  // FUTON_DEBUG_CHECKS

}  // namespace
