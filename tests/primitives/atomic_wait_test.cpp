// SPDX-License-Identifier: BSL-1.0
// atomic_wait / atomic_wait_for / atomic_wait_until / atomic_notify_one / atomic_notify_all, typed
// over every backend x value sizes 1, 2, 4 (integer and float) and 8: returns at once on a
// changed value; blocks until changed AND notified (a notify alone, or a change alone, does not
// release it); timed waits return false with the value still old; notify_one wakes one and
// notify_all every waiter; no futex call for a notify nobody waits for; lost-wakeup hunts; the
// timeout table; and misuse that stops a debug build.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <futon/atomic_wait.hpp>
#include <string>
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

// futon::atomic_wait takes only always-lock-free atomics. GCC 12 on riscv64 makes 1- and 2-byte
// atomics lock-free only at run time (ATOMIC_*_LOCK_FREE == 1), so those sizes are tested where
// they are always lock-free, which is everywhere else.
#if ATOMIC_BOOL_LOCK_FREE == 2 && ATOMIC_CHAR_LOCK_FREE == 2 && ATOMIC_SHORT_LOCK_FREE == 2
#define FUTON_TEST_SMALL_ATOMICS 1
using value_types =
    futon::testing::with_values<futon::testing::all_backends, std::uint8_t, std::int16_t,
                                std::uint32_t, float, std::uint64_t, double>::type;
#else
using value_types = futon::testing::with_values<futon::testing::all_backends, std::uint32_t, float,
                                                std::uint64_t, double>::type;
#endif

template <class T>
std::string value_name() {
  if constexpr (std::is_same_v<T, float>) return "f32";
  if constexpr (std::is_same_v<T, double>) return "f64";
  if constexpr (std::is_signed_v<T>) return "i" + std::to_string(sizeof(T) * 8);
  return "u" + std::to_string(sizeof(T) * 8);
}

struct combo_name {
  template <class Combo>
  static std::string GetName(int) {
    return std::string(Combo::backend::name) + "_" + value_name<typename Combo::value>();
  }
};

template <class Combo>
class AtomicWait : public ::testing::Test {
 protected:
  using backend = typename Combo::backend;
  using T = typename Combo::value;
  using waiter = futon::basic_atomic_waiter<backend>;
  static constexpr T old_value = T(0);
  static constexpr T new_value = T(1);
};
TYPED_TEST_SUITE(AtomicWait, value_types, combo_name);

// Threads that each make one untimed wait on `a` for it to leave `old`.
template <class Waiter, class T>
class blocked_waiters {
 public:
  blocked_waiters(const std::atomic<T>& a, T old, int n) : ids_(static_cast<std::size_t>(n)) {
    for (auto& id : ids_)
      id.store(0);
    for (int i = 0; i < n; ++i) {
      threads_.spawn([&, i, old] {
        ids_[static_cast<std::size_t>(i)].store(futon::testing::current_os_thread_id());
        Waiter::wait(a, old);
        returned_.fetch_add(1);
      });
    }
  }
  int returned() const { return returned_.load(); }
  bool all_asleep() {
    if (!eventually([&] {
          for (auto& id : ids_)
            if (id.load() == 0) return false;
          return true;
        })) {
      return false;
    }
    return futon::testing::wait_until_asleep([&] {
      std::vector<os_thread_id> v;
      if (returned_.load() != static_cast<int>(ids_.size())) {
        for (auto& id : ids_)
          v.push_back(id.load());
      }
      return v;
    });
  }
  void join() { threads_.join(); }

 private:
  std::vector<std::atomic<os_thread_id>> ids_;
  std::atomic<int> returned_{0};
  thread_group threads_;
};

TYPED_TEST(AtomicWait, ReturnsAtOnceWhenTheValueDiffers) {
  using T = typename TestFixture::T;
  using waiter = typename TestFixture::waiter;
  std::atomic<T> a{TestFixture::new_value};
  waiter::wait(a, TestFixture::old_value);
  waiter::wait(a, TestFixture::old_value, std::memory_order_relaxed);
  waiter::wait(a, TestFixture::old_value, std::memory_order_acquire);
  EXPECT_TRUE(waiter::wait_for(a, TestFixture::old_value, 0ns));
  EXPECT_TRUE(waiter::wait_for(a, TestFixture::old_value, -1h));
  EXPECT_TRUE(waiter::wait_for(a, TestFixture::old_value, 1h, std::memory_order_acquire));
  EXPECT_TRUE(
      waiter::wait_until(a, TestFixture::old_value, std::chrono::steady_clock::time_point::min()));
  EXPECT_TRUE(waiter::wait_until(a, TestFixture::old_value, std::chrono::system_clock::now() + 1h,
                                 std::memory_order_relaxed));
}

