// SPDX-License-Identifier: BSL-1.0
// The kernel-futex backend's parking lot for futex_wait_any (see kernel_wait_any.hpp).
#include "kernel_wait_any.hpp"

#include "os/fork.hpp"
#include "os/native_futex.hpp"
#include "os/platform.hpp"
#include "parking_lot/basic_parking_lot.hpp"
#include "parking_lot/futex_on_parking_lot.hpp"

namespace futon {
inline namespace v0 {
namespace detail {
namespace {

// The real system's platform under another name: a table of its own (zero-initialized, so its
// pages cost nothing until a futex_wait_any of several words first parks).
struct kernel_lot_platform : os::platform {};
static_assert(parking_lot_platform<kernel_lot_platform>);

using kernel_lot = basic_parking_lot<kernel_lot_platform>;

// Registered while the library's static objects are initialized, before main().
[[maybe_unused]] const bool fork_hook_registered =
    (os::on_fork_child([] { kernel_lot::reset_after_fork(); }), true);

}  // namespace

wait_any_result kernel_lot_wait_any(std::span<const wait_on> entries,
                                    const deadline& limit) noexcept {
  return futex_on_parking_lot<kernel_lot>::wait_any(entries, limit);
}

std::size_t kernel_lot_wake(const futex_word& word, std::size_t count) noexcept {
  return kernel_lot::unpark_some(&word, count, parking_lot::default_unpark_token);
}

std::optional<std::optional<requeue_result>> kernel_lot_requeue(
    const futex_word& from, std::uint32_t expected, const futex_word& to, std::size_t wake_count,
    std::size_t requeue_count) noexcept {
  // The requeuer has made its change of the words before this call, as a waker has: the same
  // lock-free check as a wake's. A waiter that registers after it is one that arrived after
  // the requeue, which neither queue's requeue would have moved.
  if (!kernel_lot::may_have_parked(&from)) return std::nullopt;
  bool mismatch = false;
  requeue_result kernel{0, 0};
  const auto lot = kernel_lot::unpark_requeue(
      &from, &to,
      [&]() -> requeue_plan {
        // FUTEX_CMP_REQUEUE under both bucket locks: its compare of `from` and the moves in both
        // queues are then one atomic step for every waiter, in the kernel or in this lot (a
        // waiter of the lot validates under these locks), as the contract's requeue is.
        const std::optional<std::size_t> moved =
            os::native_futex_cmp_requeue(from, expected, to, wake_count, requeue_count);
        if (!moved) {
          mismatch = true;
          return {};
        }
        // The kernel wakes first, then requeues, and returns the sum.
        kernel.woken = *moved < wake_count ? *moved : wake_count;
        kernel.requeued = *moved - kernel.woken;
        return {false, wake_count - kernel.woken, requeue_count - kernel.requeued};
      },
      [](const parking_lot::unpark_result&) { return parking_lot::default_unpark_token; });
  if (mismatch) return std::optional<requeue_result>{};
  return std::optional<requeue_result>{
      requeue_result{kernel.woken + lot.unparked, kernel.requeued + lot.requeued}};
}

}  // namespace detail
}  // namespace v0
}  // namespace futon
