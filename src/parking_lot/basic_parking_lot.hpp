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
#include <limits>
#include <new>

#include "parking_lot/any_group.hpp"
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
  using node_type = waiter_node<Platform>;
  using group_type = any_group<Platform>;

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
    self.own_parker.prepare_park();
    b.queue.push_back(&self);
    b.lock.unlock();

    before_sleep();

    if (limit.is_never()) {
      self.own_parker.park();
      return {park_status::unparked, self.unpark_token};
    }
    if (self.own_parker.park_until(limit)) return {park_status::unparked, self.unpark_token};

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
    self.own_parker.park();  // returns once the unparker is done with `self`
    return {park_status::unparked, self.unpark_token};
  }

  // Parks the calling thread on `count` addresses at once (key_of(i), i < count; duplicates
  // allowed), until one unpark of any of them counts it, or `limit` passes. validate(i) runs
  // under the lock of key_of(i)'s bucket as that address is registered, in index order; the
  // first false ends the wait (status invalid, index i) unless an unparker of an address
  // registered before has already claimed the thread (then it is unparked by it). Exactly one of
  // the unparkers, the timeout and the failed validation ends the wait (any_group.hpp); an
  // unparker that finds the thread already claimed neither counts nor unparks it, and goes on to
  // the address's next waiter. Nothing is allocated: the nodes live in this call's stack frames,
  // `nodes_per_frame` per frame, one nested frame for each further group of addresses.
  struct park_any_result {
    park_status status;
    std::size_t index;  // unparked: the address that was unparked; invalid: the one that failed
    token unpark_token;
  };
  static constexpr std::size_t nodes_per_frame = 32;

  static park_any_result park_any(std::size_t count, function_ref<const void*(std::size_t)> key_of,
                                  function_ref<bool(std::size_t)> validate, const deadline& limit,
                                  token park_token) noexcept {
    group_type group;
    // Before the first node can be found by an unparker (the parker's protocol, step 2).
    group.parker.prepare_park();
    any_wait wait{count, key_of, validate, limit, park_token, group};
    return register_frame(wait, 0);
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
    if (!may_have_parked(key)) return 0;
    return unpark_some_locked(table_.bucket_of(key), key, count, unpark_token);
  }

  // The lock-free "nobody waits here" check, for an unparker that has just changed the caller's
  // word: false means no thread that could still see the old value is parked in `key`'s bucket.
  // The fence orders the caller's change of its word before our read of `pending` (see
  // bucket::pending). Relaxed load: the fence orders it.
  static bool may_have_parked(const void* key) noexcept {
    bucket_type& b = table_.bucket_of(key);
    store_load_fence();
    return b.pending.load(std::memory_order_relaxed) != 0;
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
      std::size_t dropped = 0;
      while (result.requeued < plan.requeue) {
        node_type* w = buckets.from.queue.pop_front(from);
        if (w == nullptr) break;
        if (w->group != nullptr && w->group->is_claimed()) {
          // A node of a thread parked on several addresses that another unparker or its own
          // timeout has claimed: it is leaving, so it is neither moved nor counted.
          ++dropped;
          continue;
        }
        // Relaxed: we hold both buckets' locks, and every reader of `key` either holds one of
        // them or re-checks under one (lock_bucket_of).
        w->key.store(to, std::memory_order_relaxed);
        buckets.to.queue.push_back(w);
        ++result.requeued;
      }
      // Under the lock: the dropped nodes have left the source bucket.
      if (dropped != 0) buckets.from.pending.fetch_sub(dropped, std::memory_order_relaxed);
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
    std::size_t removed = 0;
    if (node_type* w = b.queue.head_of(key)) {
      node_type* const last = w->prev;  // the ring's tail: where the walk ends
      for (;;) {
        node_type* const next = w->next;
        const bool at_end = w == last;
        if (w->group != nullptr && w->group->is_claimed()) {
          // A thread parked on several addresses that is already leaving: not offered.
          b.queue.remove(w);
          ++removed;
        } else {
          const filter_op op = filter(w->park_token);
          if (op == filter_op::stop) break;
          if (op == filter_op::unpark) {
            b.queue.remove(w);
            ++removed;
            if (claim(w)) {
              taken.append(w);
              ++result.unparked;
            }
          }
        }
        if (at_end) break;
        w = next;
      }
    }
    b.pending.fetch_sub(removed, std::memory_order_relaxed);  // under the lock
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
    void append(node_type* w) noexcept {
      w->next_to_unpark = nullptr;
      if (last_ == nullptr) {
        first_ = w;
      } else {
        last_->next_to_unpark = w;
      }
      last_ = w;
    }

    void set_token(token unpark_token) noexcept {
      for (node_type* w = first_; w != nullptr; w = w->next_to_unpark) {
        w->unpark_token = unpark_token;
        if (w->group != nullptr) w->group->unpark_token = unpark_token;
      }
    }

    // Call with no bucket lock held.
    void unpark_all() noexcept {
      node_type* w = first_;
      while (w != nullptr) {
        // Read the link and the parker first: once unparked, the waiter may return and its
        // stack entries vanish.
        node_type* next = w->next_to_unpark;
        typename Platform::thread_parker* parker = w->parker;
        parker->unpark();
        w = next;
      }
    }

   private:
    node_type* first_ = nullptr;
    node_type* last_ = nullptr;
  };

  // May the unparker that took `w` out of its queue count and unpark its thread? Always for a
  // plain waiter; for a node of a thread parked on several addresses, only if this unparker wins
  // the thread's claim (any_group.hpp).
  static bool claim(node_type* w) noexcept {
    return w->group == nullptr || w->group->try_claim(w->index + 1);
  }

  // Takes up to `count` waiters on `key` out of `b`, oldest first. Nodes of threads parked on
  // several addresses that another party has claimed are taken out too, but not counted.
  static std::size_t take_waiters(bucket_type& b, const void* key, std::size_t count,
                                  unpark_list& taken) noexcept {
    std::size_t n = 0;
    std::size_t removed = 0;
    while (n < count) {
      node_type* w = b.queue.pop_front(key);
      if (w == nullptr) break;
      ++removed;
      if (!claim(w)) continue;
      taken.append(w);
      ++n;
    }
    // Relaxed: under the lock, which orders it for every locked reader; the lock-free reader in
    // unpark_some only needs the count not to miss a live waiter (see bucket::pending).
    if (removed != 0) b.pending.fetch_sub(removed, std::memory_order_relaxed);
    return n;
  }

  // One park_any call, shared by its nested frames.
  struct any_wait {
    std::size_t count;
    function_ref<const void*(std::size_t)> key_of;
    function_ref<bool(std::size_t)> validate;
    const deadline& limit;
    token park_token;
    group_type& group;
  };

  // Registers the addresses first .. first + nodes_per_frame - 1 with nodes in this frame, then
  // the rest in a nested frame (or sleeps, in the last one); on the way out, takes this frame's
  // nodes out of every queue they are still in. Not inlined: each frame holds its own nodes.
  [[gnu::noinline]] static park_any_result register_frame(any_wait& wait,
                                                          std::size_t first) noexcept {
    const std::size_t left = wait.count - first;
    const std::size_t here = left < nodes_per_frame ? left : nodes_per_frame;
    // Raw storage: only the nodes this frame uses are constructed.
    alignas(node_type) unsigned char storage[nodes_per_frame * sizeof(node_type)];
    node_type* const nodes = reinterpret_cast<node_type*>(storage);
    std::size_t registered = 0;
    park_any_result result{park_status::unparked, 0, parking_lot::default_unpark_token};
    bool decided = false;
    for (; registered < here; ++registered) {
      const std::size_t index = first + registered;
      node_type* node = new (&nodes[registered]) node_type();
      const void* key = wait.key_of(index);
      // Relaxed: published to other threads by the bucket lock taken below.
      node->key.store(key, std::memory_order_relaxed);
      node->park_token = wait.park_token;
      node->parker = &wait.group.parker;
      node->group = &wait.group;
      node->index = index;
      bucket_type& b = table_.lock(key);
      // As in park(): counted before validate() reads the caller's word, then the fence (see
      // bucket::pending). Relaxed: the fence orders it.
      b.pending.fetch_add(1, std::memory_order_relaxed);
      store_load_fence();
      if (!wait.validate(index)) {
        b.pending.fetch_sub(1, std::memory_order_relaxed);  // under the lock
        b.lock.unlock();
        node->~node_type();
        result = settle(wait, {park_status::invalid, index, parking_lot::default_unpark_token});
        decided = true;
        break;
      }
      b.queue.push_back(node);
      b.lock.unlock();
    }
    if (!decided) {
      result = first + here < wait.count ? register_frame(wait, first + here) : sleep(wait);
    }
    for (std::size_t i = 0; i < registered; ++i) {
      node_type& node = *std::launder(&nodes[i]);
      leave(node);
      node.~node_type();
    }
    return result;
  }

  // All addresses registered: sleep until an unparker claims the thread, or the deadline.
  static park_any_result sleep(any_wait& wait) noexcept {
    if (wait.limit.is_never()) {
      wait.group.parker.park();
      return woken(wait.group);
    }
    if (wait.group.parker.park_until(wait.limit)) return woken(wait.group);
    return settle(wait, {park_status::timed_out, 0, parking_lot::default_unpark_token});
  }

  // The thread wants to end its wait with `own` (a timeout, a failed validation): it must win
  // the claim first. If an unparker won it instead, that unparker has counted the thread and
  // will unpark it: wait for that (the group must outlive the unpark) and report the unpark.
  static park_any_result settle(any_wait& wait, park_any_result own) noexcept {
    if (wait.group.try_claim(group_type::claimed_by_owner)) return own;
    wait.group.parker.park();
    return woken(wait.group);
  }

  static park_any_result woken(const group_type& group) noexcept {
    return {park_status::unparked, group.woken_index(), group.unpark_token};
  }

  // Takes `node` out of whichever queue it is in now (a requeue may have moved it). The lock is
  // taken even when an unparker has already taken the node out: that unparker may have lost the
  // claim and still be reading the group under this lock, which it releases before we return.
  static void leave(node_type& node) noexcept {
    bucket_type& b = table_.lock_bucket_of(node);
    if (node.queued) {
      b.queue.remove(&node);
      b.pending.fetch_sub(1, std::memory_order_relaxed);  // under the lock
    }
    b.lock.unlock();
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
