// SPDX-License-Identifier: BSL-1.0
// futon::interprocess::robust_mutex between threads: owners that exit holding it, with glibc's
// robust mutexes held in the same thread's list, and the POSIX results (owner_dead,
// make_consistent, not_recoverable). Between processes: robust_mutex_process_test.cpp.
//
// The same tests run in both recovery modes: natively on glibc the kernel's robust list (kernel
// mode); under qemu-user, which has no robust lists, probe mode (see <futon/robust_mutex.hpp>).
// What differs by mode is asserted by mode, never skipped: glibc's own robust mutexes recover
// only where the kernel has the list.
#include <gtest/gtest.h>
#include <pthread.h>

#include <cerrno>
#include <chrono>
#include <futon/robust_mutex.hpp>
#include <thread>
#include <type_traits>
#include <vector>

#include "hang_guard.hpp"
#include "robust_support.hpp"
#include "std_flag.hpp"

namespace {

using futon::interprocess::robust_lock_result;
using futon::interprocess::robust_mutex;
using futon::testing::init_glibc_robust;
using futon::testing::kernel_has_robust_lists;
using namespace std::chrono_literals;

TEST(RobustMutex, IsFortyBytesOfStandardLayoutLikeGlibcsMutexHead) {
  static_assert(sizeof(robust_mutex) == 40);
  static_assert(std::is_standard_layout_v<robust_mutex>);
  static_assert(!std::is_copy_constructible_v<robust_mutex>);
  EXPECT_EQ(robust_mutex::kernel_recovery(), kernel_has_robust_lists());
}

TEST(RobustMutex, LockTryLockAndUnlockLikeAMutex) {
  robust_mutex m;
  ASSERT_EQ(m.lock(), robust_lock_result::locked);
  robust_lock_result other = robust_lock_result::locked;
  std::thread([&] { other = m.try_lock(); }).join();
  EXPECT_EQ(other, robust_lock_result::busy);
  m.unlock();
  std::thread([&] {
    other = m.try_lock();
    if (other == robust_lock_result::locked) m.unlock();
  }).join();
  EXPECT_EQ(other, robust_lock_result::locked);
  EXPECT_EQ(m.try_lock(), robust_lock_result::locked);
  m.unlock();
}

TEST(RobustMutex, ExcludesAcrossThreads) {
  const futon::testing::watchdog guard("a robust_mutex wake lost", 60s);
  robust_mutex m;
  long counter = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20000; ++i) {
        ASSERT_EQ(m.lock(), robust_lock_result::locked);
        ++counter;
        m.unlock();
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(counter, 4 * 20000);
}

TEST(RobustMutex, ATimedLockOfAHeldMutexTimesOutNeverEarly) {
  robust_mutex m;
  ASSERT_EQ(m.lock(), robust_lock_result::locked);
  std::thread([&] {
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(m.try_lock_for(30ms), robust_lock_result::busy);
    EXPECT_GE(std::chrono::steady_clock::now() - start, 30ms);
    const auto until = std::chrono::system_clock::now() + 20ms;
    EXPECT_EQ(m.try_lock_until(until), robust_lock_result::busy);
    EXPECT_GE(std::chrono::system_clock::now(), until);
    EXPECT_EQ(m.try_lock_for(-1s), robust_lock_result::busy);
  }).join();
  m.unlock();
}

TEST(RobustMutex, ATimedLockGetsTheMutexWhenItIsUnlocked) {
  const futon::testing::watchdog guard("a robust_mutex wake lost", 60s);
  robust_mutex m;
  ASSERT_EQ(m.lock(), robust_lock_result::locked);
  futon::testing::std_flag waiting;
  robust_lock_result result = robust_lock_result::busy;
  std::thread waiter([&] {
    waiting.set();
    result = m.try_lock_for(30s);
    if (result == robust_lock_result::locked) m.unlock();
  });
  waiting.wait();
  std::this_thread::sleep_for(20ms);  // most likely asleep by now; either way it must get it
  m.unlock();
  waiter.join();
  EXPECT_EQ(result, robust_lock_result::locked);
}

// A thread that exits holding the mutex: the next locker gets owner_dead, repairs, and the mutex
// works as before.
TEST(RobustMutex, AThreadThatExitsHoldingItLeavesOwnerDead) {
  const futon::testing::watchdog guard("an owner's death not seen", 60s);
  robust_mutex m;
  std::thread([&] { ASSERT_EQ(m.lock(), robust_lock_result::locked); }).join();
  ASSERT_EQ(m.lock(), robust_lock_result::owner_dead);
  m.make_consistent();
  m.unlock();
  ASSERT_EQ(m.lock(), robust_lock_result::locked);
  m.unlock();
}

// A waiter asleep in lock() when the owner thread exits is woken with owner_dead.
TEST(RobustMutex, ASleepingWaiterLearnsOfTheOwnersExit) {
  const futon::testing::watchdog guard("an owner's death not seen by a sleeper", 60s);
  robust_mutex m;
  futon::testing::std_flag locked;
  futon::testing::std_flag exit_now;
  std::thread owner([&] {
    ASSERT_EQ(m.lock(), robust_lock_result::locked);
    locked.set();
    exit_now.wait();
  });
  locked.wait();
  robust_lock_result result = robust_lock_result::busy;
  std::thread waiter([&] {
    result = m.lock();
    if (result == robust_lock_result::owner_dead) {
      m.make_consistent();
      m.unlock();
    }
  });
  std::this_thread::sleep_for(20ms);  // most likely asleep by now; either way it must learn
  exit_now.set();
  owner.join();
  waiter.join();
  EXPECT_EQ(result, robust_lock_result::owner_dead);
}

// Unlocking after owner_dead without make_consistent(): every later lock, try_lock and timed lock
// says not_recoverable, and a thread asleep in lock() is woken to learn it.
TEST(RobustMutex, UnlockWithoutMakeConsistentLeavesItNotRecoverable) {
  const futon::testing::watchdog guard("a sleeper not told of not_recoverable", 60s);
  robust_mutex m;
  std::thread([&] { ASSERT_EQ(m.lock(), robust_lock_result::locked); }).join();
  ASSERT_EQ(m.lock(), robust_lock_result::owner_dead);
  futon::testing::std_flag waiting;
  robust_lock_result slept = robust_lock_result::locked;
  std::thread sleeper([&] {
    waiting.set();
    slept = m.lock();
  });
  waiting.wait();
  std::this_thread::sleep_for(20ms);
  m.unlock();  // no make_consistent()
  sleeper.join();
  EXPECT_EQ(slept, robust_lock_result::not_recoverable);
  EXPECT_EQ(m.lock(), robust_lock_result::not_recoverable);
  EXPECT_EQ(m.try_lock(), robust_lock_result::not_recoverable);
  EXPECT_EQ(m.try_lock_for(1s), robust_lock_result::not_recoverable);
}

// Many mutexes locked and unlocked in every order keep the thread's list whole: those still
// held at the thread's exit are all recovered, the others are plainly free.
TEST(RobustMutex, TheListStaysWholeThroughUnlocksInAnyOrder) {
  const futon::testing::watchdog guard("an owner's death not seen", 60s);
  constexpr int count = 12;
  std::vector<robust_mutex> mutexes(count);
  std::thread([&] {
    for (auto& m : mutexes)
      ASSERT_EQ(m.lock(), robust_lock_result::locked);
    // Unlock the middle ones, the first and the last, out of order: the list loses nodes at its
    // head, its tail and inside.
    for (int i : {5, 0, 11, 3, 6, 9})
      mutexes[static_cast<std::size_t>(i)].unlock();
    ASSERT_EQ(mutexes[0].lock(), robust_lock_result::locked);  // re-linked at the head
  }).join();
  for (int i = 0; i < count; ++i) {
    const bool held = i == 0 || i == 1 || i == 2 || i == 4 || i == 7 || i == 8 || i == 10;
    EXPECT_EQ(mutexes[static_cast<std::size_t>(i)].lock(),
              held ? robust_lock_result::owner_dead : robust_lock_result::locked)
        << "mutex " << i;
    if (held) mutexes[static_cast<std::size_t>(i)].make_consistent();
    mutexes[static_cast<std::size_t>(i)].unlock();
  }
}

// glibc's robust mutexes and futon's, held together, interleaved in one thread's list, with
// some of each unlocked in between: at the thread's exit all that it held are recovered.
TEST(RobustMutex, GlibcAndFutonRobustMutexesHeldTogetherAreAllRecovered) {
  const futon::testing::watchdog guard("an owner's death not seen", 60s);
  constexpr int pairs = 4;
  std::vector<pthread_mutex_t> glibc(pairs);
  for (auto& g : glibc)
    init_glibc_robust(g, PTHREAD_PROCESS_PRIVATE);
  std::vector<robust_mutex> futon_mutexes(pairs);

  std::thread([&] {
    for (int i = 0; i < pairs; ++i) {
      ASSERT_EQ(pthread_mutex_lock(&glibc[static_cast<std::size_t>(i)]), 0);
      ASSERT_EQ(futon_mutexes[static_cast<std::size_t>(i)].lock(), robust_lock_result::locked);
    }
    // Each unlock takes a node from between two of the other library's nodes.
    pthread_mutex_unlock(&glibc[1]);
    futon_mutexes[2].unlock();
  }).join();

  const bool kernel_mode = kernel_has_robust_lists();
  for (int i = 0; i < pairs; ++i) {
    const auto at = static_cast<std::size_t>(i);
    const bool futon_held = i != 2;
    EXPECT_EQ(futon_mutexes[at].lock(),
              futon_held ? robust_lock_result::owner_dead : robust_lock_result::locked)
        << "futon mutex " << i;
    if (futon_held) futon_mutexes[at].make_consistent();
    futon_mutexes[at].unlock();
    // glibc's own robust mutexes recover only through the kernel's list (qemu-user has none:
    // glibc then makes them plain mutexes, and locking a dead owner's would hang).
    if (kernel_mode || i == 1) {
      const int expected = i == 1 ? 0 : EOWNERDEAD;
      EXPECT_EQ(pthread_mutex_lock(&glibc[at]), expected) << "glibc mutex " << i;
      if (expected == EOWNERDEAD) pthread_mutex_consistent(&glibc[at]);
      pthread_mutex_unlock(&glibc[at]);
    }
  }
  for (auto& g : glibc)
    pthread_mutex_destroy(&g);
}

}  // namespace