TYPED_TEST(AtomicWait, TimedWaitReturnsFalseWithTheValueStillOld) {
  using T = typename TestFixture::T;
  using waiter = typename TestFixture::waiter;
  std::atomic<T> a{TestFixture::old_value};
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(waiter::wait_for(a, TestFixture::old_value, 20ms));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 20ms);
  EXPECT_EQ(a.load(), TestFixture::old_value);
  EXPECT_FALSE(waiter::wait_for(a, TestFixture::old_value, 0ns));
}

// A change alone does not release a sleeping waiter, nor does a notify alone: it returns only
// once both have happened (and then it has seen the new value).
TYPED_TEST(AtomicWait, BlocksUntilChangedAndNotified) {
  using T = typename TestFixture::T;
  using waiter = typename TestFixture::waiter;
  watchdog guard("atomic_wait was not released");
  std::atomic<T> a{TestFixture::old_value};
  blocked_waiters<waiter, T> w(a, TestFixture::old_value, 1);
  ASSERT_TRUE(w.all_asleep());
  waiter::notify_all(a);  // no change: the waiter must go back to sleep
  ASSERT_TRUE(w.all_asleep());
  std::this_thread::sleep_for(30ms);
  EXPECT_EQ(w.returned(), 0) << "returned after a notify without a change";
  a.store(TestFixture::new_value);  // no notify: the waiter sleeps on
  std::this_thread::sleep_for(30ms);
  EXPECT_EQ(w.returned(), 0) << "returned without a notify";
  waiter::notify_one(a);
  EXPECT_TRUE(eventually([&] { return w.returned() == 1; }));
  w.join();
}

TYPED_TEST(AtomicWait, NotifyOneWakesOneAndNotifyAllWakesEveryone) {
  using T = typename TestFixture::T;
  using waiter = typename TestFixture::waiter;
  constexpr int n = 4;
  watchdog guard("atomic_notify lost a waiter");
  std::atomic<T> a{TestFixture::old_value};
  blocked_waiters<waiter, T> w(a, TestFixture::old_value, n);
  ASSERT_TRUE(w.all_asleep());
  a.store(TestFixture::new_value);
  waiter::notify_one(a);
  EXPECT_TRUE(eventually([&] { return w.returned() == 1; }));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(w.returned(), 1) << "notify_one released more than one waiter";
  waiter::notify_one(a);
  EXPECT_TRUE(eventually([&] { return w.returned() == 2; }));
  std::this_thread::sleep_for(30ms);
  EXPECT_EQ(w.returned(), 2);
  waiter::notify_all(a);
  EXPECT_TRUE(eventually([&] { return w.returned() == n; }));
  w.join();
}

TYPED_TEST(AtomicWait, TimedWaitReturnsTrueWhenChangedInTime) {
  using T = typename TestFixture::T;
  using waiter = typename TestFixture::waiter;
  watchdog guard("timed atomic_wait was not released");
  std::atomic<T> a{TestFixture::old_value};
  std::atomic<int> result{-1};
  std::atomic<os_thread_id> id{0};
  std::thread t([&] {
    id.store(futon::testing::current_os_thread_id());
    result.store(waiter::wait_for(a, TestFixture::old_value, 30s) ? 1 : 0);
  });
  ASSERT_TRUE(eventually([&] { return id.load() != 0; }));
  ASSERT_TRUE(futon::testing::wait_until_asleep([&] { return std::vector{id.load()}; }));
  a.store(TestFixture::new_value);
  waiter::notify_one(a);
  EXPECT_TRUE(eventually([&] { return result.load() != -1; }));
  EXPECT_EQ(result.load(), 1);
  t.join();
}

