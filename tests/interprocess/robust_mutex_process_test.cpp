// SPDX-License-Identifier: BSL-1.0
// futon::interprocess::robust_mutex between processes: a child that is killed, or exits, while it
// holds futon robust mutexes (and a glibc process-shared robust mutex) in shared memory; the
// parent and other children learn owner_dead. Between threads: robust_mutex_test.cpp.
//
// The same tests run in both recovery modes: natively on glibc the kernel's robust list (kernel
// mode); under qemu-user, which has no robust lists, probe mode (see <futon/robust_mutex.hpp>).
// What differs by mode is asserted by mode, never skipped: glibc's own robust mutexes recover
// only where the kernel has the list.
#include <gtest/gtest.h>
#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <futon/robust_mutex.hpp>
#include <thread>

#include "hang_guard.hpp"
#include "process_fixtures.hpp"
#include "robust_support.hpp"

namespace {

using futon::interprocess::robust_lock_result;
using futon::interprocess::robust_mutex;
using futon::testing::child_on;
using futon::testing::child_process;
using futon::testing::eventually;
using futon::testing::init_glibc_robust;
using futon::testing::kernel_has_robust_lists;
using futon::testing::shared_object;
using namespace std::chrono_literals;

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
