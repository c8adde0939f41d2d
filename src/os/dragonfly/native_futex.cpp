// SPDX-License-Identifier: BSL-1.0
// DragonFly BSD: umtx_sleep(2) / umtx_wakeup(2).
// https://man.dragonflybsd.org/?command=umtx&section=2
//
// What this OS gives, and what futon builds from it:
//   - umtx_sleep(ptr, value, timeout) sleeps while *ptr == value; "the comparison is not atomic
//     with the sleep but is properly interlocked against" umtx_wakeup, so a wake after the
//     caller's own check is not lost. The timeout is a relative int of microseconds, 0 meaning
//     forever and a negative one EINVAL: a tiny timeout becomes 1, a long one is clamped to
//     INT_MAX (~35.8 minutes) and re-waited.
//   - Its timeout report is not reliable (EWOULDBLOCK also comes back when the sleep ended for
//     other reasons, and the interval is measured in ticks): a timeout is believed only once
//     the deadline has passed on its own clock. A system_clock deadline is waited for in slices
//     of at most 50 ms, so a wall-clock change is noticed.
//   - umtx_wakeup(ptr, count) reports no count, may wake more than asked, and nothing requeues:
//     no exact kernel_futex here (FUTON_NO_KERNEL_FUTEX). The parking lot is the default backend,
//     and these calls are its thread parker and bucket lock (os/futex_parker.hpp,
//     os/futex_lock.hpp), which sleep on a word of their own and wake one thread, so extra wakes
//     are harmless.
//   - Sleepers are keyed by the physical page behind the address; umtx_sleep adds 0 to the word
//     atomically first, so a copy-on-write page (after fork()) is split before the thread sleeps
//     on it.
//   - The parker wakes its word after its owner may have returned and its stack been reused
//     (futex_parker.hpp). Harmless by the manual, so the futex parker is kept here:
//     umtx_wakeup "will generally return 0 unless the address is bad" (an unmapped address is an
//     error return, not a fault), and it "may wake up more processes than the specified count",
//     so every umtx_sleep caller must already take a wake that was not meant for it and re-check.
//     A wake of memory now holding another word (of this process, or of another one sharing the
//     physical page) is such a wake.
//
// Status: written from the manual; not compiled (no DragonFly headers or compiler on the machine
// that wrote it). See the platform table in README.md.
#include "os/native_futex.hpp"

#include <errno.h>
#include <unistd.h>

#include <climits>
#include <cstdint>

namespace futon {
inline namespace v0 {
namespace os {
namespace {

constexpr std::int64_t system_clock_slice_ns = 50'000'000;

const volatile int* address_of(const futex_word& word) noexcept {
  // The kernel reads the word as an int: the same 4 bytes as the lock-free
  // std::atomic<std::uint32_t>; `expected` is passed bit for bit.
  return reinterpret_cast<const volatile int*>(&word);
}

// Microseconds for umtx_sleep: rounded up (never shorter than asked), at least 1 (0 = forever),
// at most INT_MAX.
int to_timeout_us(std::int64_t ns) noexcept {
  std::int64_t us = ns / 1'000;
  if (ns % 1'000 != 0) ++us;
  if (us < 1) return 1;
  return us > INT_MAX ? INT_MAX : static_cast<int>(us);
}

}  // namespace

native_wait_result native_futex_wait(const futex_word& word, std::uint32_t expected,
                                     const detail::deadline* limit) noexcept {
  int timeout_us = 0;  // forever
  if (limit != nullptr && !limit->is_never()) {
    std::int64_t left = limit->remaining_ns();
    if (limit->clock() == detail::deadline_clock::system && left > system_clock_slice_ns) {
      left = system_clock_slice_ns;
    }
    timeout_us = to_timeout_us(left);
  }
  const int rc = umtx_sleep(address_of(word), static_cast<int>(expected), timeout_us);
  if (rc == 0) return native_wait_result::woken;
  switch (errno) {
    case EBUSY:
      return native_wait_result::value_mismatch;
    case EINTR:
      return native_wait_result::interrupted;
    case EWOULDBLOCK:
    default:
      // EWOULDBLOCK is the timeout, or not (see the top): believe the deadline, not the call.
      // Other errors (EFAULT, EINVAL) are spurious returns too.
      return limit != nullptr && limit->has_passed() ? native_wait_result::timed_out
                                                     : native_wait_result::woken;
  }
}

// umtx_wakeup reports no count (see the top); its count 0 means "all".
void native_futex_wake_one(const futex_word& word) noexcept {
  static_cast<void>(umtx_wakeup(address_of(word), 1));
}

void native_futex_wake_all(const futex_word& word) noexcept {
  static_cast<void>(umtx_wakeup(address_of(word), 0));
}

}  // namespace os
}  // namespace v0
}  // namespace futon
