// SPDX-License-Identifier: BSL-1.0
// Bounded counters driven across their wrap (issue 10: "no wrap-around bug"). Each header lists
// its counters, their widths and why wrapping cannot break the contract; these tests cross each
// wrap with the primitive in use. Counters too wide to cross in a test (32-bit sequences, a
// 30-bit generation) start near the wrap: the test writes the starting value into the object's
// word, the test-only way in (each of these primitives is standard-layout, its words its only
// members, in declaration order); a recursive mutex's count of levels, through the friend its
// header leaves to the tests.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <futon/barrier.hpp>
#include <futon/condition_variable.hpp>
#include <futon/event.hpp>
#include <futon/mutex.hpp>
#include <futon/recursive_mutex.hpp>
#include <futon/wait_group.hpp>
#include <mutex>
#include <system_error>
#include <thread>
#include <type_traits>
#include <vector>

#include "primitive_test_support.hpp"
#include "recursive_mutex_test_access.hpp"

namespace {

using namespace std::chrono_literals;
using futon::testing::hook_point;
using futon::testing::hooked_backend;
using futon::testing::scaled;
using futon::testing::watchdog;

template <class Backend>
class Wraparound : public ::testing::Test {};
TYPED_TEST_SUITE(Wraparound, futon::testing::primitive_backends, futon::testing::backend_name);

// The `index`-th 32-bit word of `object`.
template <class Object>
futon::futex_word& word_of(Object& object, std::size_t index) {
  static_assert(std::is_standard_layout_v<Object>);
  return reinterpret_cast<futon::futex_word*>(&object)[index];
}

// condition_variable: seq_ (32 bits, word 0) starts 16 notifies before its wrap; the token
// epoch (6 bits of counts_, word 1) wraps every 64 notifies that find a waiter. Producer and
// consumers through notify_one, then notify_all: nothing lost, nobody stuck.
TYPED_TEST(Wraparound, ConditionVariableSequenceAndEpoch) {
  watchdog guard("condition_variable across its sequence wrap");
  futon::basic_mutex<TypeParam> m;
  futon::basic_condition_variable<TypeParam> cv;
  word_of(cv, 0).store(0xFFFFFFF0u);
  const int items = 300;  // > 16 sequence steps and > 64 epoch steps
  int available = 0;
  int consumed = 0;
  int waiting = 0;  // consumers inside cv.wait
  bool finished = false;
  std::vector<std::thread> consumers;
  for (int i = 0; i < 3; ++i) {
    consumers.emplace_back([&] {
      std::unique_lock lock(m);
      for (;;) {
        while (available == 0 && !finished) {
          ++waiting;
          cv.wait(lock);
          --waiting;
        }
        if (available == 0) return;
        --available;
        ++consumed;
      }
    });
  }
  for (int i = 0; i < items; ++i) {
    // Produce only for a consumer that waits and has no item yet, so that every notify finds
    // an un-notified waiter and steps the sequence and the epoch.
    for (;;) {
      {
        std::lock_guard lock(m);
        if (waiting > available) {
          ++available;
          break;
        }
      }
      std::this_thread::yield();
    }
    cv.notify_one();
  }
  {
    std::lock_guard lock(m);
    finished = true;
  }
  cv.notify_all();
  for (auto& t : consumers)
    t.join();
  EXPECT_EQ(consumed, items);
  EXPECT_LT(word_of(cv, 0).load(), 0xFFFFFFF0u) << "the sequence did not wrap";
}

// wait_group: the generation (7 bits) advances once per zero that woke a waiter. A waiter woken
// by a zero that then stays off the CPU while 127 more zeros pass (none with a waiter) still
// returns: those zeros do not move the generation (the 7add648 version counted every zero, so
// 127 more brought it back to the waiter's and it slept through its zero: defect 5).
TYPED_TEST(Wraparound, WaitGroupWaiterDelayedPast128Zeros) {
  using backend = hooked_backend<TypeParam>;
  watchdog guard("wait_group lapped");
  futon::basic_wait_group<backend> group;
  group.add(1);
  std::atomic<bool> returned{false};
  std::thread waiter([&] {
    EXPECT_TRUE(group.wait_for(10s)) << "the waiter slept through the zero it waited for";
    returned.store(true);
  });
  std::this_thread::sleep_for(20ms);  // the waiter registers; it may or may not sleep yet
  // Between the first zero and its wake: raise the count again and pass 127 more zeros.
  backend::arm(hook_point::before_wake, [&] {
    group.add(1);
    for (int i = 0; i < 127; ++i) {
      group.done();
      group.add(1);
    }
  });
  const int runs = backend::runs.load();
  group.done();
  waiter.join();
  EXPECT_TRUE(returned.load());
  EXPECT_EQ(backend::runs.load(), runs + 1)
      << "the zero woke nobody: the waiter had not registered";
  group.done();
}

// wait_group: many zeros with waiters, so the generation itself wraps several times.
TYPED_TEST(Wraparound, WaitGroupGenerationWrapsWithWaiters) {
  watchdog guard("wait_group generation wrap");
  futon::basic_wait_group<TypeParam> group;
  for (int round = 0; round < 300; ++round) {
    group.add(1);
    std::thread waiter([&] { EXPECT_TRUE(group.wait_for(10s)) << "round " << round; });
    if (round % 2 == 0) std::this_thread::yield();
    group.done();
    waiter.join();
  }
}

// event: the generation (30 bits, bits 2-31) starts 8 set()s before its wrap.
TYPED_TEST(Wraparound, EventGeneration) {
  watchdog guard("event generation wrap");
  futon::basic_event<TypeParam> e;
  word_of(e, 0).store((0x3FFFFFF8u) << 2);
  for (int round = 0; round < 32; ++round) {
    std::thread waiter([&] { EXPECT_TRUE(e.wait_for(10s)) << "round " << round; });
    if (round % 2 == 0) std::this_thread::sleep_for(1ms);
    e.set();
    waiter.join();
    e.reset();  // set() then reset(): a waiter that began before must still have returned
  }
  EXPECT_LT(word_of(e, 0).load() >> 2, 0x3FFFFFF8u) << "the generation did not wrap";
}

// barrier: the phase (7 bits) wraps every 128 phases; tokens stay right across it.
TYPED_TEST(Wraparound, BarrierPhase) {
  watchdog guard("barrier phase wrap");
  futon::basic_barrier<TypeParam> b(2);
  std::thread other([&] {
    for (int i = 0; i < 300; ++i)
      b.arrive_and_wait();
  });
  for (int i = 0; i < 300; ++i)
    b.arrive_and_wait();
  other.join();
}

// recursive_mutex / recursive_timed_mutex: the count of levels (32 bits) does not wrap, it stops
// at 2^32 - 1: the holder's next try_lock (and try_lock_for/until) returns false at once and its
// next lock() throws system_error(resource_unavailable_try_again), the mutex unchanged: still
// held (another thread cannot have it), a level fewer lets the holder lock again, and once the
// holder is down to its last level and releases it, the mutex works as before. The count starts
// two levels below its limit (tests/primitives/recursive_mutex_test_access.hpp, the test-only way
// in).
template <class RecursiveMutex>
void recursive_levels_stop_at_their_limit() {
  using access = futon::detail::recursive_lock_test_access;
  constexpr std::uint32_t limit = access::max_levels;
  RecursiveMutex m;
  const auto other_gets_it = [&] {
    bool got = false;
    std::thread([&] {
      got = m.try_lock();
      if (got) m.unlock();
    }).join();
    return got;
  };
  m.lock();
  access::levels(m) = limit - 2;
  m.lock();
  EXPECT_TRUE(m.try_lock()) << "the last level below the limit was refused";
  EXPECT_EQ(access::levels(m), limit);

  EXPECT_FALSE(m.try_lock()) << "try_lock went past the limit";
  if constexpr (requires { m.try_lock_for(1h); }) {
    const auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(m.try_lock_for(1h));
    EXPECT_FALSE(m.try_lock_for(std::chrono::nanoseconds::max()));
    EXPECT_FALSE(m.try_lock_until(std::chrono::steady_clock::time_point::max()));
    EXPECT_FALSE(m.try_lock_until(std::chrono::system_clock::now() + 1h));
    EXPECT_LT(std::chrono::steady_clock::now() - start, 10s) << "a refused timed lock waited";
  }
  bool threw = false;
  try {
    m.lock();
  } catch (const std::system_error& e) {
    threw = true;
    EXPECT_EQ(e.code(), std::errc::resource_unavailable_try_again) << e.what();
  }
  EXPECT_TRUE(threw) << "lock() went past the limit without throwing";
  EXPECT_EQ(access::levels(m), limit) << "a refused call changed the count";
  EXPECT_FALSE(other_gets_it()) << "a refused call released the mutex";

  // A level fewer: the holder may lock again, up to the limit.
  m.unlock();
  EXPECT_EQ(access::levels(m), limit - 1);
  m.lock();
  EXPECT_FALSE(m.try_lock());
  m.unlock();
  m.unlock();
  EXPECT_FALSE(other_gets_it()) << "released with 2^32 - 3 levels still held";

  // Down to the last level (4 billion unlocks would take seconds), then released: free, and an
  // ordinary mutex again.
  access::levels(m) = 1;
  m.unlock();
  EXPECT_TRUE(other_gets_it()) << "not free after the last level";
  m.lock();
  m.lock();
  EXPECT_EQ(access::levels(m), 2u);
  EXPECT_FALSE(other_gets_it());
  m.unlock();
  m.unlock();
  EXPECT_TRUE(other_gets_it());
}

TYPED_TEST(Wraparound, RecursiveMutexLevelsStopAtTheirLimit) {
  recursive_levels_stop_at_their_limit<futon::basic_recursive_mutex<TypeParam>>();
  recursive_levels_stop_at_their_limit<futon::basic_recursive_timed_mutex<TypeParam>>();
}

}  // namespace
