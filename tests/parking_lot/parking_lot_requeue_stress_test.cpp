// SPDX-License-Identifier: BSL-1.0
// Requeues in both directions at once (A -> B and B -> A), on addresses that share a bucket and on
// addresses that do not, while waiters park (timed and untimed) and get unparked from wherever
// they are: no deadlock (bucket pairs are locked in a fixed order), and every park returns
// exactly once, counted exactly once.
//
// Exactness is checked per unpark call: every call that unparks uses its own call id as the
// unpark token and records how many threads it unparked; every parked thread records the token
// it received. At the end, for each call id, the threads that received it == the count it
// reported; and every thread that returned timed_out received no token.
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <thread>
#include <utility>
#include <vector>

#include "parking_lot/os_parking_lot.hpp"
#include "parking_lot_support.hpp"

namespace {

using namespace std::chrono_literals;
using futon::futex_word;
using futon::testing::scaled;
using futon::testing::thread_group;
using futon::testing::watchdog;
namespace pl = futon::parking_lot;
// The engine under the library's parking lot, for its bucket hash (src/ is internal).
using core = futon::detail::os_parking_lot;

using plfutex = futon::basic_futex<futon::backend::parking_lot_futex>;

constexpr std::size_t word_count = 4096;
std::array<futex_word, word_count> words{};

// Two words in the same bucket (collide) or in different buckets.
std::pair<futex_word*, futex_word*> pick_pair(bool collide) {
  for (std::size_t i = 0; i < word_count; ++i) {
    for (std::size_t j = i + 1; j < word_count; ++j) {
      const bool same = core::bucket_index(&words[i]) == core::bucket_index(&words[j]);
      if (same == collide) return {&words[i], &words[j]};
    }
  }
  return {nullptr, nullptr};
}

// Per-call bookkeeping of the unpark calls (see the file comment).
class call_ledger {
 public:
  static constexpr std::size_t capacity = std::size_t{1} << 20;

  call_ledger()
      : reported_(new std::atomic<std::uint32_t>[capacity]),
        received_(new std::atomic<std::uint32_t>[capacity]) {
    for (std::size_t i = 0; i < capacity; ++i) {
      reported_[i].store(0, std::memory_order_relaxed);
      received_[i].store(0, std::memory_order_relaxed);
    }
  }

  // A fresh call id (>= 1; token 0 means "no token"); 0 once the ledger is full, and such calls
  // are then only counted in the totals.
  pl::token next_id() {
    const std::size_t id = next_.fetch_add(1, std::memory_order_relaxed);
    return id < capacity ? id : 0;
  }
  void reported(pl::token id, std::size_t unparked) {
    total_reported_.fetch_add(unparked, std::memory_order_relaxed);
    if (id != 0) reported_[id].fetch_add(static_cast<std::uint32_t>(unparked));
  }
  void received(pl::token id) {
    total_received_.fetch_add(1, std::memory_order_relaxed);
    if (id != 0 && id < capacity) received_[id].fetch_add(1);
  }

  // Checks every call; call once all threads are joined.
  ::testing::AssertionResult balanced() const {
    if (total_reported_.load() != total_received_.load()) {
      return ::testing::AssertionFailure()
             << "unpark calls reported " << total_reported_.load() << " threads unparked, but "
             << total_received_.load() << " parks returned unparked";
    }
    const std::size_t used = std::min<std::size_t>(next_.load(), capacity);
    for (std::size_t id = 1; id < used; ++id) {
      if (reported_[id].load() != received_[id].load()) {
        return ::testing::AssertionFailure()
               << "unpark call " << id << " reported " << reported_[id].load() << " threads, but "
               << received_[id].load() << " received its token";
      }
    }
    return ::testing::AssertionSuccess();
  }
  std::size_t total() const { return total_reported_.load(); }

