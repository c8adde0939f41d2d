// SPDX-License-Identifier: BSL-1.0
// futon::wait_any over event, latch and counting_semaphore (<futon/wait_any.hpp>) on every
// backend that waits on several words: ready primitives return at once without the futex (lowest
// index first, a later semaphore keeps its permits), each kind wakes a sleeping call, two
// semaphores released together lose exactly one permit, the timeout table, many callers racing
// for one semaphore take exactly its permits, plain waiters and wait_any callers on one primitive
// lose no wake, and a latch left before its zero keeps its destructor's check quiet.
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <futon/counting_semaphore.hpp>
#include <futon/event.hpp>
#include <futon/latch.hpp>
#include <futon/wait_any.hpp>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "backends.hpp"
#include "std_flag.hpp"
#include "test_support.hpp"
#include "timeout_table.hpp"

namespace {

using namespace std::chrono_literals;
using futon::testing::eventually;
using futon::testing::std_flag;
using futon::testing::thread_group;
using futon::testing::watchdog;

// The backend under test, counting the calls that reach it (a ready primitive must reach none).
template <class Backend>
struct counted : Backend {
  static inline std::atomic<std::size_t> calls{0};

  static void wait(const futon::futex_word& word, std::uint32_t expected) noexcept {
    calls.fetch_add(1);
    Backend::wait(word, expected);
  }
  static bool wait_until(const futon::futex_word& word, std::uint32_t expected,
                         const futon::detail::deadline& limit) noexcept {
    calls.fetch_add(1);
    return Backend::wait_until(word, expected, limit);
  }
  static futon::wait_any_result wait_any(std::span<const futon::wait_on> entries,
                                         const futon::detail::deadline& limit) noexcept {
    calls.fetch_add(1);
    return Backend::wait_any(entries, limit);
  }
  static std::size_t wake(const futon::futex_word& word, std::size_t count) noexcept {
    calls.fetch_add(1);
    return Backend::wake(word, count);
  }
};

template <class Backend>
class WaitAnyPrimitives : public ::testing::Test {
 protected:
  using event = futon::basic_event<Backend>;
  using latch = futon::basic_latch<Backend>;
  using semaphore = futon::basic_counting_semaphore<Backend>;
  using binary_semaphore = futon::basic_binary_semaphore<Backend>;
};
TYPED_TEST_SUITE(WaitAnyPrimitives, futon::testing::wait_any_backends,
                 futon::testing::backend_name);

// How many permits a semaphore holds, taking them all and giving them back.
template <class Semaphore>
std::ptrdiff_t permits(Semaphore& s) {
  std::ptrdiff_t n = 0;
  while (s.try_acquire())
    ++n;
  if (n > 0) s.release(n);
  return n;
}

// The caller of one wait_any, on its own thread; its result once done().
class any_caller {
 public:
  template <class Call>
  explicit any_caller(Call call)
      : thread_([this, call]() mutable {
          id_.store(futon::testing::current_os_thread_id());
          started_.store(true);
          result_ = call();
          done_.store(true);  // seq_cst: publishes result_
        }) {}
  any_caller(const any_caller&) = delete;
  any_caller& operator=(const any_caller&) = delete;
  ~any_caller() { thread_.join(); }

  [[nodiscard]] bool asleep() {
    if (!eventually([&] { return started_.load(); })) return false;
    return futon::testing::wait_until_asleep([&] {
      std::vector<futon::testing::os_thread_id> ids;
      if (!done_.load()) ids.push_back(id_.load());
      return ids;
    });
  }
  [[nodiscard]] bool await_done() {
    return eventually([&] { return done_.load(); });
  }
  bool done() const { return done_.load(); }
  std::optional<std::size_t> result() const { return result_; }

