// SPDX-License-Identifier: BSL-1.0
// The thread_parker concept: how the parking lot puts one thread to sleep and wakes it.
//
// Calling protocol (the one the parking lot follows, and every parker may rely on; after Rust
// parking_lot_core's ThreadParker trait, which states when each method may be called):
//   1. The owner default-constructs the parker (on its own stack: parking never allocates).
//   2. prepare_park(): by the owner, before any other thread can find the parker (the parking
//      lot calls it under the bucket lock that then publishes the parker with the waiter).
//   3. park() or park_until(limit): by the owner, once, after it has published the parker.
//      park() returns only after unpark() (never spuriously); park_until() returns true after
//      unpark(), false once `limit` has passed on its own clock without one. After a false
//      return the owner may call park() again (the parking lot does, when an unparker has
//      already taken the waiter out of its queue and will unpark it).
//   4. unpark(): by one other thread, exactly once per prepare_park(), after it has taken the
//      owner out of every queue. Everything that thread wrote before unpark() is visible to the
//      owner once park() returns (release/acquire, or the parker's own lock).
//   5. The owner may destroy the parker as soon as park() (or park_until() with true) returns,
//      possibly while unpark() is still running: after its last write that the owner can see,
//      unpark() may touch the parker's address only in ways harmless on freed memory (a wake
//      keyed by the address), or must hold the parker's own lock until it is done (see
//      os/pthread_parker.hpp).
// Every method is noexcept: a parker cannot fail, it can only sleep.
#pragma once

#include <concepts>
#include <futon/detail/deadline.hpp>

namespace futon {
inline namespace v0 {
namespace detail {

template <class Parker>
concept thread_parker = std::default_initializable<Parker> &&
    requires(Parker& parker, const deadline& limit) {
  { parker.prepare_park() }
  noexcept->std::same_as<void>;
  { parker.park() }
  noexcept->std::same_as<void>;
  { parker.park_until(limit) }
  noexcept->std::same_as<bool>;
  { parker.unpark() }
  noexcept->std::same_as<void>;
};

}  // namespace detail
}  // namespace v0
}  // namespace futon
