// What a primitive takes from its futex backend besides wait/wake/requeue: the type of its
// atomic words, the clock of its fairness timers and how long it spins before it sleeps. All
// default to the real thing; a test backend may supply its own (tests/dsched/, whose words yield
// to a deterministic scheduler at every access and whose clock is virtual, so that a schedule
// replays exactly).
#pragma once

#include <atomic>
#include <concepts>
#include <cstdint>
#include <futon/detail/deadline.hpp>
#include <futon/detail/spin.hpp>
#include <futon/futex_word.hpp>

namespace futon::detail {

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

// The atomic 64-bit word of a primitive whose state needs more than 32 bits (a counting_semaphore
// whose LeastMaxValue is above 2^31 - 1); it waits on one 32-bit half of it (see
// counting_semaphore.hpp). A backend may supply its own (`wide_word_type`), as for word_t.
template <class Backend>
struct backend_wide_word {
  using type = std::atomic<std::uint64_t>;
};

template <class Backend>
requires requires {
  typename Backend::wide_word_type;
}
struct backend_wide_word<Backend> {
  using type = typename Backend::wide_word_type;
  static_assert(std::derived_from<type, std::atomic<std::uint64_t>> &&
                sizeof(type) == sizeof(std::uint64_t));
};

template <class Backend>
using wide_word_t = typename backend_wide_word<Backend>::type;

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

}  // namespace futon::detail
