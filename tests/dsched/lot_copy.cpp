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

namespace dsched::lot {

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
  futon::parking_lot_internal::the_table.reset_after_fork();
}

}  // namespace dsched::lot
