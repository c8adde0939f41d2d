// SPDX-License-Identifier: BSL-1.0
// Processes that share a futex word or a futon::interprocess primitive: each child maps the
// segment again (another address than its parent's view), so every test also checks that the
// objects are position-independent. The single-process behaviour of the same code is tested on
// the kernel_shared_futex backend by every futex and primitive test (support/backends.hpp).
// Where that backend's wake count is a bound or its requeue wakes instead of moving
// (kernel_shared_futex.hpp's table; exact_wake_count, requeue_moves_waiters), the tests expect
// that instead.
#include <gtest/gtest.h>

#include <atomic>
#include <climits>
#include <cstdint>
#include <futon/futex.hpp>
#include <futon/interprocess.hpp>
#include <mutex>
#include <new>
#include <span>
#include <thread>
#include <vector>

#include "hang_guard.hpp"
#include "process_fixtures.hpp"
#include "shared_segment.hpp"

namespace {

using futon::testing::child_on;
using futon::testing::child_process;
using futon::testing::children_on;
using futon::testing::eventually;
using futon::testing::expect_all_succeed;
using futon::testing::shared_object;
using futon::testing::shared_segment;
using futon::testing::shared_view;
using namespace std::chrono_literals;

using shared_backend = futon::backend::kernel_shared_futex;

// Calls `wake()` again and again (bounded) until every child has exited with status 0: for a
// wake whose result does not say which children it reached (a bound, not a count).
template <class Wake>
bool wake_until_all_succeed(std::span<child_process> children, Wake wake) {
  std::size_t exited = 0;
  return eventually([&] {
    wake();
    for (auto& child : children)
      if (child.succeeded_by_now()) ++exited;
    return exited == children.size();
  });
}

TEST(Interprocess, FutexPingPongBetweenTwoMappings) {
  const futon::testing::watchdog guard("a wake lost between processes", 60s);
  struct table {
    futon::futex_word turn{0};
  };
  shared_object<table> shared;
  constexpr std::uint32_t rounds = 2000;
  // Even values are the parent's serves' answers, odd ones its serves.
  child_process child = child_on(shared, [](table& t) {
    for (std::uint32_t serve = 1; serve < 2 * rounds; serve += 2) {
      // Acquire: pairs with the parent's release store of `serve`.
      while (t.turn.load(std::memory_order_acquire) != serve)
        futon::futex_wait(t.turn, serve - 1, futon::process_shared);
      t.turn.store(serve + 1, std::memory_order_release);
      futon::futex_wake_all(t.turn, futon::process_shared);
    }
    return true;
  });
  table& t = *shared.view;
  for (std::uint32_t serve = 1; serve < 2 * rounds; serve += 2) {
    t.turn.store(serve, std::memory_order_release);
    futon::futex_wake_all(t.turn, futon::process_shared);
    while (t.turn.load(std::memory_order_acquire) == serve)
      futon::futex_wait(t.turn, serve, futon::process_shared);
  }
  EXPECT_EQ(child.join(), 0);
  EXPECT_EQ(t.turn.load(), 2 * rounds);
}

TEST(Interprocess, WakeCountsAreExactAcrossProcesses) {
  const futon::testing::watchdog guard("a wake lost between processes", 60s);
  struct table {
    futon::futex_word word{0};
    std::atomic<int> arrived{0};
  };
  shared_object<table> shared;
  constexpr int waiters = 3;
  std::vector<child_process> children = children_on(shared, waiters, [](table& t) {
    t.arrived.fetch_add(1);
    // One wait, no loop: this child exits once a wake counted it (nothing changes the word).
    futon::futex_wait(t.word, 0, futon::process_shared);
    return true;
  });
  table& t = *shared.view;
  ASSERT_TRUE(eventually([&] { return t.arrived.load() == waiters; }));
  if constexpr (shared_backend::exact_wake_count) {
    // A child that has not reached the kernel yet is not woken (0): wake again until all three
    // were, one at a time; no wake may count more than one, or count a child twice.
    std::size_t woken = 0;
    ASSERT_TRUE(eventually([&] {
      const std::size_t now = futon::futex_wake(t.word, 1, futon::process_shared);
      EXPECT_LE(now, 1u);
      woken += now;
      return woken == waiters;
    }));
    expect_all_succeed(children);
    EXPECT_EQ(futon::futex_wake(t.word, INT_MAX, futon::process_shared), 0u);
  } else {
    // A bound: never above what was asked; wake one at a time until every child has exited.
    EXPECT_TRUE(wake_until_all_succeed(
        children, [&] { EXPECT_LE(futon::futex_wake(t.word, 1, futon::process_shared), 1u); }));
  }
}

TEST(Interprocess, RequeueMovesWaitersOfAnotherProcess) {
  const futon::testing::watchdog guard("a wake lost between processes", 60s);
  struct table {
    futon::futex_word from{0};
    futon::futex_word to{0};
    std::atomic<int> arrived{0};
  };
  shared_object<table> shared;
  constexpr int waiters = 2;
  std::vector<child_process> children = children_on(shared, waiters, [](table& t) {
    t.arrived.fetch_add(1);
    futon::futex_wait(t.from, 0, futon::process_shared);
    return true;
  });
  table& t = *shared.view;
  ASSERT_TRUE(eventually([&] { return t.arrived.load() == waiters; }));
  if constexpr (shared_backend::requeue_moves_waiters) {
    std::size_t moved = 0;
    ASSERT_TRUE(eventually([&] {
      const auto r = futon::futex_requeue(t.from, 0, t.to, 0, waiters, futon::process_shared);
      EXPECT_TRUE(r.has_value());
      if (r) {
        EXPECT_EQ(r->woken, 0u);
        moved += r->requeued;
      }
      return moved == waiters;
    }));
    EXPECT_EQ(futon::futex_wake(t.from, INT_MAX, futon::process_shared), 0u) << "all moved";
    EXPECT_EQ(futon::futex_wake(t.to, INT_MAX, futon::process_shared), std::size_t{waiters});
    expect_all_succeed(children);
  } else {
    // The requeue wakes the waiters it would have moved, and reports them as woken.
    EXPECT_TRUE(wake_until_all_succeed(children, [&] {
      const auto r = futon::futex_requeue(t.from, 0, t.to, 0, waiters, futon::process_shared);
      EXPECT_TRUE(r.has_value());
      if (r) {
        EXPECT_EQ(r->requeued, 0u);
        EXPECT_LE(r->woken, std::size_t{waiters});
      }
    }));
  }
  // A requeue whose expected value is stale touches nobody, across processes too.
  EXPECT_FALSE(futon::futex_requeue(t.from, 1, t.to, 1, 1, futon::process_shared).has_value());
}

TEST(Interprocess, AProcessKilledWhileItWaitsAffectsNobody) {
  const futon::testing::watchdog guard("a wake lost between processes", 60s);
  struct table {
    futon::futex_word word{0};
    std::atomic<int> arrived{0};
  };
  shared_object<table> shared;
  child_process doomed = child_on(shared, [](table& t) -> bool {
    t.arrived.fetch_add(1);
    for (;;)
      futon::futex_wait(t.word, 0, futon::process_shared);
  });
  table& t = *shared.view;
  ASSERT_TRUE(eventually([&] { return t.arrived.load() == 1; }));
  std::this_thread::sleep_for(20ms);  // most likely asleep in the kernel by now
  doomed.kill_now();
  EXPECT_EQ(doomed.join(), -2) << "killed by SIGKILL";
  if constexpr (shared_backend::exact_wake_count) {
    EXPECT_EQ(futon::futex_wake(t.word, INT_MAX, futon::process_shared), 0u)
        << "the kernel forgot the dead process's waiter";
  }
  child_process next = child_on(shared, [](table& t2) {
    t2.arrived.fetch_add(1);
    futon::futex_wait(t2.word, 0, futon::process_shared);
    return true;
  });
  ASSERT_TRUE(eventually([&] { return t.arrived.load() == 2; }));
  if constexpr (shared_backend::exact_wake_count) {
    ASSERT_TRUE(
        eventually([&] { return futon::futex_wake(t.word, 1, futon::process_shared) == 1; }));
    EXPECT_EQ(next.join(), 0);
  } else {
    EXPECT_TRUE(wake_until_all_succeed(std::span(&next, 1), [&] {
      static_cast<void>(futon::futex_wake(t.word, 1, futon::process_shared));
    }));
  }
}

TEST(Interprocess, MutexAndConditionVariablePingPong) {
  const futon::testing::watchdog guard("a wake lost between processes", 60s);
  struct table {
    futon::interprocess::mutex m;
    futon::interprocess::condition_variable cv;
    int turn = 0;  // under m: odd = the child's move
  };
  shared_object<table> shared;
  constexpr int rounds = 1000;
  child_process child = child_on(shared, [](table& t) {
    for (int i = 0; i < rounds; ++i) {
      std::unique_lock lock(t.m);
      t.cv.wait(lock, [&] { return t.turn % 2 == 1; });
      ++t.turn;
      t.cv.notify_all();
    }
    return true;
  });
  table& t = *shared.view;
  for (int i = 0; i < rounds; ++i) {
    std::unique_lock lock(t.m);
    ++t.turn;
    t.cv.notify_all();
    t.cv.wait(lock, [&] { return t.turn % 2 == 0; });
  }
  EXPECT_EQ(child.join(), 0);
  EXPECT_EQ(t.turn, 2 * rounds);
}

TEST(Interprocess, MutexExcludesAcrossFourProcesses) {
  const futon::testing::watchdog guard("a wake lost between processes", 60s);
  struct table {
    futon::interprocess::mutex m;
    long counter = 0;  // under m, deliberately not atomic
  };
  shared_object<table> shared;
  constexpr int processes = 4;
  constexpr long increments = 20000;
  std::vector<child_process> children = children_on(shared, processes, [](table& t) {
    for (long k = 0; k < increments; ++k) {
      const std::lock_guard guard(t.m);
      t.counter = t.counter + 1;
    }
    return true;
  });
  expect_all_succeed(children);
  EXPECT_EQ(shared.view->counter, processes * increments);
}

TEST(Interprocess, BroadcastReachesEightWaitingProcesses) {
  const futon::testing::watchdog guard("a wake lost between processes", 60s);
  struct table {
    futon::interprocess::mutex m;
    futon::interprocess::condition_variable cv;
    int waiting = 0;  // under m
    bool go = false;  // under m
    int woken = 0;    // under m
  };
  shared_object<table> shared;
  constexpr int processes = 8;
  std::vector<child_process> children = children_on(shared, processes, [](table& t) {
    std::unique_lock lock(t.m);
    ++t.waiting;
    t.cv.notify_all();
    t.cv.wait(lock, [&] { return t.go; });
    ++t.woken;
    return true;
  });
  table& t = *shared.view;
  {
    std::unique_lock lock(t.m);
    ASSERT_TRUE(t.cv.wait_for(lock, 60s, [&] { return t.waiting == processes; }));
    t.go = true;
  }
  t.cv.notify_all();
  expect_all_succeed(children);
  EXPECT_EQ(t.woken, processes);
}

TEST(Interprocess, SemaphoreRingBetweenFourProducersAndFourConsumers) {
  const futon::testing::watchdog guard("a wake lost between processes", 60s);
  constexpr int slots = 16;
  constexpr int pairs = 4;
  constexpr int per_producer = 500;
  struct table {
    futon::interprocess::counting_semaphore<slots> free{slots};
    futon::interprocess::counting_semaphore<slots> full{0};
    futon::interprocess::mutex m;
    int head = 0;  // under m
    int tail = 0;  // under m
    int ring[slots] = {};
    std::atomic<int> seen[pairs * per_producer] = {};
  };
  shared_object<table> shared;
  std::vector<child_process> children;
  for (int p = 0; p < pairs; ++p) {
    children.push_back(child_on(shared, [p](table& t) {
      for (int k = 0; k < per_producer; ++k) {
        t.free.acquire();
        {
          const std::lock_guard guard(t.m);
          t.ring[t.head++ % slots] = p * per_producer + k;
        }
        t.full.release();
      }
      return true;
    }));
    children.push_back(child_on(shared, [](table& t) {
      for (int k = 0; k < per_producer; ++k) {
        t.full.acquire();
        int item = 0;
        {
          const std::lock_guard guard(t.m);
          item = t.ring[t.tail++ % slots];
        }
        t.free.release();
        t.seen[item].fetch_add(1);
      }
      return true;
    }));
  }
  expect_all_succeed(children);
  int missing_or_twice = 0;
  for (const auto& count : shared.view->seen)
    missing_or_twice += count.load() == 1 ? 0 : 1;
  EXPECT_EQ(missing_or_twice, 0) << "every item is consumed exactly once";
}

TEST(Interprocess, EventLatchAndBarrierAcrossProcesses) {
  const futon::testing::watchdog guard("a wake lost between processes", 60s);
  struct table {
    futon::interprocess::event started;
    futon::interprocess::latch all_in{3};
    futon::interprocess::barrier<> rounds{3};
    std::atomic<int> phases{0};
  };
  shared_object<table> shared;
  std::vector<child_process> children = children_on(shared, 2, [](table& t) {
    t.started.wait();
    t.all_in.arrive_and_wait();
    for (int round = 0; round < 50; ++round) {
      t.phases.fetch_add(1);
      t.rounds.arrive_and_wait();
    }
    return true;
  });
  table& t = *shared.view;
  t.started.set();
  t.all_in.arrive_and_wait();
  for (int round = 0; round < 50; ++round) {
    t.phases.fetch_add(1);
    t.rounds.arrive_and_wait();
  }
  expect_all_succeed(children);
  EXPECT_EQ(t.phases.load(), 150);
}

}  // namespace

// A process that maps a primitive read-only may look at it (a read is no write), but its first
// write stops it with a message that says why in builds with debug checks (the kernel_shared_futex
// backend's checked words, detail/checked_shared_word.hpp), not with a bare SIGSEGV.
struct looked_at {
  futon::interprocess::event ready;
  futon::interprocess::mutex mutex;
};

TEST(Interprocess, AReadOnlyMappingMayBeRead) {
  shared_object<looked_at> shared;
  shared.view->ready.set();
  void* at = shared.segment.map(false);
  EXPECT_TRUE(static_cast<const looked_at*>(at)->ready.is_set());
  shared.segment.unmap(at);
}

#if FUTON_DEBUG_CHECKS
TEST(InterprocessDeathTest, WritingThroughAReadOnlyMappingStopsWithAClearErrorInDebugBuilds) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  shared_object<looked_at> shared;
  EXPECT_DEATH(
      {
        auto* read_only = static_cast<looked_at*>(shared.segment.map(false));
        read_only->mutex.lock();
      },
      "mapped read-only");
  // The parent's own writable mapping is unaffected.
  shared.view->mutex.lock();
  shared.view->mutex.unlock();
}
#endif
