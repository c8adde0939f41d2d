// SPDX-License-Identifier: BSL-1.0
// The wait that event, latch, wait_group, barrier, call_once and shared_mutex share: a waiter
// announces itself by setting a "waiters" bit in the primitive's word and futex-waits on the word
// with the bit set; the thread that changes the word in the way waiters wait for reads the bit in
// the same read-modify-write, and if it was set, wakes everyone. Written once here, with its proof;
// each primitive supplies only its word's layout and what "done" means. (The shape of WebKit's
// LockAlgorithm: one protocol, reused by many types; written anew.)
//
// Why no wake is lost, and no fence is needed: the waiter's announcing compare-and-swap and the
// waker's read-modify-write are RMWs of one word, so one comes first in its modification order.
//   - The waker's first: the announcing CAS fails (the word moved), the waiter gets the new value
//     and checks "done" again before it tries to sleep.
//   - The announcement first: the waker's RMW reads the bit and wakes all.
//   - A change between the announcement and the futex wait (by the waker or anyone) alters the
//     word, which the futex's own value check sees: the wait returns at once.
// A waiter whose wait timed out leaves the bit behind (others may still sleep on it): the next
// waker then makes one futile wake. Each primitive's header says when it clears the bit.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <futon/detail/backend_traits.hpp>
#include <futon/detail/deadline.hpp>
#include <futon/futex.hpp>
#include <limits>

namespace futon {
inline namespace v0 {
namespace detail {

// One step of an announced wait, for a caller that has just seen `state` is not done (and, if
// timed, that `limit` has not passed): announces (if the bit is not set yet; `waiters_bit` may be
// a mask of bits to set together), then sleeps until
// a wake, a change of the word or `limit` (nullptr = never). Leaves in `state` a fresh value of
// the word (acquire), for the caller to check again. Returns early, with that fresh value, if
// the announcement lost a race.
//
// `Calls` is the futex backend, or the form of it that a primitive calls from inside an annotated
// TSan region (tsan::diverted_backend); `Word` is the backend's word type (word_t<Backend>), so
// that a test backend's word keeps its own atomics.
template <class Calls, class Word>
void sleep_announced(Word& word, std::uint32_t& state, std::uint32_t waiters_bit,
                     const deadline* limit = nullptr) noexcept {
  if ((state & waiters_bit) != waiters_bit) {
    // Acquire on failure: the value read may be the "done" that the caller returns on, and it
    // must see what the waker published before. (On success too, as a failure order may not be
    // stronger; the futex wait below is followed by a fresh acquire load anyway.)
    if (!word.compare_exchange_weak(state, state | waiters_bit, std::memory_order_acquire,
                                    std::memory_order_acquire)) {
      return;
    }
    state |= waiters_bit;
  }
  if (limit == nullptr) {
    Calls::wait(word, state);
  } else {
    // A timeout is noticed by the caller's next look, after one more check of the word.
    static_cast<void>(Calls::wait_until(word, state, *limit));
  }
  // Acquire: pairs with the waker's release RMW (and, through its release sequence, with the
  // releases it continues), so a caller that now sees "done" sees what was published before.
  state = word.load(std::memory_order_acquire);
}

// The waker's side: `before` is the word as the waker's read-modify-write found it. If a
// waiter had announced itself, wakes every sleeper. After that RMW the waker no longer touches
// the primitive (the wake is by address: harmless if a released waiter has freed it).
template <class Calls, class Word>
void wake_announced(Word& word, std::uint32_t before, std::uint32_t waiters_bit) noexcept {
  if ((before & waiters_bit) != 0) Calls::wake(word, std::numeric_limits<std::size_t>::max());
}

}  // namespace detail
}  // namespace v0
}  // namespace futon
