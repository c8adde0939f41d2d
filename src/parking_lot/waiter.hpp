// SPDX-License-Identifier: BSL-1.0
// waiter_node and waiter: one parked thread's entries in the wait queues. They live on the parked
// thread's stack for the duration of park() (or park_any()), so parking never allocates.
//
// A thread parked on one address has one node, with its own parker (`waiter`). A thread parked on
// several addresses at once (park_any, any_group.hpp) has one node per address, all pointing at
// one any_group that holds the single parker and the claim that decides which unparker (or the
// thread's own timeout) gets it.
#pragma once

#include <atomic>
#include <cstddef>
#include <futon/parking_lot.hpp>

#include "parking_lot/platform_concept.hpp"

namespace futon {
inline namespace v0 {
namespace detail {

template <parking_lot_platform Platform>
struct any_group;

template <parking_lot_platform Platform>
struct waiter_node {
  // The address the node is queued on. Written only while holding the lock of the bucket the
  // node is in (and, on requeue, the lock of the bucket it moves to). Atomic because a
  // timed-out waiter reads it without a lock to find which bucket to lock, then re-reads it under
  // that lock to confirm (see lock_bucket_of).
  typename Platform::template atomic<const void*> key{nullptr};

  // Ring of the nodes of one address in one bucket, in arrival order (see wait_queue).
  waiter_node* next = nullptr;
  waiter_node* prev = nullptr;
  // List of address queues in the bucket; meaningful only while this node heads its queue.
  waiter_node* next_queue = nullptr;
  waiter_node* prev_queue = nullptr;
  bool is_head = false;

  // Set under the bucket lock while the node is in a queue; cleared under it by whoever takes
  // it out. A timed-out waiter that finds it cleared knows an unparker owns it and must wait.
  bool queued = false;

  parking_lot::token park_token = parking_lot::default_park_token;
  // Written by the unparker under the bucket lock, read by the owner after park() returns
  // (ordered by the parker's release/acquire).
  parking_lot::token unpark_token = parking_lot::default_unpark_token;

  // Links the nodes one unpark call took out, so they are unparked after the lock is released.
  waiter_node* next_to_unpark = nullptr;

  // The parker an unparker of this node unparks: the waiter's own, or its any_group's.
  typename Platform::thread_parker* parker = nullptr;

  // Non-null for a node of a thread parked on several addresses: an unparker must win
  // group->claim before it may count and unpark the thread (any_group.hpp).
  any_group<Platform>* group = nullptr;
  // The node's position in the park_any call's list of addresses (reported to the thread).
  std::size_t index = 0;

  const void* current_key() const noexcept {
    // Relaxed: callers hold the bucket lock that orders every write of `key` they could see.
    return key.load(std::memory_order_relaxed);
  }
};

// A thread parked on one address: its node and its parker.
template <parking_lot_platform Platform>
struct waiter : waiter_node<Platform> {
  waiter() noexcept { this->parker = &own_parker; }
  waiter(const waiter&) = delete;
  waiter& operator=(const waiter&) = delete;

  typename Platform::thread_parker own_parker;
};

}  // namespace detail
}  // namespace v0
}  // namespace futon
