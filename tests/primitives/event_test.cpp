// SPDX-License-Identifier: BSL-1.0
// event, typed over every backend: set/reset/is_set, waits that return once set (including a
// set() undone at once by reset()), the setter's writes visible to released waiters, no futex
// call when nobody waits, lost-wakeup hunts, and the timeout table for wait_for/wait_until.
#include <atomic>
#include <chrono>
#include <futon/event.hpp>
#include <thread>
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

constinit futon::event global_event;
constinit futon::event global_set_event(true);

template <class Backend>
class Event : public ::testing::Test {};
TYPED_TEST_SUITE(Event, futon::testing::primitive_backends, futon::testing::backend_name);

// Threads that each wait once (some untimed, some with a huge timeout) and record the result.
template <class Event>
class waiters {
 public:
  waiters(const Event& e, int n) : ids_(static_cast<std::size_t>(n)) {
    for (int i = 0; i < n; ++i) {
      threads_.spawn([&, i] {
        ids_[static_cast<std::size_t>(i)].store(futon::testing::current_os_thread_id());
        bool set = true;
        if (i % 2 == 0) {
          e.wait();
        } else {
          set = e.wait_for(1h);
        }
        (set ? woken_ : timed_out_).fetch_add(1);
      });
    }
  }
  int woken() const { return woken_.load(); }
  int timed_out() const { return timed_out_.load(); }
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
      for (auto& id : ids_)
        v.push_back(id.load());
      return v;
    });
  }
  void join() { threads_.join(); }

 private:
  std::vector<std::atomic<os_thread_id>> ids_;
  std::atomic<int> woken_{0};
  std::atomic<int> timed_out_{0};
  thread_group threads_;
};

TYPED_TEST(Event, SetResetIsSet) {
  futon::basic_event<TypeParam> e;
  EXPECT_FALSE(e.is_set());
  e.set();
  EXPECT_TRUE(e.is_set());
  e.set();
  EXPECT_TRUE(e.is_set());
  e.reset();
  EXPECT_FALSE(e.is_set());
  e.reset();
  EXPECT_FALSE(e.is_set());
  futon::basic_event<TypeParam> initially(true);
  EXPECT_TRUE(initially.is_set());
  futon::basic_event<TypeParam> not_initially(false);
  EXPECT_FALSE(not_initially.is_set());
}

TYPED_TEST(Event, GlobalsAreConstantInitialized) {
  EXPECT_TRUE(global_set_event.is_set());
  EXPECT_TRUE(global_set_event.wait_for(0s));
  EXPECT_FALSE(global_event.wait_for(0s));
}

TYPED_TEST(Event, WaitOnASetEventReturnsAtOnce) {
  futon::basic_event<TypeParam> e(true);
  e.wait();
  EXPECT_TRUE(e.wait_for(0ns));
  EXPECT_TRUE(e.wait_until(std::chrono::steady_clock::time_point::min()));
  EXPECT_TRUE(e.is_set());  // waiting does not consume it
}

TYPED_TEST(Event, SetReleasesEveryWaiter) {
  watchdog guard("event waiters were not released");
  futon::basic_event<TypeParam> e;
  waiters<futon::basic_event<TypeParam>> w(e, 6);
  ASSERT_TRUE(w.all_asleep());
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(w.woken() + w.timed_out(), 0);
  e.set();
  EXPECT_TRUE(eventually([&] { return w.woken() == 6; }));
  w.join();
  EXPECT_EQ(w.timed_out(), 0);
}

// set() then reset() at once: the threads waiting at the time are released all the same.
TYPED_TEST(Event, SetThenResetStillReleasesTheWaiters) {
  watchdog guard("a set() undone by reset() was missed");
  for (int round = 0; round < scaled(20); ++round) {
    futon::basic_event<TypeParam> e;
    waiters<futon::basic_event<TypeParam>> w(e, 4);
    ASSERT_TRUE(w.all_asleep());
    e.set();
    e.reset();
    ASSERT_TRUE(eventually([&] { return w.woken() == 4; })) << "round " << round;
    w.join();
    EXPECT_FALSE(e.is_set());
    EXPECT_FALSE(e.wait_for(1ms));  // a new wait does block again
  }
}

