// SPDX-License-Identifier: BSL-1.0
// The raw_lock concept: the small lock that guards one bucket of the parking lot.
//
// Calling protocol: lock() and unlock() in pairs, by the same thread, never nested on one lock
// except in the fixed order of the bucket table's lock_pair (lower bucket index first). A
// critical section is a few dozen instructions and never parks, so a lock may spin before it
// sleeps. lock() acquires and unlock() releases: what one holder wrote is visible to the next.
// The table of buckets is constant-initialized (usable from any static initializer, no guard on
// the wake path), so a lock must be constexpr default-constructible into its unlocked state; and
// after fork() the child rebuilds every bucket in place (its lock may be held by a thread the
// child does not have), so destroying a lock that is held must be harmless.
#pragma once

#include <concepts>
#include <type_traits>

namespace futon {
inline namespace v0 {
namespace detail {

template <class Lock>
concept raw_lock = std::default_initializable<Lock> && requires(Lock& lock) {
  { lock.lock() }
  noexcept->std::same_as<void>;
  { lock.unlock() }
  noexcept->std::same_as<void>;
  // Constant initialization: a constexpr default constructor.
  typename std::integral_constant<bool, (static_cast<void>(Lock{}), true)>;
};

}  // namespace detail
}  // namespace v0
}  // namespace futon
