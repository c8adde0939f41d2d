// SPDX-License-Identifier: BSL-1.0
// bucket and bucket_table: the parking lot's fixed hash table of wait queues, over a platform
// (platform_concept.hpp) that supplies the bucket lock, the parker, the atomics and the clock.
//
// Why 512 buckets (os::platform's bucket_count_log2 = 9): the table is fixed (no rehash while
// threads are parked on it), so it is sized for the most threads we expect to park at once on
// distinct addresses. With n such threads in B buckets about n^2 / 2B pairs share a bucket: for
// 64 threads, 512 buckets give ~4 shared pairs, and every shared pair costs both sides a lock
// handoff and a longer scan. 512 buckets of one cache line (128 bytes on x86-64) are 64 KiB of
// memory, touched only by parking threads. The distinct-words benchmark
// (bench/parking_lot_bench.cpp) measures the table against the kernel futex from 1 to 64 threads,
// and against a one-bucket platform (one lock for every address).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <futon/detail/cache_line.hpp>
#include <new>

#include "parking_lot/platform_concept.hpp"
#include "parking_lot/wait_queue.hpp"
#include "parking_lot/waiter.hpp"

namespace futon {
inline namespace v0 {
namespace detail {

// One bucket: a lock, the queues of every address that hashes here, and two things read or
// kept outside the queues: the `pending` count and the fairness timer.
template <parking_lot_platform Platform>
struct alignas(cache_line_size) bucket {
  typename Platform::raw_lock lock;

  // Threads parked here, or on their way to parking (counted before they validate). Lets an
  // unparker skip the lock when nobody waits (the Zig seed's idea). This is the waiters' count
  // of the protocol in store_load_fence.hpp (in include/futon/detail/), which argues once, in
  // C++'s model, why no wakeup is lost; here its two sides are:
  //
  //   parker:   pending += 1;  store_load_fence();  validate() reads the word;  park
  //   unparker: (caller changed the word);  store_load_fence();  pending == 0 -> return
  //
  // Increments and decrements are relaxed RMWs, under the bucket lock: their atomicity keeps
  // the count exact for the lock-free reader, the fences and the bucket lock order the rest.
  typename Platform::template atomic<std::size_t> pending{0};

  wait_queue<waiter_node<Platform>> queue;

  // Fairness timer (Rust parking_lot's eventual fairness): once `fair_after_ns` has passed, the
  // next unpark that wakes a thread reports be_fair and re-arms it 0-1 ms (0.5 ms on average)
  // later; the random spread keeps buckets from all turning fair at once. Under the lock.
  std::int64_t fair_after_ns = 0;
  std::uint32_t fairness_seed = 0;

  bool fairness_due() noexcept {
    const std::int64_t now = Platform::now_ns();
    if (now < fair_after_ns) return false;
    // xorshift32: a cheap, well-spread random delay in [0, 1 ms).
    std::uint32_t x = fairness_seed == 0 ? 0x9E3779B9u : fairness_seed;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    fairness_seed = x;
    fair_after_ns = now + static_cast<std::int64_t>(x % 1'000'000u);
    return true;
  }
};

template <parking_lot_platform Platform>
class bucket_table {
 public:
  using bucket_type = bucket<Platform>;
  using node_type = waiter_node<Platform>;

  // The number of buckets: fixed, so a parked thread's bucket never moves under it, and large
  // enough that threads on distinct addresses rarely share one (see the top of the file).
  static constexpr std::size_t count_log2 = Platform::bucket_count_log2;
  static constexpr std::size_t count = std::size_t{1} << count_log2;

  // Constant-initialized (see basic_parking_lot's table): every bucket starts unlocked and empty.
  constexpr bucket_table() noexcept = default;

  // Fibonacci hashing (Knuth, TAOCP 6.4): multiply by 2^w / phi and keep the top bits, which
  // depend on every bit of the address, so word-aligned neighbours spread over distinct buckets.
  static std::size_t index_of(const void* key) noexcept {
    const auto address = reinterpret_cast<std::uintptr_t>(key);
    if constexpr (count_log2 == 0) {
      return 0;
    } else if constexpr (sizeof(std::uintptr_t) == 8) {
      return static_cast<std::size_t>((address * 0x9E3779B97F4A7C15ull) >> (64 - count_log2));
    } else {
      return static_cast<std::size_t>((address * 0x9E3779B9u) >> (32 - count_log2));
    }
  }

  bucket_type& bucket_of(const void* key) noexcept { return buckets_[index_of(key)]; }

  bucket_type& lock(const void* key) noexcept {
    bucket_type& b = bucket_of(key);
    b.lock.lock();
    return b;
  }

  // Locks the bucket the node `w` is in now. The key may change (a requeue) between reading it and
  // locking, so re-read it under the lock: a requeue needs this bucket's lock to change it.
  bucket_type& lock_bucket_of(const node_type& w) noexcept {
    for (;;) {
      // Relaxed: only a guess of which bucket to lock; confirmed under that bucket's lock.
      const void* key = w.key.load(std::memory_order_relaxed);
      bucket_type& b = lock(key);
      if (w.current_key() == key) return b;
      b.lock.unlock();
    }
  }

  // Locks the buckets of two keys in a fixed order (lower index first) so two requeues in
  // opposite directions cannot deadlock; one lock when they share a bucket.
  struct bucket_pair {
    bucket_type& from;
    bucket_type& to;
  };
  bucket_pair lock_pair(const void* from, const void* to) noexcept {
    const std::size_t from_index = index_of(from);
    const std::size_t to_index = index_of(to);
    bucket_type& first = buckets_[from_index < to_index ? from_index : to_index];
    bucket_type& second = buckets_[from_index < to_index ? to_index : from_index];
    first.lock.lock();
    if (&second != &first) second.lock.lock();
    return {buckets_[from_index], buckets_[to_index]};
  }
  static void unlock_pair(bucket_pair pair) noexcept {
    pair.from.lock.unlock();
    if (&pair.to != &pair.from) pair.to.lock.unlock();
  }

  // After fork() only the forking thread exists in the child: every queued waiter is a thread
  // that is gone, and a bucket lock may be held by one. Start the child with an empty table.
  void reset_after_fork() noexcept {
    for (bucket_type& b : buckets_) {
      // The old lock may be held by a thread that no longer exists; rebuild the bucket in place.
      b.~bucket_type();
      new (&b) bucket_type();
    }
  }

 private:
  std::array<bucket_type, count> buckets_{};
};

}  // namespace detail
}  // namespace v0
}  // namespace futon