TYPED_TEST(Event, WaiterSeesWhatTheSetterWrote) {
  watchdog guard("event visibility test hung");
  for (int round = 0; round < scaled(200); ++round) {
    futon::basic_event<TypeParam> e;
    int data = 0;  // plain: the event must order it
    std::thread setter([&] {
      data = round + 1;
      e.set();
    });
    if (round % 2 == 0) {
      e.wait();
    } else {
      ASSERT_TRUE(e.wait_for(30s));
    }
    EXPECT_EQ(data, round + 1);
    setter.join();
  }
}

TYPED_TEST(Event, NoFutexCallWithoutWaiters) {
  using counted = counting_backend<TypeParam>;
  counted::reset();
  futon::basic_event<counted> e;
  for (int i = 0; i < 1000; ++i) {
    e.set();
    e.wait();
    EXPECT_TRUE(e.wait_for(1h));
    EXPECT_TRUE(e.is_set());
    e.reset();
    EXPECT_FALSE(e.wait_for(0ns));
    EXPECT_FALSE(e.wait_until(std::chrono::system_clock::time_point::min()));
  }
  EXPECT_EQ(counted::calls(), 0u);

  // A waiter that timed out leaves the waiters bit: one futile wake at most, then none.
  EXPECT_FALSE(e.wait_for(1ms));
  counted::reset();
  for (int i = 0; i < 1000; ++i) {
    e.set();
    e.reset();
  }
  EXPECT_LE(counted::wakes.load(), 1u);
}

// Two threads hand a turn back and forth, each event used as an auto-reset one by its waiter.
TYPED_TEST(Event, PingPongLosesNoWakeup) {
  const int rounds = scaled(20000);
  watchdog guard("event ping-pong stopped: lost wakeup", 60s);
  futon::basic_event<TypeParam> ping;
  futon::basic_event<TypeParam> pong;
  std::thread other([&] {
    for (int i = 0; i < rounds; ++i) {
      ping.wait();
      ping.reset();
      pong.set();
    }
  });
  for (int i = 0; i < rounds; ++i) {
    ping.set();
    if (i % 2 == 0) {
      pong.wait();
    } else {
      ASSERT_TRUE(pong.wait_for(30s));
    }
    pong.reset();
  }
  other.join();
}

// A crowd (more threads than cores) passes a gate that opens and closes many times: each round
// every thread must get through. Two gates alternate, so that a thread starting round r + 1
// never sees round r's gate still open: it always waits on a closed one.
TYPED_TEST(Event, CrowdThroughAGateManyTimes) {
  constexpr int n = 6;
  const int rounds = scaled(500);
  watchdog guard("event gate stopped: lost wakeup", 60s);
  futon::basic_event<TypeParam> gates[2];
  futon::basic_event<TypeParam> all_through;
  std::atomic<int> through{0};
  {
    thread_group threads;
    for (int t = 0; t < n; ++t) {
      threads.spawn([&, t] {
        for (int r = 0; r < rounds; ++r) {
          auto& gate = gates[r % 2];
          if (t % 2 == 0) {
            gate.wait();
          } else {
            ASSERT_TRUE(gate.wait_until(std::chrono::steady_clock::now() + 30s));
          }
          if (through.fetch_add(1) + 1 == n * (r + 1)) all_through.set();
        }
      });
    }
    for (int r = 0; r < rounds; ++r) {
      gates[r % 2].set();
      all_through.wait();
      all_through.reset();
      gates[r % 2].reset();  // round r + 2 waits on it again
    }
  }
  EXPECT_EQ(through.load(), n * rounds);
}

template <class Backend>
struct wait_subject {
  struct object {
    futon::basic_event<Backend> e;
  };
  template <class R, class P>
  static bool wait_for(object& o, const std::chrono::duration<R, P>& d) {
    return o.e.wait_for(d);
  }
  template <class C, class D>
  static bool wait_until(object& o, const std::chrono::time_point<C, D>& t) {
    return o.e.wait_until(t);
  }
  static void make_ready(object& o) { o.e.set(); }
};

TYPED_TEST(Event, WaitTimeoutTable) {
  futon::testing::expect_timeout_table<wait_subject<TypeParam>>();
}

}  // namespace
