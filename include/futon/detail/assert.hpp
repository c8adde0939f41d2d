// Precondition checks for debug builds.
//
// FUTON_PRECONDITION(cond, message) stops the program with `message` when `cond` is false, in
// builds without NDEBUG (the including translation unit decides, so a user's debug build checks
// the calls it makes). It costs nothing when NDEBUG is defined.
#pragma once

namespace futon::detail {

// Prints "futon: precondition failed: <message> (<file>:<line>)" to stderr and aborts.
[[noreturn]] void precondition_failed(const char* message, const char* file, int line) noexcept;

}  // namespace futon::detail

#ifdef NDEBUG
#define FUTON_PRECONDITION(cond, message) static_cast<void>(0)
#else
#define FUTON_PRECONDITION(cond, message) \
  ((cond) ? static_cast<void>(0)          \
          : ::futon::detail::precondition_failed(message, __FILE__, __LINE__))
#endif
