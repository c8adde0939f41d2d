// SPDX-License-Identifier: BSL-1.0
// Debug-only tracking of which locks the calling thread holds, so that unlocking a mutex one
// does not hold stops a debug build with a message. Each thread keeps a small fixed array of the
// addresses it locked; a thread holding more than that many locks at once is not tracked for the
// excess (no false alarms, some missed ones). Compiled away when FUTON_DEBUG_CHECKS is 0
// (never by NDEBUG: a lock noted in one file must be found by an unlock in another).
#pragma once

#include <cstddef>
#include <futon/detail/assert.hpp>

namespace futon {
inline namespace v0 {
namespace detail {

#if FUTON_DEBUG_CHECKS
class lock_ownership {
 public:
  static void acquired(const void* lock) noexcept {
    held& h = thread_held();
    if (h.count < capacity) {
      h.locks[h.count] = lock;
    } else {
      ++h.untracked;
    }
    ++h.count;
  }

  // True when the calling thread is recorded as holding `lock` (or it cannot tell: overflow).
  static bool release(const void* lock) noexcept {
    held& h = thread_held();
    const std::size_t tracked = h.count < capacity ? h.count : capacity;
    for (std::size_t i = tracked; i-- > 0;) {
      if (h.locks[i] == lock) {
        for (std::size_t j = i; j + 1 < tracked; ++j)
          h.locks[j] = h.locks[j + 1];
        --h.count;
        return true;
      }
    }
    if (h.untracked != 0) {
      --h.untracked;
      --h.count;
      return true;
    }
    return false;
  }

 private:
  static constexpr std::size_t capacity = 32;
  struct held {
    const void* locks[capacity];
    std::size_t count;
    std::size_t untracked;
  };
  static held& thread_held() noexcept {
    thread_local held h{};
    return h;
  }
};
#endif

}  // namespace detail
}  // namespace v0
}  // namespace futon

#if !FUTON_DEBUG_CHECKS
#define FUTON_NOTE_LOCKED(lock) static_cast<void>(0)
#define FUTON_CHECK_UNLOCK(lock, message) static_cast<void>(0)
#else
#define FUTON_NOTE_LOCKED(lock) ::futon::detail::lock_ownership::acquired(lock)
#define FUTON_CHECK_UNLOCK(lock, message) \
  FUTON_PRECONDITION(::futon::detail::lock_ownership::release(lock), message)
#endif
