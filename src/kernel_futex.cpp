// SPDX-License-Identifier: BSL-1.0
// The futex contract on the OS's native futex (see <futon/backend/kernel_futex.hpp>).
#include <futon/backend/kernel_futex.hpp>

#include "kernel_wait_any.hpp"
#include "os/native_futex.hpp"

namespace futon {
inline namespace v0 {
namespace backend {

// A mismatch is found in user space first: a stale `expected` then costs one load, not a system
// call. Relaxed: the kernel's own check is no stronger, and callers order their data with their
// own atomics.
static bool holds(const futex_word& word, std::uint32_t expected) noexcept {
  return word.load(std::memory_order_relaxed) == expected;
}

void kernel_futex::wait(const futex_word& word, std::uint32_t expected) noexcept {
  // Any return is fine for an untimed wait: woken, mismatch, signal.
  if (holds(word, expected)) static_cast<void>(os::native_futex_wait(word, expected, nullptr));
}

bool kernel_futex::wait_until(const futex_word& word, std::uint32_t expected,
                              const detail::deadline& limit) noexcept {
  for (;;) {
    // The value check comes first, even when there is no time left.
    if (!holds(word, expected)) return true;
    if (limit.has_passed()) return false;
    switch (os::native_futex_wait(word, expected, &limit)) {
      case os::native_wait_result::woken:
      case os::native_wait_result::value_mismatch:
        return true;
      case os::native_wait_result::timed_out:
        // The kernel timed out on the deadline's own clock, against an absolute time. On
        // system_clock the wall clock may have stepped back since: the deadline is then not
        // passed any more, and returning false would be an early timeout, so wait again (the
        // same absolute deadline). A wake that raced the timeout was not counted for us (the
        // kernel counts only waiters it removed from the queue), so false is exact.
        if (!limit.has_passed()) continue;
        return false;
      case os::native_wait_result::interrupted:
        continue;  // a signal: retry with the same absolute deadline
    }
  }
}

std::size_t kernel_futex::wake(const futex_word& word, std::size_t count) noexcept {
  const std::size_t woken = os::native_futex_wake_exact(word, count);
  // futex_wait_any waiters of several words wait in the backend's parking lot, not in the
  // kernel: reach them with what is left of the count (a fence and a load when none is parked).
  if (woken < count) return woken + detail::kernel_lot_wake(word, count - woken);
  return woken;
}

wait_any_result kernel_futex::wait_any(std::span<const wait_on> entries,
                                       const detail::deadline& limit) noexcept {
  if (entries.size() != 1) return detail::kernel_lot_wait_any(entries, limit);
  // One word: a plain FUTEX_WAIT, which tells a wake (0) from a mismatch (EAGAIN) and retries
  // spurious wakeups itself, so neither return is spurious.
  const wait_on& only = entries[0];
  for (;;) {
    if (!holds(*only.word, only.expected)) return wait_any_result::changed_at(0);
    if (limit.has_passed()) return wait_any_result::timeout();
    switch (os::native_futex_wait(*only.word, only.expected, &limit)) {
      case os::native_wait_result::woken:
        return wait_any_result::woken_at(0);
      case os::native_wait_result::value_mismatch:
        return wait_any_result::changed_at(0);
      case os::native_wait_result::timed_out:
        if (!limit.has_passed()) continue;  // a system_clock deadline moved back: wait again
        return wait_any_result::timeout();
      case os::native_wait_result::interrupted:
        continue;  // a signal: check again, wait again with the same absolute deadline
    }
  }
}

std::optional<requeue_result> kernel_futex::requeue(const futex_word& from, std::uint32_t expected,
                                                    const futex_word& to, std::size_t wake_count,
                                                    std::size_t requeue_count) noexcept {
  // futex_wait_any waiters in the backend's parking lot: one step over both queues.
  if (auto with_lot = detail::kernel_lot_requeue(from, expected, to, wake_count, requeue_count)) {
    return *with_lot;
  }
  const std::optional<std::size_t> moved =
      os::native_futex_cmp_requeue(from, expected, to, wake_count, requeue_count);
  if (!moved) return std::nullopt;
  // The kernel wakes first, then requeues, and returns the sum: the split is exact.
  const std::size_t woken = *moved < wake_count ? *moved : wake_count;
  return requeue_result{woken, *moved - woken};
}

}  // namespace backend
}  // namespace v0
}  // namespace futon
