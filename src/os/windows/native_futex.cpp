// SPDX-License-Identifier: BSL-1.0
// Windows 8+: WaitOnAddress / WakeByAddressSingle / WakeByAddressAll.
// https://learn.microsoft.com/en-us/windows/win32/api/synchapi/nf-synchapi-waitonaddress
// https://learn.microsoft.com/en-us/windows/win32/api/synchapi/nf-synchapi-wakebyaddresssingle
//
// What this OS gives, and what futon builds from it:
//   - WaitOnAddress compares the word with `expected` and queues the caller atomically with
//     respect to WakeByAddress*, like FUTEX_WAIT. It may return early or for no reason at all
//     ("allowed to return for other reasons"), and its timeout is a relative DWORD of
//     milliseconds.
//   - WakeByAddressSingle / WakeByAddressAll return nothing: nobody learns how many threads they
//     woke, and there is no requeue. An exact futex (futon's kernel_futex backend) cannot be
//     built on them, so on Windows kernel_futex does not exist (FUTON_NO_KERNEL_FUTEX) and the
//     default backend is the parking lot, whose counts are its own. This file serves the
//     parking lot's thread parker and bucket lock (src/os/futex_parker.hpp and futex_lock.hpp,
//     written against native_futex.hpp only): each waits on a word of its
//     own and wakes one thread or all, so no count is needed.
//   - The parker wakes its word after its owner may have returned and its stack been reused
//     (futex_parker.hpp). Harmless by the manual: WakeByAddress* wakes threads that
//     "called WaitOnAddress for this address" (the address is a key; the manual does not ask for
//     it to be valid memory), and WaitOnAddress "is also allowed to return for other reasons"
//     (the manual's examples include an abandoned earlier wake of the same address), so every
//     caller re-checks its value: a stray wake of a reused address is one of those returns.
//
// Link with synchronization.lib (-lsynchronization); src/CMakeLists.txt does.
#include "os/native_futex.hpp"

#include <windows.h>

#include <cstdint>

namespace futon {
inline namespace v0 {
namespace os {
namespace {

// The longest timeout WaitOnAddress takes: INFINITE (0xFFFFFFFF) means no timeout at all, so a
// finite wait is at most one millisecond less, ~49.7 days. A longer deadline is waited for in
// such pieces; each early return is seen as spurious by the re-check below.
constexpr std::int64_t max_finite_ms = static_cast<std::int64_t>(INFINITE) - 1;

// A system_clock deadline follows wall-clock changes on Linux (FUTEX_CLOCK_REALTIME). Windows
// waits on a relative interval only, so such a deadline is waited for in slices of at most 50 ms
// and re-checked against the wall clock after each: a clock change is noticed within 50 ms.
constexpr std::int64_t system_clock_slice_ns = 50'000'000;

// Nanoseconds to WaitOnAddress milliseconds, rounded up (a wait is never shorter than asked)
// and clamped to [0, max_finite_ms]. Divide first: `ns + 999'999` would overflow near INT64_MAX.
DWORD to_wait_ms(std::int64_t ns) noexcept {
  if (ns <= 0) return 0;
  std::int64_t ms = ns / 1'000'000;
  if (ns % 1'000'000 != 0) ++ms;
  return static_cast<DWORD>(ms < max_finite_ms ? ms : max_finite_ms);
}

}  // namespace

native_wait_result native_futex_wait(const futex_word& word, std::uint32_t expected,
                                     const detail::deadline* limit) noexcept {
  DWORD timeout_ms = INFINITE;
  if (limit != nullptr && !limit->is_never()) {
    // The deadline is absolute and was computed once by the caller; converting the time left
    // now (not the caller's original timeout) keeps retries from restarting it.
    std::int64_t left = limit->remaining_ns();
    if (limit->clock() == detail::deadline_clock::system && left > system_clock_slice_ns) {
      left = system_clock_slice_ns;
    }
    timeout_ms = to_wait_ms(left);
  }
  // WaitOnAddress reads the word as 4 plain bytes under the OS's lock; the word is a lock-free
  // std::atomic<std::uint32_t>, whose object representation is that integer. The OS's own
  // compare-and-queue is what makes a wake between the caller's check and the sleep not lost.
  auto* address = const_cast<volatile void*>(static_cast<const volatile void*>(&word));
  if (WaitOnAddress(address, &expected, sizeof expected, timeout_ms)) {
    // Woken, the word differed, or a spurious return: the OS does not say which. Callers
    // re-check their own condition, so "woken" covers all three.
    return native_wait_result::woken;
  }
  if (GetLastError() == ERROR_TIMEOUT && limit != nullptr) {
    // The interval ran out, but Windows timers tick in ~1-15.6 ms steps and may end an
    // interval a little early, and a long or system_clock deadline was cut into pieces above:
    // report a timeout only once the deadline itself has passed on its own clock. Otherwise it
    // was an early return, and the caller waits again for the time still left.
    return limit->has_passed() ? native_wait_result::timed_out : native_wait_result::woken;
  }
  return native_wait_result::woken;
}

// Windows does not report how many it woke (see the top of the file): only these two wakes.
void native_futex_wake_one(const futex_word& word) noexcept {
  WakeByAddressSingle(const_cast<void*>(static_cast<const void*>(&word)));
}

void native_futex_wake_all(const futex_word& word) noexcept {
  WakeByAddressAll(const_cast<void*>(static_cast<const void*>(&word)));
}

}  // namespace os
}  // namespace v0
}  // namespace futon
