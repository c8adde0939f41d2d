// SPDX-License-Identifier: BSL-1.0
// <futon/atomic_wait.hpp>: wait for a std::atomic<T> to change, with timeouts, for any T of 1, 2,
// 4 or 8 bytes - the timed std::atomic::wait that C++ never got.
//
//   std::atomic<std::uint8_t> stage{0};
//   // waiter                                              // changer
//   if (!futon::atomic_wait_for(stage, std::uint8_t{0},       stage.store(1);
//                               std::chrono::seconds(1)))     futon::atomic_notify_all(stage);
//     give_up();  // timed out: stage was still 0
//
// Functions, for std::atomic<T> with sizeof(T) in {1, 2, 4, 8} (and lock-free):
//   atomic_wait(a, old, order = seq_cst)                 returns once a.load(order) != old
//   atomic_wait_for(a, old, duration, order = seq_cst)   true once changed; false = timed out,
//   atomic_wait_until(a, old, time_point, order)           and the value was still old
//   atomic_notify_one(a), atomic_notify_all(a)           wake one / every waiter of `a`
//
// Behaviour, as std::atomic<T>::wait / notify_*:
//   - "Changed" compares value representations (bits), like std: -0.0 differs from 0.0, and a
//     NaN equals itself. atomic_wait returns only once it has loaded a value that differs from
//     `old` (never spuriously); a change that is undone before the waiter looks may be missed
//     (the ABA case, as for std). A waiter returns only after a notify, or if it sees the change
//     before it sleeps: change the value, then notify.
//   - Timed waits return false only once the timeout has really passed, and only if the value
//     is still `old` when they return; they take any duration or clock: zero, negative and past
//     timeouts only look; duration::max() and time_point::max() wait until notified.
//   - atomic_notify_* with nobody waiting makes no system call (see below).
//
// How: a 4-byte atomic waits in the futex on its own address (the atomic's object is the futex
// word; for T other than std::uint32_t it is viewed as one, as std implementations do). Whether
// anyone waits there is counted in a small table of waiter counts indexed by address (after
// libstdc++'s waiter pool and Zig's futex buckets), so a notify with nobody waiting costs a fence
// and a load. Before its first sleep a waiter spins briefly (~1.6 us of relax steps, then four
// yields; see spin_until_changed), so a change that comes that soon costs neither side a system
// call. Other sizes wait in the parking lot, keyed by the atomic's address, whose validate callback
// compares the value under the queue lock; its own "nobody waits" check makes an idle notify cheap
// there too.
//
// Preconditions, checked with FUTON_DEBUG_CHECKS (message, then abort): `order` is not
// memory_order_release or memory_order_acq_rel (as std).
//
// basic_atomic_waiter<Backend> offers the same as static members over a chosen futex backend (for
// the 4-byte path; the other sizes always use the parking lot); the free functions use the
// default backend. Notify through the same backend the waiters use.
#pragma once

#include <atomic>
#include <bit>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <futon/detail/assert.hpp>
#include <futon/detail/backend_traits.hpp>
#include <futon/detail/cache_line.hpp>
#include <futon/detail/deadline.hpp>
#include <futon/detail/spin.hpp>
#include <futon/detail/store_load_fence.hpp>
#include <futon/futex.hpp>
#include <futon/parking_lot.hpp>
#include <limits>
#include <thread>
#include <type_traits>

