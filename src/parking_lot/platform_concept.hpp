// SPDX-License-Identifier: BSL-1.0
// The parking_lot_platform concept: everything the parking lot (basic_parking_lot.hpp) takes
// from the system it runs on, as one type, the way the primitives take theirs from their futex
// backend (<futon/detail/backend_traits.hpp>) and folly's parking lot takes its atomic template.
// The real library's platform is os::platform (os/platform.hpp); the deterministic-schedule tests
// supply one whose every lock, park and atomic access yields to their scheduler
// (tests/dsched/lot_platform.hpp), and a benchmark one with a single bucket
// (bench/parking_lot_copy.cpp). Everything is resolved at compile time: no virtual call, no
// pointer to follow.
//
//   Platform::thread_parker        puts one waiter to sleep (thread_parker_concept.hpp);
//   Platform::raw_lock             a bucket's lock (raw_lock_concept.hpp);
//   Platform::atomic<T>            the atomic the parking lot keeps its shared counts and keys
//                                  in: std::atomic<T>, or a type derived from it with nothing
//                                  added (every operation the parking lot uses keeps its
//                                  std::atomic meaning and memory order);
//   Platform::now_ns()             steady nanoseconds, for the buckets' fairness timers only
//                                  (timeouts are the parker's: park_until takes a deadline);
//   Platform::bucket_count_log2    the table has 2^this buckets (0: one bucket, one lock).
#pragma once

#include <atomic>
#include <concepts>
#include <cstddef>
#include <cstdint>

#include "parking_lot/raw_lock_concept.hpp"
#include "parking_lot/thread_parker_concept.hpp"

namespace futon {
inline namespace v0 {
namespace detail {

template <class Platform>
concept parking_lot_platform =
    thread_parker<typename Platform::thread_parker> && raw_lock<typename Platform::raw_lock> &&
    std::derived_from<typename Platform::template atomic<std::size_t>, std::atomic<std::size_t>> &&
    std::derived_from<typename Platform::template atomic<const void*>, std::atomic<const void*>> &&
    requires {
  { Platform::now_ns() }
  noexcept->std::same_as<std::int64_t>;
  { Platform::bucket_count_log2 } -> std::convertible_to<std::size_t>;
  requires Platform::bucket_count_log2 < 8 * sizeof(std::size_t);
};

}  // namespace detail
}  // namespace v0
}  // namespace futon
