// SPDX-License-Identifier: BSL-1.0
// futon::condition_variable_any: waits with every kind of lock, notify semantics, timeouts, the
// destruction rule, a re-lock that throws, and the std::stop_token waits (as libc++'s
// thread.condition.condvarany tests and libstdc++'s 30_threads/condition_variable_any check
// them) — on every futex backend.
// g++ 12 at -O1 with the sanitizers warns that std::stop_source and std::jthread "may be used
// uninitialized" inside libstdc++'s <stop_token> (a false positive of that warning), which
// -Werror would turn into a failed build; this file only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <futon/condition_variable_any.hpp>
#include <futon/mutex.hpp>
#include <futon/shared_mutex.hpp>
#include <mutex>
#include <new>
#include <shared_mutex>
#include <thread>
#include <type_traits>
#include <vector>
#include <version>

#include "backends.hpp"
#include "lock_test_support.hpp"
#include "primitive_test_support.hpp"
#include "std_flag.hpp"
#include "test_support.hpp"
#include "timeout_table.hpp"

namespace {

using namespace std::chrono_literals;
using futon::testing::scaled;
using futon::testing::test_clock;

static_assert(sizeof(futon::condition_variable_any) == 8);
static_assert(!std::is_copy_constructible_v<futon::condition_variable_any>);
static_assert(!std::is_move_constructible_v<futon::condition_variable_any>);

template <class Backend>
class ConditionVariableAny : public ::testing::Test {
 protected:
  using mutex = futon::basic_mutex<Backend>;
  using shared_mutex = futon::basic_shared_mutex<Backend>;
  using condition_variable_any = futon::basic_condition_variable_any<Backend>;
};
TYPED_TEST_SUITE(ConditionVariableAny, futon::testing::primitive_backends,
                 futon::testing::backend_name);

// A BasicLockable of our own over a std::mutex, counting its calls.
struct counting_lock {
  std::mutex m;
  int locks = 0;
  int unlocks = 0;
  void lock() {
    m.lock();
    ++locks;
  }
  void unlock() {
    ++unlocks;
    m.unlock();
  }
};

// One waiter with `Lock` over `mutex`, released by a notify_all after `ready` is set under it.
template <class CV, class Mutex, class MakeLock>
void expect_wait_with(MakeLock make_lock) {
  CV cv;
  Mutex mutex;
  bool ready = false;
  std::atomic<bool> returned{false};
  std::thread waiter([&] {
    auto lock = make_lock(mutex);
    cv.wait(lock, [&] { return ready; });
    returned.store(true);
  });
  std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(returned.load());
  {
    std::unique_lock guard(mutex);
    ready = true;
  }
  cv.notify_all();
  waiter.join();
  EXPECT_TRUE(returned.load());
}

TYPED_TEST(ConditionVariableAny, WaitsWithEveryKindOfLock) {
  using cv = typename TestFixture::condition_variable_any;
  {
    SCOPED_TRACE("std::unique_lock<futon::mutex>");
    expect_wait_with<cv, typename TestFixture::mutex>([](auto& m) { return std::unique_lock(m); });
  }
  {
    SCOPED_TRACE("std::unique_lock<std::mutex>");
    expect_wait_with<cv, std::mutex>([](auto& m) { return std::unique_lock(m); });
  }
  {
    SCOPED_TRACE("std::shared_lock<futon::shared_mutex>");
    expect_wait_with<cv, typename TestFixture::shared_mutex>(
        [](auto& m) { return std::shared_lock(m); });
  }
  {
    SCOPED_TRACE("std::shared_lock<std::shared_mutex>");
    expect_wait_with<cv, std::shared_mutex>([](auto& m) { return std::shared_lock(m); });
  }
}

// A mutex is itself a BasicLockable: wait takes it directly (libc++'s wait_terminates does).
TYPED_TEST(ConditionVariableAny, WaitsWithABareMutexAndAHomemadeLock) {
  typename TestFixture::condition_variable_any cv;
  typename TestFixture::mutex m;
  bool ready = false;
  std::thread notifier([&] {
    std::this_thread::sleep_for(10ms);
    m.lock();
    ready = true;
    m.unlock();
    cv.notify_one();
  });
  m.lock();
  cv.wait(m, [&] { return ready; });
  EXPECT_TRUE(ready);
  m.unlock();
  notifier.join();

  counting_lock lock;
  lock.lock();
  EXPECT_EQ(cv.wait_for(lock, 1ms), std::cv_status::timeout);
  // One unlock to sleep, one lock to come back: the caller holds it again.
  EXPECT_EQ(lock.locks, 2);
  EXPECT_EQ(lock.unlocks, 1);
  lock.unlock();
}

TYPED_TEST(ConditionVariableAny, WaitWithoutPredicateNeverReturnsSpuriously) {
  typename TestFixture::condition_variable_any cv;
  std::mutex m;
  std::atomic<bool> notified{false};
  std::atomic<bool> returned{false};
  std::thread waiter([&] {
    std::unique_lock lock(m);
    cv.wait(lock);
    EXPECT_TRUE(notified.load()) << "wait(lock) returned without a notify";
    EXPECT_TRUE(lock.owns_lock());
    returned.store(true);
  });
  std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(returned.load());
  {
    std::lock_guard guard(m);
    notified.store(true);
  }
  cv.notify_one();
  waiter.join();
}

TYPED_TEST(ConditionVariableAny, NotifyOneReleasesExactlyOneOfTwoBlockedWaiters) {
  typename TestFixture::condition_variable_any cv;
  std::mutex m;
  int inside = 0;  // under m
  std::atomic<int> returned{0};
  std::vector<std::thread> waiters;
  for (int i = 0; i < 2; ++i) {
    waiters.emplace_back([&] {
      std::unique_lock lock(m);
      ++inside;
      cv.wait(lock);
      returned.fetch_add(1);
    });
  }
  ASSERT_TRUE(futon::testing::eventually([&] {
    std::lock_guard guard(m);
    return inside == 2;
  }));
  cv.notify_one();
  ASSERT_TRUE(futon::testing::eventually([&] { return returned.load() == 1; }));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(returned.load(), 1) << "one notify_one released two waiters";
  cv.notify_one();
  for (auto& t : waiters)
    t.join();
  EXPECT_EQ(returned.load(), 2);
}

// libstdc++'s 50862: consumers waiting in a loop, one producer's notify_one per item, each under
// the lock. Every item is consumed, nobody sleeps through one.
TYPED_TEST(ConditionVariableAny, ProducerAndConsumersWithNotifyOneLoseNothing) {
  typename TestFixture::condition_variable_any cv;
  std::mutex m;
  int product = 0;  // under m
  constexpr int consumers = 2;
  const int per_consumer = scaled(1000);
  std::vector<std::thread> threads;
  for (int c = 0; c < consumers; ++c) {
    threads.emplace_back([&] {
      for (int i = 0; i < per_consumer; ++i) {
        std::unique_lock lock(m);
        while (product == 0)
          cv.wait(lock);
        --product;
      }
    });
  }
  for (int i = 0; i < consumers * per_consumer; ++i) {
    std::this_thread::yield();
    std::unique_lock lock(m);
    ++product;
    cv.notify_one();
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(product, 0);
}

// The timeout table (timeout_table.hpp) through each form of timed wait: with a predicate, with a
// predicate and a stop_token nobody stops, and without a predicate (every check but the ready
// state, which it cannot see; held by a shared_lock, as any BasicLockable may be).
TYPED_TEST(ConditionVariableAny, PredicateWaitTimeoutTable) {
  futon::testing::expect_timeout_table<futon::testing::condition_wait_subject<
      typename TestFixture::condition_variable_any, std::mutex,
      futon::testing::condition_wait::predicate>>();
}

#if defined(__cpp_lib_jthread)
TYPED_TEST(ConditionVariableAny, StopTokenWaitTimeoutTable) {
  futon::testing::expect_timeout_table<futon::testing::condition_wait_subject<
      typename TestFixture::condition_variable_any, std::mutex,
      futon::testing::condition_wait::stop_token>>();
}
#endif

TYPED_TEST(ConditionVariableAny, WaitWithoutPredicateTimeoutTable) {
  using subject = futon::testing::condition_wait_subject<
      typename TestFixture::condition_variable_any, std::shared_mutex,
      futon::testing::condition_wait::no_predicate, std::shared_lock>;
  futon::testing::expect_expired_timeouts_give_up_at_once<subject>();
  futon::testing::expect_finite_timeouts_never_end_early<subject>();
  futon::testing::expect_endless_timeouts_wait_until_ready<subject>();
}

// [thread.condition.condvarany]: it may be destroyed once every waiter is notified, before they
// have woken. The storage is overwritten at once: a waiter that touched it after taking its
// notification would read garbage (or ASan would see it).
TYPED_TEST(ConditionVariableAny, MayBeDestroyedOnceEveryWaiterIsNotified) {
  using cv_type = typename TestFixture::condition_variable_any;
  for (int round = 0; round < scaled(50); ++round) {
    alignas(cv_type) unsigned char storage[sizeof(cv_type)];
    auto* cv = new (storage) cv_type;
    std::mutex m;
    int inside = 0;  // under m
    bool ready = false;
    std::vector<std::thread> waiters;
    for (int i = 0; i < 3; ++i) {
      waiters.emplace_back([&] {
        std::unique_lock lock(m);
        ++inside;
        cv->wait(lock, [&] { return ready; });
      });
    }
    ASSERT_TRUE(futon::testing::eventually([&] {
      std::lock_guard guard(m);
      return inside == 3;
    }));
    {
      std::lock_guard guard(m);
      ready = true;
      cv->notify_all();
      cv->~cv_type();  // under the mutex, as std allows
      std::memset(storage, 0xa5, sizeof storage);
    }
    for (auto& t : waiters)
      t.join();
  }
}

// libc++'s wait_terminates: if re-locking throws, std::terminate is called.
struct throwing_relock {
  std::atomic<int> locks{0};
  void lock() {
    if (locks.fetch_add(1) == 1) throw 1;  // the second lock: wait's re-lock
  }
  void unlock() {}
};

// A death test: its own suite, named as gtest asks (and as the cross builds' filters expect: a
// death test re-executes the program, which qemu-user cannot always do).
template <class Backend>
class ConditionVariableAnyDeathTest : public ConditionVariableAny<Backend> {};
TYPED_TEST_SUITE(ConditionVariableAnyDeathTest, futon::testing::primitive_backends,
                 futon::testing::backend_name);

TYPED_TEST(ConditionVariableAnyDeathTest, ARelockThatThrowsTerminates) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        std::set_terminate([] {
          std::fputs("futon test: std::terminate called\n", stderr);
          std::abort();
        });
        typename TestFixture::condition_variable_any cv;
        throwing_relock lock;
        lock.lock();
        static_cast<void>(cv.wait_for(lock, 1ms));
      },
      "futon test: std::terminate called");
}