namespace futon {
inline namespace v0 {

namespace detail {

// The values atomic_wait supports: 1, 2, 4 or 8 bytes, lock-free, with the atomic laid out as the
// value itself (so its address is the value's), and no padding bits whose contents would make
// equal values compare different (floating-point types are allowed: std compares their bits).
template <class T>
concept atomic_waitable = (sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4 || sizeof(T) == 8) &&
                          std::is_trivially_copyable_v<T>&& std::atomic<T>::is_always_lock_free &&
                          sizeof(std::atomic<T>) == sizeof(T) &&
                          (std::has_unique_object_representations_v<T> ||
                           std::is_floating_point_v<T>);

template <std::size_t Size>
using atomic_bits_for = std::conditional_t<
    Size == 1, std::uint8_t,
    std::conditional_t<Size == 2, std::uint16_t,
                       std::conditional_t<Size == 4, std::uint32_t, std::uint64_t>>>;

template <class T>
atomic_bits_for<sizeof(T)> atomic_bits(T value) noexcept {
  return std::bit_cast<atomic_bits_for<sizeof(T)>>(value);
}

// ---- Who waits on a 4-byte atomic? ---------------------------------------------------------
//
// The atomic is the user's: there is no room in it for a waiters bit. So a waiter counts itself
// in a slot chosen by its address before it checks the value, and a notifier looks at the slot
// after changing the value, with store_load_fence() on each side - the protocol, and the
// argument why no wakeup is lost, of <futon/detail/store_load_fence.hpp>:
//
//   waiter:    slot += 1;  store_load_fence();  value == old ? -> futex wait (which checks again)
//   notifier:  value = new (the caller);  store_load_fence();  slot == 0 ? -> no wake
//
// A slot shared by several addresses only costs a futile wake. A slot is a cache line of its
// own (the parking lot's per-CPU size), so waiters on different slots do not share one.
struct alignas(cache_line_size) atomic_wait_slot {
  std::atomic<std::uint32_t> waiters{0};
};

inline constexpr std::size_t atomic_wait_slot_count = 64;

// One table per program: visible by default even in a library built with hidden visibility, so
// that a waiter and a notifier in different shared objects use the same slots.
#if defined(__GNUC__) || defined(__clang__)
[[gnu::visibility("default")]]
#endif
inline atomic_wait_slot atomic_wait_slots[atomic_wait_slot_count];

inline atomic_wait_slot& atomic_wait_slot_of(const void* address) noexcept {
  // Fibonacci hashing: the top 6 bits of address * 2^64 / phi depend on every address bit.
  const auto key = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(address));
  return atomic_wait_slots[(key * 0x9E3779B97F4A7C15ull) >> 58];
}
static_assert(atomic_wait_slot_count == 64, "atomic_wait_slot_of keeps the top 6 bits");

// A waiter counted in its slot for as long as it lives.
class atomic_wait_registration {
 public:
  explicit atomic_wait_registration(const void* address) noexcept
      : slot_(atomic_wait_slot_of(address)) {
    // Relaxed: the fence that follows orders it before our value check (see above).
    slot_.waiters.fetch_add(1, std::memory_order_relaxed);
    store_load_fence();
  }
  ~atomic_wait_registration() {
    // Relaxed: a notifier that still sees us only makes a futile wake.
    slot_.waiters.fetch_sub(1, std::memory_order_relaxed);
  }
  atomic_wait_registration(const atomic_wait_registration&) = delete;
  atomic_wait_registration& operator=(const atomic_wait_registration&) = delete;

 private:
  atomic_wait_slot& slot_;
};

// For the notifier: may a thread be waiting on `address`?
inline bool atomic_wait_may_have_waiters(const void* address) noexcept {
  atomic_wait_slot& slot = atomic_wait_slot_of(address);
  store_load_fence();
  // Relaxed: ordered by the fence (see above).
  return slot.waiters.load(std::memory_order_relaxed) != 0;
}

}  // namespace detail

template <futex_backend Backend>
struct basic_atomic_waiter {
  template <detail::atomic_waitable T>
  static void wait(const std::atomic<T>& a, std::type_identity_t<T> old,
                   std::memory_order order = std::memory_order_seq_cst) noexcept {
    check_order(order);
    static_cast<void>(wait_before(a, old, nullptr, order));
  }

  // False when `timeout` passed and the value was still `old` (never early).
  template <detail::atomic_waitable T, class Rep, class Period>
  static bool wait_for(const std::atomic<T>& a, std::type_identity_t<T> old,
                       const std::chrono::duration<Rep, Period>& timeout,
                       std::memory_order order = std::memory_order_seq_cst) noexcept {
    check_order(order);
    const detail::deadline limit = detail::deadline::after(timeout);  // once, before any wait
    return wait_before(a, old, &limit, order);
  }

