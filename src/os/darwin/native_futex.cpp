// SPDX-License-Identifier: BSL-1.0
// macOS: os_sync_wait_on_address (macOS 14.4+), else the private __ulock_wait2 / __ulock_wait.
// https://developer.apple.com/documentation/os/os_sync_wait_on_address
// https://developer.apple.com/documentation/os/os_sync_wake_by_address_any
// __ulock_*: no manual page; the interface is XNU's bsd/sys/ulock.h (open source, "private").
//
// What this OS gives, and what futon builds from it:
//   - Each call compares the word with `expected` and queues the caller atomically with respect
//     to the wakes, like FUTEX_WAIT, and may return spuriously. Timeouts are relative: a 64-bit
//     nanosecond count (os_sync, __ulock_wait2) or a 32-bit microsecond count (__ulock_wait), and
//     0 means "no timeout" to the ulock calls (and is invalid to os_sync), so a tiny timeout must
//     become 1, never 0, and a long one is clamped and re-waited.
//   - The wakes report only "woke someone" or ENOENT, never a count, and there is no requeue:
//     no exact kernel_futex here (FUTON_NO_KERNEL_FUTEX). The parking lot is the default backend,
//     and these calls are its thread parker and bucket lock (os/futex_parker.hpp,
//     os/futex_lock.hpp), which wait on a word of their own and wake one thread.
//   - Process-shared words (kernel_shared_futex): the same calls with UL_COMPARE_AND_WAIT_SHARED
//     (XNU's ulock.h; darwin 19 = macOS 10.15 and later) or OS_SYNC_WAIT_ON_ADDRESS_SHARED /
//     OS_SYNC_WAKE_BY_ADDRESS_SHARED. XNU (bsd/kern/sys_ulock.c) keys such a waiter by the VM
//     object and offset of the word's page instead of (task, address), so processes mapping the
//     memory at different addresses meet. A wake of n is up to n wake-one calls, stopping at the
//     first ENOENT, so it wakes at most n; its count is only a bound: XNU answers ENOENT when no
//     thread is registered on the word, but a wake-one also returns 0 without waking anybody
//     while a thread it (or a timeout) already woke has not yet left the kernel, since that
//     thread unregisters itself when it runs. Reported: the calls that returned 0, never fewer
//     than the threads woken, 0 only when nobody was woken. A wake of all (count >= INT_MAX, as
//     futex_wake_all's) is one ULF_WAKE_ALL call instead, reported as INT_MAX when it returns 0,
//     else 0: looping wake-one calls until ENOENT would spin for as long as woken threads take
//     to leave.
//   - The parker wakes its word after its owner may have returned and its stack been reused
//     (futex_parker.hpp). No manual covers this: Apple documents the os_sync wakes only as
//     waking threads waiting on `addr`, and __ulock_* has no manual. XNU's source
//     (bsd/kern/sys_ulock.c) looks process-private waiters up by (process, address) and does not
//     read the memory to wake, so the worst case is an early return of a later waiter on the same
//     address, which every caller re-checks: harmless, by the implementation rather than a
//     documented promise.
//
// Which call (chosen by src/CMakeLists.txt, one macro):
//   FUTON_DARWIN_OS_SYNC  deployment target 14.4 or later: the public os_sync_* calls.
//   FUTON_DARWIN_ULOCK    older targets: __ulock_wait2 (macOS 11+) or __ulock_wait. These are
//                         private libSystem symbols; Apple's App Store review rejects apps that
//                         reference them. -DFUTON_MACOS_PRIVATE_ULOCK=OFF avoids them: this file
//                         is then not built and the parking lot runs on the POSIX parker.
#include "os/native_futex.hpp"

#include <errno.h>

#include <climits>
#include <cstddef>
#include <cstdint>

#if defined(FUTON_DARWIN_OS_SYNC)
#if !__has_include(<os/os_sync_wait_on_address.h>)
#error "futon: deployment target 14.4+ but the SDK has no <os/os_sync_wait_on_address.h>"
#endif
#include <os/os_sync_wait_on_address.h>
#elif defined(FUTON_DARWIN_ULOCK)
#include <AvailabilityMacros.h>