// Notifies with nobody waiting make no futex call (the 4-byte path counts its waiters per
// address slot; the other sizes never call the futex backend at all).
TYPED_TEST(AtomicWait, NotifyWithoutWaitersMakesNoFutexCall) {
  using T = typename TestFixture::T;
  using counted = counting_backend<typename TestFixture::backend>;
  using waiter = futon::basic_atomic_waiter<counted>;
  counted::reset();
  std::atomic<T> a{TestFixture::old_value};
  for (int i = 0; i < 1000; ++i) {
    a.store(i % 2 == 0 ? TestFixture::new_value : TestFixture::old_value);
    waiter::notify_one(a);
    waiter::notify_all(a);
  }
  EXPECT_EQ(counted::calls(), 0u);
}

// Two threads take turns through one atomic: a lost wakeup stops the game.
TYPED_TEST(AtomicWait, PingPongLosesNoWakeup) {
  using T = typename TestFixture::T;
  using waiter = typename TestFixture::waiter;
  const int rounds = scaled(10000);
  watchdog guard("atomic_wait ping-pong stopped: lost wakeup", 60s);
  constexpr T idle = TestFixture::old_value;
  constexpr T ball = TestFixture::new_value;
  std::atomic<T> turn{idle};
  std::thread other([&] {
    for (int i = 0; i < rounds; ++i) {
      waiter::wait(turn, idle, std::memory_order_acquire);
      turn.store(idle, std::memory_order_release);
      waiter::notify_one(turn);
    }
  });
  for (int i = 0; i < rounds; ++i) {
    turn.store(ball, std::memory_order_release);
    waiter::notify_one(turn);
    if (i % 2 == 0) {
      while (turn.load(std::memory_order_acquire) == ball)
        waiter::wait(turn, ball, std::memory_order_acquire);
    } else {
      while (turn.load(std::memory_order_acquire) == ball)
        ASSERT_TRUE(waiter::wait_for(turn, ball, 30s, std::memory_order_acquire));
    }
  }
  other.join();
}

// A token goes round four threads, each waiting on its own atomic (four neighbours in one cache
// line, so their slots and buckets may be shared): a lost wakeup stops the ring.
TYPED_TEST(AtomicWait, RingOfNeighboursLosesNoWakeup) {
  using T = typename TestFixture::T;
  using waiter = typename TestFixture::waiter;
  constexpr int ring_size = 4;
  const int rounds = scaled(3000);
  watchdog guard("atomic_wait ring stopped: lost wakeup", 60s);
  alignas(64) std::array<std::atomic<T>, ring_size> holds{};
  for (auto& h : holds)
    h.store(TestFixture::old_value);
  {
    thread_group ring;
    for (int i = 0; i < ring_size; ++i) {
      ring.spawn([&, i] {
        std::atomic<T>& mine = holds[static_cast<std::size_t>(i)];
        std::atomic<T>& next = holds[static_cast<std::size_t>((i + 1) % ring_size)];
        for (int round = 0; round < rounds; ++round) {
          if (round % 2 == 0) {
            waiter::wait(mine, TestFixture::old_value);
          } else {
            while (!waiter::wait_until(mine, TestFixture::old_value,
                                       std::chrono::steady_clock::now() + 10s)) {
            }
          }
          mine.store(TestFixture::old_value);
          next.store(TestFixture::new_value);
          waiter::notify_one(next);
        }
      });
    }
    holds[0].store(TestFixture::new_value);
    waiter::notify_one(holds[0]);
  }
  // Thread 3 handed the token back to thread 0 after the last round.
  EXPECT_EQ(holds[0].load(), TestFixture::new_value);
}

// The free functions (default backend) work the same.
TYPED_TEST(AtomicWait, FreeFunctions) {
  using T = typename TestFixture::T;
  watchdog guard("free atomic_wait was not released");
  std::atomic<T> a{TestFixture::old_value};
  EXPECT_FALSE(futon::atomic_wait_for(a, TestFixture::old_value, 1ms));
  EXPECT_FALSE(
      futon::atomic_wait_until(a, TestFixture::old_value, std::chrono::system_clock::now() + 1ms));
  std::thread t([&] {
    futon::atomic_wait(a, TestFixture::old_value);
    a.store(T(2));
    futon::atomic_notify_all(a);
  });
  a.store(TestFixture::new_value);
  futon::atomic_notify_one(a);
  futon::atomic_wait(a, TestFixture::new_value, std::memory_order_acquire);
  EXPECT_EQ(a.load(), T(2));
  t.join();
}

