// SPDX-License-Identifier: BSL-1.0
// waiter: one parked thread's entry in a wait queue. It lives on the parked thread's stack for
// the duration of park(), so parking never allocates.
#pragma once

#include <atomic>
#include <futon/parking_lot.hpp>

#include "parking_lot/platform_concept.hpp"

namespace futon {
inline namespace v0 {
namespace detail {

template <parking_lot_platform Platform>
struct waiter {
  // The address the thread is parked on. Written only while holding the lock of the bucket the
  // waiter is in (and, on requeue, the lock of the bucket it moves to). Atomic because a
  // timed-out waiter reads it without a lock to find which bucket to lock, then re-reads it under
  // that lock to confirm (see lock_bucket_of).
  typename Platform::template atomic<const void*> key{nullptr};

  // Ring of the waiters of one address in one bucket, in arrival order (see wait_queue).
  waiter* next = nullptr;
  waiter* prev = nullptr;
  // List of address queues in the bucket; meaningful only while this waiter heads its queue.
  waiter* next_queue = nullptr;
  waiter* prev_queue = nullptr;
  bool is_head = false;

  // Set under the bucket lock while the waiter is in a queue; cleared under it by whoever takes
  // it out. A timed-out waiter that finds it cleared knows an unparker owns it and must wait.
  bool queued = false;

  parking_lot::token park_token = parking_lot::default_park_token;
  // Written by the unparker under the bucket lock, read by the owner after park() returns
  // (ordered by the parker's release/acquire).
  parking_lot::token unpark_token = parking_lot::default_unpark_token;

  // Links the waiters one unpark call took out, so they are unparked after the lock is released.
  waiter* next_to_unpark = nullptr;

  typename Platform::thread_parker parker;

  const void* current_key() const noexcept {
    // Relaxed: callers hold the bucket lock that orders every write of `key` they could see.
    return key.load(std::memory_order_relaxed);
  }
};

}  // namespace detail
}  // namespace v0
}  // namespace futon
