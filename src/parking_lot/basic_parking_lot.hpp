// SPDX-License-Identifier: BSL-1.0
// basic_parking_lot<Platform>: the parking lot's engine (contract in <futon/parking_lot.hpp>),
// over a platform (platform_concept.hpp) that supplies its thread parker, bucket lock, atomics,
// clock and bucket count. Instantiated once for the real system (os::platform, in
// parking_lot.cpp, behind the functions <futon/parking_lot.hpp> declares), once for the
// deterministic scheduler (tests/dsched/lot_copy.cpp) and once with one bucket for the benchmark
// (bench/parking_lot_copy.cpp). Everything is static and resolved at compile time: each
// instantiation has its own table, and nothing is called through a pointer.
//
// Every operation follows one shape: lock the bucket(s), decide and edit queues under the lock,
// collect the waiters to wake into a list, release the lock, then unpark them. Waking outside the
// lock means a woken thread never blocks on the lock its waker still holds, and never needs to
// take it at all: everything it needs (its token, that it was dequeued) was written into its
// waiter entry before the unpark that it observes with acquire ordering (OpenBSD's futex wakes
// the same way).
#pragma once

#include <atomic>
#include <cstddef>
#include <futon/detail/function_ref.hpp>
#include <futon/detail/store_load_fence.hpp>
#include <futon/parking_lot.hpp>

#include "parking_lot/bucket.hpp"
#include "parking_lot/platform_concept.hpp"

