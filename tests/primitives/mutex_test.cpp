// SPDX-License-Identifier: BSL-1.0
// futon::mutex: the standard's Lockable / TimedLockable behaviour, mutual exclusion under
// contention, the timeout table, eventual fairness and misuse — on every futex backend.
#include <array>
#include <atomic>
#include <cstdint>
#include <futon/mutex.hpp>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

#include "backends.hpp"
#include "lock_test_support.hpp"
#include "test_support.hpp"
#include "timeout_table.hpp"

namespace {

using namespace std::chrono_literals;
using futon::testing::scaled;
using futon::testing::test_clock;

static_assert(futon::testing::timed_lockable<futon::mutex>);
static_assert(!std::is_copy_constructible_v<futon::mutex> &&
              !std::is_move_constructible_v<futon::mutex>);
static_assert(sizeof(futon::mutex) <= 4);

template <class Backend>
class Mutex : public ::testing::Test {
 protected:
  using mutex = futon::basic_mutex<Backend>;
};
TYPED_TEST_SUITE(Mutex, futon::testing::primitive_backends, futon::testing::backend_name);

// The mutex's one word (it is standard-layout and 4 bytes), for checks of its idle state.
template <class Mutex>
std::uint32_t word_of(const Mutex& m) {
  static_assert(std::is_standard_layout_v<Mutex> && sizeof(Mutex) == sizeof(futon::futex_word));
  return reinterpret_cast<const futon::futex_word*>(&m)->load();
}

TYPED_TEST(Mutex, LockTryLockUnlock) {
  typename TestFixture::mutex m;
  m.lock();
  bool other_got_it = true;
  std::thread([&] { other_got_it = m.try_lock(); }).join();
  EXPECT_FALSE(other_got_it);
  m.unlock();
  ASSERT_TRUE(m.try_lock());
  m.unlock();
}

TYPED_TEST(Mutex, WorksWithStandardLockWrappers) {
  typename TestFixture::mutex a;
  typename TestFixture::mutex b;
  { std::lock_guard guard(a); }
  {
    std::unique_lock lock(a, std::defer_lock);
    EXPECT_TRUE(lock.try_lock_for(1ms));
    lock.unlock();
    EXPECT_TRUE(lock.try_lock_until(test_clock::now() + 1ms));
  }
  { std::scoped_lock both(a, b); }
  std::lock(a, b);
  a.unlock();
  b.unlock();
}

// A non-atomic 128-bit counter: a torn or lost increment shows as a wrong total or halves that
// disagree.
TYPED_TEST(Mutex, GuardsNonAtomic128BitCounterUnder8Threads) {
  typename TestFixture::mutex m;
  struct {
    std::uint64_t low = 0;
    std::uint64_t high = 0;
  } counter;
  const int per_thread = scaled(100'000);
  futon::testing::watchdog dog("mutex counter");
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < per_thread; ++i) {
        std::lock_guard guard(m);
        // Both halves move together; a reader without the lock could see them differ.
        ++counter.low;
        ++counter.high;
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(counter.low, 8u * per_thread);
  EXPECT_EQ(counter.high, 8u * per_thread);
}

// The timeout table (timeout_table.hpp): try_lock_for / try_lock_until on a mutex another thread
// holds give up at once on expired timeouts, never early on finite ones, and wait for the unlock
// on endless ones; on a free mutex they take it whatever the timeout (the try comes first).
TYPED_TEST(Mutex, TimedLockTimeoutTable) {
  futon::testing::expect_timeout_table<futon::testing::timed_lock_subject<
      typename TestFixture::mutex, futon::testing::ownership::exclusive>>();
}

// Timed lockers giving up must not strand the sleepers behind them: after a storm of short
// timed attempts, a plain lock by every thread still succeeds.
TYPED_TEST(Mutex, TimeoutsDoNotStrandSleepers) {
  typename TestFixture::mutex m;
  futon::testing::watchdog dog("mutex timeouts stranded a sleeper");
  std::atomic<int> acquired{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < scaled(2'000); ++i) {
        if (t % 2 == 0) {
          if (m.try_lock_for(std::chrono::microseconds(1 + i % 50))) {
            acquired.fetch_add(1);
            m.unlock();
          }
        } else {
          std::lock_guard guard(m);
          acquired.fetch_add(1);
        }
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  EXPECT_GE(acquired.load(), 4 * scaled(2'000));
  EXPECT_EQ(word_of(m), 0u) << "the idle mutex kept a sleeper count or a wake mark";
}

// The word counts its sleepers exactly (mutex.hpp, I1): a waiter that times out takes its count
// back, so the holder's unlock has nobody to wake, and the idle word is 0 again (the destructor
// checks that in debug builds).
TYPED_TEST(Mutex, ATimedOutWaiterLeavesNoTrace) {
  typename TestFixture::mutex m;
  m.lock();
  std::thread timed([&] { EXPECT_FALSE(m.try_lock_for(20ms)); });
  timed.join();
  EXPECT_EQ(word_of(m), 1u) << "only locked_bit may remain while the holder holds it";
  m.unlock();
  EXPECT_EQ(word_of(m), 0u);
}

// Eventual fairness: 32 threads hammering one lock on 2 cores; each must get in while the
// others keep going (a starving waiter gets the lock handed to it).
TYPED_TEST(Mutex, NoThreadStarvesUnderOversubscription) {
  typename TestFixture::mutex m;
  constexpr int thread_count = 32;
  std::array<std::atomic<long>, thread_count> acquisitions{};
  std::atomic<bool> stop{false};
  futon::testing::watchdog dog("mutex fairness");
  std::vector<std::thread> threads;
  for (int t = 0; t < thread_count; ++t) {
    threads.emplace_back([&, t] {
      while (!stop.load(std::memory_order_relaxed)) {
        std::lock_guard guard(m);
        acquisitions[t].fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  // Generous: every thread must have had the lock at least 10 times within 20 s.
  const bool everyone_progressed = futon::testing::eventually(
      [&] {
        for (auto& count : acquisitions) {
          if (count.load() < 10) return false;
        }
        return true;
      },
      20s);
  stop.store(true);
  for (auto& thread : threads)
    thread.join();
  EXPECT_TRUE(everyone_progressed);
}

#if FUTON_DEBUG_CHECKS
TYPED_TEST(Mutex, UnlockingAMutexOneDoesNotHoldStopsDebugBuilds) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        typename TestFixture::mutex m;
        m.lock();
        std::thread([&] { m.unlock(); }).join();
      },
      "does not hold this mutex");
}

TYPED_TEST(Mutex, DestroyingALockedMutexStopsDebugBuilds) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        typename TestFixture::mutex m;
        m.lock();
      },
      "destroyed while locked");
}
#endif

}  // namespace