  // False when `deadline` passed (by `Clock`) and the value was still `old` (never early).
  template <detail::atomic_waitable T, class Clock, class Duration>
  static bool wait_until(const std::atomic<T>& a, std::type_identity_t<T> old,
                         const std::chrono::time_point<Clock, Duration>& deadline,
                         std::memory_order order = std::memory_order_seq_cst) noexcept {
    check_order(order);
    return detail::attempt_until(deadline, [&](const detail::deadline& limit) {
      return wait_before(a, old, &limit, order);
    });
  }

  template <detail::atomic_waitable T>
  static void notify_one(const std::atomic<T>& a) noexcept {
    notify(a, 1);
  }

  template <detail::atomic_waitable T>
  static void notify_all(const std::atomic<T>& a) noexcept {
    notify(a, std::numeric_limits<std::size_t>::max());
  }

 private:
  static void check_order([[maybe_unused]] std::memory_order order) noexcept {
    FUTON_PRECONDITION(order != std::memory_order_release && order != std::memory_order_acq_rel,
                       "futon::atomic_wait: memory_order_release and memory_order_acq_rel are "
                       "not valid for a load");
  }

  template <class T>
  static bool changed(const std::atomic<T>& a, T old, std::memory_order order) noexcept {
    return detail::atomic_bits(a.load(order)) != detail::atomic_bits(old);
  }

  // The 4-byte atomic viewed as the futex word at its address (same size, and alignment checked
  // by the futex in debug builds). The backend reads it with relaxed 32-bit loads only.
  template <class T>
  static const futex_word& word_of(const std::atomic<T>& a) noexcept {
    if constexpr (std::is_same_v<std::atomic<T>, futex_word>) {
      return a;
    } else {
      static_assert(sizeof(std::atomic<T>) == sizeof(futex_word) &&
                    alignof(std::atomic<T>) >= alignof(futex_word));
      return *reinterpret_cast<const futex_word*>(&a);
    }
  }

  // Parks on the atomic's address while it holds `old` (checked under the queue lock).
  template <class T>
  static parking_lot::park_result park(const std::atomic<T>& a, T old,
                                       const parking_lot::deadline& limit) noexcept {
    const auto expected = detail::atomic_bits(old);
    return parking_lot::park(
        &a,
        // Relaxed: the parking lot's store-load fence orders it against a notifier's change
        // (its "nobody waits" check); the caller's load after the park orders the data.
        [&] { return detail::atomic_bits(a.load(std::memory_order_relaxed)) == expected; }, limit);
  }

  // A bounded spin before the first sleep (detail/spin.hpp's relax steps, ~1.6 us, then
  // detail::backend_spin_yields yields: a few microseconds, under 10 % of the sleep and wake it may
  // save). It pays when the other side answers within microseconds (a ping-pong between two running
  // threads): the waiter returns without a system call, and the notifier, finding no registered
  // waiter, makes none either. It cannot help a wait whose deadline has passed (skipped: a zero
  // timeout is a poll) nor a test backend whose threads are scheduled by the test (one with its
  // own spin_limit: it spins that often and does not yield). libstdc++'s atomic wait spins the same
  // way (relax steps, then yields), which is why its ping-pong outran futon's sleeping one 7 to 1.
  template <class T>
  static bool spin_until_changed(const std::atomic<T>& a, T old, const detail::deadline* limit,
                                 std::memory_order order) noexcept {
    if (limit != nullptr && limit->has_passed()) return false;
    for (int spins = 0; spins < detail::backend_spin_limit<Backend>(); ++spins) {
      detail::cpu_relax();
      // The caller's order, as every look of the wait: a return on a change is ordered as it
      // asked (acquire or seq_cst pairs with the changer's release), and a relaxed caller asked
      // for no more.
      if (changed(a, old, order)) return true;
    }
    // Then a few yields: a changer that shares our CPU (more threads than CPUs) gets to run, and
    // one on another CPU gets a few more microseconds (a yield with nothing else to run returns
    // at once). Measured (futon-bench --scenario=atomic_wait, quiet 2-core machine): the relax
    // steps alone took the ping-pong from 0.07-0.09x std's round trips to 0.66-0.82x; with the
    // yields, 3.4-3.6x at 0.3x std's CPU per round trip, as almost no round trip sleeps.
    for (int yields = 0; yields < detail::backend_spin_yields<Backend>(); ++yields) {
      std::this_thread::yield();
      if (changed(a, old, order)) return true;
    }
    return false;
  }

