// SPDX-License-Identifier: BSL-1.0
// dsched::atomic<T>: a std::atomic<T> whose every operation is first a schedule point, so the
// deterministic scheduler can interleave threads between any two atomic accesses, and a checked
// access: an operation on an atomic inside an object a body has retired (dsched::retire) fails
// the run, so a primitive that touches its memory after the step that allows its destruction is
// caught at that access. A weak
// compare-exchange may also fail spuriously, as the standard allows, when the scheduler injects
// that fault. It adds no state: a dsched::atomic<std::uint32_t> is a futex_word to every futex
// backend (see futon/detail/backend_traits.hpp).
//
// Only the operations futon's code uses are wrapped; the inherited operators (++, =, conversion)
// would skip the schedule point and are hidden.
#pragma once

#include <atomic>
#include <concepts>

#include "dsched/scheduler.hpp"

namespace dsched {

template <class T>
class atomic : public std::atomic<T> {
  using base = std::atomic<T>;

 public:
  constexpr atomic() noexcept = default;
  constexpr atomic(T value) noexcept : base(value) {}  // NOLINT: as std::atomic's

  T load(std::memory_order order = std::memory_order_seq_cst) const noexcept {
    access(this, "atomic load");
    return base::load(order);
  }
  void store(T value, std::memory_order order = std::memory_order_seq_cst) noexcept {
    access(this, "atomic store");
    base::store(value, order);
  }
  T exchange(T value, std::memory_order order = std::memory_order_seq_cst) noexcept {
    access(this, "atomic exchange");
    return base::exchange(value, order);
  }
  bool compare_exchange_strong(T& expected, T desired, std::memory_order success,
                               std::memory_order failure) noexcept {
    access(this, "atomic compare_exchange_strong");
    return base::compare_exchange_strong(expected, desired, success, failure);
  }
  bool compare_exchange_strong(T& expected, T desired,
                               std::memory_order order = std::memory_order_seq_cst) noexcept {
    access(this, "atomic compare_exchange_strong");
    return base::compare_exchange_strong(expected, desired, order);
  }
  bool compare_exchange_weak(T& expected, T desired, std::memory_order success,
                             std::memory_order failure) noexcept {
    access(this, "atomic compare_exchange_weak");
    if (inject_fault()) return spurious_failure(expected);
    return base::compare_exchange_weak(expected, desired, success, failure);
  }
  bool compare_exchange_weak(T& expected, T desired,
                             std::memory_order order = std::memory_order_seq_cst) noexcept {
    access(this, "atomic compare_exchange_weak");
    if (inject_fault()) return spurious_failure(expected);
    return base::compare_exchange_weak(expected, desired, order);
  }
// The read-modify-write arithmetic: a checked schedule point, then the operation.
#define DSCHED_ATOMIC_FETCH(op)                                                             \
  T fetch_##op(T value, std::memory_order order =                                           \
                            std::memory_order_seq_cst) noexcept requires std::integral<T> { \
    access(this, "atomic fetch_" #op);                                                      \
    return base::fetch_##op(value, order);                                                  \
  }
  DSCHED_ATOMIC_FETCH(add)
  DSCHED_ATOMIC_FETCH(sub)
  DSCHED_ATOMIC_FETCH(and)
  DSCHED_ATOMIC_FETCH(or)
  DSCHED_ATOMIC_FETCH(xor)
#undef DSCHED_ATOMIC_FETCH

  T operator++() = delete;
  T operator--() = delete;
  T operator=(T) = delete;
  operator T() const = delete;

 private:
  bool spurious_failure(T& expected) const noexcept {
    // Relaxed: a failed compare-exchange loads with its failure order, which is at least this.
    expected = base::load(std::memory_order_relaxed);
    return false;
  }
};

}  // namespace dsched
