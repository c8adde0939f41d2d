// SPDX-License-Identifier: BSL-1.0
// once_flag and call_once, typed over every backend: exactly once under a stampede of 16
// threads, arguments forwarded as std::invoke does, a callable that throws lets the next caller
// try (sequentially, under a stampede, and with callers already asleep), no futex call when
// nobody waits, and misuse that stops a debug build.
#include <atomic>
#include <chrono>
#include <futon/call_once.hpp>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
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

constinit futon::once_flag global_flag;

// A literal type, as std::once_flag (libstdc++'s 30_threads/call_once/constexpr.cc): a constexpr
// flag compiles, and so does one made and destroyed in a constant evaluation. df8d42e's debug
// check in a non-constexpr destructor rejected both (issue 16).
[[maybe_unused]] constexpr futon::once_flag constexpr_flag;
constexpr bool once_flag_in_a_constant_evaluation() {
  const futon::once_flag flag;
  static_cast<void>(flag);
  return true;
}
static_assert(once_flag_in_a_constant_evaluation());

template <class Backend>
class CallOnce : public ::testing::Test {};
TYPED_TEST_SUITE(CallOnce, futon::testing::primitive_backends, futon::testing::backend_name);

TYPED_TEST(CallOnce, GlobalFlagIsConstantInitialized) {
  int calls = 0;
  futon::call_once(global_flag, [&] { ++calls; });
  futon::call_once(global_flag, [&] { ++calls; });
  EXPECT_LE(calls, 1);  // the test may run once per backend in one process
}

TYPED_TEST(CallOnce, RunsOnceAndForwardsArguments) {
  futon::basic_once_flag<TypeParam> flag;
  int calls = 0;
  std::string seen;
  futon::call_once(
      flag,
      [&](int n, std::string&& s, std::unique_ptr<int> p) {
        ++calls;
        seen = std::move(s) + std::to_string(n + *p);
      },
      1, std::string("x"), std::make_unique<int>(41));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(seen, "x42");
  futon::call_once(flag, [&] { ++calls; });
  EXPECT_EQ(calls, 1);

  // Pointers to members go through std::invoke.
  struct counter {
    int n = 0;
    void bump(int k) { n += k; }
  } c;
  futon::basic_once_flag<TypeParam> member_flag;
  futon::call_once(member_flag, &counter::bump, &c, 3);
  futon::call_once(member_flag, &counter::bump, &c, 3);
  EXPECT_EQ(c.n, 3);
}

// 16 threads released at once onto one flag whose callable is slow: it runs once, and every
// caller returns only after it finished, seeing what it wrote (a plain int: TSan checks it).
TYPED_TEST(CallOnce, ExactlyOnceUnderAStampede) {
  constexpr int threads_count = 16;
  const int rounds = scaled(40);
  watchdog guard("call_once stampede: lost wakeup", 60s);
  for (int round = 0; round < rounds; ++round) {
    futon::basic_once_flag<TypeParam> flag;
    std::atomic<int> calls{0};
    int data = 0;
    std::atomic<int> bad_reads{0};
    std::atomic<bool> go{false};
    {
      thread_group threads;
      for (int t = 0; t < threads_count; ++t) {
        threads.spawn([&] {
          while (!go.load())
            std::this_thread::yield();
          futon::call_once(flag, [&] {
            calls.fetch_add(1);
            std::this_thread::sleep_for(round % 4 == 0 ? 10ms : 100us);
            data = 42;
          });
          if (data != 42) bad_reads.fetch_add(1);
        });
      }
      go.store(true);
    }
    ASSERT_EQ(calls.load(), 1) << "round " << round;
    ASSERT_EQ(bad_reads.load(), 0) << "round " << round;
  }
}

TYPED_TEST(CallOnce, ThrowingCallableLetsTheNextCallerTry) {
  futon::basic_once_flag<TypeParam> flag;
  int calls = 0;
  EXPECT_THROW(futon::call_once(flag,
                                [&] {
                                  ++calls;
                                  throw std::runtime_error("first");
                                }),
               std::runtime_error);
  EXPECT_THROW(futon::call_once(flag,
                                [&] {
                                  ++calls;
                                  throw 7;
                                }),
               int);
  futon::call_once(flag, [&] { ++calls; });
  EXPECT_EQ(calls, 3);
  futon::call_once(flag, [&] { ++calls; });
  EXPECT_EQ(calls, 3);
}

