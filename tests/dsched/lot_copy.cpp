// SPDX-License-Identifier: BSL-1.0
// The deterministic-schedule instantiation of futon's parking lot (see lot_copy.hpp): the real
// engine and futex backend code (src/parking_lot/basic_parking_lot.hpp, futex_on_parking_lot.hpp)
// over dsched::lot_platform, whose every lock, park and atomic access yields to the scheduler.
#include "dsched/lot_copy.hpp"

#include <chrono>
#include <futon/detail/sanitizers.hpp>
#include <futon/parking_lot.hpp>

#include "dsched/lot_platform.hpp"
#include "parking_lot/basic_parking_lot.hpp"
#include "parking_lot/futex_on_parking_lot.hpp"

template class futon::detail::basic_parking_lot<dsched::lot_platform>;

#if FUTON_SANITIZE_THREAD
// The runtime's own entry points (not in every toolchain's <sanitizer/tsan_interface.h>).
extern "C" void __tsan_ignore_thread_begin();
extern "C" void __tsan_ignore_thread_end();
#endif

namespace dsched::lot {
namespace {

// Between true and false, ThreadSanitizer neither checks nor records this thread's accesses.
void tsan_ignore_accesses([[maybe_unused]] bool ignore) noexcept {
#if FUTON_SANITIZE_THREAD
  if (ignore) {
    __tsan_ignore_thread_begin();
  } else {
    __tsan_ignore_thread_end();
  }
#endif
}

}  // namespace

using parking_lot = futon::detail::basic_parking_lot<lot_platform>;
using backend = futon::detail::futex_on_parking_lot<parking_lot>;

void wait(const word& w, std::uint32_t expected) noexcept {
  backend::wait(w, expected);
}

bool wait_timed(const word& w, std::uint32_t expected, bool passed) noexcept {
  // A real deadline far away (virtual time decides when it passes) or one already passed.
  const auto limit = passed ? futon::detail::deadline::after(std::chrono::nanoseconds(0))
                            : futon::detail::deadline::after(std::chrono::hours(1));
  return backend::wait_until(w, expected, limit);
}

futon::wait_any_result wait_any(std::span<const futon::wait_on> entries,
                                any_timing timing) noexcept {
  const auto limit = timing == any_timing::untimed ? futon::detail::deadline::never()
                     : timing == any_timing::passed
                         ? futon::detail::deadline::after(std::chrono::nanoseconds(0))
                         : futon::detail::deadline::after(std::chrono::hours(1));
  return backend::wait_any(entries, limit);
}

std::size_t wake(const word& w, std::size_t count) noexcept {
  return backend::wake(w, count);
}

bool requeue(const word& from, std::uint32_t expected, const word& to, std::size_t wake_count,
             std::size_t requeue_count, std::size_t& woken, std::size_t& requeued) noexcept {
  const auto result = backend::requeue(from, expected, to, wake_count, requeue_count);
  if (!result) return false;
  woken = result->woken;
  requeued = result->requeued;
  return true;
}

void wait_checking_too_early(const word& w, std::uint32_t expected) noexcept {
  dsched::point("planted bug: check");
  // Relaxed, as the real backend's check (ordering comes from the scheduler's handovers here).
  if (w.load(std::memory_order_relaxed) != expected) return;
  // The bug: validate() no longer re-reads the word under the bucket lock.
  static_cast<void>(parking_lot::park(
      &w, [] { return true; }, [] {}, [](const void*, bool) {}, futon::detail::deadline::never(),
      futon::parking_lot::default_park_token));
}

void reset() noexcept {
  // ThreadSanitizer: a failed run's threads stay blocked where they failed, and a thread that
  // failed inside futon's annotated lock code (an access after destruction in an unlock) did so
  // where TSan ignores synchronization (<futon/detail/tsan.hpp>), so its last accesses to the
  // table were never released to this thread. They never run again; without this, TSan would
  // report the re-initialization below as racing with them.
  tsan_ignore_accesses(true);
  parking_lot::reset_after_fork();
  tsan_ignore_accesses(false);
}

}  // namespace dsched::lot