#if defined(__cpp_lib_jthread)
TYPED_TEST(ConditionVariableAny, StopRequestedBeforehandReturnsThePredicate) {
  typename TestFixture::condition_variable_any cv;
  std::mutex m;
  std::unique_lock lock(m);
  std::stop_source source;
  source.request_stop();
  EXPECT_FALSE(cv.wait(lock, source.get_token(), [] { return false; }));
  EXPECT_TRUE(cv.wait(lock, source.get_token(), [] { return true; }));
  EXPECT_FALSE(cv.wait_for(lock, source.get_token(), 1h, [] { return false; }));
  EXPECT_FALSE(
      cv.wait_until(lock, source.get_token(), test_clock::now() + 1h, [] { return false; }));
  EXPECT_TRUE(lock.owns_lock());
}

TYPED_TEST(ConditionVariableAny, WithoutStopANotifyEndsTheWait) {
  typename TestFixture::condition_variable_any cv;
  typename TestFixture::mutex m;
  std::unique_lock lock(m);
  std::stop_source source;
  bool flag = false;  // under m
  std::thread notifier([&] {
    std::this_thread::sleep_for(2ms);
    std::unique_lock guard(m);
    flag = true;
    cv.notify_all();
  });
  EXPECT_TRUE(cv.wait(lock, source.get_token(), [&] { return flag; }));
  EXPECT_TRUE(flag);
  EXPECT_TRUE(lock.owns_lock());
  notifier.join();
}

