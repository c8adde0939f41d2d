// SPDX-License-Identifier: BSL-1.0
// counting_semaphore and binary_semaphore, typed over every backend: the standard's behaviour
// (counts, try_acquire, blocking acquire), no futex call when uncontended, lost-wakeup hunts
// (ping-pong, a wake that must be passed on, a bounded queue of 100,000 items), the timeout table
// for try_acquire_for/until, and misuse that stops a debug build.
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <futon/counting_semaphore.hpp>
#include <limits>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <type_traits>
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

template <class Backend, std::ptrdiff_t N = futon::detail::semaphore_count_max>
using semaphore = futon::basic_counting_semaphore<Backend, N>;

// constexpr construction, as std's (so a semaphore can be constinit).
constinit futon::binary_semaphore global_binary(0);
constinit futon::counting_semaphore<> global_counting(5);

// max() is what the representation holds (issue 16; see counting_semaphore.hpp), at least
// LeastMaxValue as the standard asks. As libc++'s thread.semaphore/max.pass.cpp, with exact
// values.
constexpr std::ptrdiff_t ptrdiff_max = std::numeric_limits<std::ptrdiff_t>::max();
constexpr bool wide_exists = ptrdiff_max > 0x7fff'ffff;  // a 64-bit ptrdiff_t
static_assert(futon::counting_semaphore<>::max() == 0x7fff'ffff);
static_assert(futon::counting_semaphore<10>::max() == 0x7fff'ffff);
static_assert(futon::binary_semaphore::max() == 0x7fff'ffff);
static_assert(futon::counting_semaphore<0>::max() == 0x7fff'ffff);
static_assert(futon::counting_semaphore<std::numeric_limits<int>::max()>::max() ==
              std::numeric_limits<int>::max());
// Rejected by df8d42e's static_assert (LeastMaxValue at most 2^31 - 1).
static_assert(futon::counting_semaphore<ptrdiff_max>::max() == ptrdiff_max);
static_assert(sizeof(futon::counting_semaphore<3>) == 4);
static_assert(sizeof(futon::counting_semaphore<ptrdiff_max>) == (wide_exists ? 8 : 4));
constinit futon::counting_semaphore<ptrdiff_max> global_wide(ptrdiff_max);

template <class Backend>
class CountingSemaphore : public ::testing::Test {};
TYPED_TEST_SUITE(CountingSemaphore, futon::testing::primitive_backends,
                 futon::testing::backend_name);

// Threads that each acquire once, recording when they have returned.
template <class Semaphore>
class acquirers {
 public:
  acquirers(Semaphore& s, std::size_t n) : returned_(0), ids_(n) {
    for (std::size_t i = 0; i < n; ++i) {
      ids_[i].store(0);
      threads_.spawn([&, i] {
        ids_[i].store(futon::testing::current_os_thread_id());
        s.acquire();
        returned_.fetch_add(1);
      });
    }
  }
  std::size_t returned() const { return returned_.load(); }
  bool all_asleep() {
    if (!eventually([&] {
          for (auto& id : ids_)
            if (id.load() == 0) return false;
          return true;
        })) {
      return false;
    }
    return futon::testing::wait_until_asleep([&] {
      std::vector<os_thread_id> ids;
      if (returned_.load() != ids_.size()) {
        for (auto& id : ids_)
          ids.push_back(id.load());
      }
      return ids;
    });
  }
  void join() { threads_.join(); }

 private:
  std::atomic<std::size_t> returned_;
  std::vector<std::atomic<os_thread_id>> ids_;
  thread_group threads_;
};

TYPED_TEST(CountingSemaphore, CountsPermits) {
  semaphore<TypeParam> s(3);
  EXPECT_TRUE(s.try_acquire());
  EXPECT_TRUE(s.try_acquire());
  EXPECT_TRUE(s.try_acquire());
  EXPECT_FALSE(s.try_acquire());
  s.release(2);
  EXPECT_TRUE(s.try_acquire());
  s.acquire();  // the second permit: does not block
  EXPECT_FALSE(s.try_acquire());
  s.release(0);
  EXPECT_FALSE(s.try_acquire());
  s.release();
  EXPECT_TRUE(s.try_acquire_for(0ns));
  EXPECT_FALSE(s.try_acquire_for(0ns));
  s.release(semaphore<TypeParam>::max());
  EXPECT_TRUE(s.try_acquire_until(std::chrono::steady_clock::time_point::min()));
}

TYPED_TEST(CountingSemaphore, BinarySemaphoreHoldsOnePermit) {
  futon::basic_binary_semaphore<TypeParam> s(0);
  EXPECT_FALSE(s.try_acquire());
  s.release();
  EXPECT_TRUE(s.try_acquire());
  EXPECT_FALSE(s.try_acquire());
  futon::basic_binary_semaphore<TypeParam> one(1);
  one.acquire();
  EXPECT_FALSE(one.try_acquire());
}

// A count above LeastMaxValue but within max() is what the type holds: accepted, as libstdc++
// and libc++ accept it. df8d42e stopped both in debug builds (issue 16).
TYPED_TEST(CountingSemaphore, CountsAboveLeastMaxValueUpToMax) {
  semaphore<TypeParam, 4> s(6);
  for (int i = 0; i < 6; ++i)
    EXPECT_TRUE(s.try_acquire());
  EXPECT_FALSE(s.try_acquire());
  futon::basic_binary_semaphore<TypeParam> b(1);
  b.release();  // 2
  EXPECT_TRUE(b.try_acquire());
  EXPECT_TRUE(b.try_acquire());
  EXPECT_FALSE(b.try_acquire());
}

// ---- The wide word (LeastMaxValue above 2^31 - 1) ----------------------------------------------

template <class Backend>
using wide_semaphore = semaphore<Backend, ptrdiff_max>;

// The count the wide word holds, read from the word itself (bits 1..63; the semaphore is one
// standard-layout atomic word): the only way to check a count in the billions exactly.
template <class Backend>
std::int64_t wide_count(const wide_semaphore<Backend>& s) {
  static_assert(sizeof(s) == 8 && std::is_standard_layout_v<wide_semaphore<Backend>>);
  return static_cast<std::int64_t>(reinterpret_cast<const std::atomic<std::uint64_t>&>(s).load() /
                                   2);
}

// Counts past 2^31 and 2^32 with sleepers: woken by releases after which the low 32-bit half
// of the word, the half they sleep on, is 0 (2^31 permits make the state 2^32), and taking the
// permits back across 2^32 themselves; a timed sleeper woken by 2^32 permits; single steps
// across 2^32 and up to max(). Issue 16: counting_semaphore<PTRDIFF_MAX> did not compile at
// df8d42e.
TYPED_TEST(CountingSemaphore, WideCountsPastTwoToThe32WithSleepers) {
  if constexpr (!wide_exists) {
    GTEST_SKIP() << "ptrdiff_t has 32 bits: no wide semaphore";
  } else {
    watchdog guard("a wide semaphore lost a wakeup");
    constexpr std::ptrdiff_t two_31 = std::ptrdiff_t{1} << 31;
    constexpr std::ptrdiff_t two_32 = std::ptrdiff_t{1} << 32;
    {
      wide_semaphore<TypeParam> s(0);
      acquirers<wide_semaphore<TypeParam>> waiting(s, 3);
      ASSERT_TRUE(waiting.all_asleep());
      s.release(two_31);  // the word becomes 2^32: its low half is 0
      ASSERT_TRUE(eventually([&] { return waiting.returned() == 3; }));
      waiting.join();
      EXPECT_EQ(wide_count<TypeParam>(s), two_31 - 3);
    }
    {
      wide_semaphore<TypeParam> s(0);
      acquirers<wide_semaphore<TypeParam>> waiting(s, 4);
      ASSERT_TRUE(waiting.all_asleep());
      s.release(two_32 + 2);  // the four take it back across 2^32
      ASSERT_TRUE(eventually([&] { return waiting.returned() == 4; }));
      waiting.join();
      EXPECT_EQ(wide_count<TypeParam>(s), two_32 - 2);
    }
    {
      wide_semaphore<TypeParam> s(0);
      std::atomic<bool> acquired{false};
      std::atomic<os_thread_id> id{0};
      std::thread timed([&] {
        id.store(futon::testing::current_os_thread_id());
        acquired.store(s.try_acquire_for(1h));
      });
      ASSERT_TRUE(eventually([&] { return id.load() != 0; }));
      ASSERT_TRUE(futon::testing::wait_until_asleep([&] {
        return acquired.load() ? std::vector<os_thread_id>{} : std::vector<os_thread_id>{id.load()};
      }));
      s.release(two_32);
      timed.join();
      EXPECT_TRUE(acquired.load());
      EXPECT_EQ(wide_count<TypeParam>(s), two_32 - 1);
    }
    {
      wide_semaphore<TypeParam> s(two_32 + 1);
      EXPECT_TRUE(s.try_acquire());
      EXPECT_TRUE(s.try_acquire_for(0ns));
      s.acquire();
      EXPECT_EQ(wide_count<TypeParam>(s), two_32 - 2);
      s.release(2);
      EXPECT_EQ(wide_count<TypeParam>(s), two_32);
      s.release(ptrdiff_max - two_32);
      EXPECT_EQ(wide_count<TypeParam>(s), ptrdiff_max);
      EXPECT_TRUE(s.try_acquire_until(std::chrono::steady_clock::time_point::min()));
      EXPECT_EQ(wide_count<TypeParam>(s), ptrdiff_max - 1);
    }
  }
}

// As BackToBackReleasesWakeEverySleeper, on the wide word: each woken sleeper passes the wake on.
TYPED_TEST(CountingSemaphore, WideBackToBackReleasesWakeEverySleeper) {
  watchdog guard("a woken thread did not pass the wake on");
  for (int round = 0; round < scaled(10); ++round) {
    wide_semaphore<TypeParam> s(0);
    acquirers<wide_semaphore<TypeParam>> waiting(s, 4);
    ASSERT_TRUE(waiting.all_asleep());
    for (int i = 0; i < 4; ++i)
      s.release();
    ASSERT_TRUE(eventually([&] { return waiting.returned() == 4; }))
        << "round " << round << ": only " << waiting.returned() << " of 4 returned";
    waiting.join();
    EXPECT_FALSE(s.try_acquire());
  }
}

TYPED_TEST(CountingSemaphore, GlobalsAreConstantInitialized) {
  EXPECT_FALSE(global_binary.try_acquire());
  global_binary.release();
  EXPECT_TRUE(global_binary.try_acquire());
  for (int i = 0; i < 5; ++i)
    EXPECT_TRUE(global_counting.try_acquire());
  EXPECT_FALSE(global_counting.try_acquire());
  global_counting.release(5);
  EXPECT_TRUE(global_wide.try_acquire());
  global_wide.release();
}

TYPED_TEST(CountingSemaphore, AcquireBlocksUntilRelease) {
  watchdog guard("acquire was not released");
  semaphore<TypeParam> s(0);
  acquirers<semaphore<TypeParam>> waiting(s, 1);
  ASSERT_TRUE(waiting.all_asleep());
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(waiting.returned(), 0u);
  s.release();
  EXPECT_TRUE(eventually([&] { return waiting.returned() == 1; }));
  waiting.join();
  EXPECT_FALSE(s.try_acquire());
}

TYPED_TEST(CountingSemaphore, ReleaseNLetsExactlyNAcquirersThrough) {
  watchdog guard("release(n) lost a wakeup");
  semaphore<TypeParam> s(0);
  acquirers<semaphore<TypeParam>> waiting(s, 6);
  ASSERT_TRUE(waiting.all_asleep());
  s.release(2);
  EXPECT_TRUE(eventually([&] { return waiting.returned() == 2; }));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(waiting.returned(), 2u);
  s.release(4);
  EXPECT_TRUE(eventually([&] { return waiting.returned() == 6; }));
  waiting.join();
  EXPECT_FALSE(s.try_acquire());
}

// release(1) twice in a row while two threads sleep: the first wakes one thread and clears the
// waiters bit, the second finds it clear and wakes nobody. The woken thread must pass the wake
// on, or the second sleeper would sleep with a permit available.
TYPED_TEST(CountingSemaphore, BackToBackReleasesWakeEverySleeper) {
  watchdog guard("a woken thread did not pass the wake on");
  for (int round = 0; round < scaled(20); ++round) {
    semaphore<TypeParam> s(0);
    acquirers<semaphore<TypeParam>> waiting(s, 4);
    ASSERT_TRUE(waiting.all_asleep());
    for (int i = 0; i < 4; ++i)
      s.release();
    ASSERT_TRUE(eventually([&] { return waiting.returned() == 4; }))
        << "round " << round << ": only " << waiting.returned() << " of 4 returned";
    waiting.join();
  }
}

TYPED_TEST(CountingSemaphore, UncontendedUseMakesNoFutexCall) {
  using counted = counting_backend<TypeParam>;
  counted::reset();
  semaphore<counted> s(0);
  for (int i = 0; i < 1000; ++i) {
    s.release();
    s.acquire();
    EXPECT_FALSE(s.try_acquire());
    s.release(3);
    EXPECT_TRUE(s.try_acquire_for(0ns));
    EXPECT_TRUE(s.try_acquire_for(1h));
    EXPECT_TRUE(s.try_acquire_until(std::chrono::system_clock::now() + 1h));
  }
  EXPECT_FALSE(s.try_acquire_for(0ns));
  EXPECT_EQ(counted::calls(), 0u);

  // After one contended episode the waiters bit may be left set: at most one futile wake.
  {
    acquirers<semaphore<counted>> waiting(s, 1);
    ASSERT_TRUE(waiting.all_asleep());
    s.release();
    ASSERT_TRUE(eventually([&] { return waiting.returned() == 1; }));
    waiting.join();
  }
  const std::size_t after_episode = counted::wakes.load();
  for (int i = 0; i < 1000; ++i) {
    s.release();
    s.acquire();
  }
  EXPECT_LE(counted::wakes.load() - after_episode, 1u);
}

// Two threads hand a turn back and forth through two binary semaphores: a lost wakeup stops the
// game (the watchdog fails the test instead of hanging it).
TYPED_TEST(CountingSemaphore, PingPongLosesNoWakeup) {
  const int rounds = scaled(20000);
  watchdog guard("binary semaphore ping-pong stopped: lost wakeup", 60s);
  futon::basic_binary_semaphore<TypeParam> ping(0);
  futon::basic_binary_semaphore<TypeParam> pong(0);
  std::thread other([&] {
    for (int i = 0; i < rounds; ++i) {
      ping.acquire();
      pong.release();
    }
  });
  for (int i = 0; i < rounds; ++i) {
    ping.release();
    if (i % 2 == 0) {
      pong.acquire();
    } else {
      ASSERT_TRUE(pong.try_acquire_for(30s));
    }
  }
  other.join();
  EXPECT_FALSE(ping.try_acquire());
  EXPECT_FALSE(pong.try_acquire());
}

// Four producers and four consumers pass items through a one-slot buffer (so both semaphores
// always have several sleepers): many rounds, every item counted.
TYPED_TEST(CountingSemaphore, ManyProducersAndConsumersPingPong) {
  constexpr int side = 4;
  const int per_thread = scaled(5000);
  watchdog guard("producer/consumer ping-pong stopped: lost wakeup", 60s);
  semaphore<TypeParam> empty(1);
  semaphore<TypeParam> full(0);
  std::atomic<int> slot{-1};
  std::atomic<long long> produced_sum{0};
  std::atomic<long long> consumed_sum{0};
  {
    thread_group threads;
    for (int p = 0; p < side; ++p) {
      threads.spawn([&, p] {
        for (int i = 0; i < per_thread; ++i) {
          empty.acquire();
          const int item = p * per_thread + i;
          EXPECT_EQ(slot.exchange(item), -1);
          produced_sum.fetch_add(item);
          full.release();
        }
      });
    }
    for (int c = 0; c < side; ++c) {
      threads.spawn([&] {
        for (int i = 0; i < per_thread; ++i) {
          full.acquire();
          const int item = slot.exchange(-1);
          EXPECT_NE(item, -1);
          consumed_sum.fetch_add(item);
          empty.release();
        }
      });
    }
  }
  EXPECT_EQ(produced_sum.load(), consumed_sum.load());
  EXPECT_TRUE(empty.try_acquire());
  EXPECT_FALSE(full.try_acquire());
}

// The classic bounded queue: 4 producers, 4 consumers, 100,000 items through 16 slots. Every item
// must be seen exactly once.
TYPED_TEST(CountingSemaphore, BoundedQueueLosesAndDuplicatesNothing) {
  constexpr int producers = 4;
  constexpr int consumers = 4;
  constexpr std::size_t capacity = 16;
  const int items = scaled(100'000) / (producers * consumers) * (producers * consumers);
  watchdog guard("bounded queue stopped: lost wakeup", 60s);

  semaphore<TypeParam, capacity> free_slots(capacity);
  semaphore<TypeParam, capacity> filled_slots(0);
  std::mutex ring_mutex;
  std::array<int, capacity> ring{};
  std::size_t head = 0;
  std::size_t tail = 0;
  const std::unique_ptr<std::atomic<int>[]> seen(new std::atomic<int>[items]);
  for (int i = 0; i < items; ++i)
    seen[i].store(0);

  {
    thread_group threads;
    for (int p = 0; p < producers; ++p) {
      threads.spawn([&, p] {
        for (int item = p; item < items; item += producers) {
          free_slots.acquire();
          {
            std::lock_guard<std::mutex> lock(ring_mutex);
            ring[tail] = item;
            tail = (tail + 1) % capacity;
          }
          filled_slots.release();
        }
      });
    }
    for (int c = 0; c < consumers; ++c) {
      threads.spawn([&, c] {
        for (int n = 0; n < items / consumers; ++n) {
          // Half the consumers use the timed path, with a timeout far beyond any test.
          if (c % 2 == 0) {
            filled_slots.acquire();
          } else {
            ASSERT_TRUE(filled_slots.try_acquire_for(30s));
          }
          int item = 0;
          {
            std::lock_guard<std::mutex> lock(ring_mutex);
            item = ring[head];
            head = (head + 1) % capacity;
          }
          free_slots.release();
          seen[item].fetch_add(1);
        }
      });
    }
  }
  int lost = 0;
  int duplicated = 0;
  for (int i = 0; i < items; ++i) {
    if (seen[i].load() == 0) ++lost;
    if (seen[i].load() > 1) ++duplicated;
  }
  EXPECT_EQ(lost, 0);
  EXPECT_EQ(duplicated, 0);
  EXPECT_FALSE(filled_slots.try_acquire());
  for (std::size_t i = 0; i < capacity; ++i)
    EXPECT_TRUE(free_slots.try_acquire());
  EXPECT_FALSE(free_slots.try_acquire());
}

// Timed acquirers that give up (short timeouts) racing with releases: no permit is lost or made
// up, and nobody sleeps through a permit (a timed-out woken thread must hand its duty on).
TYPED_TEST(CountingSemaphore, TimedAcquirersConservePermits) {
  const int releases_per_thread = scaled(20000);
  constexpr int releasers = 2;
  constexpr int acquirers_count = 4;
  watchdog guard("timed acquirers: lost wakeup", 60s);
  semaphore<TypeParam> s(0);
  std::atomic<int> acquired{0};
  std::atomic<int> releasers_done{0};
  {
    thread_group threads;
    for (int r = 0; r < releasers; ++r) {
      threads.spawn([&] {
        for (int i = 0; i < releases_per_thread; ++i) {
          s.release(1 + i % 2);
          if (i % 64 == 0) std::this_thread::yield();
        }
        releasers_done.fetch_add(1);
      });
    }
    for (int a = 0; a < acquirers_count; ++a) {
      threads.spawn([&, a] {
        std::minstd_rand random(static_cast<unsigned>(a + 1));
        for (;;) {
          if (releasers_done.load() == releasers) {
            // Every release has happened: drain what is left, then stop.
            if (!s.try_acquire()) break;
            acquired.fetch_add(1);
            continue;
          }
          const auto timeout = std::chrono::microseconds(random() % 200);
          if (s.try_acquire_for(timeout)) acquired.fetch_add(1);
        }
      });
    }
  }
  int left = 0;
  while (s.try_acquire())
    ++left;
  int released = 0;
  for (int i = 0; i < releases_per_thread; ++i)
    released += releasers * (1 + i % 2);
  EXPECT_EQ(left, 0);
  EXPECT_EQ(acquired.load() + left, released);
}

TYPED_TEST(CountingSemaphore, TimedAcquireReturnsTrueWhenReleasedInTime) {
  watchdog guard("a timed acquire was not released");
  semaphore<TypeParam> s(0);
  std::atomic<int> result{-1};
  std::atomic<os_thread_id> id{0};
  std::thread waiter([&] {
    id.store(futon::testing::current_os_thread_id());
    result.store(s.try_acquire_for(30s) ? 1 : 0);
  });
  ASSERT_TRUE(eventually([&] { return id.load() != 0; }));
  EXPECT_TRUE(futon::testing::wait_until_asleep([&] { return std::vector{id.load()}; }));
  s.release();
  EXPECT_TRUE(eventually([&] { return result.load() != -1; }));
  EXPECT_EQ(result.load(), 1);
  waiter.join();
}

template <class Backend>
struct acquire_subject {
  struct object {
    semaphore<Backend> s{0};
  };
  template <class R, class P>
  static bool wait_for(object& o, const std::chrono::duration<R, P>& d) {
    return o.s.try_acquire_for(d);
  }
  template <class C, class D>
  static bool wait_until(object& o, const std::chrono::time_point<C, D>& t) {
    return o.s.try_acquire_until(t);
  }
  static void make_ready(object& o) { o.s.release(); }
};

TYPED_TEST(CountingSemaphore, TryAcquireTimeoutTable) {
  futon::testing::expect_timeout_table<acquire_subject<TypeParam>>();
}

// ---- Misuse ----------------------------------------------------------------------------------

#if FUTON_DEBUG_CHECKS

template <class Backend>
class CountingSemaphoreDeathTest : public ::testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};
TYPED_TEST_SUITE(CountingSemaphoreDeathTest, futon::testing::all_backends,
                 futon::testing::backend_name);

TYPED_TEST(CountingSemaphoreDeathTest, ReleaseAboveMaxStops) {
  EXPECT_DEATH(
      {
        futon::basic_binary_semaphore<TypeParam> s(futon::basic_binary_semaphore<TypeParam>::max());
        s.release();
      },
      "release: the count would exceed max");
  using up_to_five = semaphore<TypeParam, 5>;
  EXPECT_DEATH(
      {
        up_to_five s(up_to_five::max() - 2);
        s.release(3);
      },
      "release: the count would exceed max");
  using wide = semaphore<TypeParam, ptrdiff_max>;
  EXPECT_DEATH(
      {
        wide s(wide::max() - 1);
        s.release(2);
      },
      "release: the count would exceed max");
  EXPECT_DEATH(
      {
        semaphore<TypeParam> s(1);
        s.release(semaphore<TypeParam>::max());
      },
      "release: the count would exceed max");
}

TYPED_TEST(CountingSemaphoreDeathTest, NegativeReleaseStops) {
  EXPECT_DEATH(
      {
        semaphore<TypeParam> s(0);
        s.release(-1);
      },
      "release: negative update");
}

TYPED_TEST(CountingSemaphoreDeathTest, BadInitialCountStops) {
  EXPECT_DEATH(semaphore<TypeParam> s(-1), "initial count is negative or above max");
  using wide = semaphore<TypeParam, ptrdiff_max>;
  EXPECT_DEATH(wide s(-1), "initial count is negative or above max");
  // Above max() exists only where ptrdiff_t is wider than the 32-bit word's 31 bits.
  if constexpr (wide_exists) {
    using up_to_five = semaphore<TypeParam, 5>;
    EXPECT_DEATH(up_to_five s(up_to_five::max() + 1), "initial count is negative or above max");
    EXPECT_DEATH(futon::basic_binary_semaphore<TypeParam> s(std::ptrdiff_t{1} << 31),
                 "initial count is negative or above max");
  }
}

#endif  // FUTON_DEBUG_CHECKS

}  // namespace
