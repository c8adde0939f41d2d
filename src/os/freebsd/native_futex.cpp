// SPDX-License-Identifier: BSL-1.0
// FreeBSD: _umtx_op(2) with UMTX_OP_WAIT_UINT(_PRIVATE) / UMTX_OP_WAKE(_PRIVATE).
// https://man.freebsd.org/cgi/man.cgi?query=_umtx_op&sektion=2
//
// What this OS gives, and what futon builds from it:
//   - UMTX_OP_WAIT_UINT_PRIVATE compares the 32-bit word with `expected` and sleeps atomically
//     with respect to UMTX_OP_WAKE ("the comparison and sleep are atomic"), on the process-private
//     sleep queue. A timeout is a struct _umtx_time: with UMTX_ABSTIME it is an absolute time on
//     the clock named in _clockid, so steady deadlines wait on CLOCK_MONOTONIC, system_clock ones
//     on CLOCK_REALTIME (following wall-clock changes), and a retry keeps the same deadline.
//   - UMTX_OP_WAKE_PRIVATE returns 0, not how many it woke, and plain words cannot be requeued:
//     no exact kernel_futex here (FUTON_NO_KERNEL_FUTEX). The parking lot is the default backend,
//     and these calls are its thread parker and bucket lock (os/futex_parker.hpp,
//     os/futex_lock.hpp), which wait on a word of their own and wake one thread.
//   - The parker wakes its word after its owner may have returned and its stack been reused
//     (futex_parker.hpp). Harmless by the manual: UMTX_OP_WAKE's address is "used as a
//     key to find sleeping threads", and the _PRIVATE requests scope that key to the current
//     process, so the worst case is a wake of a later sleeper on the same address, which
//     re-checks its word. (kern_umtx.c builds a private key from the process and the virtual
//     address, without touching the memory.)
//   - Process-shared words (kernel_shared_futex): UMTX_OP_WAIT_UINT and UMTX_OP_WAKE, the same
//     requests without _PRIVATE, which pick the sleep queue's shareability "from the mapping
//     attributes" (SLEEP QUEUES): in a shared mapping the key is "the physical address of some
//     variable", so "same variable mapped multiple times will give one key value" and processes
//     mapping it at different addresses meet. The timeout is the same absolute struct
//     _umtx_time on the deadline's clock. UMTX_OP_WAKE returns 0 ("if successful, all requests
//     ... will return zero"), not a count, whether it woke `val` threads or none: so
//     native_futex_wake_shared reports the count it asked for (at most INT_MAX, the most the
//     request takes), a bound never below the number woken, and 0 only when the call failed.
//   - "The read of the current value ... is not guarded by barriers": callers order their data
//     with their own atomics, as on every OS (see futex_parker.hpp).
//
// Status: written from the manual; not compiled (no FreeBSD headers or compiler on the machine
// that wrote it). See the platform table in README.md.
#include "os/native_futex.hpp"

#include <errno.h>
#include <sys/types.h>
#include <sys/umtx.h>
#include <time.h>

#include <climits>
#include <cstddef>
#include <cstdint>

namespace futon {
inline namespace v0 {
namespace os {
namespace {

void* address_of(const futex_word& word) noexcept {
  // The kernel reads the word as a plain u_int, the object representation of the lock-free
  // std::atomic<std::uint32_t>.
  return const_cast<void*>(static_cast<const void*>(&word));
}

}  // namespace

native_wait_result native_futex_wait(const futex_word& word, std::uint32_t expected,
                                     const detail::deadline* limit, futex_scope scope) noexcept {
  const int operation =
      scope == futex_scope::process_shared ? UMTX_OP_WAIT_UINT : UMTX_OP_WAIT_UINT_PRIVATE;
  int rc = 0;
  if (limit == nullptr || limit->is_never()) {
    rc = _umtx_op(address_of(word), operation, expected, nullptr, nullptr);
  } else {
    // Absolute, on the deadline's own clock. Floor division keeps tv_nsec in [0, 1e9); an
    // instant before the epoch (never a live deadline) becomes the epoch, which has passed:
    // EINVAL would otherwise reject a negative tv_sec.
    std::int64_t ns = limit->ns_since_epoch();
    if (ns < 0) ns = 0;
    struct _umtx_time timeout {};
    timeout._timeout.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
    timeout._timeout.tv_nsec = static_cast<long>(ns % 1'000'000'000);
    timeout._flags = UMTX_ABSTIME;
    timeout._clockid =
        limit->clock() == detail::deadline_clock::system ? CLOCK_REALTIME : CLOCK_MONOTONIC;
    // uaddr carries the size of the structure uaddr2 points to: that is how the kernel tells a
    // struct _umtx_time from a bare struct timespec.
    rc = _umtx_op(address_of(word), operation, expected, reinterpret_cast<void*>(sizeof timeout),
                  &timeout);
  }
  // 0: woken, the word differed, or a spurious return; the caller re-checks.
  if (rc == 0) return native_wait_result::woken;
  switch (errno) {
    case ETIMEDOUT:
      // Measured against the deadline itself, on its own clock; the check is cheap and keeps
      // the "never early" promise independent of the kernel's rounding.
      return limit != nullptr && limit->has_passed() ? native_wait_result::timed_out
                                                     : native_wait_result::woken;
    case EINTR:
      return native_wait_result::interrupted;
    default:
      // EFAULT, EINVAL: a spurious return rather than a loop; the caller re-checks.
      return native_wait_result::woken;
  }
}

native_wait_result native_futex_wait(const futex_word& word, std::uint32_t expected,
                                     const detail::deadline* limit) noexcept {
  return native_futex_wait(word, expected, limit, futex_scope::process_private);
}

// UMTX_OP_WAKE(_PRIVATE) wakes up to `val` threads and does not say how many (see the top).
void native_futex_wake_one(const futex_word& word) noexcept {
  static_cast<void>(_umtx_op(address_of(word), UMTX_OP_WAKE_PRIVATE, 1, nullptr, nullptr));
}

void native_futex_wake_all(const futex_word& word) noexcept {
  static_cast<void>(_umtx_op(address_of(word), UMTX_OP_WAKE_PRIVATE, INT_MAX, nullptr, nullptr));
}

std::size_t native_futex_wake_shared(const futex_word& word, std::size_t count) noexcept {
  const int asked = count > static_cast<std::size_t>(INT_MAX) ? INT_MAX : static_cast<int>(count);
  if (_umtx_op(address_of(word), UMTX_OP_WAKE, asked, nullptr, nullptr) != 0) return 0;
  return static_cast<std::size_t>(asked);
}

// No probe that cannot fault: a write to a read-only mapping faults as it would anyway.
bool native_word_writable(const futex_word&) noexcept {
  return true;
}

}  // namespace os
}  // namespace v0
}  // namespace futon
