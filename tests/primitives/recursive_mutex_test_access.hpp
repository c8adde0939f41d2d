// SPDX-License-Identifier: BSL-1.0
// The tests' way into a recursive mutex's count of levels (<futon/recursive_mutex.hpp> declares
// this friend and leaves it to the tests): a 32-bit count cannot be driven to its limit one lock
// at a time within a test's budget, so a test starts it near the limit instead.
#pragma once

#include <cstdint>
#include <futon/recursive_mutex.hpp>
#include <limits>

namespace futon {
inline namespace v0 {
namespace detail {

struct recursive_lock_test_access {
  static constexpr std::uint32_t max_levels = std::numeric_limits<std::uint32_t>::max();

  // The count of levels of `m`, which the calling thread must hold.
  template <class RecursiveMutex>
  static std::uint32_t& levels(RecursiveMutex& m) {
    using base = typename RecursiveMutex::base;
    static_assert(base::max_levels == max_levels);
    return static_cast<base&>(m).levels_;
  }
};

}  // namespace detail
}  // namespace v0
}  // namespace futon