// XNU's bsd/sys/ulock.h, which the SDK does not ship: the operation codes and the calls.
extern "C" {
int __ulock_wait(std::uint32_t operation, void* address, std::uint64_t value,
                 std::uint32_t timeout_us);
int __ulock_wait2(std::uint32_t operation, void* address, std::uint64_t value,
                  std::uint64_t timeout_ns, std::uint64_t value2);
int __ulock_wake(std::uint32_t operation, void* address, std::uint64_t wake_value);
}
#else
#error "futon: build src/os/darwin/native_futex.cpp with FUTON_DARWIN_OS_SYNC or FUTON_DARWIN_ULOCK"
#endif

namespace futon {
inline namespace v0 {
namespace os {
namespace {

#if defined(FUTON_DARWIN_ULOCK)
constexpr std::uint32_t ul_compare_and_wait = 1;         // UL_COMPARE_AND_WAIT: process-private
constexpr std::uint32_t ul_compare_and_wait_shared = 3;  // UL_COMPARE_AND_WAIT_SHARED
constexpr std::uint32_t ulf_wake_all = 0x00000100;       // ULF_WAKE_ALL
constexpr std::uint32_t ulf_no_errno = 0x01000000;       // ULF_NO_ERRNO: return -errno, keep errno
#if MAC_OS_X_VERSION_MIN_REQUIRED >= 110000
#define FUTON_DARWIN_ULOCK_WAIT2 1
#endif
#endif

#if defined(FUTON_DARWIN_OS_SYNC)
os_sync_wait_on_address_flags_t wait_flags(futex_scope scope) noexcept {
  return scope == futex_scope::process_shared ? OS_SYNC_WAIT_ON_ADDRESS_SHARED
                                              : OS_SYNC_WAIT_ON_ADDRESS_NONE;
}
os_sync_wake_by_address_flags_t wake_flags(futex_scope scope) noexcept {
  return scope == futex_scope::process_shared ? OS_SYNC_WAKE_BY_ADDRESS_SHARED
                                              : OS_SYNC_WAKE_BY_ADDRESS_NONE;
}
#else
std::uint32_t ulock_operation(futex_scope scope) noexcept {
  return scope == futex_scope::process_shared ? ul_compare_and_wait_shared : ul_compare_and_wait;
}
#endif

void* address_of(const futex_word& word) noexcept {
  // The OS reads the word as a plain 4-byte integer, the object representation of the lock-free
  // std::atomic<std::uint32_t>.
  return const_cast<void*>(static_cast<const void*>(&word));
}

// The relative timeout for the time left before `limit`, in the call's unit: rounded up so the
// wait is never shorter than asked (the re-check below only covers waits that end early), at
// least 1 (0 means "forever" to ulock, EINVAL to os_sync), at most `max_units` (a longer wait
// ends early and is re-waited: the deadline is absolute, so nothing restarts).
std::uint64_t relative_timeout(const detail::deadline& limit, std::int64_t ns_per_unit,
                               std::uint64_t max_units) noexcept {
  const std::int64_t left = limit.remaining_ns();
  std::int64_t units = left / ns_per_unit;
  if (left % ns_per_unit != 0) ++units;
  if (units < 1) units = 1;
  const auto wide = static_cast<std::uint64_t>(units);
  return wide < max_units ? wide : max_units;
}

// A relative timeout measured on the kernel's clock (mach absolute time, which stops while the
// machine sleeps) can end before a steady_clock or system_clock deadline: say "timed out" only
// once the deadline's own clock has reached it; else it was an early return, and the caller
// (kernel_futex.cpp or the thread parker) waits again for the time still left.
native_wait_result timed_out_or_early(const detail::deadline* limit) noexcept {
  if (limit != nullptr && limit->has_passed()) return native_wait_result::timed_out;
  return native_wait_result::woken;
}

native_wait_result from_error(int error, const detail::deadline* limit) noexcept {
  switch (error) {
    case ETIMEDOUT:
      return timed_out_or_early(limit);
    case EINTR:
      return native_wait_result::interrupted;
    default:
      // EFAULT (the word is not mapped), ENOMEM, EINVAL: a spurious return; callers re-check.
      return native_wait_result::woken;
  }
}

}  // namespace

native_wait_result native_futex_wait(const futex_word& word, std::uint32_t expected,
                                     const detail::deadline* limit, futex_scope scope) noexcept {
  const bool forever = limit == nullptr || limit->is_never();
  // A system_clock deadline is waited for in the same relative pieces as a steady one and
  // re-checked against the wall clock on every return; without a clock of its own to wait on,
  // a wall-clock change is noticed when the current piece ends (see timed_out_or_early).
#if defined(FUTON_DARWIN_OS_SYNC)
  // Returns the number of remaining waiters (>= 0) when woken or when the word differed.
  int rc = 0;
  if (forever) {
    rc = os_sync_wait_on_address(address_of(word), expected, sizeof expected, wait_flags(scope));
  } else {
    rc = os_sync_wait_on_address_with_timeout(address_of(word), expected, sizeof expected,
                                              wait_flags(scope), OS_CLOCK_MACH_ABSOLUTE_TIME,
                                              relative_timeout(*limit, 1, UINT64_MAX));
  }
  if (rc >= 0) return native_wait_result::woken;
  return from_error(errno, limit);
#else
  // ULF_NO_ERRNO: a negative return is -errno; errno itself is left alone.
  int rc = 0;
#if defined(FUTON_DARWIN_ULOCK_WAIT2)
  // 64-bit nanoseconds; 0 = forever.
  const std::uint64_t timeout_ns = forever ? 0 : relative_timeout(*limit, 1, UINT64_MAX);
  rc = __ulock_wait2(ulock_operation(scope) | ulf_no_errno, address_of(word), expected, timeout_ns,
                     0);
#else
  // 32-bit microseconds (at most ~71.6 minutes per call); 0 = forever.
  const auto timeout_us =
      static_cast<std::uint32_t>(forever ? 0 : relative_timeout(*limit, 1'000, UINT32_MAX));
  rc = __ulock_wait(ulock_operation(scope) | ulf_no_errno, address_of(word), expected, timeout_us);
#endif
  if (rc >= 0) return native_wait_result::woken;
  return from_error(-rc, limit);
#endif
}

native_wait_result native_futex_wait(const futex_word& word, std::uint32_t expected,
                                     const detail::deadline* limit) noexcept {
  return native_futex_wait(word, expected, limit, futex_scope::process_private);
}

namespace {

// One wake call: one waiter, or all of them. No count is reported (see the top of the file):
// true when the call returned 0, false on ENOENT (no thread registered on the word) or another
// error (EINVAL: a shared word whose page is not mapped any more).
bool wake(const futex_word& word, bool all, futex_scope scope) noexcept {
#if defined(FUTON_DARWIN_OS_SYNC)
  for (;;) {
    const int rc = all ? os_sync_wake_by_address_all(address_of(word), sizeof(std::uint32_t),
                                                     wake_flags(scope))
                       : os_sync_wake_by_address_any(address_of(word), sizeof(std::uint32_t),
                                                     wake_flags(scope));
    if (rc == 0) return true;
    // ENOENT: nobody waited. EINTR: interrupted before it woke anyone; try again, or a sleeper
    // whose word was changed before this wake would sleep on.
    if (errno != EINTR) return false;
  }
#else
  std::uint32_t operation = ulock_operation(scope) | ulf_no_errno;
  if (all) operation |= ulf_wake_all;
  for (;;) {
    const int rc = __ulock_wake(operation, address_of(word), 0);
    if (rc != -EINTR) return rc == 0;  // 0: woken; -ENOENT: nobody waited; -EINTR: as above
  }
#endif
}

}  // namespace

void native_futex_wake_one(const futex_word& word) noexcept {
  static_cast<void>(wake(word, false, futex_scope::process_private));
}

void native_futex_wake_all(const futex_word& word) noexcept {
  static_cast<void>(wake(word, true, futex_scope::process_private));
}

// A bound on the number woken, not the number (see the top of the file).
std::size_t native_futex_wake_shared(const futex_word& word, std::size_t count) noexcept {
  constexpr auto all = static_cast<std::size_t>(INT_MAX);
  if (count >= all) return wake(word, true, futex_scope::process_shared) ? all : 0;
  std::size_t calls = 0;
  while (calls < count && wake(word, false, futex_scope::process_shared))
    ++calls;
  return calls;
}

// No probe that cannot fault: a write to a read-only mapping faults as it would anyway.
bool native_word_writable(const futex_word&) noexcept {
  return true;
}

}  // namespace os
}  // namespace v0
}  // namespace futon
