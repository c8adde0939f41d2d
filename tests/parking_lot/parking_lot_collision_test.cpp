// SPDX-License-Identifier: BSL-1.0
// Addresses that share a bucket: each address keeps its own FIFO queue inside the bucket, so
// waking, timing out and requeueing on one never disturbs another. The colliding addresses are
// found by asking the lot's own hash (os_parking_lot::bucket_index) over a large array of words,
// and the tests assert that they really collide.
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "parking_lot/os_parking_lot.hpp"
#include "parking_lot_support.hpp"

namespace {

using namespace std::chrono_literals;
using futon::futex_word;
using futon::requeue_result;
using futon::testing::await_parked;
using futon::testing::futex_waiter;
using futon::testing::parked_count;
using futon::testing::parked_thread;
using futon::testing::parked_tokens;
using futon::testing::test_clock;
using futon::testing::watchdog;
namespace pl = futon::parking_lot;
// The engine under the library's parking lot, for its bucket hash (src/ is internal).
using core = futon::detail::os_parking_lot;

using plfutex = futon::basic_futex<futon::backend::parking_lot_futex>;
using waiter = futex_waiter<plfutex>;
using tokens = std::vector<pl::token>;
constexpr std::size_t all = std::numeric_limits<std::size_t>::max();

// Far more words than buckets, so some bucket must hold several.
constexpr std::size_t word_count = 8192;
std::array<futex_word, word_count> words{};

// `n` distinct words that share one bucket (asserted by the caller).
std::vector<futex_word*> same_bucket(std::size_t n) {
  std::vector<std::vector<futex_word*>> by_bucket(core::bucket_count);
  for (auto& w : words) {
    auto& group = by_bucket[core::bucket_index(&w)];
    group.push_back(&w);
    if (group.size() == n) return group;
  }
  return {};
}

// Checks that `group` has `n` distinct words all in one bucket.
::testing::AssertionResult collide(const std::vector<futex_word*>& group, std::size_t n) {
  if (group.size() != n) {
    return ::testing::AssertionFailure()
           << "found no " << n << " words sharing a bucket among " << word_count;
  }
  for (auto* w : group) {
    if (core::bucket_index(w) != core::bucket_index(group[0])) {
      return ::testing::AssertionFailure() << w << " and " << group[0] << " do not collide";
    }
    if (w->load() != 0) return ::testing::AssertionFailure() << "word " << w << " is not 0";
  }
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      if (group[i] == group[j]) return ::testing::AssertionFailure() << "duplicate word";
    }
  }
  return ::testing::AssertionSuccess();
}

TEST(ParkingLotCollision, CollidingWordsExist) {
  const auto group = same_bucket(4);
  ASSERT_TRUE(collide(group, 4));
  EXPECT_LT(core::bucket_index(group[0]), core::bucket_count);
}

TEST(ParkingLotCollision, WakingOneAddressNeverWakesTheOther) {
  watchdog dog("ParkingLotCollision wake");
  const auto group = same_bucket(2);
  ASSERT_TRUE(collide(group, 2));
  futex_word& a = *group[0];
  futex_word& b = *group[1];

  // Arrival order interleaves the two addresses: a0, b0, a1, b1.
  waiter a0(a, 0);
  ASSERT_TRUE(await_parked(&a, 1));
  waiter b0(b, 0);
  ASSERT_TRUE(await_parked(&b, 1));
  waiter a1(a, 0);
  ASSERT_TRUE(await_parked(&a, 2));
  waiter b1(b, 0);
  ASSERT_TRUE(await_parked(&b, 2));

  EXPECT_EQ(plfutex::wake(a, 1), 1u);
  ASSERT_TRUE(a0.await_done()) << "wake(a, 1) did not wake the oldest waiter on a";
  EXPECT_TRUE(a0.woken());
  EXPECT_EQ(parked_count(&a), 1u);
  EXPECT_EQ(parked_count(&b), 2u);
  EXPECT_FALSE(b0.done());
  EXPECT_FALSE(b1.done());

  EXPECT_EQ(plfutex::wake(b, all), 2u);
  ASSERT_TRUE(b0.await_done());
  ASSERT_TRUE(b1.await_done());
  EXPECT_EQ(parked_count(&a), 1u);
  EXPECT_FALSE(a1.done());

  // Only b's bucket-mate is left: waking b again finds nobody, though the bucket is not empty.
  EXPECT_EQ(plfutex::wake(b, all), 0u);
  EXPECT_EQ(plfutex::wake(a, 5), 1u);
  ASSERT_TRUE(a1.await_done());
  EXPECT_TRUE(a1.woken());
  EXPECT_EQ(plfutex::wake(a, all), 0u);
}