  // The one wait loop, untimed (`limit` nullptr) and timed: true once the value is not `old`;
  // false when `limit` has passed and it still is (never early, and never without a last look).
  template <class T>
  static bool wait_before(const std::atomic<T>& a, T old, const detail::deadline* limit,
                          std::memory_order order) noexcept {
    if (changed(a, old, order)) return true;  // the value check comes first, at any timeout
    if (spin_until_changed(a, old, limit, order)) return true;
    if constexpr (sizeof(T) == 4) {
      const futex_word& word = word_of(a);
      const detail::atomic_wait_registration registered(&a);
      for (;;) {
        if (changed(a, old, order)) return true;
        if (limit == nullptr) {
          Backend::wait(word, detail::atomic_bits(old));
        } else if (!Backend::wait_until(word, detail::atomic_bits(old), *limit)) {
          return changed(a, old, order);  // `limit` has passed: the value decides
        }
      }
    } else {
      const parking_lot::deadline park_limit =
          limit == nullptr ? parking_lot::deadline::never() : *limit;
      for (;;) {
        if (changed(a, old, order)) return true;
        if (park(a, old, park_limit).status == parking_lot::park_status::timed_out) {
          return changed(a, old, order);
        }
      }
    }
  }

  template <class T>
  static void notify(const std::atomic<T>& a, std::size_t count) noexcept {
    if constexpr (sizeof(T) == 4) {
      if (!detail::atomic_wait_may_have_waiters(&a)) return;
      Backend::wake(word_of(a), count);
    } else {
      // unpark_some rather than unpark_one: it takes no lock when nobody is parked in the
      // bucket, after the store-load fence that makes that check sound.
      static_cast<void>(
          detail::parking_lot_unpark_some(&a, count, parking_lot::default_unpark_token));
    }
  }
};

using atomic_waiter = basic_atomic_waiter<backend::default_backend>;

template <detail::atomic_waitable T>
void atomic_wait(const std::atomic<T>& a, std::type_identity_t<T> old,
                 std::memory_order order = std::memory_order_seq_cst) noexcept {
  atomic_waiter::wait(a, old, order);
}

template <detail::atomic_waitable T, class Rep, class Period>
bool atomic_wait_for(const std::atomic<T>& a, std::type_identity_t<T> old,
                     const std::chrono::duration<Rep, Period>& timeout,
                     std::memory_order order = std::memory_order_seq_cst) noexcept {
  return atomic_waiter::wait_for(a, old, timeout, order);
}

template <detail::atomic_waitable T, class Clock, class Duration>
bool atomic_wait_until(const std::atomic<T>& a, std::type_identity_t<T> old,
                       const std::chrono::time_point<Clock, Duration>& deadline,
                       std::memory_order order = std::memory_order_seq_cst) noexcept {
  return atomic_waiter::wait_until(a, old, deadline, order);
}

template <detail::atomic_waitable T>
void atomic_notify_one(const std::atomic<T>& a) noexcept {
  atomic_waiter::notify_one(a);
}

template <detail::atomic_waitable T>
void atomic_notify_all(const std::atomic<T>& a) noexcept {
  atomic_waiter::notify_all(a);
}

}  // namespace v0
}  // namespace futon
