// SPDX-License-Identifier: BSL-1.0
// What a primitive takes from its futex backend besides wait/wake/requeue: the type of its
// atomic words (and of any other atomic it keeps), the clock of its fairness timers and how long it
// spins before it sleeps. All default to the real thing; a test backend may supply its own
// (tests/dsched/, whose words yield to a deterministic scheduler at every access and whose clock is
// virtual, so that a schedule replays exactly).
#pragma once

#include <atomic>
#include <concepts>
#include <cstdint>
#include <futon/detail/deadline.hpp>
#include <futon/detail/spin.hpp>
#include <futon/futex_word.hpp>

namespace futon {
inline namespace v0 {
namespace detail {

template <class Backend>
struct backend_word {
  using type = futex_word;
};

// A backend's own word type must be a futex_word (the backend's operations take futex_word&)
// with nothing added, so that primitives keep their sizes.
template <class Backend>
requires requires {
  typename Backend::word_type;
}
struct backend_word<Backend> {
  using type = typename Backend::word_type;
  static_assert(std::derived_from<type, futex_word> && sizeof(type) == sizeof(futex_word));
};

// The atomic 32-bit word a primitive over `Backend` keeps its state in.
template <class Backend>
using word_t = typename backend_word<Backend>::type;

// An atomic of any width, for state a primitive keeps beside its words (a recursive mutex's owner
// id): the backend's own `atomic_type<T>` if it has one (tests/dsched/, whose atomics are schedule
// points and checked accesses), else std::atomic<T>. Either way std::atomic<T> with nothing
// added, so that primitives keep their sizes.
template <class Backend, class T>
struct backend_atomic {
  using type = std::atomic<T>;
};

template <class Backend, class T>
requires requires {
  typename Backend::template atomic_type<T>;
}
struct backend_atomic<Backend, T> {
  using type = typename Backend::template atomic_type<T>;
  static_assert(std::derived_from<type, std::atomic<T>> && sizeof(type) == sizeof(std::atomic<T>));
};

template <class Backend, class T>
using atomic_t = typename backend_atomic<Backend, T>::type;

// The atomic 64-bit word of a primitive whose state needs more than 32 bits (a counting_semaphore
// whose LeastMaxValue is above 2^31 - 1); it waits on one 32-bit half of it (see
// counting_semaphore.hpp).
template <class Backend>
using wide_word_t = atomic_t<Backend, std::uint64_t>;

// Steady-clock nanoseconds, for timers that decide fairness (not for timeouts, which are the
// backend's own business).
template <class Backend>
std::int64_t backend_now_ns() noexcept {
  if constexpr (requires {
                  { Backend::now_ns() } -> std::same_as<std::int64_t>;
                }) {
    return Backend::now_ns();
  } else {
    return deadline::now_ns(deadline_clock::steady);
  }
}

// Whether fairness timers may bound a sleep with a real-time deadline: only when the backend's
// clock is the real steady clock. A backend with its own (virtual) clock, whose timed waits a
// scheduler times out as faults, gets untimed sleeps, and fairness is checked when it wakes.
template <class Backend>
constexpr bool backend_timers_are_real() noexcept {
  return !requires {
    { Backend::now_ns() } -> std::same_as<std::int64_t>;
  };
}

// How many times a primitive over `Backend` spins before it sleeps. A deterministic scheduler
// explores every interleaving of every spin, so its backends spin less to keep the count small.
template <class Backend>
constexpr int backend_spin_limit() noexcept {
  if constexpr (requires {
                  { Backend::spin_limit } -> std::convertible_to<int>;
                }) {
    return Backend::spin_limit;
  } else {
    return spin_limit;
  }
}

// How many times a primitive over `Backend` yields after spinning and before it sleeps (see
// spin_yields): none for a backend with its own spin_limit (a test scheduler's, whose
// threads the test schedules).
template <class Backend>
constexpr int backend_spin_yields() noexcept {
  if constexpr (requires {
                  { Backend::spin_limit } -> std::convertible_to<int>;
                }) {
    return 0;
  } else {
    return spin_yields;
  }
}

}  // namespace detail
}  // namespace v0
}  // namespace futon
