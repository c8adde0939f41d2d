// SPDX-License-Identifier: BSL-1.0
// futon's debug checks are the library's choice (FUTON_DEBUG_CHECKS in <futon/config.hpp>), not
// each file's NDEBUG: a lock taken in a file compiled with NDEBUG (other_file.cpp) and released
// in one compiled without it (this file), or the other way round, must neither stop the program
// with a false "does not hold" nor leave the lock recorded as held. When NDEBUG decided, the
// first direction aborted and the second left a stale record behind.
#ifdef NDEBUG
#error "odr_test.cpp must be compiled without NDEBUG (tests/debug_checks/CMakeLists.txt)"
#endif

#include <gtest/gtest.h>

#include <thread>

#include "other_file.hpp"

static_assert(FUTON_DEBUG_CHECKS == FUTON_TEST_EXPECTED_DEBUG_CHECKS);

namespace {

TEST(DebugChecksOdr, BothFilesSeeTheLibrarysSetting) {
  EXPECT_EQ(other_file::debug_checks(), FUTON_DEBUG_CHECKS);
}

TEST(DebugChecksOdr, MutexLockedInNdebugFileUnlocksHere) {
  futon::mutex m;
  other_file::lock(m);
  m.unlock();
  EXPECT_TRUE(m.try_lock());
  m.unlock();
}

TEST(DebugChecksOdr, MutexLockedHereUnlocksInNdebugFile) {
  futon::mutex m;
  m.lock();
  other_file::unlock(m);
  EXPECT_TRUE(m.try_lock());
  other_file::unlock(m);
}

TEST(DebugChecksOdr, SharedMutexBothWays) {
  futon::shared_mutex m;
  other_file::lock(m);
  m.unlock();
  m.lock();
  other_file::unlock(m);
  other_file::lock_shared(m);
  m.unlock_shared();
  m.lock_shared();
  other_file::unlock_shared(m);
  EXPECT_TRUE(m.try_lock());
  m.unlock();
}

TEST(DebugChecksOdr, RecursiveMutexBothWays) {
  futon::recursive_mutex m;
  other_file::lock(m);
  m.lock();
  other_file::unlock(m);
  m.unlock();
  m.lock();
  other_file::lock(m);
  m.unlock();
  other_file::unlock(m);
  EXPECT_TRUE(m.try_lock());
  m.unlock();
}

#if FUTON_DEBUG_CHECKS
// After a lock here and an unlock there, this thread no longer holds the mutex: unlocking it
// while another thread holds it is caught. (With a per-file NDEBUG the unlock there forgot to
// drop the record made here, so this unlock passed the check.)
TEST(DebugChecksOdrDeathTest, UnlockInNdebugFileDropsTheRecord) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  futon::mutex m;
  m.lock();
  other_file::unlock(m);
  EXPECT_DEATH(
      {
        std::thread([&] { m.lock(); }).join();
        m.unlock();
      },
      "does not hold this mutex");
}

TEST(DebugChecksOdrDeathTest, SharedMutexUnlockInNdebugFileDropsTheRecord) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  futon::shared_mutex m;
  m.lock();
  other_file::unlock(m);
  EXPECT_DEATH(
      {
        std::thread([&] { m.lock(); }).join();
        m.unlock();
      },
      "does not hold it");
}
#endif

}  // namespace
