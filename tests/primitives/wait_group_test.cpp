// SPDX-License-Identifier: BSL-1.0
// wait_group, typed over every backend: add/done/wait, the workers' writes visible to released
// waiters, reuse (including an add() right after the zero, which must not hold back a waiter
// of that zero), no futex call when nobody waits, a waiter that destroys the group at once,
// the timeout table for wait_for/wait_until, and misuse that stops a debug build.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <futon/wait_group.hpp>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "primitive_test_support.hpp"
#include "timeout_table.hpp"

namespace {

using namespace std::chrono_literals;
using futon::testing::counting_backend;
using futon::testing::eventually;
using futon::testing::os_thread_id;
using futon::testing::scaled;
using futon::testing::thread_group;
using futon::testing::watchdog;

constinit futon::wait_group global_group;

static_assert(futon::wait_group::max() == (1 << 24) - 1);

template <class Backend>
class WaitGroup : public ::testing::Test {};
TYPED_TEST_SUITE(WaitGroup, futon::testing::primitive_backends, futon::testing::backend_name);

TYPED_TEST(WaitGroup, AddDoneWait) {
  futon::basic_wait_group<TypeParam> group;
  group.wait();  // zero: at once
  EXPECT_TRUE(group.wait_for(0s));
  group.add(3);
  EXPECT_FALSE(group.wait_for(0s));
  group.done();
  group.add();
  group.add(-2);
  EXPECT_FALSE(group.wait_for(0s));
  group.add(0);
  group.done();
  EXPECT_TRUE(group.wait_for(0s));
  group.wait();
  group.add(futon::basic_wait_group<TypeParam>::max());
  group.add(-futon::basic_wait_group<TypeParam>::max());
  group.wait();
}

TYPED_TEST(WaitGroup, GlobalIsConstantInitialized) {
  global_group.wait();
  EXPECT_TRUE(global_group.wait_for(0s));
}

// Waiters sleep until the last done(), then all return and see every worker's write.
TYPED_TEST(WaitGroup, WaitersReturnAtZeroAndSeeEveryWorker) {
  constexpr int workers = 4;
  constexpr int waiters_count = 3;
  watchdog guard("wait_group waiters were not released");
  futon::basic_wait_group<TypeParam> group;
  group.add(workers);
  int written[workers] = {};  // plain: the wait_group must order them
  std::atomic<int> returned{0};
  std::atomic<int> bad_reads{0};
  std::vector<std::atomic<os_thread_id>> ids(waiters_count);
  thread_group waiters;
  for (int w = 0; w < waiters_count; ++w) {
    waiters.spawn([&, w] {
      ids[w].store(futon::testing::current_os_thread_id());
      if (w == 0) {
        group.wait();
      } else if (w == 1) {
        EXPECT_TRUE(group.wait_for(1h));
      } else {
        EXPECT_TRUE(group.wait_until(std::chrono::system_clock::now() + 1h));
      }
      for (int i = 0; i < workers; ++i) {
        if (written[i] != i + 1) bad_reads.fetch_add(1);
      }
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
  {
    thread_group workers_group;
    for (int i = 0; i < workers - 1; ++i) {
      workers_group.spawn([&, i] {
        written[i] = i + 1;
        group.done();
      });
    }
  }
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(returned.load(), 0) << "a waiter returned before the count reached zero";
  std::thread last([&] {
    written[workers - 1] = workers;
    group.done();
  });
  last.join();
  EXPECT_TRUE(eventually([&] { return returned.load() == waiters_count; }));
  waiters.join();
  EXPECT_EQ(bad_reads.load(), 0);
}

// The count reaches zero and goes up again before the sleeping waiters run: they were waiting
// for that zero, and return.
TYPED_TEST(WaitGroup, ZeroFollowedAtOnceByAddStillReleasesWaiters) {
  watchdog guard("a zero undone by add() was missed");
  for (int round = 0; round < scaled(20); ++round) {
    futon::basic_wait_group<TypeParam> group;
    group.add();
    std::atomic<int> returned{0};
    std::vector<std::atomic<os_thread_id>> ids(3);
    thread_group waiters;
    for (int w = 0; w < 3; ++w) {
      waiters.spawn([&, w] {
        ids[w].store(futon::testing::current_os_thread_id());
        if (w == 0) {
          group.wait();
        } else {
          EXPECT_TRUE(group.wait_for(1h));
        }
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
    group.done();
    group.add();  // before the waiters had a chance to look
    ASSERT_TRUE(eventually([&] { return returned.load() == 3; })) << "round " << round;
    waiters.join();
    EXPECT_FALSE(group.wait_for(1ms));  // a new wait waits for the next zero
    group.done();
  }
}

// Reused for many rounds of work by a pool of workers, waited on each round.
TYPED_TEST(WaitGroup, ReusedManyRounds) {
  constexpr int workers = 6;
  const int rounds = scaled(500);
  watchdog guard("wait_group rounds stopped: lost wakeup", 60s);
  futon::basic_wait_group<TypeParam> group;
  // Rounds start through std's mutex and condition variable, not the code under test (nor
  // std::atomic::wait, which mingw-w64's libstdc++ builds on a table that hangs under wine).
  std::mutex round_mutex;
  std::condition_variable round_changed;
  int round_started = 0;
  std::atomic<long> work_done{0};
  thread_group pool;
  for (int w = 0; w < workers; ++w) {
    pool.spawn([&] {
      for (int r = 1; r <= rounds; ++r) {
        {
          std::unique_lock lock(round_mutex);
          round_changed.wait(lock, [&] { return round_started >= r; });
        }
        work_done.fetch_add(1);
        group.done();
      }
    });
  }
  for (int r = 1; r <= rounds; ++r) {
    group.add(workers);
    {
      std::lock_guard lock(round_mutex);
      round_started = r;
    }
    round_changed.notify_all();
    if (r % 2 == 0) {
      group.wait();
    } else {
      ASSERT_TRUE(group.wait_for(30s));
    }
    ASSERT_EQ(work_done.load(), static_cast<long>(workers) * r);
  }
  pool.join();
}

TYPED_TEST(WaitGroup, NoFutexCallWithoutWaiters) {
  using counted = counting_backend<TypeParam>;
  counted::reset();
  futon::basic_wait_group<counted> group;
  for (int i = 0; i < 1000; ++i) {
    group.add(2);
    group.done();
    EXPECT_FALSE(group.wait_for(0s));
    group.done();
    group.wait();
    EXPECT_TRUE(group.wait_for(1h));
  }
  EXPECT_EQ(counted::calls(), 0u);
}

// The waiter destroys the group as soon as wait() returns, while the last done() may still be
// running (its futex wake on freed memory is harmless): under ASan, this checks that done()
// touches the group only in the atomic step that reaches zero.
TYPED_TEST(WaitGroup, WaiterMayDestroyTheGroupAtOnce) {
  watchdog guard("wait_group destroyed early: hang");
  for (int round = 0; round < scaled(200); ++round) {
    auto group = std::make_unique<futon::basic_wait_group<TypeParam>>();
    group->add(2);
    std::thread a([raw = group.get()] { raw->done(); });
    std::thread b([raw = group.get()] { raw->done(); });
    group->wait();
    group.reset();
    a.join();
    b.join();
  }
}

template <class Backend>
struct wait_subject {
  struct object {
    object() { group.add(); }
    futon::basic_wait_group<Backend> group;
  };
  template <class R, class P>
  static bool wait_for(object& o, const std::chrono::duration<R, P>& d) {
    return o.group.wait_for(d);
  }
  template <class C, class D>
  static bool wait_until(object& o, const std::chrono::time_point<C, D>& t) {
    return o.group.wait_until(t);
  }
  static void make_ready(object& o) { o.group.done(); }
};

TYPED_TEST(WaitGroup, WaitTimeoutTable) {
  futon::testing::expect_timeout_table<wait_subject<TypeParam>>();
}

// ---- Misuse ----------------------------------------------------------------------------------

#if FUTON_DEBUG_CHECKS

template <class Backend>
class WaitGroupDeathTest : public ::testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};
TYPED_TEST_SUITE(WaitGroupDeathTest, futon::testing::all_backends, futon::testing::backend_name);

TYPED_TEST(WaitGroupDeathTest, CountBelowZeroStops) {
  EXPECT_DEATH(
      {
        futon::basic_wait_group<TypeParam> group;
        group.done();
      },
      "the count went below zero");
  EXPECT_DEATH(
      {
        futon::basic_wait_group<TypeParam> group;
        group.add(2);
        group.add(-3);
      },
      "the count went below zero");
}

TYPED_TEST(WaitGroupDeathTest, CountAboveMaxStops) {
  EXPECT_DEATH(
      {
        futon::basic_wait_group<TypeParam> group;
        group.add(futon::basic_wait_group<TypeParam>::max());
        group.add();
      },
      "the count would exceed max");
}

#endif  // FUTON_DEBUG_CHECKS

}  // namespace