 private:
  std::unique_ptr<std::atomic<std::uint32_t>[]> reported_;
  std::unique_ptr<std::atomic<std::uint32_t>[]> received_;
  std::atomic<std::size_t> next_{1};
  std::atomic<std::size_t> total_reported_{0};
  std::atomic<std::size_t> total_received_{0};
};

void run_requeue_storm(const void* a, const void* b) {
  watchdog dog("concurrent requeues A->B and B->A deadlocked or lost a waiter",
               std::chrono::seconds(20));
  constexpr int waiters = 6;
  const int parks_per_waiter = scaled(3000);
  call_ledger ledger;
  std::atomic<int> waiters_done{0};
  std::atomic<std::size_t> timed_out{0};
  std::atomic<std::size_t> bad{0};  // timed_out with a token, or an invalid park
  std::atomic<std::size_t> requeued{0};
  const void* keys[2] = {a, b};

  thread_group threads;
  for (int w = 0; w < waiters; ++w) {
    threads.spawn([&, w] {
      std::minstd_rand rng(static_cast<std::uint32_t>(w) + 1);
      for (int i = 0; i < parks_per_waiter; ++i) {
        const void* key = keys[rng() % 2];
        const bool timed = rng() % 3 == 0;
        const pl::deadline limit = timed
                                       ? pl::deadline::after(std::chrono::microseconds(rng() % 500))
                                       : pl::deadline::never();
        const pl::park_result r = pl::park(
            key, [] { return true; }, limit, static_cast<pl::token>(w));
        if (r.status == pl::park_status::unparked) {
          ledger.received(r.unpark_token);
        } else if (r.status == pl::park_status::timed_out && timed && r.unpark_token == 0) {
          timed_out.fetch_add(1);
        } else {
          bad.fetch_add(1);
        }
      }
      waiters_done.fetch_add(1);
    });
  }
  const auto running = [&] { return waiters_done.load() < waiters; };
  // Two movers, one per direction, choosing their op at random; each unpark is a ledger call.
  for (int direction = 0; direction < 2; ++direction) {
    threads.spawn([&, direction] {
      std::minstd_rand rng(static_cast<std::uint32_t>(100 + direction));
      const void* from = keys[direction];
      const void* to = keys[1 - direction];
      constexpr pl::requeue_op ops[] = {pl::requeue_op::requeue_all, pl::requeue_op::requeue_one,
                                        pl::requeue_op::unpark_one_requeue_rest,
                                        pl::requeue_op::unpark_one, pl::requeue_op::abort};
      while (running()) {
        const pl::requeue_op op = ops[rng() % 5];
        const pl::token id = ledger.next_id();
        const pl::unpark_result r = pl::unpark_requeue(
            from, to, [op] { return op; },
            [&](pl::requeue_op, const pl::unpark_result&) { return id; });
        ledger.reported(id, r.unparked);
        requeued.fetch_add(r.requeued);
        if (rng() % 4 == 0) std::this_thread::yield();
      }
    });
  }
  // An unparker that keeps untimed waiters moving: one at a time, or half of a queue by filter.
  threads.spawn([&] {
    std::minstd_rand rng(7);
    while (running()) {
      const void* key = keys[rng() % 2];
      const pl::token id = ledger.next_id();
      pl::unpark_result r{};
      if (rng() % 2 == 0) {
        r = pl::unpark_one(key, [&](const pl::unpark_result&) { return id; });
      } else {
        const unsigned parity = static_cast<unsigned>(rng() % 2);
        r = pl::unpark_filter(
            key,
            [parity](pl::token t) {
              return t % 2 == parity ? pl::filter_op::unpark : pl::filter_op::skip;
            },
            [&](const pl::unpark_result&) { return id; });
      }
      ledger.reported(id, r.unparked);
      std::this_thread::yield();
    }
  });
  threads.join();

  EXPECT_EQ(bad.load(), 0u) << "a park returned timed_out with a token, untimed, or invalid";
  EXPECT_TRUE(ledger.balanced());
  EXPECT_EQ(ledger.total() + timed_out.load(),
            static_cast<std::size_t>(waiters) * static_cast<std::size_t>(parks_per_waiter));
  EXPECT_GT(requeued.load(), 0u) << "the movers never moved anybody: the test tested nothing";
  EXPECT_EQ(futon::testing::parked_count(a), 0u);
  EXPECT_EQ(futon::testing::parked_count(b), 0u);
}

TEST(ParkingLotRequeueStress, BothDirectionsDistinctBuckets) {
  const auto [a, b] = pick_pair(false);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(core::bucket_index(a), core::bucket_index(b));
  run_requeue_storm(a, b);
}

TEST(ParkingLotRequeueStress, BothDirectionsSameBucket) {
  const auto [a, b] = pick_pair(true);
  ASSERT_NE(a, nullptr) << "no two words share a bucket";
  ASSERT_EQ(core::bucket_index(a), core::bucket_index(b));
  run_requeue_storm(a, b);
}

// The same through the futex backend: FUTEX_CMP_REQUEUE both ways with constant words, so every
// wait that returns true was counted by exactly one wake or requeue, and the sums must match.
void run_futex_requeue_storm(futex_word& a, futex_word& b) {
  watchdog dog("futex requeues A->B and B->A deadlocked or lost a waiter",
               std::chrono::seconds(20));
  constexpr int waiters = 6;
  const int waits_per_waiter = scaled(3000);
  std::atomic<int> waiters_done{0};
  std::atomic<std::size_t> returned_true{0};
  std::atomic<std::size_t> woken{0};
  std::atomic<std::size_t> moved{0};
  std::atomic<std::size_t> early{0};
  futex_word* words2[2] = {&a, &b};
  thread_group threads;
  for (int w = 0; w < waiters; ++w) {
    threads.spawn([&, w] {
      std::minstd_rand rng(static_cast<std::uint32_t>(w) + 11);
      for (int i = 0; i < waits_per_waiter; ++i) {
        futex_word& word = *words2[rng() % 2];
        if (rng() % 3 == 0) {
          const auto timeout = std::chrono::microseconds(rng() % 500);
          const auto start = std::chrono::steady_clock::now();
          if (plfutex::wait_for(word, 0, timeout)) {
            returned_true.fetch_add(1);
          } else if (std::chrono::steady_clock::now() - start < timeout) {
            early.fetch_add(1);
          }
        } else {
          plfutex::wait(word, 0);  // never returns spuriously on the parking lot
          returned_true.fetch_add(1);
        }
      }
      waiters_done.fetch_add(1);
    });
  }
  const auto running = [&] { return waiters_done.load() < waiters; };
  for (int direction = 0; direction < 2; ++direction) {
    threads.spawn([&, direction] {
      std::minstd_rand rng(static_cast<std::uint32_t>(200 + direction));
      futex_word& from = *words2[direction];
      futex_word& to = *words2[1 - direction];
      while (running()) {
        const auto r = plfutex::requeue(from, 0, to, rng() % 2,
                                        rng() % 2 ? std::numeric_limits<std::size_t>::max() : 1);
        if (r) {
          woken.fetch_add(r->woken);
          moved.fetch_add(r->requeued);
        }
        if (rng() % 4 == 0) std::this_thread::yield();
      }
    });
  }
  threads.spawn([&] {
    std::minstd_rand rng(9);
    while (running()) {
      woken.fetch_add(plfutex::wake(*words2[rng() % 2], 1 + rng() % 2));
      std::this_thread::yield();
    }
  });
  threads.join();
  EXPECT_EQ(early.load(), 0u) << "a wait_for timed out early";
  EXPECT_EQ(woken.load(), returned_true.load())
      << "wakes and requeues counted " << woken.load() << " but " << returned_true.load()
      << " waits returned true";
  EXPECT_GT(moved.load(), 0u);
  EXPECT_EQ(plfutex::wake_all(a), 0u);
  EXPECT_EQ(plfutex::wake_all(b), 0u);
}

TEST(ParkingLotRequeueStress, FutexBothDirectionsDistinctBuckets) {
  const auto [a, b] = pick_pair(false);
  ASSERT_NE(a, nullptr);
  run_futex_requeue_storm(*a, *b);
}

TEST(ParkingLotRequeueStress, FutexBothDirectionsSameBucket) {
  const auto [a, b] = pick_pair(true);
  ASSERT_NE(a, nullptr);
  run_futex_requeue_storm(*a, *b);
}

}  // namespace
