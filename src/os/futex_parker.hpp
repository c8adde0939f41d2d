// SPDX-License-Identifier: BSL-1.0
// futex_parker: the thread parker (parking_lot/thread_parker_concept.hpp) on the OS's
// wait-on-address call (os/native_futex.hpp): one word per parked thread, on every OS that has
// such a call (Linux futex(2), Windows WaitOnAddress, macOS, FreeBSD, OpenBSD, DragonFly).
// https://man7.org/linux/man-pages/man2/futex.2.html
//
// state: 1 while parked, 0 once unparked. unpark() stores 0 and then wakes the word. Between the
// store and the wake the parked thread may already have returned and its stack (where this
// parker lives) may be reused: a wake on such an address is harmless, it only looks up waiters
// by address (each OS's native_futex.cpp says why, by its manual). This is why the parker can
// live on the waiter's stack. It wakes one thread and needs no wake count.
#pragma once

#include <atomic>
#include <cstdint>
#include <futon/detail/deadline.hpp>

#include "os/native_futex.hpp"

namespace futon {
inline namespace v0 {
namespace os {

class futex_parker {
 public:
  static constexpr const char* name = "futex";

  // Called by the owner, before it can be found by an unparker (under the queue lock).
  void prepare_park() noexcept {
    // Relaxed: the queue lock that publishes this parker orders the store before any unpark.
    state_.store(1, std::memory_order_relaxed);
  }

  // Blocks until unpark(). Never returns spuriously.
  void park() noexcept {
    // Acquire pairs with unpark()'s release: what the unparker wrote before unparking (the
    // unpark token, the "dequeued" mark) is visible once we see 0.
    while (state_.load(std::memory_order_acquire) != 0) {
      static_cast<void>(native_futex_wait(state_, 1, nullptr));
    }
  }

  // Blocks until unpark() (true) or until `limit` has passed (false).
  bool park_until(const detail::deadline& limit) noexcept {
    for (;;) {
      // Acquire: as in park().
      if (state_.load(std::memory_order_acquire) == 0) return true;
      if (limit.has_passed()) return false;
      static_cast<void>(native_futex_wait(state_, 1, &limit));
    }
  }

  // Called by the unparker, after it has taken the owner out of any queue.
  void unpark() noexcept {
    // Release: publishes the unparker's writes to the owner (see park()). After this store the
    // owner may return and free this parker; only the address is used below.
    state_.store(0, std::memory_order_release);
    native_futex_wake_one(state_);
  }

 private:
  futex_word state_{0};
};

}  // namespace os
}  // namespace v0
}  // namespace futon
