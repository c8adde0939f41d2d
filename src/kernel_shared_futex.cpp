// SPDX-License-Identifier: BSL-1.0
// The futex contract on the OS's futex for words shared between processes (see
// <futon/backend/kernel_shared_futex.hpp>).
#include <futon/backend/kernel_shared_futex.hpp>

#include "kernel_futex_contract.hpp"
#include "os/native_futex.hpp"

namespace futon {
inline namespace v0 {
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
  return os::native_futex_wake_exact(word, count, os::futex_scope::process_shared);
}

std::optional<requeue_result> kernel_shared_futex::requeue(const futex_word& from,
                                                           std::uint32_t expected,
                                                           const futex_word& to,
                                                           std::size_t wake_count,
                                                           std::size_t requeue_count) noexcept {
  return contract::requeue(from, expected, to, wake_count, requeue_count);
}

}  // namespace backend
}  // namespace v0
}  // namespace futon