// A stop request during the wait wakes it, with no notify from anyone.
TYPED_TEST(ConditionVariableAny, AStopRequestWakesEveryStopWait) {
  typename TestFixture::condition_variable_any cv;
  typename TestFixture::shared_mutex m;
  std::stop_source source;
  std::atomic<int> returned{0};
  std::vector<std::thread> waiters;
  for (int kind = 0; kind < 3; ++kind) {
    waiters.emplace_back([&, kind] {
      std::shared_lock lock(m);
      const auto never = [] { return false; };
      bool result = true;
      if (kind == 0) result = cv.wait(lock, source.get_token(), never);
      if (kind == 1) result = cv.wait_for(lock, source.get_token(), 1h, never);
      if (kind == 2) {
        result = cv.wait_until(lock, source.get_token(),
                               futon::testing::offset_steady_clock::now() + 1h, never);
      }
      EXPECT_FALSE(result);
      EXPECT_TRUE(lock.owns_lock());
      returned.fetch_add(1);
    });
  }
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(returned.load(), 0);
  source.request_stop();
  for (auto& t : waiters)
    t.join();
  EXPECT_EQ(returned.load(), 3);
}

// libc++'s race: the stop is requested after the wait has looked at the token and the predicate,
// before it sleeps. The request's callback finds nobody to notify yet; the wait must notice the
// request itself (wait_before's abandon check) instead of sleeping forever.
TYPED_TEST(ConditionVariableAny, AStopRequestedBetweenTheLookAndTheSleepIsNotLost) {
  typename TestFixture::condition_variable_any cv;
  std::mutex m;
  std::unique_lock lock(m);
  std::stop_source source;
  futon::testing::std_flag predicate_started;
  futon::testing::std_flag stop_requested;
  std::thread requester([&] {
    predicate_started.wait();
    source.request_stop();
    stop_requested.set();
  });
  EXPECT_FALSE(cv.wait(lock, source.get_token(), [&] {
    predicate_started.set();
    stop_requested.wait();
    return false;
  }));
  EXPECT_TRUE(lock.owns_lock());
  requester.join();
}