TEST(ParkingLotCollision, ManyAddressesInOneBucketEachKeepTheirOrder) {
  watchdog dog("ParkingLotCollision many addresses");
  constexpr std::size_t n = 4;
  const auto group = same_bucket(n);
  ASSERT_TRUE(collide(group, n));
  // Three threads per address, arriving round-robin; tokens: 10 * address + arrival.
  std::vector<std::unique_ptr<parked_thread>> ts;
  for (std::size_t round = 0; round < 3; ++round) {
    for (std::size_t i = 0; i < n; ++i) {
      ts.push_back(std::make_unique<parked_thread>(group[i], pl::token{10 * i + round}));
      ASSERT_TRUE(await_parked(group[i], round + 1));
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    EXPECT_EQ(parked_tokens(group[i]), (tokens{10 * i, 10 * i + 1, 10 * i + 2})) << "address " << i;
  }
  // Unpark from the addresses in a different order than they were created.
  for (std::size_t round = 0; round < 3; ++round) {
    for (std::size_t i : {2u, 0u, 3u, 1u}) {
      const auto r =
          pl::unpark_one(group[i], [&](const pl::unpark_result&) { return pl::token{1}; });
      EXPECT_EQ(r.unparked, 1u);
      EXPECT_EQ(r.have_more, round < 2);
      auto& t = ts[round * n + i];
      ASSERT_TRUE(t->await_done()) << "address " << i << " round " << round;
      EXPECT_EQ(t->status(), pl::park_status::unparked);
      EXPECT_EQ(parked_count(group[i]), 2 - round);
    }
  }
}

// One scenario of a timed-out waiter leaving a shared bucket: threads arrive in `arrival` order
// (key index, token), exactly one of them timed; once it has timed out, every other address's
// queue must be intact and in order.
struct arrival {
  std::size_t key;
  pl::token token;
  bool timed;
};

void run_timeout_scenario(const std::vector<futex_word*>& keys, const std::vector<arrival>& order) {
  // The timed thread must time out after all the others are queued. Its timeout starts short and
  // doubles whenever a slow machine let it expire before the set-up was complete.
  for (std::chrono::milliseconds timeout = 50ms;; timeout *= 2) {
    ASSERT_LE(timeout, 3200ms) << "could not queue the threads before the timeout";
    std::vector<std::unique_ptr<parked_thread>> ts;
    std::vector<std::size_t> queued(keys.size(), 0);
    parked_thread* timed = nullptr;
    std::size_t timed_index = 0;
    bool raced = false;
    for (const arrival& a : order) {
      parked_thread::options opts{a.token, std::nullopt};
      if (a.timed) opts.timeout = timeout;
      ts.push_back(std::make_unique<parked_thread>(keys[a.key], opts));
      if (a.timed) {
        timed = ts.back().get();
        timed_index = a.key;
      }
      ++queued[a.key];
      const bool ok = futon::testing::eventually([&] {
        if (timed != nullptr && timed->done()) return true;
        return parked_count(keys[a.key]) == queued[a.key];
      });
      ASSERT_TRUE(ok) << "thread with token " << a.token << " never parked";
      if (timed != nullptr && timed->done()) {
        raced = true;
        break;
      }
    }
    if (raced) continue;  // the threads are released by their destructors
    const auto setup_done = test_clock::now();
    ASSERT_NE(timed, nullptr);
    ASSERT_TRUE(timed->await_done());
    if (timed->timed_out_at() <= setup_done) continue;

    EXPECT_EQ(timed->status(), pl::park_status::timed_out);
    EXPECT_GE(timed->elapsed(), timeout);
    EXPECT_EQ(timed->timed_out_calls(), 1);
    EXPECT_EQ(timed->timed_out_key(), keys[timed_index]);
    // Every address's queue: arrival order minus the timed thread.
    std::vector<tokens> expected(keys.size());
    for (const arrival& a : order) {
      if (!a.timed) expected[a.key].push_back(a.token);
    }
    EXPECT_EQ(timed->timed_out_was_last(), expected[timed_index].empty());
    for (std::size_t k = 0; k < keys.size(); ++k) {
      EXPECT_EQ(parked_tokens(keys[k]), expected[k]) << "address " << k;
    }
    // And unpark_one still takes them oldest first.
    for (std::size_t k = 0; k < keys.size(); ++k) {
      for (pl::token want : expected[k]) {
        pl::token got = ~pl::token{0};
        pl::unpark_filter(
            keys[k],
            [&](pl::token t) {
              got = t;
              return pl::filter_op::stop;
            },
            futon::testing::no_token);
        EXPECT_EQ(got, want) << "address " << k;
        EXPECT_EQ(pl::unpark_one(keys[k]).unparked, 1u);
      }
      EXPECT_EQ(parked_count(keys[k]), 0u);
    }
    for (auto& t : ts) {
      ASSERT_TRUE(t->await_done());
      if (t.get() != timed) {
        EXPECT_EQ(t->status(), pl::park_status::unparked);
      }
    }
    return;
  }
}

TEST(ParkingLotCollision, TimedOutWaiterLeavesOtherQueuesIntact) {
  watchdog dog("ParkingLotCollision timeout", std::chrono::seconds(60));
  const auto group = same_bucket(3);
  ASSERT_TRUE(collide(group, 3));
  struct scenario {
    const char* name;
    std::vector<arrival> order;
  };
  const scenario scenarios[] = {
      // Alone on its address: its queue in the middle, newest, oldest of the bucket's queues.
      {"alone, middle queue", {{1, 10, false}, {0, 1, true}, {2, 20, false}}},
      {"alone, newest queue", {{1, 10, false}, {2, 20, false}, {0, 1, true}}},
      {"alone, oldest queue", {{0, 1, true}, {1, 10, false}, {2, 20, false}}},
      // Head, middle and tail of its address's queue, the other addresses interleaved.
      {"head",
       {{0, 1, true},
        {1, 10, false},
        {0, 2, false},
        {2, 20, false},
        {0, 3, false},
        {1, 11, false}}},
      {"middle", {{0, 1, false}, {1, 10, false}, {0, 2, true}, {2, 20, false}, {0, 3, false}}},
      {"tail", {{0, 1, false}, {1, 10, false}, {0, 2, false}, {2, 20, false}, {0, 3, true}}},
  };
  for (const scenario& sc : scenarios) {
    SCOPED_TRACE(sc.name);
    ASSERT_NO_FATAL_FAILURE(run_timeout_scenario(group, sc.order));
  }
}

TEST(ParkingLotCollision, FutexTimeoutInSharedBucketLeavesTheOtherWaiters) {
  watchdog dog("ParkingLotCollision futex timeout");
  const auto group = same_bucket(2);
  ASSERT_TRUE(collide(group, 2));
  futex_word& a = *group[0];
  futex_word& b = *group[1];
  waiter b0(b, 0);
  ASSERT_TRUE(await_parked(&b, 1));
  waiter timed(a, 0, 30ms);
  waiter b1(b, 0);
  ASSERT_TRUE(timed.await_done());
  EXPECT_FALSE(timed.woken());
  EXPECT_GE(timed.elapsed(), 30ms);
  ASSERT_TRUE(await_parked(&b, 2));
  EXPECT_EQ(plfutex::wake(a, all), 0u);
  EXPECT_EQ(plfutex::wake(b, 1), 1u);
  ASSERT_TRUE(b0.await_done()) << "FIFO order on b was lost";
  EXPECT_FALSE(b1.done());
  EXPECT_EQ(plfutex::wake(b, 1), 1u);
  ASSERT_TRUE(b1.await_done());
}

TEST(ParkingLotCollision, RequeueWithinOneBucket) {
  watchdog dog("ParkingLotCollision requeue in one bucket");
  const auto group = same_bucket(2);
  ASSERT_TRUE(collide(group, 2));
  futex_word* a = group[0];
  futex_word* b = group[1];
  std::vector<std::unique_ptr<parked_thread>> ts;
  // a = [0, 1, 2], b = [100], arriving 0, 100, 1, 2.
  ts.push_back(std::make_unique<parked_thread>(a, pl::token{0}));
  ASSERT_TRUE(await_parked(a, 1));
  ts.push_back(std::make_unique<parked_thread>(b, pl::token{100}));
  ASSERT_TRUE(await_parked(b, 1));
  ts.push_back(std::make_unique<parked_thread>(a, pl::token{1}));
  ASSERT_TRUE(await_parked(a, 2));
  ts.push_back(std::make_unique<parked_thread>(a, pl::token{2}));
  ASSERT_TRUE(await_parked(a, 3));
  for (auto& t : ts) {
    t->also_release(a);
    t->also_release(b);
  }
  const auto requeue = [&](const void* from, const void* to, pl::requeue_op op) {
    return pl::unpark_requeue(
        from, to, [op] { return op; },
        [](pl::requeue_op, const pl::unpark_result&) { return pl::token{7}; });
  };

  auto r = requeue(a, b, pl::requeue_op::requeue_all);
  EXPECT_EQ(r.requeued, 3u);
  EXPECT_FALSE(r.have_more);
  EXPECT_EQ(parked_tokens(a), tokens{});
  EXPECT_EQ(parked_tokens(b), (tokens{100, 0, 1, 2}));

  r = requeue(b, a, pl::requeue_op::requeue_one);
  EXPECT_EQ(r.requeued, 1u);
  EXPECT_TRUE(r.have_more);
  EXPECT_EQ(parked_tokens(a), tokens{100});
  EXPECT_EQ(parked_tokens(b), (tokens{0, 1, 2}));

  r = requeue(b, a, pl::requeue_op::unpark_one_requeue_rest);
  EXPECT_EQ(r.unparked, 1u);
  EXPECT_EQ(r.requeued, 2u);
  EXPECT_FALSE(r.have_more);
  ASSERT_TRUE(ts[0]->await_done());
  EXPECT_EQ(ts[0]->unpark_token(), pl::token{7});
  EXPECT_EQ(parked_tokens(a), (tokens{100, 1, 2}));
  EXPECT_EQ(parked_tokens(b), tokens{});

  EXPECT_EQ(pl::unpark_all(b), 0u);
  EXPECT_EQ(pl::unpark_all(a, 9), 3u);
  for (std::size_t i : {1u, 2u, 3u}) {
    ASSERT_TRUE(ts[i]->await_done());
    EXPECT_EQ(ts[i]->unpark_token(), pl::token{9});
  }
}

TEST(ParkingLotCollision, RequeuedTimedWaiterTimesOutOnItsNewKeyInTheSameBucket) {
  watchdog dog("ParkingLotCollision requeued timeout", std::chrono::seconds(60));
  const auto group = same_bucket(2);
  ASSERT_TRUE(collide(group, 2));
  futex_word* a = group[0];
  futex_word* b = group[1];
  parked_thread stay(b, pl::token{100});
  ASSERT_TRUE(await_parked(b, 1));
  // The requeue must come before the timeout; a machine too loaded for that tries again.
  bool checked = false;
  for (auto timeout = 500ms; !checked && timeout <= 4s; timeout *= 2) {
    parked_thread timed(a, {1, timeout});
    timed.also_release(b);
    ASSERT_TRUE(futon::testing::eventually([&] { return timed.done() || parked_count(a) == 1; }));
    const auto r = pl::unpark_requeue(
        a, b, [] { return pl::requeue_op::requeue_all; },
        [](pl::requeue_op, const pl::unpark_result&) { return pl::token{0}; });
    ASSERT_TRUE(timed.await_done());
    if (r.requeued == 0) continue;
    checked = true;
    EXPECT_EQ(timed.status(), pl::park_status::timed_out);
    EXPECT_GE(timed.elapsed(), timeout);
    EXPECT_EQ(timed.timed_out_key(), b);
    EXPECT_FALSE(timed.timed_out_was_last()) << "thread 100 is still parked on b";
    EXPECT_EQ(parked_tokens(b), tokens{100});
    EXPECT_EQ(parked_count(a), 0u);
  }
  EXPECT_TRUE(checked) << "the thread always timed out before the requeue";
  EXPECT_EQ(pl::unpark_all(b), 1u);
  ASSERT_TRUE(stay.await_done());
}

TEST(ParkingLotCollision, FutexRequeueWithinOneBucket) {
  watchdog dog("ParkingLotCollision futex requeue");
  const auto group = same_bucket(2);
  ASSERT_TRUE(collide(group, 2));
  futex_word& a = *group[0];
  futex_word& b = *group[1];
  waiter b0(b, 0);
  ASSERT_TRUE(await_parked(&b, 1));
  waiter a0(a, 0);
  ASSERT_TRUE(await_parked(&a, 1));
  waiter a1(a, 0);
  ASSERT_TRUE(await_parked(&a, 2));
  waiter a2(a, 0);
  ASSERT_TRUE(await_parked(&a, 3));
  for (waiter* w : {&b0, &a0, &a1, &a2}) {
    w->also_release(b);
    w->also_release(a);
  }

  EXPECT_EQ(plfutex::requeue(a, 1, b, 1, all), std::nullopt) << "a holds 0, not 1";
  EXPECT_EQ(parked_count(&a), 3u);
  EXPECT_EQ(plfutex::requeue(a, 0, b, 1, all), (requeue_result{1, 2}));
  ASSERT_TRUE(a0.await_done());
  EXPECT_TRUE(a0.woken());
  EXPECT_EQ(parked_count(&a), 0u);
  EXPECT_EQ(parked_count(&b), 3u);
  EXPECT_EQ(plfutex::wake(a, all), 0u);
  EXPECT_EQ(plfutex::wake(b, 1), 1u);
  ASSERT_TRUE(b0.await_done()) << "b's own waiter is no longer first";
  EXPECT_EQ(plfutex::wake(b, all), 2u);
  ASSERT_TRUE(a1.await_done());
  ASSERT_TRUE(a2.await_done());
}

}  // namespace
