// SPDX-License-Identifier: BSL-1.0
// OpenBSD: futex(2) with FUTEX_WAIT / FUTEX_WAKE, with FUTEX_PRIVATE_FLAG or (process-shared
// words) without it.
// https://man.openbsd.org/futex.2
//
// What this OS gives, and what futon builds from it:
//   - FUTEX_WAIT compares the word with `expected` and sleeps atomically with respect to
//     FUTEX_WAKE, like Linux's, but its timeout is relative: a deadline is turned into the time
//     left at each call (so retries do not restart it), and a timeout is believed only once the
//     deadline has passed on its own clock. A system_clock deadline is waited for in slices of
//     at most 50 ms, so a wall-clock change is noticed.
//   - FUTEX_WAKE returns how many it woke, but FUTEX_REQUEUE does not compare the word first (no
//     FUTEX_CMP_REQUEUE), so futex_requeue's "nullopt when from != expected, atomically" cannot
//     be met: no kernel_futex here (FUTON_NO_KERNEL_FUTEX). The parking lot is the default
//     backend, and these calls are its thread parker and bucket lock (os/futex_parker.hpp,
//     os/futex_lock.hpp).
//   - Process-shared words (kernel_shared_futex): the same calls without FUTEX_PRIVATE_FLAG.
//     The flag tells the kernel that only the calling process uses the futex, so it may key the
//     wait channel by the process and address; without it the channel is keyed by the memory
//     behind the address, and processes that map it at different addresses meet. FUTEX_WAKE
//     "returns the number of woken threads" (RETURN VALUES): the shared wake's count is exact.
//     There is still no compare-and-requeue (see above): kernel_shared_futex.cpp emulates
//     futex_requeue with a wake.
//   - Errors: EAGAIN (the word differed), ETIMEDOUT, EINTR (a signal), ECANCELED (a signal whose
//     handler has SA_RESTART: the wait is not restarted by the kernel; we report an interruption
//     and the caller waits again with the same deadline). Releases before 6.4 returned the error
//     number itself instead of -1 and errno; both are understood.
//   - The parker wakes its word after its owner may have returned and its stack been reused
//     (futex_parker.hpp). Harmless by the manual: FUTEX_WAKE "unblocks val threads
//     sleeping on the wait channel identified by uaddr" (the address names a channel; it is not
//     read), and an invalid address is an EFAULT return. So the worst case is a wake of a later
//     waiter on the same address, which re-checks its word.
//
// Status: written from the manual; not compiled (no OpenBSD headers or compiler on the machine
// that wrote it). See the platform table in README.md.
#include "os/native_futex.hpp"

#include <errno.h>
#include <sys/futex.h>
#include <sys/time.h>

#include <climits>
#include <cstddef>
#include <cstdint>
#include <ctime>

namespace futon {
inline namespace v0 {
namespace os {
namespace {

constexpr std::int64_t system_clock_slice_ns = 50'000'000;

volatile std::uint32_t* address_of(const futex_word& word) noexcept {
  // The kernel reads the word as a plain uint32_t, the object representation of the lock-free
  // std::atomic<std::uint32_t>.
  return const_cast<volatile std::uint32_t*>(
      reinterpret_cast<const volatile std::uint32_t*>(&word));
}

int error_of(int rc) noexcept {
  return rc == -1 ? errno : rc;
}

// FUTEX_PRIVATE_FLAG or nothing (see the top of the file).
int scope_flag(futex_scope scope) noexcept {
  return scope == futex_scope::process_private ? FUTEX_PRIVATE_FLAG : 0;
}

}  // namespace

native_wait_result native_futex_wait(const futex_word& word, std::uint32_t expected,
                                     const detail::deadline* limit, futex_scope scope) noexcept {
  int rc = 0;
  if (limit == nullptr || limit->is_never()) {
    rc = futex(address_of(word), FUTEX_WAIT | scope_flag(scope), static_cast<int>(expected),
               nullptr, nullptr);
  } else {
    std::int64_t left = limit->remaining_ns();
    if (limit->clock() == detail::deadline_clock::system && left > system_clock_slice_ns) {
      left = system_clock_slice_ns;
    }
    timespec timeout{};
    timeout.tv_sec = static_cast<time_t>(left / 1'000'000'000);
    timeout.tv_nsec = static_cast<long>(left % 1'000'000'000);
    rc = futex(address_of(word), FUTEX_WAIT | scope_flag(scope), static_cast<int>(expected),
               &timeout, nullptr);
  }
  if (rc == 0) return native_wait_result::woken;
  switch (error_of(rc)) {
    case EAGAIN:
      return native_wait_result::value_mismatch;
    case ETIMEDOUT:
      // A relative interval ran out; the deadline may not have (a system_clock slice, rounding).
      return limit != nullptr && limit->has_passed() ? native_wait_result::timed_out
                                                     : native_wait_result::woken;
    case EINTR:
    case ECANCELED:
      return native_wait_result::interrupted;
    default:
      return native_wait_result::woken;  // EFAULT, EINVAL: spurious; the caller re-checks
  }
}

native_wait_result native_futex_wait(const futex_word& word, std::uint32_t expected,
                                     const detail::deadline* limit) noexcept {
  return native_futex_wait(word, expected, limit, futex_scope::process_private);
}

// OpenBSD's FUTEX_WAKE takes a count and reports how many it woke; the private wakes serve the
// parker and the bucket lock, which need no count (see the top).
void native_futex_wake_one(const futex_word& word) noexcept {
  static_cast<void>(futex(address_of(word), FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, nullptr, nullptr));
}

void native_futex_wake_all(const futex_word& word) noexcept {
  static_cast<void>(
      futex(address_of(word), FUTEX_WAKE | FUTEX_PRIVATE_FLAG, INT_MAX, nullptr, nullptr));
}

// Exact: FUTEX_WAKE's own count. -1 is an error (EFAULT: the word's memory is not mapped any
// more): nobody was woken. Releases before 6.4 returned the error number itself, which would
// read as a count here: the shared wake needs 6.4 or later.
std::size_t native_futex_wake_shared(const futex_word& word, std::size_t count) noexcept {
  const int asked = count > static_cast<std::size_t>(INT_MAX) ? INT_MAX : static_cast<int>(count);
  const int rc = futex(address_of(word), FUTEX_WAKE, asked, nullptr, nullptr);
  return rc > 0 ? static_cast<std::size_t>(rc) : 0;
}

// No probe that cannot fault: a write to a read-only mapping faults as it would anyway.
bool native_word_writable(const futex_word&) noexcept {
  return true;
}

}  // namespace os
}  // namespace v0
}  // namespace futon