TYPED_TEST(ConditionVariableAny, StopWaitsTimeOutWithThePredicateAndNeverEarly) {
  typename TestFixture::condition_variable_any cv;
  std::mutex m;
  std::unique_lock lock(m);
  std::stop_source source;
  const auto start = test_clock::now();
  EXPECT_FALSE(cv.wait_for(lock, source.get_token(), 20ms, [] { return false; }));
  EXPECT_GE(test_clock::now() - start, 20ms);
  const auto system_deadline = std::chrono::system_clock::now() + 20ms;
  EXPECT_FALSE(cv.wait_until(lock, source.get_token(), system_deadline, [] { return false; }));
  EXPECT_GE(std::chrono::system_clock::now(), system_deadline);
  const auto offset_deadline = futon::testing::offset_steady_clock::now() + 20ms;
  EXPECT_FALSE(cv.wait_until(lock, source.get_token(), offset_deadline, [] { return false; }));
  EXPECT_GE(futon::testing::offset_steady_clock::now(), offset_deadline);
  int calls = 0;
  EXPECT_TRUE(cv.wait_for(lock, source.get_token(), 1ms, [&] { return ++calls > 1; }))
      << "the predicate's last word decides, at the deadline too";
  EXPECT_TRUE(lock.owns_lock());
}

TYPED_TEST(ConditionVariableAny, APredicateThatThrowsPropagatesWithTheLockHeld) {
  typename TestFixture::condition_variable_any cv;
  std::mutex m;
  std::unique_lock lock(m);
  std::stop_source source;
  EXPECT_THROW(cv.wait(lock, source.get_token(), []() -> bool { throw 5; }), int);
  EXPECT_TRUE(lock.owns_lock());
}

// libc++ #76807: a jthread whose loop waits with its own token; the jthread's destructor
// requests the stop and joins. A stop callback that cannot wake the wait hangs here.
TYPED_TEST(ConditionVariableAny, AJthreadWaitingOnItsOwnTokenStopsOnDestruction) {
  std::mutex m;
  typename TestFixture::condition_variable_any cv;
  std::atomic<bool> waiting{false};
  std::atomic<bool> returned_false{false};
  {
    std::jthread worker([&](std::stop_token token) {
      bool result = true;
      while (!token.stop_requested()) {
        std::unique_lock lock(m);
        waiting.store(true);
        result = cv.wait(lock, token, [] { return false; });
      }
      returned_false.store(!result);
    });
    ASSERT_TRUE(futon::testing::eventually([&] { return waiting.load(); }));
  }  // ~jthread: request_stop, join
  EXPECT_TRUE(returned_false.load()) << "the stopped wait did not return the predicate (false)";
}
#endif

}  // namespace