template <class Waiter, class T>
struct wait_subject {
  struct object {
    std::atomic<T> a{T(0)};
  };
  template <class R, class P>
  static bool wait_for(object& o, const std::chrono::duration<R, P>& d) {
    const bool changed = Waiter::wait_for(o.a, T(0), d);
    if (!changed) {
      EXPECT_EQ(o.a.load(), T(0)) << "timed out, yet the value had changed";
    }
    return changed;
  }
  template <class C, class D>
  static bool wait_until(object& o, const std::chrono::time_point<C, D>& t) {
    const bool changed = Waiter::wait_until(o.a, T(0), t);
    if (!changed) {
      EXPECT_EQ(o.a.load(), T(0)) << "timed out, yet the value had changed";
    }
    return changed;
  }
  static void make_ready(object& o) {
    o.a.store(T(1));
    Waiter::notify_all(o.a);
  }
};

TYPED_TEST(AtomicWait, TimeoutTable) {
  futon::testing::expect_timeout_table<
      wait_subject<typename TestFixture::waiter, typename TestFixture::T>>();
}

// Bits, not values, as std: -0.0 differs from 0.0, and a NaN equals itself.
TEST(AtomicWaitBits, FloatingPointComparesRepresentations) {
  std::atomic<double> a{-0.0};
  EXPECT_TRUE(futon::atomic_wait_for(a, 0.0, 0ns));
  EXPECT_FALSE(futon::atomic_wait_for(a, -0.0, 0ns));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::atomic<double> b{nan};
  EXPECT_FALSE(futon::atomic_wait_for(b, nan, 0ns));
  std::atomic<float> c{-0.0f};
  EXPECT_TRUE(futon::atomic_wait_for(c, 0.0f, 0ns));
}

// Other trivially copyable types of the right sizes work too.
TEST(AtomicWaitTypes, PointersEnumsAndBools) {
#if defined(FUTON_TEST_SMALL_ATOMICS)
  enum class color : std::uint16_t { red, green };
  std::atomic<color> c{color::red};
  EXPECT_FALSE(futon::atomic_wait_for(c, color::red, 0ns));
  EXPECT_TRUE(futon::atomic_wait_for(c, color::green, 0ns));
  std::atomic<bool> flag{false};
  EXPECT_FALSE(futon::atomic_wait_for(flag, false, 0ns));
  flag.store(true);
  futon::atomic_notify_all(flag);
  futon::atomic_wait(flag, false);
#endif
  int x = 0;
  std::atomic<int*> p{&x};
  EXPECT_FALSE(futon::atomic_wait_for(p, &x, 0ns));
  EXPECT_TRUE(futon::atomic_wait_for(p, nullptr, 0ns));
  std::atomic<char32_t> ch{U'a'};
  EXPECT_TRUE(futon::atomic_wait_for(ch, U'b', 0ns));
}

// ---- Misuse ----------------------------------------------------------------------------------

#if FUTON_DEBUG_CHECKS

TEST(AtomicWaitDeathTest, ReleaseOrdersStop) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  std::atomic<std::uint32_t> a4{1};
  EXPECT_DEATH(futon::atomic_wait(a4, 0u, std::memory_order_release), "not valid for a load");
  EXPECT_DEATH(futon::atomic_wait_for(a4, 0u, 1s, std::memory_order_release),
               "not valid for a load");
  EXPECT_DEATH(
      futon::atomic_wait_until(a4, 0u, std::chrono::steady_clock::now(), std::memory_order_acq_rel),
      "not valid for a load");
#if defined(FUTON_TEST_SMALL_ATOMICS)
  std::atomic<std::uint8_t> a1{1};
  EXPECT_DEATH(futon::atomic_wait(a1, std::uint8_t{0}, std::memory_order_acq_rel),
               "not valid for a load");
#endif
}

#endif  // FUTON_DEBUG_CHECKS

}  // namespace