namespace futon {
inline namespace v0 {
namespace detail {

template <parking_lot_platform Platform>
class basic_parking_lot {
  using table_type = bucket_table<Platform>;
  using bucket_type = bucket<Platform>;
  using waiter_type = waiter<Platform>;

 public:
  using token = parking_lot::token;
  using park_result = parking_lot::park_result;
  using park_status = parking_lot::park_status;
  using unpark_result = parking_lot::unpark_result;
  using filter_op = parking_lot::filter_op;

  static constexpr std::size_t bucket_count = table_type::count;

  static park_result park(const void* key, function_ref<bool()> validate,
                          function_ref<void()> before_sleep,
                          function_ref<void(const void*, bool)> timed_out, const deadline& limit,
                          token park_token) noexcept {
    waiter_type self;
    // Relaxed: published to other threads by the bucket lock taken below.
    self.key.store(key, std::memory_order_relaxed);
    self.park_token = park_token;

    bucket_type& b = table_.lock(key);
    // Count ourselves before validate() reads the caller's word, then the fence: see
    // bucket::pending for why an unparker then cannot miss us. Relaxed: the fence orders it.
    b.pending.fetch_add(1, std::memory_order_relaxed);
    store_load_fence();
    if (!validate()) {
      b.pending.fetch_sub(1, std::memory_order_relaxed);  // under the lock, as every change
      b.lock.unlock();
      return {park_status::invalid, parking_lot::default_unpark_token};
    }
    self.parker.prepare_park();
    b.queue.push_back(&self);
    b.lock.unlock();

    before_sleep();

    if (limit.is_never()) {
      self.parker.park();
      return {park_status::unparked, self.unpark_token};
    }
    if (self.parker.park_until(limit)) return {park_status::unparked, self.unpark_token};

    // Timed out. Leave whichever queue we are in now (a requeue may have moved us) - unless an
    // unparker has already taken us out, in which case it has counted us and will call unpark on
    // our parker: we must not return (and free `self`) before it has, and we report `unparked`.
    bucket_type& current = table_.lock_bucket_of(self);
    if (self.queued) {
      const void* final_key = self.current_key();
      current.queue.remove(&self);
      current.pending.fetch_sub(1, std::memory_order_relaxed);  // under the lock
      timed_out(final_key, !current.queue.has_waiters(final_key));
      current.lock.unlock();
      return {park_status::timed_out, parking_lot::default_unpark_token};
    }
    current.lock.unlock();
    self.parker.park();  // returns once the unparker is done with `self`
    return {park_status::unparked, self.unpark_token};
  }

  static unpark_result unpark_one(const void* key,
                                  function_ref<token(const unpark_result&)> callback) noexcept {
    bucket_type& b = table_.lock(key);
    unpark_list taken;
    unpark_result result;
    result.unparked = take_waiters(b, key, 1, taken);
    result.have_more = b.queue.has_waiters(key);
    result.be_fair = result.unparked != 0 && b.fairness_due();
    taken.set_token(callback(result));
    b.lock.unlock();
    taken.unpark_all();
    return result;
  }

  static std::size_t unpark_some(const void* key, std::size_t count, token unpark_token) noexcept {
    bucket_type& b = table_.bucket_of(key);
    // The lock-free "nobody waits here" check: the fence orders the caller's change of its word
    // before our read of `pending` (see bucket::pending). Relaxed load: the fence orders it.
    store_load_fence();
    if (b.pending.load(std::memory_order_relaxed) == 0) return 0;
    return unpark_some_locked(b, key, count, unpark_token);
  }

  static unpark_result unpark_requeue(const void* from, const void* to,
                                      function_ref<requeue_plan()> validate,
                                      function_ref<token(const unpark_result&)> callback) noexcept {
    auto buckets = table_.lock_pair(from, to);
    const requeue_plan plan = validate();
    unpark_result result;
    if (plan.abort) {
      table_type::unlock_pair(buckets);
      return result;
    }
    unpark_list taken;
    result.unparked = take_waiters(buckets.from, from, plan.unpark, taken);
    if (from != to) {
      while (result.requeued < plan.requeue) {
        waiter_type* w = buckets.from.queue.pop_front(from);
        if (w == nullptr) break;
        // Relaxed: we hold both buckets' locks, and every reader of `key` either holds one of
        // them or re-checks under one (lock_bucket_of).
        w->key.store(to, std::memory_order_relaxed);
        buckets.to.queue.push_back(w);
        ++result.requeued;
      }
      if (&buckets.from != &buckets.to) {
        // Under both locks. The target's count grows before the locks are released, so an
        // unparker of `to` that is ordered after this requeue sees it.
        buckets.from.pending.fetch_sub(result.requeued, std::memory_order_relaxed);
        buckets.to.pending.fetch_add(result.requeued, std::memory_order_relaxed);
        // The kernel's requeue is a full barrier; so is ours. The caller typically marks `to`'s
        // word after this requeue (a "sleepers" bit), maybe with a relaxed RMW, and an unparker
        // of `to` that reads that mark then runs the lock-free pending check, whose fence sits
        // between its read of the mark and its load of `pending` (bucket::pending). It read a
        // value written after our fence, so our fence precedes its fence in the single order of
        // seq_cst fences, and its load sees our increment. Without this fence a weak-memory CPU
        // could let it read the mark and a stale count, and skip the requeued waiters.
        store_load_fence();
      }
    }
    result.have_more = buckets.from.queue.has_waiters(from);
    result.be_fair = result.unparked != 0 && buckets.from.fairness_due();
    taken.set_token(callback(result));
    table_type::unlock_pair(buckets);
    taken.unpark_all();
    return result;
  }

  static unpark_result unpark_filter(const void* key, function_ref<filter_op(token)> filter,
                                     function_ref<token(const unpark_result&)> callback) noexcept {
    bucket_type& b = table_.lock(key);
    unpark_list taken;
    unpark_result result;
    if (waiter_type* w = b.queue.head_of(key)) {
      waiter_type* const last = w->prev;  // the ring's tail: where the walk ends
      for (;;) {
        waiter_type* const next = w->next;
        const bool at_end = w == last;
        const filter_op op = filter(w->park_token);
        if (op == filter_op::stop) break;
        if (op == filter_op::unpark) {
          b.queue.remove(w);
          taken.append(w);
          ++result.unparked;
        }
        if (at_end) break;
        w = next;
      }
    }
    b.pending.fetch_sub(result.unparked, std::memory_order_relaxed);  // under the lock
    result.have_more = b.queue.has_waiters(key);
    result.be_fair = result.unparked != 0 && b.fairness_due();
    taken.set_token(callback(result));
    b.lock.unlock();
    taken.unpark_all();
    return result;
  }

  // The bucket an address hashes to, for tests that need two addresses to share one.
  static std::size_t bucket_index(const void* key) noexcept { return table_type::index_of(key); }

  // After fork(), in the child (see bucket_table::reset_after_fork); also how the deterministic
  // scheduler's tests empty the table after a failed run, whose threads stay parked forever.
  static void reset_after_fork() noexcept { table_.reset_after_fork(); }

  // The table itself, for the test that checks its alignment.
  static const table_type& table() noexcept { return table_; }

 private:
  // Waiters taken out of their queues under a lock, to be unparked after it is released.
  class unpark_list {
   public:
    void append(waiter_type* w) noexcept {
      w->next_to_unpark = nullptr;
      if (last_ == nullptr) {
        first_ = w;
      } else {
        last_->next_to_unpark = w;
      }
      last_ = w;
    }

    void set_token(token unpark_token) noexcept {
      for (waiter_type* w = first_; w != nullptr; w = w->next_to_unpark)
        w->unpark_token = unpark_token;
    }

    // Call with no bucket lock held.
    void unpark_all() noexcept {
      waiter_type* w = first_;
      while (w != nullptr) {
        // Read the link first: once unparked, the waiter may return and its stack entry vanish.
        waiter_type* next = w->next_to_unpark;
        w->parker.unpark();
        w = next;
      }
    }

   private:
    waiter_type* first_ = nullptr;
    waiter_type* last_ = nullptr;
  };

  // Takes up to `count` waiters on `key` out of `b`, oldest first.
  static std::size_t take_waiters(bucket_type& b, const void* key, std::size_t count,
                                  unpark_list& taken) noexcept {
    std::size_t n = 0;
    while (n < count) {
      waiter_type* w = b.queue.pop_front(key);
      if (w == nullptr) break;
      taken.append(w);
      ++n;
    }
    // Relaxed: under the lock, which orders it for every locked reader; the lock-free reader in
    // unpark_some only needs the count not to miss a live waiter (see bucket::pending).
    if (n != 0) b.pending.fetch_sub(n, std::memory_order_relaxed);
    return n;
  }

  // The locked part of unpark_some, out of line so that the lock-free check before it needs no
  // stack frame.
  [[gnu::noinline]] static std::size_t unpark_some_locked(bucket_type& b, const void* key,
                                                          std::size_t count,
                                                          token unpark_token) noexcept {
    b.lock.lock();
    unpark_list taken;
    const std::size_t n = take_waiters(b, key, count, taken);
    taken.set_token(unpark_token);
    b.lock.unlock();
    taken.unpark_all();
    return n;
  }

  // The one table of this instantiation, constant-initialized: usable from any static
  // initializer, and reached without a call or an initialization guard on the wake fast path.
  static table_type table_;
};

template <parking_lot_platform Platform>
constinit bucket_table<Platform> basic_parking_lot<Platform>::table_{};

}  // namespace detail
}  // namespace v0
}  // namespace futon
