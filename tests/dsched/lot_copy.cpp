// Compiled into the parking-lot copy (namespace futon_dsched, lot_hooks.hpp): see lot_copy.hpp.
#include "dsched/lot_copy.hpp"

#include <chrono>
#include <futon/backend/parking_lot.hpp>
#include <futon/parking_lot.hpp>

#include "parking_lot/bucket.hpp"

namespace futon::os {
// The copy has no fork handling: its table is reset by lot::reset() instead.
void on_fork_child(void (*)()) noexcept {}
}  // namespace futon::os

#if defined(__SANITIZE_THREAD__)
#define DSCHED_LOT_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define DSCHED_LOT_TSAN 1
#endif
#endif

#if defined(DSCHED_LOT_TSAN)
// The runtime's own entry points (not in every toolchain's <sanitizer/tsan_interface.h>).
extern "C" void __tsan_ignore_thread_begin();
extern "C" void __tsan_ignore_thread_end();
#endif

namespace dsched::lot {
namespace {

// Between true and false, ThreadSanitizer neither checks nor records this thread's accesses.
void tsan_ignore_accesses([[maybe_unused]] bool ignore) noexcept {
#if defined(DSCHED_LOT_TSAN)
  if (ignore) {
    __tsan_ignore_thread_begin();
  } else {
    __tsan_ignore_thread_end();
  }
#endif
}

}  // namespace

using backend = futon::backend::parking_lot;

void wait(const word& w, std::uint32_t expected) noexcept {
  backend::wait(w, expected);
}

bool wait_timed(const word& w, std::uint32_t expected, bool passed) noexcept {
  // A real deadline far away (virtual time decides when it passes) or one already passed.
  const auto limit = passed ? futon::detail::deadline::after(std::chrono::nanoseconds(0))
                            : futon::detail::deadline::after(std::chrono::hours(1));
  return backend::wait_until(w, expected, limit);
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
  static_cast<void>(futon::parking_lot::park(
      &w, [] { return true; }, futon::parking_lot::deadline::never()));
}

void reset() noexcept {
  // ThreadSanitizer: a failed run's threads stay blocked where they failed, and a thread that
  // failed inside futon's annotated lock code (an access after destruction in an unlock) did so
  // where TSan ignores synchronization (<futon/detail/tsan.hpp>), so its last accesses to the
  // table were never released to this thread. They never run again; without this, TSan would
  // report the re-initialization below as racing with them.
  tsan_ignore_accesses(true);
  futon::parking_lot_internal::the_table.reset_after_fork();
  tsan_ignore_accesses(false);
}

}  // namespace dsched::lot
