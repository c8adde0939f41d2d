// SPDX-License-Identifier: BSL-1.0
// The futex contract on the OS's futex for words shared between processes (see
// <futon/backend/kernel_shared_futex.hpp>).
#include <cstdint>
#include <futon/backend/kernel_shared_futex.hpp>
#include <futon/detail/assert.hpp>
#include <futon/detail/checked_shared_word.hpp>
#include <limits>

#include "kernel_futex_contract.hpp"
#include "os/native_futex.hpp"

namespace futon {
inline namespace v0 {

namespace detail {

void require_writable_shared_word(const futex_word& word) noexcept {
  // The last 4 KiB granule found writable, per thread (0: none yet; page 0 is never mapped). A
  // larger page only means more probes. Memory unmapped and mapped again read-only at the same
  // address is missed: the write then faults as it would without the check.
  thread_local std::uintptr_t last_writable = 0;
  const std::uintptr_t granule = reinterpret_cast<std::uintptr_t>(&word) >> 12;
  if (granule == last_writable) return;
  if (!os::native_word_writable(word)) {
    precondition_failed(
        "a futon::interprocess object is in memory this process mapped read-only (PROT_READ): "
        "its operations write its words; map the memory PROT_READ | PROT_WRITE",
        __FILE__, __LINE__);
  }
  last_writable = granule;
}

}  // namespace detail

namespace backend {

namespace {
// The process-shared calls (kernel_futex_contract.hpp).
using contract = detail::kernel_futex_contract<os::futex_scope::process_shared>;
}  // namespace

void kernel_shared_futex::wait(const futex_word& word, std::uint32_t expected) noexcept {
  contract::wait(word, expected);
}

bool kernel_shared_futex::wait_until(const futex_word& word, std::uint32_t expected,
                                     const detail::deadline& limit) noexcept {
  return contract::wait_until(word, expected, limit);
}

std::size_t kernel_shared_futex::wake(const futex_word& word, std::size_t count) noexcept {
  return os::native_futex_wake_shared(word, count);
}

std::optional<requeue_result> kernel_shared_futex::requeue(const futex_word& from,
                                                           std::uint32_t expected,
                                                           const futex_word& to,
                                                           std::size_t wake_count,
                                                           std::size_t requeue_count) noexcept {
#if !defined(FUTON_NO_KERNEL_FUTEX)
  return contract::requeue(from, expected, to, wake_count, requeue_count);
#else
  // No compare-and-requeue for shared words on this OS (FUTON_NO_KERNEL_FUTEX says so: the
  // kernel futex needs one). Waking the waiters that a requeue would move keeps every waiter's
  // contract: each was going to be woken through `to` later, and a wait may return spuriously,
  // after which its caller re-checks its condition. The compare is a load before the wake, not
  // atomic with it: a word changed in between only makes the wake one that no longer had to
  // happen, which is harmless too. A stale `expected` still touches nobody.
  static_cast<void>(to);
  if (!contract::holds(from, expected)) return std::nullopt;
  const std::size_t most = std::numeric_limits<std::size_t>::max();
  const std::size_t count = wake_count > most - requeue_count ? most : wake_count + requeue_count;
  if (count == 0) return requeue_result{0, 0};
  return requeue_result{os::native_futex_wake_shared(from, count), 0};
#endif
}

}  // namespace backend
}  // namespace v0
}  // namespace futon
