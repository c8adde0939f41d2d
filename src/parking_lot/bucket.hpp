// bucket and bucket_table: the parking lot's fixed hash table of wait queues.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "os/thread_parker.hpp"
#include "parking_lot/cache_line.hpp"
#include "parking_lot/wait_queue.hpp"

namespace futon::parking_lot_internal {

// One bucket: a lock, the queues of every address that hashes here, and two things read or
// kept outside the queues: the `pending` count and the fairness timer.
struct alignas(cache_line_size) bucket {
  os::raw_mutex lock;

  // Threads parked here, or on their way to parking (counted before they validate). Lets an
  // unparker skip the lock when nobody waits, with this protocol (the Zig seed's, argued in
  // C++'s model):
  //
  //   parker:   pending += 1;  store_load_barrier();  validate() reads the word;  park
  //   unparker: (caller changed the word);  store_load_barrier();  pending == 0 -> return
  //
  // The two fences are ordered one way or the other in the single total order of seq_cst fences.
  // If the unparker's comes first, the parker's validate() reads the word after it and sees the
  // caller's change, so it does not park. If the parker's comes first, the unparker's load sees
  // the increment (or a later value, which still includes it: an increment is only undone by
  // the same waiter's removal), so it takes the lock and finds the waiter. Either way no wakeup
  // is lost. Without the fences, both loads could read stale values (a store buffer on x86
  // allows exactly that), and the waiter would sleep through the wake.
  // Increments and decrements are relaxed RMWs: their atomicity keeps the count exact, the
  // fences and the bucket lock order everything else.
  os::atomic<std::size_t> pending{0};

  wait_queue queue;

  // Fairness timer (Rust parking_lot's eventual fairness): once `fair_after_ns` has passed, the
  // next unpark that wakes a thread reports be_fair and re-arms it 0-1 ms (0.5 ms on average)
  // later; the random spread keeps buckets from all turning fair at once. Under the lock.
  std::int64_t fair_after_ns = 0;
  std::uint32_t fairness_seed = 0;

  bool fairness_due() noexcept;
};

// The number of buckets: fixed, so a parked thread's bucket never moves under it, and large
// enough that threads on distinct addresses rarely share one. See DESIGN notes in bucket.cpp.
// FUTON_BUCKET_COUNT_LOG2 exists for the benchmark that builds a one-bucket (global lock) copy of
// the parking lot to show what the buckets buy; the library itself is never built with it.
#ifdef FUTON_BUCKET_COUNT_LOG2
inline constexpr std::size_t bucket_count_log2 = FUTON_BUCKET_COUNT_LOG2;
#else
inline constexpr std::size_t bucket_count_log2 = 9;
#endif
inline constexpr std::size_t bucket_count = std::size_t{1} << bucket_count_log2;

class bucket_table {
 public:
  // Constant-initialized (see table()): every bucket starts unlocked and empty.
  constexpr bucket_table() noexcept = default;

  // Fibonacci hashing (Knuth, TAOCP 6.4): multiply by 2^w / phi and keep the top bits, which
  // depend on every bit of the address, so word-aligned neighbours spread over distinct buckets.
  static std::size_t index_of(const void* key) noexcept {
    const auto address = reinterpret_cast<std::uintptr_t>(key);
    if constexpr (bucket_count_log2 == 0) {
      return 0;
    } else if constexpr (sizeof(std::uintptr_t) == 8) {
      return static_cast<std::size_t>((address * 0x9E3779B97F4A7C15ull) >>
                                      (64 - bucket_count_log2));
    } else {
      return static_cast<std::size_t>((address * 0x9E3779B9u) >> (32 - bucket_count_log2));
    }
  }

  bucket& bucket_of(const void* key) noexcept { return buckets_[index_of(key)]; }

  bucket& lock(const void* key) noexcept {
    bucket& b = bucket_of(key);
    b.lock.lock();
    return b;
  }

  // Locks the bucket `w` is in now. The key may change (a requeue) between reading it and
  // locking, so re-read it under the lock: a requeue needs this bucket's lock to change it.
  bucket& lock_bucket_of(const waiter& w) noexcept {
    for (;;) {
      const void* key = w.key.load(std::memory_order_relaxed);
      bucket& b = lock(key);
      if (w.current_key() == key) return b;
      b.lock.unlock();
    }
  }

  // Locks the buckets of two keys in a fixed order (lower index first) so two requeues in
  // opposite directions cannot deadlock; one lock when they share a bucket.
  struct bucket_pair {
    bucket& from;
    bucket& to;
  };
  bucket_pair lock_pair(const void* from, const void* to) noexcept {
    const std::size_t from_index = index_of(from);
    const std::size_t to_index = index_of(to);
    bucket& first = buckets_[from_index < to_index ? from_index : to_index];
    bucket& second = buckets_[from_index < to_index ? to_index : from_index];
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
  void reset_after_fork() noexcept;

 private:
  std::array<bucket, bucket_count> buckets_{};
};

// The one table, constant-initialized: usable from any static initializer, and reached without
// a call or an initialization guard on the wake fast path.
extern constinit bucket_table the_table;
inline bucket_table& table() noexcept {
  return the_table;
}

}  // namespace futon::parking_lot_internal
