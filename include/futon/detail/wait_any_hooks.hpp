// SPDX-License-Identifier: BSL-1.0
// What futon::wait_any (<futon/wait_any.hpp>) needs from each primitive it waits on, and the one
// step of the announced wait it runs on their words.
//
// A primitive that wait_any accepts (event, latch, counting_semaphore) befriends
// wait_any_access and has five private members, its "hooks", beside its bit table:
//
//   std::uint32_t any_begin() const;   // what the wait measures from (event: its generation)
//   bool any_try(std::uint32_t start); // ready since `start`? A semaphore takes a permit here.
//   std::optional<std::uint32_t> any_announce(std::uint32_t start);
//                                       // marks the word's waiters bit; nullopt if it found the
//                                       // primitive ready, else the futex value to sleep on
//   const futex_word& any_word() const; // the 32-bit word that value belongs to
//   void any_leave(any_leaving how);    // the call is returning without sleeping here again
//
// Each is a step of the primitive's own wait (detail/announced_wait.hpp, or the semaphore's
// acquire), taken apart so that one thread can announce itself on several words and then sleep
// on all of them at once with the backend's wait_any. None changes the primitive's size or its
// own members' code.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>

namespace futon {
inline namespace v0 {
namespace detail {

// The friend through which wait_any reaches the hooks (<futon/wait_any.hpp> defines it).
struct wait_any_access;

// What a primitive's any_leave learns about the call that is leaving it.
struct any_leaving {
  bool announced;  // this call marked (or found marked) the waiters bit during its wait
  bool woken;      // a wake of this word counted this call, and it has not slept here since
};

// One announcing step for wait_any: returns nullopt if `ready(state)` holds for the word as read
// (the caller looks at every primitive again), else makes sure the waiters bit is set and returns
// the state with it, which the caller's futex wait expects.
//
// Relaxed throughout: nothing is decided on a value read here. "Ready" sends the caller back to
// its look, whose own loads and CASes acquire; the value returned only goes to the futex, whose
// check against it is atomic with the sleep. That no wake is lost needs only that this CAS and
// the waker's read-modify-write are RMWs of one word, ordered one way or the other in its
// modification order (the proof in detail/announced_wait.hpp), which holds at any order.
template <class Word, class State, class Ready>
std::optional<State> announce_any(Word& word, State waiters_bit, Ready ready) noexcept {
  State state = word.load(std::memory_order_relaxed);  // relaxed: see above
  for (;;) {
    if (ready(state)) return std::nullopt;
    if ((state & waiters_bit) != 0) return state;
    // Relaxed: see above. On failure `state` is the word as it is now: look at it again.
    if (word.compare_exchange_weak(state, state | waiters_bit, std::memory_order_relaxed,
                                   std::memory_order_relaxed)) {
      return state | waiters_bit;
    }
  }
}

}  // namespace detail
}  // namespace v0
}  // namespace futon
