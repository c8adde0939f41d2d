// SPDX-License-Identifier: BSL-1.0
// Precondition checks for debug builds.
//
// FUTON_PRECONDITION(cond, message) stops the program with `message` when `cond` is false, when
// FUTON_DEBUG_CHECKS is 1 (<futon/config.hpp>: chosen when the library is configured, the same in
// every translation unit, whatever its NDEBUG). It costs nothing when FUTON_DEBUG_CHECKS is 0.
#pragma once

#include <futon/config.hpp>

namespace futon {
inline namespace v0 {
namespace detail {

// Prints "futon: precondition failed: <message> (<file>:<line>)" to stderr and aborts.
[[noreturn]] void precondition_failed(const char* message, const char* file, int line) noexcept;

}  // namespace detail
}  // namespace v0
}  // namespace futon

#if !FUTON_DEBUG_CHECKS
#define FUTON_PRECONDITION(cond, message) static_cast<void>(0)
#else
#define FUTON_PRECONDITION(cond, message) \
  ((cond) ? static_cast<void>(0)          \
          : ::futon::detail::precondition_failed(message, __FILE__, __LINE__))
#endif
