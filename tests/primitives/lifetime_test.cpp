// SPDX-License-Identifier: BSL-1.0
// Object lifetime: each primitive destroyed at the earliest moment its header allows, at an exact
// point set up with a hook in the futex wake (hooked_backend), so that under AddressSanitizer any
// access to the object after that moment is a heap-use-after-free report, every run. And wake
// order: a notify whose wake reaches a thread that started waiting after it (the futex promises
// no order) still releases the thread it was meant for.
//
// Each case is a regression test for a defect of 7add648 (issue 10): the mutex's unlock re-read
// its word after a wake that found nobody (defect 1), the condition variable's waiters read it
// after they were notified (defect 6), and a notify_one whose wake went to a newer waiter was
// lost (defect 3).
#include <gtest/gtest.h>

#include <chrono>
#include <futon/barrier.hpp>
#include <futon/condition_variable.hpp>
#include <futon/counting_semaphore.hpp>
#include <futon/event.hpp>
#include <futon/latch.hpp>
#include <futon/mutex.hpp>
#include <futon/recursive_mutex.hpp>
#include <futon/shared_mutex.hpp>
#include <futon/wait_group.hpp>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

#include "primitive_test_support.hpp"

namespace {

using namespace std::chrono_literals;
using futon::testing::hook_point;
using futon::testing::hooked_backend;
using futon::testing::watchdog;

template <class Backend>
class Lifetime : public ::testing::Test {};
TYPED_TEST_SUITE(Lifetime, futon::testing::primitive_backends, futon::testing::backend_name);

// Waits until `done()` holds (a thread has reached the state a case needs), polling.
template <class Done>
void wait_for_state(Done done) {
  while (!done())
    std::this_thread::sleep_for(1ms);
}

// Defect 1. An unlock that wakes must not touch the mutex after its releasing CAS: from that
// CAS on, another thread may lock, unlock and delete the mutex (its last reference). Here that
// thread is the sleeper the unlock wakes; the hook after the wake (still inside unlock) waits
// until it has deleted the mutex, so under ASan any access by the rest of the unlock is a
// heap-use-after-free, every run. (On 7add648 the unlock re-read and CASed the word after a
// wake that found nobody; the sleepers count now says exactly when someone sleeps, and nothing
// follows the wake.) `levels`: how often the holder and the sleeper lock (a recursive mutex's
// last unlock releases the futon::mutex inside, its first member, whose word is its only one);
// `sleeper_lock`: how the sleeper takes its first level (lock, or a timed lock); false if it
// did not get it.
//
// The case needs the sleeper asleep at the last unlock. A registered sleeper may be awake again
// by then (its starvation timer's first sleep is 10 ms, and on a loaded machine under qemu the
// main thread can take that long to get from seeing it to the unlock); the unlock then hands
// over without a wake, correctly, and the case was not set up. Such an attempt is run again, up
// to `attempts` times; the case must be set up in one of them (seen once under qemu-aarch64
// beside two compilers: the first attempt missed).
template <class Mutex, class Backend, class SleeperLock>
void expect_freed_by_the_thread_its_unlock_woke(int levels, SleeperLock sleeper_lock) {
  using backend = Backend;
  static_assert(std::is_standard_layout_v<Mutex>);
  watchdog guard("mutex lifetime");
  constexpr int attempts = 10;
  bool woke = false;
  for (int attempt = 0; attempt < attempts && !woke; ++attempt) {
    auto* m = new Mutex;
    for (int i = 0; i < levels; ++i)
      m->lock();
    std::thread sleeper([m, levels, sleeper_lock] {
      if (!sleeper_lock(*m)) {
        ADD_FAILURE() << "the sleeper's first lock failed";
        return;
      }
      for (int i = 1; i < levels; ++i)
        m->lock();
      for (int i = 0; i < levels; ++i)
        m->unlock();
      delete m;
    });
    // The sleepers field (mutex.hpp: the word's top 24 bits) is nonzero once the sleeper has
    // registered to sleep: from then on the last unlock must wake, unless it woke by itself.
    const auto& word = *reinterpret_cast<const futon::futex_word*>(m);
    wait_for_state([&] { return (word.load() >> 8) != 0; });
    const int runs = backend::runs.load();
    backend::arm(hook_point::after_wake, [&sleeper] { sleeper.join(); });
    for (int i = 0; i < levels; ++i)
      m->unlock();  // the last releases, wakes, and the woken thread frees the mutex
    woke = backend::runs.load() == runs + 1;
    if (!woke) {
      // No wake ran the hook: take it back (only this test's threads wake, and the sleeper's
      // unlock finds nobody asleep), then wait for the sleeper, which has freed the mutex.
      backend::disarm();
      sleeper.join();
    }
  }
  EXPECT_TRUE(woke) << "the unlock did not wake in " << attempts
                    << " attempts: the case was never set up";
}

TYPED_TEST(Lifetime, MutexFreedByTheThreadItsUnlockWoke) {
  using backend = hooked_backend<TypeParam>;
  expect_freed_by_the_thread_its_unlock_woke<futon::basic_mutex<backend>, backend>(
      1, [](auto& m) { return m.lock(), true; });
}

// Nothing of the recursive mutex (its owner word, its count) may be touched after the release.
TYPED_TEST(Lifetime, RecursiveTimedMutexFreedByTheThreadItsLastUnlockWoke) {
  using backend = hooked_backend<TypeParam>;
  expect_freed_by_the_thread_its_unlock_woke<futon::basic_recursive_timed_mutex<backend>, backend>(
      2, [](auto& m) { return m.try_lock_for(1h); });
}

TYPED_TEST(Lifetime, RecursiveMutexFreedByTheThreadItsLastUnlockWoke) {
  using backend = hooked_backend<TypeParam>;
  expect_freed_by_the_thread_its_unlock_woke<futon::basic_recursive_mutex<backend>, backend>(
      2, [](auto& m) { return m.lock(), true; });
}

// Defect 2's rule. The last reader's unlock_shared wakes the writer that sleeps waiting for it
// to leave; right after that wake, before unlock_shared returns, the writer locks, unlocks and
// deletes the shared_mutex.
TYPED_TEST(Lifetime, SharedMutexFreedWhileTheLastReaderReturns) {
  using backend = hooked_backend<TypeParam>;
  watchdog guard("shared_mutex lifetime");
  auto* m = new futon::basic_shared_mutex<backend>;
  m->lock_shared();
  std::thread writer([m] {
    m->lock();  // claims, then sleeps until the reader leaves
    m->unlock();
    delete m;
  });
  // The writer announces that it sleeps with a bit of the word (its only member; bit 29, see
  // shared_mutex.hpp): once it is there, the reader's release below must wake it, asleep or not.
  static_assert(std::is_standard_layout_v<futon::basic_shared_mutex<backend>>);
  const auto* word = reinterpret_cast<const futon::futex_word*>(m);
  wait_for_state([&] { return (word->load() & (1u << 29)) != 0; });
  const int runs = backend::runs.load();
  // Read before the release (after it the writer may free the mutex), for the failure message.
  const std::uint32_t before_release = word->load();
  backend::arm(hook_point::after_wake, [&writer] { writer.join(); });
  m->unlock_shared();
  const bool woke = backend::runs.load() == runs + 1;
  // Seen once in the aarch64 leg under qemu-user (session 13), not reproduced in ~3000 runs
  // there nor 9000 natively: the word is printed so that the next failure says what the release
  // found.
  EXPECT_TRUE(woke) << "the last reader did not wake the writer; the word before its release: 0x"
                    << std::hex << before_release;
  if (!woke) {
    // No wake ran the hook: take it back and wait for the writer, which frees the mutex if it
    // got the lock without that wake (a lost wake instead leaves it asleep, and the watchdog
    // names the case).
    backend::disarm();
    writer.join();
  }
}

// Defect 6. The notifier destroys the condition variable right after notify_all, while the
// waiters have not yet woken ([thread.condition.condvar]/5): outside the mutex, and under it.
template <class Backend>
void condvar_destroyed_after_notify_all(bool under_lock) {
  watchdog guard("condition_variable destroyed after notify_all");
  constexpr int waiters = 4;
  futon::basic_mutex<Backend> m;
  auto* cv = new futon::basic_condition_variable<Backend>;
  bool ready = false;
  int waiting = 0;
  std::vector<std::thread> threads;
  for (int i = 0; i < waiters; ++i) {
    threads.emplace_back([&] {
      std::unique_lock lock(m);
      ++waiting;
      cv->wait(lock, [&] { return ready; });
    });
  }
  // Every waiter has registered (under the mutex) once `waiting` says so.
  wait_for_state([&] {
    std::lock_guard lock(m);
    return waiting == waiters;
  });
  if (under_lock) {
    std::lock_guard lock(m);
    ready = true;
    cv->notify_all();
    delete cv;
  } else {
    {
      std::lock_guard lock(m);
      ready = true;
    }
    cv->notify_all();
    delete cv;
  }
  for (auto& t : threads)
    t.join();
}

TYPED_TEST(Lifetime, ConditionVariableDestroyedRightAfterNotifyAll) {
  condvar_destroyed_after_notify_all<TypeParam>(false);
}

TYPED_TEST(Lifetime, ConditionVariableDestroyedUnderTheMutexRightAfterNotifyAll) {
  condvar_destroyed_after_notify_all<TypeParam>(true);
}

// The same with notify_one, one waiter at a time: each notify notifies the only waiter.
TYPED_TEST(Lifetime, ConditionVariableDestroyedRightAfterNotifyOne) {
  watchdog guard("condition_variable destroyed after notify_one");
  for (int round = 0; round < futon::testing::scaled(20); ++round) {
    futon::basic_mutex<TypeParam> m;
    auto* cv = new futon::basic_condition_variable<TypeParam>;
    bool ready = false;
    bool waiting = false;
    std::thread waiter([&] {
      std::unique_lock lock(m);
      waiting = true;
      cv->wait(lock, [&] { return ready; });
    });
    wait_for_state([&] {
      std::lock_guard lock(m);
      return waiting;
    });
    {
      std::lock_guard lock(m);
      ready = true;
      cv->notify_one();
      if (round % 2 == 0) delete cv;
    }
    if (round % 2 != 0) delete cv;
    waiter.join();
  }
}

// The one-shot and counting primitives: the waiting thread destroys the object as soon as its
// wait returns, while the thread that released it may still be inside its call (its wake is
// hooked to finish only after the destruction).
template <class Backend, class Object, class Release, class Wait>
void destroyed_by_the_released_waiter(Object* object, Release release, Wait wait) {
  using backend = hooked_backend<Backend>;
  watchdog guard("destroyed by the released waiter");
  std::atomic<bool> destroyed{false};
  std::thread waiter([&] {
    wait(*object);
    delete object;
    destroyed.store(true);
  });
  std::this_thread::sleep_for(20ms);  // usually asleep by now; either way the case holds
  backend::arm(hook_point::after_wake, [&] { wait_for_state([&] { return destroyed.load(); }); });
  release(*object);
  backend::disarm();  // if the release did not wake (the waiter had not slept)
  waiter.join();
}

TYPED_TEST(Lifetime, EventDestroyedByTheReleasedWaiter) {
  using event = futon::basic_event<hooked_backend<TypeParam>>;
  destroyed_by_the_released_waiter<TypeParam>(
      new event, [](event& e) { e.set(); }, [](event& e) { e.wait(); });
}

TYPED_TEST(Lifetime, LatchDestroyedByTheReleasedWaiter) {
  using latch = futon::basic_latch<hooked_backend<TypeParam>>;
  destroyed_by_the_released_waiter<TypeParam>(
      new latch(1), [](latch& l) { l.count_down(); }, [](latch& l) { l.wait(); });
}

TYPED_TEST(Lifetime, SemaphoreDestroyedByTheReleasedWaiter) {
  using semaphore = futon::basic_counting_semaphore<hooked_backend<TypeParam>, 1>;
  destroyed_by_the_released_waiter<TypeParam>(
      new semaphore(0), [](semaphore& s) { s.release(); }, [](semaphore& s) { s.acquire(); });
}

TYPED_TEST(Lifetime, WaitGroupDestroyedByTheReleasedWaiter) {
  using wait_group = futon::basic_wait_group<hooked_backend<TypeParam>>;
  auto* group = new wait_group;
  group->add(1);
  destroyed_by_the_released_waiter<TypeParam>(
      group, [](wait_group& g) { g.done(); }, [](wait_group& g) { g.wait(); });
}

TYPED_TEST(Lifetime, BarrierDestroyedByTheReleasedWaiter) {
  using barrier = futon::basic_barrier<hooked_backend<TypeParam>>;
  destroyed_by_the_released_waiter<TypeParam>(
      new barrier(2), [](barrier& b) { static_cast<void>(b.arrive()); },
      [](barrier& b) { b.arrive_and_wait(); });
}

// ---- Wake order ----------------------------------------------------------------------------

template <class Backend>
class WakeOrder : public ::testing::Test {};
using order_backends =
    ::testing::Types<futon::testing::newest_first_futex, futon::testing::random_order_futex>;
TYPED_TEST_SUITE(WakeOrder, order_backends, futon::testing::backend_name);

// Defect 3. A waits; notify_one counts it; before the notify's wake, C starts waiting and falls
// asleep; the wake reaches C (newest first). A must still return; C must not.
TYPED_TEST(WakeOrder, NotifyOneReachesTheWaiterItWasFor) {
  using backend = hooked_backend<TypeParam>;
  watchdog guard("notify_one lost to a newer waiter");
  for (int round = 0; round < futon::testing::scaled(10); ++round) {
    futon::basic_mutex<backend> m;
    futon::basic_condition_variable<backend> cv;
    int phase = 0;  // 1: A waits; 2: C waits
    std::atomic<bool> a_returned{false};
    std::atomic<bool> c_returned{false};
    std::thread a([&] {
      std::unique_lock lock(m);
      phase = 1;
      EXPECT_EQ(cv.wait_for(lock, 10s), std::cv_status::no_timeout) << "A was never woken";
      a_returned.store(true);
    });
    wait_for_state([&] { return TypeParam::sleepers() == 1; });
    std::thread c;
    backend::arm(hook_point::before_wake, [&] {
      c = std::thread([&] {
        std::unique_lock lock(m);
        phase = 2;
        // C started waiting after the notify: only a later notify may release it.
        static_cast<void>(cv.wait_for(lock, 10s));
        c_returned.store(true);
      });
      wait_for_state([&] { return TypeParam::sleepers() == 2; });
    });
    cv.notify_one();
    a.join();
    EXPECT_TRUE(a_returned.load());
    std::this_thread::sleep_for(5ms);
    EXPECT_FALSE(c_returned.load()) << "C returned from a notify issued before it waited";
    cv.notify_one();
    c.join();
    EXPECT_EQ(phase, 2);
  }
}

}  // namespace
