// SPDX-License-Identifier: BSL-1.0
// futex_lock: the parking lot's bucket lock (parking_lot/raw_lock_concept.hpp) on the OS's
// wait-on-address call (os/native_futex.hpp), on every OS that has one: a three-state futex
// mutex (0 free, 1 locked, 2 locked with sleepers), the classic design from Drepper's "Futexes
// Are Tricky". Bucket locks are held for a few dozen instructions, so it spins briefly before
// sleeping. It wakes one thread and needs no wake count.
#pragma once

#include <atomic>
#include <cstdint>
#include <futon/detail/spin.hpp>

#include "os/native_futex.hpp"

namespace futon {
inline namespace v0 {
namespace os {

class futex_lock {
 public:
  constexpr futex_lock() noexcept = default;
  futex_lock(const futex_lock&) = delete;
  futex_lock& operator=(const futex_lock&) = delete;

  void lock() noexcept {
    std::uint32_t state = 0;
    // Acquire on success: the critical section's reads see the previous holder's writes.
    if (state_.compare_exchange_strong(state, 1, std::memory_order_acquire,
                                       std::memory_order_relaxed)) {
      return;
    }
    lock_contended();
  }

  void unlock() noexcept {
    // Release: publishes the critical section to the next holder. If the old state says
    // somebody may sleep (2), wake one; it re-marks the lock as contended when it takes it.
    if (state_.exchange(0, std::memory_order_release) == 2) {
      native_futex_wake_one(state_);
    }
  }

 private:
  void lock_contended() noexcept {
    // Spin while the holder is likely running: a bucket is held for well under a microsecond.
    for (int spin = 0; spin < 100; ++spin) {
      std::uint32_t state = state_.load(std::memory_order_relaxed);
      if (state == 2) break;  // others already sleep: queue behind them rather than spin
      if (state == 0 && state_.compare_exchange_weak(state, 1, std::memory_order_acquire,
                                                     std::memory_order_relaxed)) {
        return;
      }
      detail::cpu_relax();
    }
    // Acquire: as in lock(). Exchanging in 2 (not 1) is conservative: we cannot know whether
    // other sleepers remain, so the next unlock wakes one more than strictly needed at worst.
    while (state_.exchange(2, std::memory_order_acquire) != 0) {
      static_cast<void>(native_futex_wait(state_, 2, nullptr));
    }
  }

  futex_word state_{0};
};

}  // namespace os
}  // namespace v0
}  // namespace futon
