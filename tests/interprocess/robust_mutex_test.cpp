// SPDX-License-Identifier: BSL-1.0
// futon::interprocess::robust_mutex: owners that die holding it (threads that exit, processes
// killed with SIGKILL), with glibc's robust mutexes held in the same thread's list, and the
// POSIX results (owner_dead, make_consistent, not_recoverable).
//
// The same tests run in both recovery modes: natively on glibc the kernel's robust list (kernel
// mode); under qemu-user, which has no robust lists, probe mode (see <futon/robust_mutex.hpp>).
// What differs by mode is asserted by mode, never skipped: glibc's own robust mutexes recover
// only where the kernel has the list.
#include <gtest/gtest.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <futon/robust_mutex.hpp>
#include <thread>
#include <type_traits>
#include <vector>

#include "hang_guard.hpp"
#include "process_fixtures.hpp"
#include "std_flag.hpp"

namespace {

using futon::interprocess::robust_lock_result;
using futon::interprocess::robust_mutex;
using futon::testing::child_on;
using futon::testing::child_process;
using futon::testing::eventually;
using futon::testing::shared_object;
using namespace std::chrono_literals;

// Whether this thread has a kernel robust list at all (get_robust_list works): not under
// qemu-user. Found independently of the library, to check what kernel_recovery() says.
bool kernel_has_robust_lists() {
  void* head = nullptr;
  std::size_t length = 0;
  return ::syscall(SYS_get_robust_list, 0, &head, &length) == 0 && head != nullptr;
}

// A glibc robust mutex, process-private or process-shared (`pshared`). Where the kernel keeps
// no robust lists (qemu-user) glibc may refuse it; the tests then use only what they can.
void init_glibc_robust(pthread_mutex_t& m, int pshared) {
  pthread_mutexattr_t attributes;
  pthread_mutexattr_init(&attributes);
  pthread_mutexattr_setrobust(&attributes, PTHREAD_MUTEX_ROBUST);
  pthread_mutexattr_setpshared(&attributes, pshared);
  const int error = pthread_mutex_init(&m, &attributes);
  pthread_mutexattr_destroy(&attributes);
  EXPECT_TRUE(error == 0 || !kernel_has_robust_lists()) << "pthread_mutex_init: " << error;
}

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

// The idea of glibc's tst-robust8: a child process holding many robust mutexes in shared memory
// is killed with SIGKILL, round after round; each round the next locker of each gets owner_dead,
// while another process sleeping on one of them is woken with owner_dead too.
struct hundred_mutexes {
  robust_mutex mutexes[100];
  std::atomic<int> held{0};
};

TEST(RobustMutex, AProcessKilledHoldingAHundredMutexesLeavesEachOwnerDead) {
  const futon::testing::watchdog guard("an owner's death not seen across processes", 120s);
  const shared_object<hundred_mutexes> shared;
  for (int round = 0; round < 5; ++round) {
    shared.view->held.store(0);
    // Rounds alternate: all hundred held, or every other one.
    const int step = round % 2 == 0 ? 1 : 2;
    child_process holder = child_on(shared, [step](hundred_mutexes& s) {
      for (int i = 0; i < 100; i += step) {
        if (s.mutexes[i].lock() != robust_lock_result::locked) return false;
        s.held.fetch_add(1);
      }
      for (;;)
        pause();  // until SIGKILL
    });
    ASSERT_TRUE(eventually([&] { return shared.view->held.load() == 100 / step; }));
    // A process that sleeps in lock() on the first mutex when the holder dies.
    child_process sleeper = child_on(shared, [](hundred_mutexes& s) {
      if (s.mutexes[0].lock() != robust_lock_result::owner_dead) return false;
      s.mutexes[0].make_consistent();
      s.mutexes[0].unlock();
      return true;
    });
    std::this_thread::sleep_for(20ms);  // most likely asleep by now; either way it must learn
    holder.kill_now();
    EXPECT_EQ(holder.join(), -2);
    EXPECT_EQ(sleeper.join(), 0) << "round " << round;
    for (int i = 1; i < 100; ++i) {
      const bool held = i % step == 0;
      robust_mutex& m = shared.view->mutexes[i];
      ASSERT_EQ(m.lock(), held ? robust_lock_result::owner_dead : robust_lock_result::locked)
          << "round " << round << ", mutex " << i;
      if (held) m.make_consistent();
      m.unlock();
    }
  }
}

// A child killed while it holds a futon robust mutex and a glibc process-shared robust mutex in
// the same shared segment: both are recovered by the parent (in kernel mode; in probe mode,
// futon's only, as above).
struct mixed_pair {
  pthread_mutex_t glibc;
  robust_mutex futon_mutex;
  std::atomic<int> held{0};
};

TEST(RobustMutex, AKilledProcessLeavesGlibcAndFutonRobustMutexesOwnerDead) {
  const futon::testing::watchdog guard("an owner's death not seen across processes", 60s);
  const shared_object<mixed_pair> shared;
  init_glibc_robust(shared.view->glibc, PTHREAD_PROCESS_SHARED);

  child_process holder = child_on(shared, [](mixed_pair& s) {
    if (s.futon_mutex.lock() != robust_lock_result::locked) return false;
    if (pthread_mutex_lock(&s.glibc) != 0) return false;
    s.held.store(1);
    for (;;)
      pause();
  });
  ASSERT_TRUE(eventually([&] { return shared.view->held.load() == 1; }));
  holder.kill_now();
  EXPECT_EQ(holder.join(), -2);
  EXPECT_EQ(shared.view->futon_mutex.lock(), robust_lock_result::owner_dead);
  shared.view->futon_mutex.make_consistent();
  shared.view->futon_mutex.unlock();
  if (kernel_has_robust_lists()) {
    EXPECT_EQ(pthread_mutex_lock(&shared.view->glibc), EOWNERDEAD);
    pthread_mutex_consistent(&shared.view->glibc);
    pthread_mutex_unlock(&shared.view->glibc);
  }
  pthread_mutex_destroy(&shared.view->glibc);
}

// A process that exits normally (not killed) holding one: the same. It exits with the segment
// still mapped: a process that unmaps the memory of a mutex it holds leaves the kernel nothing to
// read at its death (the header says so).
TEST(RobustMutex, AProcessThatExitsHoldingItLeavesOwnerDead) {
  const futon::testing::watchdog guard("an owner's death not seen across processes", 60s);
  const shared_object<robust_mutex> shared;
  child_process holder = child_on(shared, [](robust_mutex& m) {
    if (m.lock() != robust_lock_result::locked) return false;
    _exit(0);
  });
  EXPECT_EQ(holder.join(), 0);
  EXPECT_EQ(shared.view->lock(), robust_lock_result::owner_dead);
  shared.view->make_consistent();
  shared.view->unlock();
}

}  // namespace
