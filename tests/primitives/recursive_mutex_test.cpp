// SPDX-License-Identifier: BSL-1.0
// futon::recursive_mutex and futon::recursive_timed_mutex: the standard's Lockable /
// TimedLockable behaviour with levels of ownership, mutual exclusion under contention, timeouts,
// the limit of levels and misuse, on every futex backend. What libc++'s and libstdc++'s own
// tests of std::recursive_mutex and std::recursive_timed_mutex check is here too (each such test
// names the std test it covers): other threads' try_lock fails while any level is held, lock
// blocks until every level is released, a holder's timed lock succeeds at once, past deadlines
// on either clock, timeouts never early, default construction (also constant), no copy or move,
// standard layout.
#include <atomic>
#include <chrono>
#include <futon/recursive_mutex.hpp>
#include <initializer_list>
#include <mutex>
#include <set>
#include <system_error>
#include <thread>
#include <type_traits>
#include <vector>

#include "backends.hpp"
#include "lock_test_support.hpp"
#include "primitive_test_support.hpp"
#include "recursive_mutex_test_access.hpp"
#include "test_support.hpp"

namespace {

using namespace std::chrono_literals;
using futon::testing::scaled;
using futon::testing::test_clock;
using futon::testing::watchdog;

// ---- The types --------------------------------------------------------------------------------

// [thread.mutex.recursive], [thread.timedmutex.recursive]: Lockable, and TimedLockable for the
// timed one; recursive_mutex has no timed members, as std's has none.
static_assert(futon::testing::lockable<futon::recursive_mutex>);
static_assert(!futon::testing::timed_lockable<futon::recursive_mutex>);
static_assert(futon::testing::timed_lockable<futon::recursive_timed_mutex>);

// libc++ copy.compile.fail / assign.compile.fail, libstdc++ cons/copy_neg, cons/assign_neg.
template <class M>
constexpr bool neither_copyable_nor_movable =
    !std::is_copy_constructible_v<M> && !std::is_copy_assignable_v<M> &&
    !std::is_move_constructible_v<M> && !std::is_move_assignable_v<M>;
static_assert(neither_copyable_nor_movable<futon::recursive_mutex>);
static_assert(neither_copyable_nor_movable<futon::recursive_timed_mutex>);

// libstdc++ requirements/standard_layout; and the size the header documents.
static_assert(std::is_standard_layout_v<futon::recursive_mutex>);
static_assert(std::is_standard_layout_v<futon::recursive_timed_mutex>);
static_assert(sizeof(futon::recursive_mutex) == 16 && sizeof(futon::recursive_timed_mutex) == 16);

// libc++ default.pass, libstdc++ cons/1: default-constructible without throwing, and (unlike
// std's, which need not be) as a constant, so a global one is initialized before any code runs.
static_assert(std::is_nothrow_default_constructible_v<futon::recursive_mutex>);
static_assert(std::is_nothrow_default_constructible_v<futon::recursive_timed_mutex>);
constinit futon::recursive_mutex constant_recursive_mutex;
constinit futon::recursive_timed_mutex constant_recursive_timed_mutex;

// lock() may throw (the limit of levels); the others never do.
static_assert(!noexcept(std::declval<futon::recursive_mutex&>().lock()));
static_assert(noexcept(std::declval<futon::recursive_mutex&>().try_lock()));
static_assert(noexcept(std::declval<futon::recursive_mutex&>().unlock()));
static_assert(noexcept(std::declval<futon::recursive_timed_mutex&>().try_lock_for(
    std::declval<const std::chrono::milliseconds&>())));
static_assert(noexcept(std::declval<futon::recursive_timed_mutex&>().try_lock_until(
    std::declval<const test_clock::time_point&>())));

// libstdc++ native_handle/*, requirements/typedefs: native_handle is implementation-defined,
// and there is no OS object behind these, so there is none.
template <class M>
concept has_native_handle = requires(M m) {
  m.native_handle();
};
static_assert(!has_native_handle<futon::recursive_mutex>);
static_assert(!has_native_handle<futon::recursive_timed_mutex>);

template <class Backend>
class RecursiveMutex : public ::testing::Test {
 protected:
  using plain = futon::basic_recursive_mutex<Backend>;
  using timed = futon::basic_recursive_timed_mutex<Backend>;
};
TYPED_TEST_SUITE(RecursiveMutex, futon::testing::primitive_backends, futon::testing::backend_name);

// Runs `f` on another thread and returns its result.
template <class F>
auto on_other_thread(F f) {
  decltype(f()) result{};
  std::thread([&] { result = f(); }).join();
  return result;
}

// ---- Levels of ownership ----------------------------------------------------------------------

// libstdc++ try_lock/1, lock/1, unlock/1: a fresh mutex can be taken by lock or try_lock.
template <class M>
void fresh_mutex_is_free() {
  M m;
  EXPECT_TRUE(m.try_lock());
  m.unlock();
  m.lock();
  m.unlock();
  EXPECT_TRUE(on_other_thread([&] {
    const bool got = m.try_lock();
    if (got) m.unlock();
    return got;
  }));
}

TYPED_TEST(RecursiveMutex, AFreshMutexIsFree) {
  fresh_mutex_is_free<typename TestFixture::plain>();
  fresh_mutex_is_free<typename TestFixture::timed>();
}

// The holder locks 1000 levels deep, every way it can; at every depth another thread's try_lock
// fails, down to the last unlock, after which it succeeds.
template <class M, class Relock>
void levels_nest(Relock relock) {
  M m;
  constexpr int depth = 1000;
  const auto other_gets_it = [&] {
    return on_other_thread([&] {
      const bool got = m.try_lock();
      if (got) m.unlock();
      return got;
    });
  };
  m.lock();
  for (int level = 2; level <= depth; ++level) {
    ASSERT_TRUE(relock(m, level)) << "level " << level;
    if (level % 250 == 0) {
      EXPECT_FALSE(other_gets_it()) << "held " << level << " levels deep";
    }
  }
  for (int level = depth; level > 1; --level) {
    m.unlock();
    if (level % 250 == 0 || level == 2) {
      EXPECT_FALSE(other_gets_it()) << "still held " << level - 1 << " levels deep";
    }
  }
  m.unlock();
  EXPECT_TRUE(other_gets_it()) << "the last unlock did not free it";
}

TYPED_TEST(RecursiveMutex, LevelsNestAndOnlyTheLastUnlockFreesIt) {
  levels_nest<typename TestFixture::plain>([](auto& m, int level) {
    if (level % 2 == 0) return m.try_lock();
    m.lock();
    return true;
  });
  levels_nest<typename TestFixture::timed>([](auto& m, int level) {
    switch (level % 4) {
      case 0:
        return m.try_lock();
      case 1:
        return m.try_lock_for(0ns);
      case 2:
        return m.try_lock_until(test_clock::time_point::min());
      default:
        m.lock();
        return true;
    }
  });
}

// libc++ try_lock.pass, libstdc++ try_lock/2: while the mutex is held (two levels deep), another
// thread's try_lock fails, every time; once every level is released it succeeds, and its own
// try_lock then succeeds again (a level deeper).
template <class M>
void try_lock_from_other_thread(bool timed) {
  M m;
  m.lock();
  ASSERT_TRUE(m.try_lock());
  std::atomic<bool> released{false};
  std::thread other([&] {
    for (int i = 0; i < 3; ++i)
      EXPECT_FALSE(m.try_lock()) << "another thread took a held recursive mutex";
    if constexpr (futon::testing::timed_lockable<M>) {
      if (timed) {
        EXPECT_FALSE(m.try_lock_for(1ms));
        EXPECT_FALSE(m.try_lock_until(test_clock::now() + 1ms));
        EXPECT_FALSE(m.try_lock_until(std::chrono::system_clock::now() + 1ms));
      }
    }
    released.store(true);  // tells the holder to release; seq_cst pairs with its load
    while (!m.try_lock())
      std::this_thread::yield();
    EXPECT_TRUE(m.try_lock()) << "the new holder could not lock again";
    m.unlock();
    m.unlock();
  });
  EXPECT_TRUE(futon::testing::eventually([&] { return released.load(); }));
  m.unlock();
  m.unlock();
  other.join();
}

TYPED_TEST(RecursiveMutex, TryLockFromAnotherThreadFailsWhileAnyLevelIsHeld) {
  try_lock_from_other_thread<typename TestFixture::plain>(false);
  try_lock_from_other_thread<typename TestFixture::timed>(true);
}

// libc++ lock.pass: another thread's lock() blocks while the holder keeps any level: it is asleep
// in it after the first of two unlocks, and gets the lock (and a second level) after the second.
template <class M>
void lock_waits_for_every_level() {
  M m;
  m.lock();
  m.lock();
  std::atomic<futon::testing::os_thread_id> id{0};
  std::atomic<bool> acquired{false};
  std::thread other([&] {
    id.store(futon::testing::current_os_thread_id());
    m.lock();
    acquired.store(true);
    m.lock();
    m.unlock();
    m.unlock();
  });
  EXPECT_TRUE(futon::testing::eventually([&] { return id.load() != 0; }));
  m.unlock();
  // Asleep in lock() (not merely not yet there): it found the lock held after our first unlock.
  EXPECT_TRUE(futon::testing::asleep([&] { return std::vector{id.load()}; }));
  EXPECT_FALSE(acquired.load()) << "lock() returned while a level was still held";
  m.unlock();
  other.join();
  EXPECT_TRUE(acquired.load());
}

TYPED_TEST(RecursiveMutex, LockWaitsUntilEveryLevelIsReleased) {
  lock_waits_for_every_level<typename TestFixture::plain>();
  lock_waits_for_every_level<typename TestFixture::timed>();
}

// lock_guard, unique_lock, scoped_lock and std::lock, nested on one recursive mutex (std::lock
// tries the others while holding one: a held recursive mutex is taken again).
TYPED_TEST(RecursiveMutex, WorksWithStandardLockWrappers) {
  typename TestFixture::timed a;
  typename TestFixture::plain b;
  {
    std::lock_guard outer(a);
    std::lock_guard inner(a);
    std::unique_lock timed(a, std::defer_lock);
    EXPECT_TRUE(timed.try_lock_for(1ms));
    timed.unlock();
    EXPECT_TRUE(timed.try_lock_until(test_clock::now() + 1ms));
    std::scoped_lock both(a, b);
    std::lock(b, a);
    a.unlock();
    b.unlock();
  }
  EXPECT_TRUE(on_other_thread([&] {
    std::unique_lock lock_a(a, std::try_to_lock);
    std::unique_lock lock_b(b, std::try_to_lock);
    return lock_a.owns_lock() && lock_b.owns_lock();
  })) << "a level was left held";
}

// libstdc++ unlock/2 and more: 8 threads each take the lock three levels deep around a
// non-atomic 128-bit counter; a torn or lost increment shows as a wrong total or halves that
// disagree.
template <class M>
void guards_counter() {
  M m;
  struct {
    std::uint64_t low = 0;
    std::uint64_t high = 0;
  } counter;
  const int per_thread = scaled(20'000);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        std::lock_guard outer(m);
        ++counter.low;
        std::lock_guard middle(m);
        if ((t + i) % 2 == 0) {
          std::lock_guard inner(m);
          ++counter.high;
        } else {
          std::unique_lock inner(m, std::try_to_lock);
          EXPECT_TRUE(inner.owns_lock());
          ++counter.high;
        }
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(counter.low, 8u * per_thread);
  EXPECT_EQ(counter.high, 8u * per_thread);
}

TYPED_TEST(RecursiveMutex, GuardsNonAtomic128BitCounterUnder8Threads) {
  watchdog dog("recursive_mutex counter");
  guards_counter<typename TestFixture::plain>();
  guards_counter<typename TestFixture::timed>();
}

// ---- Timed members ----------------------------------------------------------------------------

// libstdc++ try_lock_for/3: the holder's timed lock is one more level, at once, whatever the
// timeout; and libstdc++ try_lock_until/116586: at past deadlines (epoch, 10 ms and 10 s before
// it, on both clocks) the holder succeeds and another thread fails.
TYPED_TEST(RecursiveMutex, HoldersTimedLockSucceedsAtOnce) {
  typename TestFixture::timed m;
  m.lock();
  const auto start = test_clock::now();
  EXPECT_TRUE(m.try_lock_for(1h));
  EXPECT_TRUE(m.try_lock_for(std::chrono::nanoseconds::max()));
  EXPECT_TRUE(m.try_lock_until(test_clock::time_point::max()));
  EXPECT_LT(test_clock::now() - start, 5s) << "the holder waited for its own lock";
  for (int i = 0; i < 3; ++i)
    m.unlock();
  m.unlock();
  for (const std::chrono::nanoseconds offset :
       std::initializer_list<std::chrono::nanoseconds>{0ns, -10ms, -10s}) {
    // Nanosecond time points: system_clock's own duration is coarser with libc++.
    const std::chrono::time_point<std::chrono::system_clock, std::chrono::nanoseconds> system_past(
        offset);
    const std::chrono::time_point<test_clock, std::chrono::nanoseconds> steady_past(offset);
    const auto relative_past = -std::chrono::system_clock::now().time_since_epoch() + offset;
    ASSERT_TRUE(m.try_lock_until(system_past));
    ASSERT_TRUE(m.try_lock_until(steady_past));
    ASSERT_TRUE(m.try_lock_for(relative_past));
    EXPECT_FALSE(on_other_thread([&] {
      return m.try_lock_until(system_past) || m.try_lock_until(steady_past) ||
             m.try_lock_for(relative_past);
    }));
    m.unlock();
    m.unlock();
    m.unlock();
  }
}

// The timeout table (timeout_table.hpp), on a mutex another thread holds two levels deep: give
// up at once on expired timeouts, never early on finite ones (libc++ try_lock_for.pass /
// try_lock_until.pass (f2), libstdc++ try_lock_until/3, whose slow_clock the table's offset clock
// stands for), wait for the last unlock on endless ones; a free mutex is taken whatever the
// timeout (the try comes first).
TYPED_TEST(RecursiveMutex, TimedLockTimeoutTable) {
  futon::testing::expect_timeout_table<futon::testing::timed_lock_subject<
      typename TestFixture::timed, futon::testing::ownership::exclusive,
      futon::testing::ownership::exclusive, 2>>();
}

// libc++ try_lock_for.pass / try_lock_until.pass (f1): a timed lock that another thread's last
// unlock ends within the timeout succeeds, and its holder may then lock again.
TYPED_TEST(RecursiveMutex, TimedLockSucceedsWhenTheLastLevelIsReleased) {
  for (const bool until : {false, true}) {
    typename TestFixture::timed m;
    m.lock();
    m.lock();
    std::atomic<futon::testing::os_thread_id> id{0};
    std::atomic<int> result{-1};
    std::thread other([&] {
      id.store(futon::testing::current_os_thread_id());
      const bool got =
          until ? m.try_lock_until(std::chrono::system_clock::now() + 60s) : m.try_lock_for(60s);
      result.store(got ? 1 : 0);
      if (!got) return;
      EXPECT_TRUE(m.try_lock());
      m.unlock();
      m.unlock();
    });
    EXPECT_TRUE(futon::testing::eventually([&] { return id.load() != 0; }));
    m.unlock();
    EXPECT_TRUE(futon::testing::asleep([&] { return std::vector{id.load()}; }));
    EXPECT_EQ(result.load(), -1) << "the timed lock returned while a level was still held";
    m.unlock();
    other.join();
    EXPECT_EQ(result.load(), 1);
  }
}

// Timeouts so large they mean forever: the waiter sleeps until the holder's last unlock.
TYPED_TEST(RecursiveMutex, EndlessTimeoutsWaitForTheLastUnlock) {
  typename TestFixture::timed m;
  futon::testing::for_each_endless_timeout([&](const char* label, auto timeout) {
    SCOPED_TRACE(label);
    m.lock();
    m.lock();
    std::atomic<futon::testing::os_thread_id> id{0};
    std::atomic<bool> acquired{false};
    std::thread waiter([&] {
      id.store(futon::testing::current_os_thread_id());
      EXPECT_TRUE(futon::testing::try_take<futon::testing::ownership::exclusive>(m, timeout));
      acquired.store(true);
      m.unlock();
    });
    EXPECT_TRUE(futon::testing::eventually([&] { return id.load() != 0; }));
    m.unlock();
    EXPECT_TRUE(futon::testing::asleep([&] { return std::vector{id.load()}; }));
    EXPECT_FALSE(acquired.load()) << "an endless timeout expired";
    m.unlock();
    waiter.join();
    EXPECT_TRUE(acquired.load());
  });
}

// ---- Thread ids -------------------------------------------------------------------------------

// The owner ids: never 0 (the owner word's "nobody"), the same for a thread every time it asks,
// different between threads, also between threads that do not overlap in time (ids are never
// reused).
TEST(RecursiveMutexOwnerId, NonZeroStableAndDistinct) {
  const std::uint64_t mine = futon::detail::this_thread_recursive_owner_id();
  EXPECT_NE(mine, 0u);
  EXPECT_EQ(futon::detail::this_thread_recursive_owner_id(), mine);
  EXPECT_EQ(futon::detail::recursive_owner_id(), mine) << "the library and the cache disagree";
  std::set<std::uint64_t> ids{mine};
  std::vector<std::uint64_t> seen(16);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back([&seen, i] {
      seen[i] = futon::detail::this_thread_recursive_owner_id();
      EXPECT_EQ(futon::detail::this_thread_recursive_owner_id(), seen[i]);
    });
    if (i % 2 == 0) {  // some threads end before the next begins
      threads.back().join();
      threads.pop_back();
    }
  }
  for (auto& t : threads)
    t.join();
  for (const std::uint64_t id : seen) {
    EXPECT_NE(id, 0u);
    EXPECT_TRUE(ids.insert(id).second) << "id " << id << " given to two threads";
  }
}

// ---- Misuse -----------------------------------------------------------------------------------

#if FUTON_DEBUG_CHECKS
template <class Backend>
class RecursiveMutexDeathTest : public RecursiveMutex<Backend> {};
TYPED_TEST_SUITE(RecursiveMutexDeathTest, futon::testing::primitive_backends,
                 futon::testing::backend_name);

TYPED_TEST(RecursiveMutexDeathTest, UnlockByAThreadThatDoesNotHoldItStopsDebugBuilds) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        typename TestFixture::plain m;
        m.lock();
        m.lock();
        std::thread([&] { m.unlock(); }).join();
      },
      "recursive_mutex::unlock: the calling thread does not hold this mutex");
  EXPECT_DEATH(
      {
        typename TestFixture::timed m;
        m.unlock();
      },
      "recursive_mutex::unlock: the calling thread does not hold this mutex");
  // One unlock too many.
  EXPECT_DEATH(
      {
        typename TestFixture::plain m;
        m.lock();
        m.lock();
        m.unlock();
        m.unlock();
        m.unlock();
      },
      "recursive_mutex::unlock: the calling thread does not hold this mutex");
}

TYPED_TEST(RecursiveMutexDeathTest, DestroyingALockedRecursiveMutexStopsDebugBuilds) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        typename TestFixture::plain m;
        m.lock();
        m.lock();
        m.unlock();
      },
      "recursive_mutex destroyed while locked");
  EXPECT_DEATH(
      {
        auto* m = new typename TestFixture::timed;
        std::thread([m] { m->lock(); }).join();
        delete m;
      },
      "recursive_mutex destroyed while locked");
}
#endif

}  // namespace
