// SPDX-License-Identifier: BSL-1.0
// os::platform: the real system's parking_lot_platform (parking_lot/platform_concept.hpp), chosen
// per OS, which src/parking_lot/parking_lot.cpp instantiates the parking lot over.
//
// Where the OS has a wait-on-address call (src/os/<os>/native_futex.cpp: Linux futex(2), Windows
// WaitOnAddress, macOS os_sync_wait_on_address or __ulock_wait, FreeBSD _umtx_op, OpenBSD
// futex(2), DragonFly umtx_sleep), the parker and the bucket lock are the futex ones
// (futex_parker.hpp, futex_lock.hpp), written against os/native_futex.hpp only: each sleeps on a
// word of its own and wakes one thread, so they need neither a wake count nor requeue from the
// OS. Everywhere else, or when src/CMakeLists.txt defines FUTON_PARKER_POSIX
// (-DFUTON_THREAD_PARKER=posix, macOS without the private ulock calls, an unknown POSIX system),
// they are the portable pthread ones (pthread_parker.hpp, pthread_lock.hpp).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <futon/detail/deadline.hpp>

#include "parking_lot/platform_concept.hpp"

#if !defined(FUTON_PARKER_POSIX) &&                                                         \
    (defined(__linux__) || defined(_WIN32) || defined(__APPLE__) || defined(__FreeBSD__) || \
     defined(__OpenBSD__) || defined(__DragonFly__))
#define FUTON_PARKER_NATIVE 1
#endif

#if defined(FUTON_PARKER_NATIVE)
#include "os/futex_lock.hpp"
#include "os/futex_parker.hpp"
#else
#include "os/pthread_lock.hpp"
#include "os/pthread_parker.hpp"
#endif

namespace futon {
inline namespace v0 {
namespace os {

struct platform {
#if defined(FUTON_PARKER_NATIVE)
  using thread_parker = futex_parker;
  using raw_lock = futex_lock;
#else
  using thread_parker = pthread_parker;
  using raw_lock = pthread_lock;
#endif

  template <class T>
  using atomic = std::atomic<T>;

  // The clock of the buckets' fairness timers.
  static std::int64_t now_ns() noexcept {
    return detail::deadline::now_ns(detail::deadline_clock::steady);
  }

  // 512 buckets: why, in parking_lot/bucket.hpp.
  static constexpr std::size_t bucket_count_log2 = 9;
};

static_assert(detail::parking_lot_platform<platform>);

}  // namespace os
}  // namespace v0
}  // namespace futon
