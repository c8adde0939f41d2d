// SPDX-License-Identifier: BSL-1.0
// Linux: futex(2). https://man7.org/linux/man-pages/man2/futex.2.html
//
// The process-private operations use FUTEX_PRIVATE_FLAG: the kernel then keys waiters by (mm,
// address) without pinning the page, which is cheaper, and makes waking memory that has since
// been freed harmless (nothing is looked up but the address). The process_shared scope leaves
// it out: the kernel keys waiters by the page's memory object (inode or anonymous mapping) and
// offset, so processes that map the same memory at different addresses meet on one word. Waking
// a shared word whose memory was unmapped meanwhile is harmless too: the kernel fails the
// lookup (EFAULT), which reports nobody woken.
#include "os/native_futex.hpp"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <ctime>

namespace futon {
inline namespace v0 {
namespace os {
namespace {

// 32-bit targets with 64-bit time_t must use futex_time64 and a 64-bit kernel timespec: the old
// call takes a 32-bit tv_sec that ends in 2038.
#if defined(SYS_futex_time64) && ULONG_MAX == 0xffffffffUL
constexpr long futex_syscall_number = SYS_futex_time64;
struct kernel_timespec {
  std::int64_t tv_sec;
  std::int64_t tv_nsec;
};
#else
constexpr long futex_syscall_number = SYS_futex;
using kernel_timespec = struct timespec;
#endif

long futex_call(const futex_word& word, int op, std::uint32_t value, const void* timeout_or_value2,
                const futex_word* word2, std::uint32_t value3) noexcept {
  return syscall(futex_syscall_number, &word, op, value, timeout_or_value2, word2, value3);
}

// Splits nanoseconds since the epoch into a timespec; floor division keeps tv_nsec in [0, 1e9).
kernel_timespec to_timespec(std::int64_t ns) noexcept {
  constexpr std::int64_t ns_per_s = 1'000'000'000;
  std::int64_t seconds = ns / ns_per_s;
  std::int64_t rest = ns % ns_per_s;
  if (rest < 0) {
    rest += ns_per_s;
    --seconds;
  }
  kernel_timespec ts{};
  ts.tv_sec = static_cast<decltype(ts.tv_sec)>(seconds);
  ts.tv_nsec = static_cast<decltype(ts.tv_nsec)>(rest);
  return ts;
}

int clamp_to_int(std::size_t count) noexcept {
  return count > static_cast<std::size_t>(INT_MAX) ? INT_MAX : static_cast<int>(count);
}

// FUTEX_PRIVATE_FLAG or nothing (see the top of the file).
int scope_flag(futex_scope scope) noexcept {
  return scope == futex_scope::process_private ? FUTEX_PRIVATE_FLAG : 0;
}

}  // namespace

native_wait_result native_futex_wait(const futex_word& word, std::uint32_t expected,
                                     const detail::deadline* limit, futex_scope scope) noexcept {
  long rc = 0;
  if (limit == nullptr || limit->is_never()) {
    rc = futex_call(word, FUTEX_WAIT | scope_flag(scope), expected, nullptr, nullptr, 0);
  } else {
    // FUTEX_WAIT_BITSET takes an absolute timeout, on CLOCK_MONOTONIC (= steady_clock) unless
    // FUTEX_CLOCK_REALTIME (= system_clock) is set: retries after EINTR keep the same deadline,
    // and a realtime deadline follows wall-clock changes.
    const kernel_timespec ts = to_timespec(limit->ns_since_epoch());
    int op = FUTEX_WAIT_BITSET | scope_flag(scope);
    if (limit->clock() == detail::deadline_clock::system) op |= FUTEX_CLOCK_REALTIME;
    rc = futex_call(word, op, expected, &ts, nullptr, FUTEX_BITSET_MATCH_ANY);
  }
  if (rc == 0) return native_wait_result::woken;
  switch (errno) {
    case EAGAIN:
      return native_wait_result::value_mismatch;
    case ETIMEDOUT:
      return native_wait_result::timed_out;
    case EINTR:
      return native_wait_result::interrupted;
    default:
      // EINVAL (a misaligned word in a release build, a deadline the kernel rejects) or EFAULT:
      // report a spurious return rather than loop; debug builds catch misalignment earlier.
      return native_wait_result::woken;
  }
}

native_wait_result native_futex_wait(const futex_word& word, std::uint32_t expected,
                                     const detail::deadline* limit) noexcept {
  return native_futex_wait(word, expected, limit, futex_scope::process_private);
}

std::size_t native_futex_wake_exact(const futex_word& word, std::size_t count,
                                    futex_scope scope) noexcept {
  const long rc = futex_call(word, FUTEX_WAKE | scope_flag(scope),
                             static_cast<std::uint32_t>(clamp_to_int(count)), nullptr, nullptr, 0);
  return rc > 0 ? static_cast<std::size_t>(rc) : 0;
}

// FUTEX_WAKE's count is the kernel's own for shared words too: exact.
std::size_t native_futex_wake_shared(const futex_word& word, std::size_t count) noexcept {
  return native_futex_wake_exact(word, count, futex_scope::process_shared);
}

// FUTEX_WAKE_OP adds 0 to the word atomically (its second word is the same word, and it wakes
// nobody on either): the kernel writes the word, or refuses with EFAULT where this process
// cannot (memory mapped PROT_READ), without a fault in user space. Adding 0 leaves the value as
// it was, so racing with the word's users is harmless.
bool native_word_writable(const futex_word& word) noexcept {
  const std::uint32_t add_zero = FUTEX_OP(FUTEX_OP_ADD, 0, FUTEX_OP_CMP_EQ, 0);
  const long rc = futex_call(word, FUTEX_WAKE_OP, 0, nullptr, &word, add_zero);
  return !(rc < 0 && errno == EFAULT);
}

void native_futex_wake_one(const futex_word& word) noexcept {
  static_cast<void>(native_futex_wake_exact(word, 1));
}

void native_futex_wake_all(const futex_word& word) noexcept {
  static_cast<void>(native_futex_wake_exact(word, static_cast<std::size_t>(INT_MAX)));
}

std::optional<std::size_t> native_futex_cmp_requeue(const futex_word& from, std::uint32_t expected,
                                                    const futex_word& to, std::size_t wake_count,
                                                    std::size_t requeue_count,
                                                    futex_scope scope) noexcept {
  // The requeue limit travels in the timeout argument's slot, as an integer.
  const auto requeue_limit = static_cast<std::uintptr_t>(clamp_to_int(requeue_count));
  const long rc = futex_call(from, FUTEX_CMP_REQUEUE | scope_flag(scope),
                             static_cast<std::uint32_t>(clamp_to_int(wake_count)),
                             reinterpret_cast<const void*>(requeue_limit), &to, expected);
  if (rc >= 0) return static_cast<std::size_t>(rc);
  if (errno == EAGAIN) return std::nullopt;
  return 0;
}

}  // namespace os
}  // namespace v0
}  // namespace futon