 private:
  std::atomic<bool> started_{false};
  std::atomic<bool> done_{false};
  std::atomic<futon::testing::os_thread_id> id_{0};
  std::optional<std::size_t> result_;
  std::thread thread_;
};

TYPED_TEST(WaitAnyPrimitives, ReadyPrimitiveReturnsAtOnceWithoutTheFutex) {
  using backend = counted<TypeParam>;
  futon::basic_event<backend> set_event(true);
  futon::basic_event<backend> unset_event;
  futon::basic_latch<backend> open_latch(0);
  futon::basic_latch<backend> closed_latch(1);
  futon::basic_counting_semaphore<backend> full(2);
  futon::basic_counting_semaphore<backend> empty(0);
  backend::calls.store(0);

  EXPECT_EQ(futon::wait_any(unset_event, closed_latch, set_event), 2u);
  EXPECT_EQ(futon::wait_any(empty, open_latch), 1u);
  EXPECT_EQ(futon::wait_any(unset_event, full, empty), 1u);
  EXPECT_EQ(permits(full), 1);
  // Every timeout form looks first: a ready primitive wins over a zero, past or endless timeout.
  EXPECT_EQ(futon::wait_any_for(0s, closed_latch, open_latch), 1u);
  EXPECT_EQ(futon::wait_any_for(-1h, set_event), 0u);
  EXPECT_EQ(futon::wait_any_for(std::chrono::nanoseconds::max(), empty, set_event), 1u);
  EXPECT_EQ(futon::wait_any_until(std::chrono::steady_clock::time_point::min(), empty, full), 1u);
  EXPECT_EQ(futon::wait_any_until(std::chrono::system_clock::now() - 1h, open_latch), 0u);
  EXPECT_EQ(futon::wait_any_until(futon::testing::offset_steady_clock::now(), empty, set_event),
            1u);
  EXPECT_EQ(permits(full), 0);
  EXPECT_EQ(permits(empty), 0);
  EXPECT_EQ(backend::calls.load(), 0u) << "a ready primitive reached the futex";
}

TYPED_TEST(WaitAnyPrimitives, LowestReadyIndexWinsAndLaterSemaphoresKeepTheirPermits) {
  typename TestFixture::semaphore a(1);
  typename TestFixture::semaphore b(1);
  typename TestFixture::event e(true);
  EXPECT_EQ(futon::wait_any(e, a, b), 0u);
  EXPECT_EQ(permits(a), 1);
  EXPECT_EQ(permits(b), 1);
  EXPECT_EQ(futon::wait_any(b, a), 0u);
  EXPECT_EQ(permits(a), 1);
  EXPECT_EQ(permits(b), 0);
  EXPECT_EQ(futon::wait_any(b, a), 1u);
  EXPECT_EQ(permits(a), 0);
  // The same semaphore twice: one permit per call, reported by the first listing.
  b.release(2);
  EXPECT_EQ(futon::wait_any(b, b), 0u);
  EXPECT_EQ(permits(b), 1);
}

TYPED_TEST(WaitAnyPrimitives, ExpiredTimeoutWithNoneReadyGivesUp) {
  typename TestFixture::event e;
  typename TestFixture::latch l(1);
  typename TestFixture::semaphore s(0);
  EXPECT_EQ(futon::wait_any_for(0s, e, l, s), std::nullopt);
  EXPECT_EQ(futon::wait_any_until(std::chrono::system_clock::time_point::min(), e, l, s),
            std::nullopt);
  EXPECT_EQ(futon::wait_any_for(5ms, s), std::nullopt);
  EXPECT_EQ(permits(s), 0);
}

// Each kind, made ready by another thread while the call sleeps on all three, ends it with its
// own index; nothing else is taken.
TYPED_TEST(WaitAnyPrimitives, EachKindWakesASleepingCall) {
  watchdog guard("EachKindWakesASleepingCall hung");
  for (std::size_t ready : {0u, 1u, 2u}) {
    for (bool timed : {false, true}) {
      SCOPED_TRACE("ready " + std::to_string(ready) + (timed ? ", timed" : ", untimed"));
      typename TestFixture::event e;
      typename TestFixture::latch l(2);
      typename TestFixture::semaphore s(0);
      any_caller caller([&]() -> std::optional<std::size_t> {
        if (timed) return futon::wait_any_for(60s, e, l, s);
        return futon::wait_any(e, l, s);
      });
      ASSERT_TRUE(caller.asleep());
      l.count_down();  // not yet zero: the call sleeps on
      std::this_thread::sleep_for(5ms);
      EXPECT_FALSE(caller.done());
      switch (ready) {
        case 0:
          e.set();
          break;
        case 1:
          l.count_down();
          break;
        default:
          s.release();
          break;
      }
      ASSERT_TRUE(caller.await_done());
      EXPECT_EQ(caller.result(), ready);
      EXPECT_EQ(permits(s), 0) << "the permit was not taken, or was taken when not reported";
    }
  }
}

// An event set and reset while the call sleeps still ends it (set since the call began).
TYPED_TEST(WaitAnyPrimitives, EventSetAndResetStillEndsTheCall) {
  watchdog guard("EventSetAndResetStillEndsTheCall hung");
  typename TestFixture::event e;
  typename TestFixture::semaphore s(0);
  any_caller caller([&] { return std::optional<std::size_t>(futon::wait_any(s, e)); });
  ASSERT_TRUE(caller.asleep());
  e.set();
  e.reset();
  ASSERT_TRUE(caller.await_done());
  EXPECT_EQ(caller.result(), 1u);
}

// Two semaphores released together (from two threads at once) while a call sleeps on both:
// the call takes exactly one permit, of the semaphore it reports; the other keeps its own.
TYPED_TEST(WaitAnyPrimitives, TwoSemaphoresReleasedTogetherLoseExactlyOnePermit) {
  watchdog guard("TwoSemaphoresReleasedTogetherLoseExactlyOnePermit hung", 60s);
  const int rounds = futon::testing::scaled(200);
  std::array<int, 2> reported{};
  for (int round = 0; round < rounds; ++round) {
    typename TestFixture::semaphore a(0);
    typename TestFixture::binary_semaphore b(0);
    any_caller caller([&] { return std::optional<std::size_t>(futon::wait_any(a, b)); });
    if (round % 8 == 0) {
      ASSERT_TRUE(caller.asleep());  // else it may still be on its way down
    }
    std_flag go;
    thread_group releasers;
    releasers.spawn([&] {
      go.wait();
      a.release();
    });
    releasers.spawn([&] {
      go.wait();
      b.release();
    });
    go.set();
    releasers.join();
    ASSERT_TRUE(caller.await_done());
    ASSERT_TRUE(caller.result().has_value());
    const std::size_t taken = *caller.result();
    ASSERT_LT(taken, 2u);
    ++reported[taken];
    EXPECT_EQ(permits(a), taken == 0 ? 0 : 1) << "round " << round;
    EXPECT_EQ(permits(b), taken == 1 ? 0 : 1) << "round " << round;
  }
  std::printf("took a %d times, b %d times\n", reported[0], reported[1]);
}

// The timeout table (timeout_table.hpp), through wait_any_for / wait_any_until on an event, a
// latch and a semaphore, none ready; made ready, the one at `Ready` is, and the call must report
// it (and, for the semaphore, have taken its permit).
template <class Backend, std::size_t Ready>
struct any_subject {
  struct object {
    futon::basic_event<Backend> e;
    futon::basic_latch<Backend> l{1};
    futon::basic_counting_semaphore<Backend> s{0};
  };
  template <class Rep, class Period>
  static bool wait_for(object& o, const std::chrono::duration<Rep, Period>& timeout) {
    return reported_ready(o, futon::wait_any_for(timeout, o.e, o.l, o.s));
  }
  template <class Clock, class Duration>
  static bool wait_until(object& o, const std::chrono::time_point<Clock, Duration>& deadline) {
    return reported_ready(o, futon::wait_any_until(deadline, o.e, o.l, o.s));
  }
  static void make_ready(object& o) {
    if constexpr (Ready == 0) o.e.set();
    if constexpr (Ready == 1) o.l.count_down();
    if constexpr (Ready == 2) o.s.release();
  }

