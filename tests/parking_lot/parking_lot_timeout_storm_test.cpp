// SPDX-License-Identifier: BSL-1.0
// Timeout storms on the parking-lot futex backend: many threads wait with 1-100 us timeouts on a
// few shared words (two of them sharing a bucket) while other threads wake and requeue between
// the words nonstop. Timeouts race with wakes and with requeues that move a waiter to another
// bucket just as it times out.
//
// The words never change value, so a wait that returns true was counted by exactly one wake or
// requeue: the sum of their counts must equal the number of true returns, exactly. Every false
// return must come after its full timeout (strict). Under ASan with
// detect_stack_use_after_return=1, a waker touching a waiter entry after the waiter's frame is
// gone is reported.
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <random>
#include <thread>

#include "parking_lot/os_parking_lot.hpp"
#include "parking_lot_support.hpp"

namespace {

using futon::futex_word;
using futon::testing::scaled;
using futon::testing::thread_group;
using futon::testing::watchdog;
// The engine under the library's parking lot, for its bucket hash (src/ is internal).
using core = futon::detail::os_parking_lot;

using plfutex = futon::basic_futex<futon::backend::parking_lot_futex>;

constexpr std::size_t pool_size = 4096;
std::array<futex_word, pool_size> pool{};

// Three words: the first two share a bucket, the third is elsewhere.
std::array<futex_word*, 3> pick_words() {
  std::array<futex_word*, 3> picked{};
  for (std::size_t i = 0; i < pool_size && picked[1] == nullptr; ++i) {
    for (std::size_t j = i + 1; j < pool_size; ++j) {
      if (core::bucket_index(&pool[i]) == core::bucket_index(&pool[j])) {
        picked[0] = &pool[i];
        picked[1] = &pool[j];
        break;
      }
    }
  }
  for (auto& w : pool) {
    if (picked[0] != nullptr && core::bucket_index(&w) != core::bucket_index(picked[0])) {
      picked[2] = &w;
      break;
    }
  }
  return picked;
}

TEST(ParkingLotTimeoutStorm, CountsStayExactAndTimeoutsNeverEarly) {
  watchdog dog("timeout storm hung", std::chrono::seconds(60));
  const auto words = pick_words();
  ASSERT_NE(words[0], nullptr) << "no two words share a bucket";
  ASSERT_NE(words[2], nullptr);
  ASSERT_EQ(core::bucket_index(words[0]), core::bucket_index(words[1]));
  ASSERT_NE(core::bucket_index(words[0]), core::bucket_index(words[2]));

  constexpr int waiters = 12;
  const int waits_per_waiter = scaled(3000);
  std::atomic<int> waiters_done{0};
  std::atomic<std::size_t> returned_true{0};
  std::atomic<std::size_t> returned_false{0};
  std::atomic<std::size_t> early{0};
  std::atomic<std::int64_t> worst_early_ns{0};
  std::atomic<std::size_t> woken_by_wake{0};
  std::atomic<std::size_t> woken_by_requeue{0};
  std::atomic<std::size_t> moved{0};

  thread_group threads;
  for (int w = 0; w < waiters; ++w) {
    threads.spawn([&, w] {
      std::minstd_rand rng(static_cast<std::uint32_t>(w) * 7919u + 1u);
      for (int i = 0; i < waits_per_waiter; ++i) {
        futex_word& word = *words[rng() % 3];
        const auto timeout = std::chrono::microseconds(1 + rng() % 100);
        const auto start = std::chrono::steady_clock::now();
        const bool woken = plfutex::wait_for(word, 0, timeout);
        const auto elapsed = std::chrono::steady_clock::now() - start;
        if (woken) {
          returned_true.fetch_add(1, std::memory_order_relaxed);
        } else {
          returned_false.fetch_add(1, std::memory_order_relaxed);
          if (elapsed < timeout) {
            early.fetch_add(1);
            const std::int64_t by =
                std::chrono::duration_cast<std::chrono::nanoseconds>(timeout - elapsed).count();
            std::int64_t worst = worst_early_ns.load();
            while (by > worst && !worst_early_ns.compare_exchange_weak(worst, by)) {
            }
          }
        }
      }
      waiters_done.fetch_add(1);
    });
  }
  const auto running = [&] { return waiters_done.load() < waiters; };
  threads.spawn([&] {  // waker: 1-3 at a time, sometimes all
    std::minstd_rand rng(12345);
    while (running()) {
      futex_word& word = *words[rng() % 3];
      const std::size_t count =
          rng() % 8 == 0 ? std::numeric_limits<std::size_t>::max() : 1 + rng() % 3;
      woken_by_wake.fetch_add(plfutex::wake(word, count), std::memory_order_relaxed);
      if (rng() % 2 == 0) std::this_thread::yield();
    }
  });
  threads.spawn([&] {  // requeuer: between every pair of words, both ways
    std::minstd_rand rng(54321);
    while (running()) {
      const std::size_t from = rng() % 3;
      const std::size_t to = (from + 1 + rng() % 2) % 3;
      const std::size_t wake_count = rng() % 2;
      const std::size_t requeue_count =
          rng() % 2 == 0 ? std::numeric_limits<std::size_t>::max() : 1 + rng() % 2;
      const auto r = plfutex::requeue(*words[from], 0, *words[to], wake_count, requeue_count);
      if (!r) {
        ADD_FAILURE() << "requeue returned nullopt, but the word always holds 0";
        break;
      }
      woken_by_requeue.fetch_add(r->woken, std::memory_order_relaxed);
      moved.fetch_add(r->requeued, std::memory_order_relaxed);
      if (rng() % 2 == 0) std::this_thread::yield();
    }
  });
  threads.join();

  const std::size_t total = static_cast<std::size_t>(waiters) * waits_per_waiter;
  EXPECT_EQ(returned_true.load() + returned_false.load(), total);
  EXPECT_EQ(early.load(), 0u) << early.load() << " waits timed out early, the worst by "
                              << worst_early_ns.load() << " ns";
  EXPECT_EQ(woken_by_wake.load() + woken_by_requeue.load(), returned_true.load())
      << "wake counted " << woken_by_wake.load() << ", requeue woke " << woken_by_requeue.load()
      << ", but " << returned_true.load() << " waits returned true";
  // The storm must have been a storm: all three outcomes happened.
  EXPECT_GT(returned_false.load(), 0u);
  EXPECT_GT(returned_true.load(), 0u);
  EXPECT_GT(moved.load(), 0u);
  for (futex_word* w : words)
    EXPECT_EQ(plfutex::wake_all(*w), 0u) << "a waiter was left behind";
  RecordProperty("woken", static_cast<int>(returned_true.load()));
  RecordProperty("timed_out", static_cast<int>(returned_false.load()));
  RecordProperty("moved", static_cast<int>(moved.load()));
}

// The parking lot API under the same storm: timed parks with 1-100 us deadlines, unparkers that
// unpark by filter and requeue, and the timed_out callback's key must be one of the storm's keys.
TEST(ParkingLotTimeoutStorm, TimedParksWithRequeuesAndFilters) {
  watchdog dog("parking lot timeout storm hung", std::chrono::seconds(60));
  const auto words = pick_words();
  ASSERT_NE(words[0], nullptr);
  ASSERT_NE(words[2], nullptr);
  constexpr int waiters = 8;
  const int parks_per_waiter = scaled(3000);
  std::atomic<int> waiters_done{0};
  std::atomic<std::size_t> unparked_returns{0};
  std::atomic<std::size_t> timed_out_returns{0};
  std::atomic<std::size_t> bad{0};
  std::atomic<std::size_t> counted{0};

  thread_group threads;
  for (int w = 0; w < waiters; ++w) {
    threads.spawn([&, w] {
      std::minstd_rand rng(static_cast<std::uint32_t>(w) + 77u);
      for (int i = 0; i < parks_per_waiter; ++i) {
        const void* key = words[rng() % 3];
        const auto timeout = std::chrono::microseconds(1 + rng() % 100);
        const void* final_key = nullptr;
        int timed_out_calls = 0;
        const auto start = std::chrono::steady_clock::now();
        const auto r = futon::parking_lot::park(
            key, [] { return true; }, [] {},
            [&](const void* k, bool) {
              final_key = k;
              ++timed_out_calls;
            },
            futon::parking_lot::deadline::after(timeout),
            static_cast<futon::parking_lot::token>(i));
        const auto elapsed = std::chrono::steady_clock::now() - start;
        if (r.status == futon::parking_lot::park_status::unparked && r.unpark_token == 1 &&
            timed_out_calls == 0) {
          unparked_returns.fetch_add(1);
        } else if (r.status == futon::parking_lot::park_status::timed_out && timed_out_calls == 1 &&
                   elapsed >= timeout &&
                   (final_key == words[0] || final_key == words[1] || final_key == words[2])) {
          timed_out_returns.fetch_add(1);
        } else {
          bad.fetch_add(1);
        }
      }
      waiters_done.fetch_add(1);
    });
  }
  const auto running = [&] { return waiters_done.load() < waiters; };
  threads.spawn([&] {
    std::minstd_rand rng(3);
    const auto one = [](const futon::parking_lot::unpark_result&) {
      return futon::parking_lot::token{1};
    };
    while (running()) {
      const void* key = words[rng() % 3];
      const unsigned parity = static_cast<unsigned>(rng() % 2);
      const auto r = futon::parking_lot::unpark_filter(
          key,
          [parity](futon::parking_lot::token t) {
            return t % 2 == parity ? futon::parking_lot::filter_op::unpark
                                   : futon::parking_lot::filter_op::skip;
          },
          one);
      counted.fetch_add(r.unparked);
      counted.fetch_add(futon::parking_lot::unpark_one(words[rng() % 3], one).unparked);
      std::this_thread::yield();
    }
  });
  threads.spawn([&] {
    std::minstd_rand rng(4);
    while (running()) {
      const std::size_t from = rng() % 3;
      const std::size_t to = (from + 1 + rng() % 2) % 3;
      const auto op = rng() % 2 == 0 ? futon::parking_lot::requeue_op::requeue_all
                                     : futon::parking_lot::requeue_op::unpark_one_requeue_rest;
      const auto r = futon::parking_lot::unpark_requeue(
          words[from], words[to], [op] { return op; },
          [](futon::parking_lot::requeue_op, const futon::parking_lot::unpark_result&) {
            return futon::parking_lot::token{1};
          });
      counted.fetch_add(r.unparked);
      std::this_thread::yield();
    }
  });
  threads.join();
  EXPECT_EQ(bad.load(), 0u) << "a park returned with the wrong status, token, callback count or "
                               "timed_out key, or timed out early";
  EXPECT_EQ(counted.load(), unparked_returns.load());
  EXPECT_EQ(unparked_returns.load() + timed_out_returns.load(),
            static_cast<std::size_t>(waiters) * parks_per_waiter);
  EXPECT_GT(timed_out_returns.load(), 0u);
  EXPECT_GT(unparked_returns.load(), 0u);
}

}  // namespace
