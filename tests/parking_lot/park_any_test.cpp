// SPDX-License-Identifier: BSL-1.0
// parking_lot::park_any: one thread parked on several keys, unparked through any of them with
// the unparker's token and the key's index; counted once by unpark_one / unpark_all /
// unpark_filter, so an unpark that reaches it after another passes over it to the key's next
// thread; validate failing at a key; timeouts; requeue of one of its keys.
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <futon/parking_lot.hpp>
#include <thread>

#include "parking_lot_support.hpp"

namespace {

using namespace std::chrono_literals;
using futon::testing::await_parked;
using futon::testing::parked_thread;
using futon::testing::watchdog;
namespace pl = futon::parking_lot;

struct keys {
  alignas(64) int a = 0;
  alignas(64) int b = 0;
  alignas(64) int c = 0;
};

// One thread in park_any on `list`, its result once done.
class any_parked {
 public:
  any_parked(std::array<const void*, 3> list, std::size_t n,
             pl::deadline limit = pl::deadline::never())
      : list_(list) {
    thread_ = std::thread([this, n, limit] {
      result_ = pl::park_any(
          std::span<const void* const>(list_.data(), n), [](std::size_t) { return true; }, limit,
          pl::token{7});
      done_.store(true, std::memory_order_release);  // publishes result_
    });
  }
  ~any_parked() {
    while (!done()) {
      for (const void* k : list_)
        pl::unpark_all(k);
      std::this_thread::sleep_for(1ms);
    }
    thread_.join();
  }
  bool done() const { return done_.load(std::memory_order_acquire); }
  bool await_done() {
    return futon::testing::eventually([&] { return done(); });
  }
  pl::park_any_result result() const { return result_; }

 private:
  std::array<const void*, 3> list_;
  std::atomic<bool> done_{false};
  pl::park_any_result result_{};
  std::thread thread_;
};

TEST(ParkingLotParkAny, UnparkedThroughAnyKeyWithTokenAndIndex) {
  watchdog dog("ParkAny unpark");
  keys k;
  any_parked t({&k.a, &k.b, &k.c}, 3);
  ASSERT_TRUE(await_parked(&k.b, 1));
  const pl::unpark_result r = pl::unpark_one(&k.b, [](const pl::unpark_result& res) {
    EXPECT_EQ(res.unparked, 1u);
    return pl::token{0xBEEF};
  });
  EXPECT_EQ(r.unparked, 1u);
  ASSERT_TRUE(t.await_done());
  EXPECT_EQ(t.result().status, pl::park_status::unparked);
  EXPECT_EQ(t.result().index, 1u);
  EXPECT_EQ(t.result().unpark_token, pl::token{0xBEEF});
  EXPECT_EQ(pl::unpark_all(&k.a) + pl::unpark_all(&k.b) + pl::unpark_all(&k.c), 0u);
}

TEST(ParkingLotParkAny, CountedOnceSoASecondUnparkReachesTheNextThread) {
  watchdog dog("ParkAny counted once");
  keys k;
  any_parked multi({&k.a, &k.b, nullptr}, 2);
  ASSERT_TRUE(await_parked(&k.b, 1));
  parked_thread plain(&k.b);
  ASSERT_TRUE(await_parked(&k.b, 2));
  EXPECT_EQ(pl::unpark_one(&k.a).unparked, 1u);  // the park_any thread
  EXPECT_EQ(pl::unpark_one(&k.b).unparked, 1u);  // must be the plain thread, not a swallowed one
  ASSERT_TRUE(multi.await_done());
  ASSERT_TRUE(plain.await_done());
  EXPECT_EQ(multi.result().index, 0u);
  EXPECT_EQ(plain.status(), pl::park_status::unparked);
}

TEST(ParkingLotParkAny, ValidateFailingAtAKeyReturnsItsIndex) {
  keys k;
  const std::array<const void*, 3> list{&k.a, &k.b, &k.c};
  int calls = 0;
  const pl::park_any_result r = pl::park_any(list, [&](std::size_t i) {
    ++calls;
    return i != 1;
  });
  EXPECT_EQ(r.status, pl::park_status::invalid);
  EXPECT_EQ(r.index, 1u);
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(pl::unpark_all(&k.a), 0u) << "the key registered before was not left";
  EXPECT_EQ(pl::park_any(std::span<const void* const>(), [](std::size_t) { return true; }).status,
            pl::park_status::invalid);
}

TEST(ParkingLotParkAny, TimesOutAndLeavesEveryQueue) {
  keys k;
  const std::array<const void*, 3> list{&k.a, &k.b, &k.a};
  const auto start = std::chrono::steady_clock::now();
  const pl::park_any_result r = pl::park_any(
      list, [](std::size_t) { return true; }, pl::deadline::after(20ms));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 20ms);
  EXPECT_EQ(r.status, pl::park_status::timed_out);
  EXPECT_EQ(pl::unpark_all(&k.a) + pl::unpark_all(&k.b), 0u);
}

TEST(ParkingLotParkAny, RequeuedKeyUnparksThroughTheTarget) {
  watchdog dog("ParkAny requeue");
  keys k;
  any_parked t({&k.a, &k.b, nullptr}, 2);
  ASSERT_TRUE(await_parked(&k.a, 1));
  const pl::unpark_result moved = pl::unpark_requeue(
      &k.a, &k.c, [] { return pl::requeue_op::requeue_all; },
      [](pl::requeue_op, const pl::unpark_result&) { return pl::token{0}; });
  EXPECT_EQ(moved.requeued, 1u);
  EXPECT_EQ(pl::unpark_all(&k.a), 0u);
  EXPECT_EQ(pl::unpark_all(&k.c, pl::token{3}), 1u);
  ASSERT_TRUE(t.await_done());
  EXPECT_EQ(t.result().index, 0u);
  EXPECT_EQ(t.result().unpark_token, pl::token{3});
}

}  // namespace