 private:
  static bool reported_ready(object& o, std::optional<std::size_t> r) {
    if (!r) {
      EXPECT_EQ(permits(o.s), 0) << "timed out holding a permit";
      return false;
    }
    EXPECT_EQ(*r, Ready) << "returned by a primitive that was not made ready";
    if constexpr (Ready == 2) {
      EXPECT_EQ(permits(o.s), 0) << "reported the semaphore without taking its permit";
    }
    return true;
  }
};

TYPED_TEST(WaitAnyPrimitives, TimeoutTableEvent) {
  futon::testing::expect_timeout_table<any_subject<TypeParam, 0>>();
}
TYPED_TEST(WaitAnyPrimitives, TimeoutTableLatch) {
  futon::testing::expect_timeout_table<any_subject<TypeParam, 1>>();
}
TYPED_TEST(WaitAnyPrimitives, TimeoutTableSemaphore) {
  futon::testing::expect_timeout_table<any_subject<TypeParam, 2>>();
}

// Many callers race for one semaphore (each also waiting on a quit event), beside plain
// acquirers: N releases, in batches of 1 to 3, give exactly N acquisitions in all, and nobody
// is left asleep on a permit (every permit is taken before quit is set).
TYPED_TEST(WaitAnyPrimitives, ManyCallersRacingForOneSemaphoreTakeExactlyItsPermits) {
  watchdog guard("ManyCallersRacingForOneSemaphoreTakeExactlyItsPermits hung", 90s);
  constexpr int any_callers = 6;
  constexpr int plain_acquirers = 2;
  const int permits_total = futon::testing::scaled(3000);
  typename TestFixture::semaphore s(0);
  typename TestFixture::event quit;
  typename TestFixture::latch never(1);
  std::atomic<int> taken{0};
  std::atomic<int> plain_to_take{permits_total / 10};
  thread_group callers;
  thread_group plain;
  for (int i = 0; i < any_callers; ++i) {
    callers.spawn([&, i] {
      for (;;) {
        // Half list quit first: when it is set, they leave even with permits about.
        const std::size_t r =
            i % 2 == 0 ? futon::wait_any(never, s, quit) : 2 - futon::wait_any(quit, s, never);
        if (r == 2) return;
        EXPECT_EQ(r, 1u);
        taken.fetch_add(1);
      }
    });
  }
  for (int i = 0; i < plain_acquirers; ++i) {
    plain.spawn([&] {
      // Plain acquirers take a share counted out to them, so that all of them return.
      while (plain_to_take.fetch_sub(1) > 0) {
        s.acquire();
        taken.fetch_add(1);
      }
    });
  }
  int released = 0;
  while (released < permits_total) {
    const int batch = std::min(1 + released % 3, permits_total - released);
    s.release(batch);
    released += batch;
    // Now and then a pause, so that the callers run out of permits and fall asleep.
    if (released % 97 == 0) std::this_thread::sleep_for(100us);
  }
  EXPECT_TRUE(eventually([&] { return taken.load() == permits_total; }, 60s))
      << taken.load() << " of " << permits_total << " permits taken: a wake was lost";
  quit.set();
  callers.join();
  // Plain acquirers still blocked on a share the callers took: one permit each, then they stop.
  plain_to_take.store(0);
  s.release(plain_acquirers);
  plain.join();
  EXPECT_EQ(taken.load() + permits(s), permits_total + plain_acquirers);
  never.count_down();
}

// Plain waiters and wait_any callers on one event, one latch and one semaphore: every wake
// reaches everyone it should.
TYPED_TEST(WaitAnyPrimitives, PlainWaitersAndCallersOnOnePrimitiveLoseNoWake) {
  watchdog guard("PlainWaitersAndCallersOnOnePrimitiveLoseNoWake hung", 60s);
  const int rounds = futon::testing::scaled(50);
  for (int round = 0; round < rounds; ++round) {
    typename TestFixture::event e;
    typename TestFixture::event other;
    typename TestFixture::latch l(1);
    typename TestFixture::semaphore s(0);
    std::atomic<int> returned{0};
    {
      thread_group threads;
      for (int i = 0; i < 2; ++i) {
        threads.spawn([&] {
          e.wait();
          returned.fetch_add(1);
        });
        threads.spawn([&] {
          EXPECT_EQ(futon::wait_any(other, e), 1u);
          returned.fetch_add(1);
        });
        threads.spawn([&] {
          l.wait();
          returned.fetch_add(1);
        });
        threads.spawn([&] {
          EXPECT_EQ(futon::wait_any(other, l), 1u);
          returned.fetch_add(1);
        });
        threads.spawn([&] {
          s.acquire();
          returned.fetch_add(1);
        });
        threads.spawn([&] {
          EXPECT_EQ(futon::wait_any(other, s), 1u);
          returned.fetch_add(1);
        });
      }
      if (round % 10 == 0) std::this_thread::sleep_for(2ms);  // most asleep by now
      e.set();
      l.count_down();
      for (int i = 0; i < 4; ++i)
        s.release();  // one at a time: each wake must reach a different sleeper
      ASSERT_TRUE(eventually([&] { return returned.load() == 12; }, 30s))
          << returned.load() << " of 12 returned in round " << round;
    }
    EXPECT_EQ(permits(s), 0);
  }
}

// A call that leaves a latch before its zero (through another primitive, or by timing out)
// takes back the waiters bit it set: the latch may then be destroyed (its debug check sees no
// waiter), and a plain waiter that slept beside the call is still woken by the zero.
TYPED_TEST(WaitAnyPrimitives, LeavingALatchEarlyKeepsItsWaitersBitTruthful) {
  watchdog guard("LeavingALatchEarlyKeepsItsWaitersBitTruthful hung");
  {
    typename TestFixture::latch l(1);
    EXPECT_EQ(futon::wait_any_for(2ms, l), std::nullopt);
  }  // destroyed at count 1, nobody waiting: FUTON_DEBUG_CHECKS must not stop here
  {
    typename TestFixture::latch l(1);
    typename TestFixture::event e;
    any_caller caller([&] { return std::optional<std::size_t>(futon::wait_any(l, e)); });
    ASSERT_TRUE(caller.asleep());
    e.set();
    ASSERT_TRUE(caller.await_done());
    EXPECT_EQ(caller.result(), 1u);
  }
  typename TestFixture::latch l(1);
  typename TestFixture::event e;
  std::atomic<bool> plain_done{false};
  thread_group plain;
  plain.spawn([&] {
    l.wait();
    plain_done.store(true);
  });
  {
    any_caller caller([&] { return std::optional<std::size_t>(futon::wait_any(l, e)); });
    ASSERT_TRUE(caller.asleep());
    e.set();  // the call leaves, clearing the bit and waking the plain waiter, which sleeps again
    ASSERT_TRUE(caller.await_done());
  }
  std::this_thread::sleep_for(5ms);
  EXPECT_FALSE(plain_done.load());
  l.count_down();
  EXPECT_TRUE(eventually([&] { return plain_done.load(); }));
  plain.join();
}

// The 64-bit semaphore (LeastMaxValue above 2^31 - 1) sleeps on its low half: a call on it is
// woken by a release, takes one permit, and leaves 2^32 more in place.
TYPED_TEST(WaitAnyPrimitives, WideSemaphore) {
  if constexpr (sizeof(std::ptrdiff_t) > 4) {
    watchdog guard("WideSemaphore hung");
    futon::basic_counting_semaphore<TypeParam, std::numeric_limits<std::ptrdiff_t>::max()> wide(0);
    typename TestFixture::event e;
    any_caller caller([&] { return std::optional<std::size_t>(futon::wait_any(e, wide)); });
    ASSERT_TRUE(caller.asleep());
    constexpr std::ptrdiff_t extra = std::ptrdiff_t{1} << 32;
    wide.release(extra + 1);  // the low half of the word returns to where it was, but for the bit
    ASSERT_TRUE(caller.await_done());
    EXPECT_EQ(caller.result(), 1u);
    EXPECT_TRUE(wide.try_acquire());
    EXPECT_EQ(futon::wait_any_for(0s, e, wide), 1u);
  }
}

}  // namespace
