// SPDX-License-Identifier: BSL-1.0
// The OS thread parkers the parking lot stands on (src/os/), tested directly, typed over every
// parker this build has: the futex one (over the OS's wait-on-address call) unless the library is
// built with the POSIX parker (FUTON_PARKER_POSIX, which tests/CMakeLists.txt passes on from the
// library), and the portable pthread one wherever there are pthreads.
//
// The protocol under test is the parking lot's: the owner calls prepare_park(), publishes the
// parker, then park()s or park_until()s; one other thread calls unpark() exactly once. The parker
// lives on the owner's stack (or heap), and the owner may destroy it as soon as park() returns.
#if !defined(_WIN32)
#include <pthread.h>
#include <signal.h>
#endif

#include <atomic>
#include <chrono>
#include <cstdint>
#include <futon/detail/deadline.hpp>
#include <memory>
#include <thread>

#include "os/platform.hpp"  // defines FUTON_PARKER_NATIVE where the OS has a futex-like call
#include "test_support.hpp"
#if defined(FUTON_PARKER_NATIVE)
#include "os/futex_lock.hpp"
#include "os/futex_parker.hpp"
#endif
#if !defined(_WIN32)
#include "os/pthread_lock.hpp"
#include "os/pthread_parker.hpp"
#endif

namespace {

using namespace std::chrono_literals;
using futon::detail::deadline;
using futon::testing::scaled;
using futon::testing::test_clock;
using futon::testing::watchdog;
using ns = std::chrono::nanoseconds;

template <class Parker>
class ThreadParker : public ::testing::Test {};

// Every parker this build has: the futex one (generic over os/native_futex.hpp) where the library
// uses it, the pthread one wherever there are pthreads.
// Every parker and lock this build has meets the parking lot's concepts (the chosen pair is also
// checked in os/platform.hpp).
#if defined(FUTON_PARKER_NATIVE)
static_assert(futon::detail::thread_parker<futon::os::futex_parker>);
static_assert(futon::detail::raw_lock<futon::os::futex_lock>);
#endif
#if !defined(_WIN32)
static_assert(futon::detail::thread_parker<futon::os::pthread_parker>);
static_assert(futon::detail::raw_lock<futon::os::pthread_lock>);
#endif

#if defined(FUTON_PARKER_NATIVE) && !defined(_WIN32)
using parkers = ::testing::Types<futon::os::futex_parker, futon::os::pthread_parker>;
#elif defined(FUTON_PARKER_NATIVE)
using parkers = ::testing::Types<futon::os::futex_parker>;
#else
using parkers = ::testing::Types<futon::os::pthread_parker>;
#endif
struct parker_name {
  template <class Parker>
  static std::string GetName(int) {
    return Parker::name;
  }
};
TYPED_TEST_SUITE(ThreadParker, parkers, parker_name);

// Spins (yielding) until `p` holds a parker, and takes it.
template <class Parker>
Parker* take_published(std::atomic<Parker*>& p) {
  for (;;) {
    Parker* parker = p.exchange(nullptr, std::memory_order_acquire);
    if (parker != nullptr) return parker;
    std::this_thread::yield();
  }
}

TYPED_TEST(ThreadParker, ParkReturnsOnlyAfterUnparkAndSeesUnparkersWrites) {
  watchdog dog("park() never returned after unpark()");
  std::atomic<TypeParam*> published{nullptr};
  std::atomic<bool> returned{false};
  int payload = 0;  // plain: unpark()/park() must order it
  int seen = -1;
  std::thread owner([&] {
    TypeParam parker;
    parker.prepare_park();
    published.store(&parker, std::memory_order_release);
    parker.park();
    seen = payload;
    returned.store(true, std::memory_order_release);
  });
  TypeParam* parker = take_published(published);
  std::this_thread::sleep_for(30ms);
  EXPECT_FALSE(returned.load()) << "park() returned before anyone called unpark()";
  payload = 42;
  parker->unpark();
  owner.join();
  EXPECT_TRUE(returned.load());
  EXPECT_EQ(seen, 42);
}

TYPED_TEST(ThreadParker, HandoffChain) {
  // Each round a fresh parker on the owner's stack is unparked by the other thread, which then
  // parks itself for the owner to unpark: a strict alternation, checked by a shared counter.
  watchdog dog("a handoff was lost");
  const int rounds = scaled(2000);
  std::atomic<TypeParam*> to_a{nullptr};
  std::atomic<TypeParam*> to_b{nullptr};
  int turn = 0;  // plain: every access is ordered by an unpark/park pair
  std::thread b([&] {
    for (int i = 0; i < rounds; ++i) {
      TypeParam self;
      self.prepare_park();
      to_a.store(&self, std::memory_order_release);
      self.park();
      EXPECT_EQ(turn, 2 * i + 1);
      ++turn;
      take_published(to_b)->unpark();
    }
  });
  for (int i = 0; i < rounds; ++i) {
    TypeParam self;
    self.prepare_park();
    TypeParam* other = take_published(to_a);
    EXPECT_EQ(turn, 2 * i);
    ++turn;
    to_b.store(&self, std::memory_order_release);
    other->unpark();
    self.park();
  }
  b.join();
  EXPECT_EQ(turn, 2 * rounds);
}

TYPED_TEST(ThreadParker, UnparkBeforeParkReturnsAtOnce) {
  watchdog dog("park() after unpark() blocked");
  {
    TypeParam parker;
    parker.prepare_park();
    parker.unpark();
    parker.park();  // must not block
  }
  {
    TypeParam parker;
    parker.prepare_park();
    parker.unpark();
    const auto start = test_clock::now();
    EXPECT_TRUE(parker.park_until(deadline::after(20s)));
    EXPECT_LT(test_clock::now() - start, 10s);
  }
  {
    // Unparked from another thread, which has finished, before the owner parks.
    TypeParam parker;
    parker.prepare_park();
    std::thread([&] { parker.unpark(); }).join();
    parker.park();
  }
}

// A timeout never fires early: strict, elapsed >= requested, on the deadline's own clock.
TYPED_TEST(ThreadParker, ParkUntilSteadyDeadlineNeverEarly) {
  for (std::chrono::nanoseconds timeout :
       {ns(0), ns(1), ns(1000), ns(100'000), ns(1'000'000), ns(5'000'000), ns(20'000'000)}) {
    TypeParam parker;
    parker.prepare_park();
    const auto start = std::chrono::steady_clock::now();
    const auto until = start + timeout;
    EXPECT_FALSE(parker.park_until(deadline::at(until))) << timeout.count() << " ns";
    const auto end = std::chrono::steady_clock::now();
    EXPECT_GE(end, until) << "steady deadline of " << timeout.count() << " ns fired "
                          << (until - end).count() << " ns early";
  }
  for (std::chrono::nanoseconds timeout : {ns(1000), ns(1'000'000), ns(10'000'000)}) {
    TypeParam parker;
    parker.prepare_park();
    const auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(parker.park_until(deadline::after(timeout)));
    EXPECT_GE(std::chrono::steady_clock::now() - start, timeout);
  }
}

TYPED_TEST(ThreadParker, ParkUntilSystemDeadlineNeverEarly) {
  for (std::chrono::nanoseconds timeout :
       {ns(0), ns(1000), ns(100'000), ns(1'000'000), ns(5'000'000), ns(20'000'000)}) {
    TypeParam parker;
    parker.prepare_park();
    const auto until = std::chrono::system_clock::now() + timeout;
    EXPECT_FALSE(parker.park_until(deadline::at(until))) << timeout.count() << " ns";
    const auto end = std::chrono::system_clock::now();
    EXPECT_GE(end, until) << "system deadline of " << timeout.count() << " ns fired "
                          << (until - end).count() << " ns early";
  }
}

TYPED_TEST(ThreadParker, ParkUntilPastDeadlineReturnsFalseAtOnce) {
  TypeParam parker;
  parker.prepare_park();
  const auto start = test_clock::now();
  EXPECT_FALSE(parker.park_until(deadline::at(std::chrono::steady_clock::now() - 1s)));
  EXPECT_FALSE(parker.park_until(deadline::at(std::chrono::system_clock::now() - 1s)));
  EXPECT_FALSE(parker.park_until(deadline::after(-1ms)));
  EXPECT_LT(test_clock::now() - start, 5s);
}

TYPED_TEST(ThreadParker, ParkUntilReturnsTrueWhenUnparked) {
  watchdog dog("park_until() missed an unpark()");
  for (const bool system_clock : {false, true}) {
    std::atomic<TypeParam*> published{nullptr};
    bool woken = false;
    std::chrono::nanoseconds elapsed{};
    std::thread owner([&] {
      TypeParam parker;
      parker.prepare_park();
      const auto start = test_clock::now();
      const deadline limit = system_clock ? deadline::at(std::chrono::system_clock::now() + 20s)
                                          : deadline::after(20s);
      published.store(&parker, std::memory_order_release);
      woken = parker.park_until(limit);
      elapsed = test_clock::now() - start;
    });
    TypeParam* parker = take_published(published);
    std::this_thread::sleep_for(10ms);  // usually asleep by now; either way it must see the unpark
    parker->unpark();
    owner.join();
    EXPECT_TRUE(woken) << (system_clock ? "system" : "steady") << " deadline";
    EXPECT_LT(elapsed, 10s);
  }
}

// The parking lot's timeout path: park_until() said false, the owner then learns that an unparker
// has already claimed it and must park() until that unpark() arrives, never before.
TYPED_TEST(ThreadParker, ParkAfterTimedOutParkUntilWaitsForTheUnpark) {
  watchdog dog("park() after a timed-out park_until() missed the unpark()");
  std::atomic<TypeParam*> published{nullptr};
  std::atomic<int> stage{0};  // 1: park_until timed out; 2: park() returned
  std::thread owner([&] {
    TypeParam parker;
    parker.prepare_park();
    published.store(&parker, std::memory_order_release);
    const bool woken = parker.park_until(deadline::after(1ms));
    stage.store(woken ? -1 : 1);
    parker.park();
    stage.store(2);
  });
  TypeParam* parker = take_published(published);
  ASSERT_TRUE(futon::testing::eventually([&] { return stage.load() != 0; }));
  ASSERT_EQ(stage.load(), 1) << "park_until() returned true without an unpark()";
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(stage.load(), 1) << "park() returned before unpark()";
  parker->unpark();
  owner.join();
  EXPECT_EQ(stage.load(), 2);
}

// The owner destroys its parker the moment park() returns, while the unparker may still be inside
// unpark(). Under ASan a touch of the freed parker after the wake-up point is a use-after-free;
// heap parkers are freed and their addresses reused at once, so a late wake from the previous
// round lands on the next round's parker, which must not return before its own unpark().
TYPED_TEST(ThreadParker, DestroyedRightAfterParkReturns) {
  watchdog dog("an unpark() was lost");
  const int rounds = scaled(20000);
  std::atomic<TypeParam*> published{nullptr};
  std::atomic<int> unparked_round{-1};
  std::atomic<bool> stop{false};
  std::thread unparker([&] {
    while (!stop.load(std::memory_order_relaxed)) {
      TypeParam* parker = published.exchange(nullptr, std::memory_order_acquire);
      if (parker == nullptr) {
        std::this_thread::yield();
        continue;
      }
      unparked_round.fetch_add(1, std::memory_order_relaxed);  // published by unpark()
      parker->unpark();
    }
  });
  int early = 0;
  for (int i = 0; i < rounds; ++i) {
    const auto check = [&] {
      if (unparked_round.load(std::memory_order_relaxed) != i) ++early;
    };
    switch (i % 4) {
      case 0: {  // heap, park()
        auto parker = std::make_unique<TypeParam>();
        parker->prepare_park();
        published.store(parker.get(), std::memory_order_release);
        parker->park();
        check();
        break;  // freed here
      }
      case 1: {  // heap, park_until() with a short timeout, then park() if it timed out
        auto parker = std::make_unique<TypeParam>();
        parker->prepare_park();
        published.store(parker.get(), std::memory_order_release);
        if (!parker->park_until(deadline::after(std::chrono::microseconds(i % 50)))) {
          parker->park();
        }
        check();
        break;
      }
      case 2: {  // stack, park()
        TypeParam parker;
        parker.prepare_park();
        published.store(&parker, std::memory_order_release);
        parker.park();
        check();
        break;
      }
      default: {  // stack, park_until() far away
        TypeParam parker;
        parker.prepare_park();
        published.store(&parker, std::memory_order_release);
        if (!parker.park_until(deadline::after(20s))) parker.park();
        check();
        break;
      }
    }
  }
  stop.store(true);
  unparker.join();
  EXPECT_EQ(early, 0) << "park returned before its own unpark() " << early << " times";
}

#if !defined(_WIN32)
// Signals interrupt the OS wait (EINTR, a spurious return from the condition variable): the
// parker must go back to sleep, neither returning from park() without an unpark() nor from
// park_until() before its deadline.
class sigusr1_without_restart {
 public:
  sigusr1_without_restart() {
    struct sigaction action {};
    action.sa_handler = [](int) {};
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // no SA_RESTART: interrupted waits return EINTR
    sigaction(SIGUSR1, &action, &previous_);
  }
  ~sigusr1_without_restart() { sigaction(SIGUSR1, &previous_, nullptr); }
  sigusr1_without_restart(const sigusr1_without_restart&) = delete;
  sigusr1_without_restart& operator=(const sigusr1_without_restart&) = delete;

 private:
  struct sigaction previous_ {};
};

TYPED_TEST(ThreadParker, SignalsDoNotEndAParkEarly) {
  watchdog dog("a signalled parker never returned");
  sigusr1_without_restart handler;
  std::atomic<bool> parked{false};
  std::atomic<int> stage{0};  // 1: park_until returned false on time, 2: park() returned
  std::atomic<TypeParam*> published{nullptr};
  std::atomic<std::int64_t> early_by_ns{0};
  constexpr auto timeout = 100ms;
  std::thread owner([&] {
    TypeParam timed;
    timed.prepare_park();
    parked.store(true);
    const auto start = std::chrono::steady_clock::now();
    const bool woken = timed.park_until(deadline::after(timeout));
    const auto elapsed = std::chrono::steady_clock::now() - start;
    if (!woken && elapsed < timeout) early_by_ns.store((timeout - elapsed).count());
    stage.store(woken ? -1 : 1);
    TypeParam untimed;
    untimed.prepare_park();
    published.store(&untimed, std::memory_order_release);
    untimed.park();
    stage.store(2);
  });
  const pthread_t target = owner.native_handle();
  while (!parked.load())
    std::this_thread::yield();
  // Signal the owner every 500 us through its timed wait and 50 ms into its untimed one.
  TypeParam* untimed = nullptr;
  while (untimed == nullptr) {
    pthread_kill(target, SIGUSR1);
    std::this_thread::sleep_for(500us);
    untimed = published.load(std::memory_order_acquire);
  }
  EXPECT_EQ(stage.load(), 1) << "park_until() returned true without an unpark()";
  EXPECT_EQ(early_by_ns.load(), 0) << "park_until() timed out early";
  const auto untimed_since = test_clock::now();
  while (test_clock::now() - untimed_since < 50ms) {
    pthread_kill(target, SIGUSR1);
    std::this_thread::sleep_for(500us);
  }
  EXPECT_EQ(stage.load(), 1) << "park() returned without an unpark()";
  untimed->unpark();
  owner.join();
  EXPECT_EQ(stage.load(), 2);
}

#endif  // !_WIN32

}  // namespace
