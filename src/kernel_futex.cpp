// SPDX-License-Identifier: BSL-1.0
// The futex contract on the OS's native futex (see <futon/backend/kernel_futex.hpp>).
#include <futon/backend/kernel_futex.hpp>

#include "kernel_futex_contract.hpp"
#include "kernel_wait_any.hpp"
#include "os/native_futex.hpp"

namespace futon {
inline namespace v0 {
namespace backend {

namespace {
// The process-private calls (kernel_futex_contract.hpp).
using contract = detail::kernel_futex_contract<os::futex_scope::process_private>;
}  // namespace

void kernel_futex::wait(const futex_word& word, std::uint32_t expected) noexcept {
  contract::wait(word, expected);
}

bool kernel_futex::wait_until(const futex_word& word, std::uint32_t expected,
                              const detail::deadline& limit) noexcept {
  return contract::wait_until(word, expected, limit);
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
    if (!contract::holds(*only.word, only.expected)) return wait_any_result::changed_at(0);
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
  return contract::requeue(from, expected, to, wake_count, requeue_count);
}

}  // namespace backend
}  // namespace v0
}  // namespace futon
