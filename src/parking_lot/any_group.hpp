// SPDX-License-Identifier: BSL-1.0
// any_group: what the nodes of one thread parked on several addresses at once share (park_any
// in basic_parking_lot.hpp): its one parker, and the claim that lets exactly one party end the
// wait.
//
// The thread has one node queued per address, in as many buckets, and each bucket has its own
// lock, so two unparkers of two of its addresses can find it at the same moment, and its own
// timeout can fire meanwhile. `claim` decides among them with one compare-and-swap from `open`:
//   - an unparker that takes a node out of its queue claims the group with the node's index + 1;
//     if it wins it counts the thread and unparks it, exactly as it would a plain waiter; if it
//     loses, it neither counts nor unparks it and goes on to the next waiter of its address, so
//     a wake that a plain waiter of that address could have taken is never swallowed;
//   - the thread itself claims it with `claimed_by_owner` when its deadline passes or when one
//     of its addresses fails validation during registration; if it loses, an unparker owns it and
//     will unpark it, so it parks (untimed) until then, as a plain timed-out waiter whose node was
//     already dequeued does.
// Whoever wins, the thread then leaves every queue it is still in (it locks each of its buckets,
// even for nodes already taken out, so that an unparker that took one out and lost the claim has
// released that bucket's lock, and with it every use of the group, before the thread returns).
#pragma once

#include <atomic>
#include <cstddef>
#include <futon/parking_lot.hpp>
#include <limits>

#include "parking_lot/platform_concept.hpp"

namespace futon {
inline namespace v0 {
namespace detail {

template <parking_lot_platform Platform>
struct any_group {
  static constexpr std::size_t open = 0;
  static constexpr std::size_t claimed_by_owner = std::numeric_limits<std::size_t>::max();

  // open, claimed_by_owner, or the index + 1 of the node whose unparker won. An index + 1 never
  // reaches claimed_by_owner: a span of park_any keys has fewer than SIZE_MAX entries.
  typename Platform::template atomic<std::size_t> claim{open};

  typename Platform::thread_parker parker;

  // Written by the winning unparker under its bucket lock, read by the thread after its parker
  // returns (ordered by the parker's release/acquire).
  parking_lot::token unpark_token = parking_lot::default_unpark_token;

  // One party wins. Relaxed: the CAS's atomicity alone picks the winner (every successful CAS
  // from `open` is the first in `claim`'s modification order); nothing is published through it.
  // A winning unparker publishes its writes to the thread through the parker's unpark (release)
  // and park (acquire); the thread publishes its leaving through the bucket locks; a loser reads
  // nothing else of the group.
  bool try_claim(std::size_t value) noexcept {
    std::size_t expected = open;
    return claim.compare_exchange_strong(expected, value, std::memory_order_relaxed,
                                         std::memory_order_relaxed);
  }

  // A hint for requeue and unpark_filter, under a bucket lock that holds one of the nodes: a
  // claimed group's thread is leaving, so its nodes are dropped instead of moved or offered.
  // Relaxed: a stale `open` only means the node is moved or offered, and a later claim attempt
  // on it decides as usual.
  bool is_claimed() const noexcept { return claim.load(std::memory_order_relaxed) != open; }

  // The index of the node whose unparker won. Only after the parker returned (which orders the
  // winner's CAS before this load). Relaxed: the parker's acquire provides the order.
  std::size_t woken_index() const noexcept { return claim.load(std::memory_order_relaxed) - 1; }
};

}  // namespace detail
}  // namespace v0
}  // namespace futon
