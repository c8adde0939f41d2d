// SPDX-License-Identifier: BSL-1.0
// The kernel-futex backend's parking lot for futex_wait_any (see <futon/backend/kernel_futex.hpp>
// for why a wait on several words queues there rather than in Linux's futex_waitv): waits of two
// or more entries park in it, and the backend's wake and requeue reach it after the kernel's own
// queue. Its table is its own, so futon::parking_lot's users and the parking-lot backend never
// meet these waiters, and the kernel backend's wakes take a bucket lock only where a
// futex_wait_any waiter really is parked.
#pragma once

#include <cstddef>
#include <cstdint>
#include <futon/detail/deadline.hpp>
#include <futon/futex_word.hpp>
#include <optional>
#include <span>

namespace futon {
inline namespace v0 {
namespace detail {

// futex_wait_any in the backend's parking lot (any number of entries).
wait_any_result kernel_lot_wait_any(std::span<const wait_on> entries,
                                    const deadline& limit) noexcept;

// Wakes up to `count` futex_wait_any waiters of `word`; no lock when none is parked in its
// bucket (after a store-load fence: call it after changing the word, as a futex wake is).
std::size_t kernel_lot_wake(const futex_word& word, std::size_t count) noexcept;

// The backend's requeue when futex_wait_any waiters may be parked on `from`'s bucket; nullopt
// (touching nobody) when it does not apply, and then the caller makes the plain system call.
std::optional<std::optional<requeue_result>> kernel_lot_requeue(const futex_word& from,
                                                                std::uint32_t expected,
                                                                const futex_word& to,
                                                                std::size_t wake_count,
                                                                std::size_t requeue_count) noexcept;

}  // namespace detail
}  // namespace v0
}  // namespace futon