// A stampede where the first `failures` runs throw: each thread retries until its call_once
// returns normally. Exactly failures + 1 runs, one of them normal, and nobody hangs.
TYPED_TEST(CallOnce, ExactlyOnceUnderAStampedeWithThrows) {
  constexpr int threads_count = 16;
  constexpr int failures = 5;
  watchdog guard("call_once stampede with throws: lost wakeup", 60s);
  for (int round = 0; round < scaled(20); ++round) {
    futon::basic_once_flag<TypeParam> flag;
    std::atomic<int> runs{0};
    std::atomic<int> normal{0};
    std::atomic<int> caught{0};
    std::atomic<bool> go{false};
    {
      thread_group threads;
      for (int t = 0; t < threads_count; ++t) {
        threads.spawn([&] {
          while (!go.load())
            std::this_thread::yield();
          for (;;) {
            try {
              futon::call_once(flag, [&] {
                std::this_thread::sleep_for(200us);
                if (runs.fetch_add(1) < failures) throw failures;
                normal.fetch_add(1);
              });
              return;
            } catch (int) {
              caught.fetch_add(1);
            }
          }
        });
      }
      go.store(true);
    }
    ASSERT_EQ(runs.load(), failures + 1) << "round " << round;
    ASSERT_EQ(normal.load(), 1) << "round " << round;
    ASSERT_EQ(caught.load(), failures) << "round " << round;
  }
}

// Callers asleep behind an active call that then throws: they are woken, one of them runs its
// own callable, and all return.
TYPED_TEST(CallOnce, SleepersAreWokenWhenTheActiveCallThrows) {
  constexpr int sleepers = 4;
  watchdog guard("call_once: sleepers not woken after a throw");
  futon::basic_once_flag<TypeParam> flag;
  std::atomic<bool> running{false};
  std::atomic<bool> release{false};
  std::atomic<int> sleeper_runs{0};
  std::atomic<int> returned{0};
  std::thread active([&] {
    EXPECT_THROW(futon::call_once(flag,
                                  [&] {
                                    running.store(true);
                                    while (!release.load())
                                      std::this_thread::sleep_for(1ms);
                                    throw std::runtime_error("failed");
                                  }),
                 std::runtime_error);
  });
  ASSERT_TRUE(eventually([&] { return running.load(); }));
  std::vector<std::atomic<os_thread_id>> ids(sleepers);
  thread_group threads;
  for (int s = 0; s < sleepers; ++s) {
    threads.spawn([&, s] {
      ids[s].store(futon::testing::current_os_thread_id());
      futon::call_once(flag, [&] { sleeper_runs.fetch_add(1); });
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
  EXPECT_EQ(returned.load(), 0);
  release.store(true);
  active.join();
  EXPECT_TRUE(eventually([&] { return returned.load() == sleepers; }));
  threads.join();
  EXPECT_EQ(sleeper_runs.load(), 1);
}

TYPED_TEST(CallOnce, UncontendedMakesNoFutexCall) {
  using counted = counting_backend<TypeParam>;
  counted::reset();
  for (int i = 0; i < 100; ++i) {
    futon::basic_once_flag<counted> flag;
    EXPECT_THROW(futon::call_once(flag, [] { throw 1; }), int);
    int calls = 0;
    futon::call_once(flag, [&] { ++calls; });
    futon::call_once(flag, [&] { ++calls; });
    EXPECT_EQ(calls, 1);
  }
  EXPECT_EQ(counted::calls(), 0u);
}

// ---- Misuse ----------------------------------------------------------------------------------

#if FUTON_DEBUG_CHECKS

template <class Backend>
class CallOnceDeathTest : public ::testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};
TYPED_TEST_SUITE(CallOnceDeathTest, futon::testing::all_backends, futon::testing::backend_name);

TYPED_TEST(CallOnceDeathTest, DestroyingTheFlagDuringTheCallStops) {
  EXPECT_DEATH(
      {
        std::optional<futon::basic_once_flag<TypeParam>> flag(std::in_place);
        std::atomic<bool> running{false};
        std::thread active([&] {
          futon::call_once(*flag, [&] {
            running.store(true);
            for (;;)
              std::this_thread::sleep_for(1s);
          });
        });
        active.detach();
        while (!running.load())
          std::this_thread::yield();
        flag.reset();
      },
      "once_flag destroyed while call_once runs on it");
}

#endif  // FUTON_DEBUG_CHECKS

}  // namespace
