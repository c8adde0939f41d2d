// SPDX-License-Identifier: BSL-1.0
// <futon/wait_any.hpp>: futon::wait_any, wait for whichever of several events, latches and
// semaphores is ready first.
//
//   futon::event quit;
//   futon::counting_semaphore<> jobs(0);
//   for (;;) {
//     const std::size_t which = futon::wait_any(quit, jobs);  // sleeps until one is ready
//     if (which == 0) break;                                  // quit is set
//     run_one_job();                                          // which == 1: a permit of jobs is
//     ours
//   }
//
//   futon::latch started(workers);
//   if (const std::optional<std::size_t> which = futon::wait_any_for(1s, started, quit)) {
//     ...  // *which is 0 (every worker started) or 1 (quit is set)
//   } else {
//     ...  // a second passed with neither ready
//   }
//
// Signatures (all noexcept):
//   template <class... Primitives>
//   std::size_t wait_any(Primitives&... primitives);
//   template <class Rep, class Period, class... Primitives>
//   std::optional<std::size_t> wait_any_for(const std::chrono::duration<Rep, Period>& timeout,
//                                           Primitives&... primitives);
//   template <class Clock, class Duration, class... Primitives>
//   std::optional<std::size_t> wait_any_until(
//       const std::chrono::time_point<Clock, Duration>& deadline, Primitives&... primitives);
// The timeout comes first because a parameter pack is deduced only as the last parameter, and
// so that the objects read as one list. nullopt means the timeout passed with none ready.
//
// Primitives: one or more of basic_event<B> (futon::event), basic_latch<B> (futon::latch) and
// basic_counting_semaphore<B, N> (futon::counting_semaphore<N>, futon::binary_semaphore, the
// 64-bit ones above 2^31 - 1 too), all over the same futex backend B, which must wait on
// several words at once (futex_wait_any_backend: futon's kernel and parking-lot backends do).
// Events and latches may be const; a semaphore may not (the call acquires it). Anything else,
// a const semaphore, mixed backends or an empty list stops the build with a message. The same
// object may be listed twice.
//
// What "ready" means, and what the call does about it:
//   - an event: set, or set since the call began (a set() at once undone by reset() still
//     counts, as for event::wait). Not consumed.
//   - a latch: its count is zero. Not consumed.
//   - a semaphore: this call acquired one permit of it. A call takes at most one permit, of one
//     semaphore only: the one whose index it returns (the permit is then the caller's, as after
//     acquire()); a call that times out, or returns an event or latch, takes none.
// The index returned is always that of a primitive that was ready: no spurious returns. The
// untimed form returns only with an index; the timed forms return nullopt only once the timeout
// has really passed.
//
// Order: the call looks at the primitives in argument order and returns the first it finds
// ready, so when several are ready the lowest index wins (and a later semaphore keeps its
// permits). List first what must win (quit before jobs). There is no fairness beyond that: a
// primitive that is always ready starves those after it, as in a select with priorities; rotate
// the order between calls where that matters. (The look is not one atomic snapshot: an earlier
// primitive that becomes ready while a later one is looked at is not seen until the next call.)
//
// Ready first: the call looks before anything else, so on a ready primitive it returns without
// sleeping or calling the futex, even with a zero or past timeout (as every timed wait of futon).
//
// Timeouts, as the primitives' own timed members: any duration and any clock. Zero, negative
// and past ones look once; duration::max() and time_point::max() wait until one is ready;
// never early. steady_clock and system_clock deadlines are waited for by the OS; another
// clock's deadline is converted to steady_clock and checked again against its own clock, which
// sends the call back to sleep if that clock has not reached it. The last thing a timed call
// does before it gives up is look: a primitive ready at that moment is reported (its permit
// taken), never dropped.
//
// Memory: a return with index i happens after what was written before the set(), the zero
// count_down() or the release() that made primitive i ready (release/acquire, as its own wait).
//
// How it waits: each primitive's word has a "waiters" bit (the announced wait of
// detail/announced_wait.hpp; the semaphore's own bit). The call looks at every primitive; if
// none is ready, it announces itself on each word in order (sets the bit, or finds it set, while
// the primitive is not ready) and sleeps on all the words at once with the backend's wait_any,
// each expecting the value it announced; any change of a word (the set, the count_down, the
// release that reads the bit and wakes) ends that sleep, and the call looks again. No wake is
// lost: on each word the announcement and the waker's read-modify-write are ordered, exactly as
// for one primitive's wait. No wake is swallowed: the backend counts the call once whichever
// word a wake comes through, and a semaphore's release that woke it while it returns through
// another primitive (or with this semaphore and permits to spare) is passed on to another
// sleeper of that semaphore, as its own acquire does (counting_semaphore.hpp, "the bit's duty").
// A latch the call announced on and leaves before its zero gets its bit back and its sleepers
// one spurious wake (latch.hpp says why).
//
// Cost: nothing but the looks when one is ready; otherwise one CAS per word not yet marked, and
// the backend's wait_any (one FUTEX_WAIT for a single primitive on the kernel backend; for more,
// one waiter in a parking lot per word: about 100 bytes of stack each). A semaphore's acquire
// spins briefly before it sleeps; wait_any does not. Nothing is allocated.
//
// Lifetime: every primitive must outlive the call, as for its own wait (the call holds them all
// by reference until it returns). After the call returns i, primitive i may be destroyed at once
// under its own rule (the set(), count_down() or release() that made it ready touches only its
// address by then), and so may the others once nobody else waits on them: before returning, the
// call has left every futex queue (the backend's wait_any removes its waiters before it
// returns) and finished with every primitive, whose last step (any_leave) ends with an RMW or a
// wake by address.
//
// Signal safety: none of these may be called from a signal handler. And on the kernel-futex
// backend, while a call over two or more primitives may be in progress anywhere in the process,
// no primitive's set(), count_down() or release() is safe in a signal handler either: the futex
// wake behind it may take a bucket lock of the backend's parking lot for wait_any, which such a
// call's words share with any other word hashed to the same bucket (<futon/futex.hpp>).
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <futon/counting_semaphore.hpp>
#include <futon/detail/deadline.hpp>
#include <futon/detail/wait_any_hooks.hpp>
#include <futon/event.hpp>
#include <futon/futex.hpp>
#include <futon/latch.hpp>
#include <optional>
#include <span>
#include <tuple>
#include <type_traits>
#include <utility>

namespace futon {
inline namespace v0 {
namespace detail {

// The primitives' hooks (detail/wait_any_hooks.hpp), reached as their friend.
struct wait_any_access {
  template <class P>
  static std::uint32_t begin(P& p) noexcept {
    return p.any_begin();
  }
  template <class P>
  static bool try_ready(P& p, std::uint32_t start) noexcept {
    return p.any_try(start);
  }
  template <class P>
  static std::optional<std::uint32_t> announce(P& p, std::uint32_t start) noexcept {
    return p.any_announce(start);
  }
  template <class P>
  static const futex_word& word(P& p) noexcept {
    return p.any_word();
  }
  template <class P>
  static void leave(P& p, any_leaving how) noexcept {
    p.any_leave(how);
  }
};

// The types wait_any accepts, with their backend, and whether a wait consumes them.
template <class T>
struct any_waitable : std::false_type {};
template <class Backend>
struct any_waitable<basic_event<Backend>> : std::true_type {
  using backend = Backend;
  static constexpr bool consumed = false;
};
template <class Backend>
struct any_waitable<basic_latch<Backend>> : std::true_type {
  using backend = Backend;
  static constexpr bool consumed = false;
};
template <class Backend, std::ptrdiff_t LeastMaxValue>
struct any_waitable<basic_counting_semaphore<Backend, LeastMaxValue>> : std::true_type {
  using backend = Backend;
  static constexpr bool consumed = true;
};

template <class P>
using any_waitable_of = any_waitable<std::remove_const_t<P>>;

// Checks wait_any's arguments one property at a time, so that a wrong call gets one message.
template <class... Ps>
constexpr bool wait_any_arguments_ok() noexcept {
  if constexpr (sizeof...(Ps) == 0) {
    static_assert(sizeof...(Ps) != 0, "futon::wait_any needs at least one primitive to wait on");
    return false;
  } else if constexpr (!(any_waitable_of<Ps>::value && ...)) {
    static_assert((any_waitable_of<Ps>::value && ...),
                  "futon::wait_any waits on futon's event, latch, counting_semaphore and "
                  "binary_semaphore (basic_event, basic_latch, basic_counting_semaphore) only");
    return false;
  } else if constexpr (!((!std::is_const_v<Ps> || !any_waitable_of<Ps>::consumed) && ...)) {
    static_assert(((!std::is_const_v<Ps> || !any_waitable_of<Ps>::consumed) && ...),
                  "futon::wait_any acquires a semaphore it returns: pass semaphores non-const");
    return false;
  } else {
    using first = typename any_waitable_of<std::tuple_element_t<0, std::tuple<Ps...>>>::backend;
    constexpr bool one_backend =
        (std::is_same_v<typename any_waitable_of<Ps>::backend, first> && ...);
    static_assert(one_backend,
                  "futon::wait_any: every primitive must use the same futex backend (one "
                  "futex wait sleeps on all their words)");
    static_assert(!one_backend || futex_wait_any_backend<first>,
                  "futon::wait_any: the primitives' futex backend cannot wait on several words "
                  "(it does not satisfy futon::futex_wait_any_backend)");
    return one_backend && futex_wait_any_backend<first>;
  }
}

template <class... Ps>
using wait_any_backend_of =
    typename any_waitable_of<std::tuple_element_t<0, std::tuple<Ps...>>>::backend;

// One call of wait_any: the primitives, what each wait measures from, and what the call owes
// each when it leaves.
template <class Backend, class... Ps>
class any_wait {
  static constexpr std::size_t n = sizeof...(Ps);
  static constexpr std::size_t none = static_cast<std::size_t>(-1);
  using indices = std::index_sequence_for<Ps...>;

 public:
  explicit any_wait(Ps&... primitives) noexcept
      : primitives_(primitives...), starts_{wait_any_access::begin(primitives)...} {}
  any_wait(const any_wait&) = delete;
  any_wait& operator=(const any_wait&) = delete;

  // The index of the first primitive found ready, or nullopt once `limit` has passed with none
  // (the last look comes after the deadline). Leaves every primitive it announced on or was
  // woken through settled (any_leave) before it returns, either way.
  std::optional<std::size_t> run(const deadline& limit) noexcept {
    for (;;) {
      if (const std::size_t ready = look(indices{}); ready != none) {
        leave_all(indices{});
        return ready;
      }
      if (limit.has_passed()) {
        leave_all(indices{});
        return std::nullopt;
      }
      std::array<std::uint32_t, n> expected{};
      // A primitive found ready while announcing: look at all of them again, in order.
      if (!announce_all(expected, indices{})) continue;
      const wait_any_result result = sleep_on_all(expected, limit, indices{});
      // Woken through a word: that primitive's wake counted this call (a semaphore's release
      // then expects it to take the permit or pass the wake on: any_leave). Changed or timed
      // out: nothing to record; the next look decides.
      if (result.status == wait_any_status::woken) woken_[result.index] = true;
    }
  }

 private:
  template <std::size_t I>
  auto& primitive() noexcept {
    return std::get<I>(primitives_);
  }

  // The first ready index (a semaphore's permit taken), or `none`. The fold stops at the first.
  template <std::size_t... I>
  std::size_t look(std::index_sequence<I...>) noexcept {
    std::size_t found = none;
    static_cast<void>(
        (... || (wait_any_access::try_ready(primitive<I>(), starts_[I]) && ((found = I), true))));
    return found;
  }

  // Announces on every word in order; false as soon as one primitive is found ready.
  template <std::size_t... I>
  bool announce_all(std::array<std::uint32_t, n>& expected, std::index_sequence<I...>) noexcept {
    return (... && announce<I>(expected[I]));
  }

  template <std::size_t I>
  bool announce(std::uint32_t& expected) noexcept {
    const std::optional<std::uint32_t> value =
        wait_any_access::announce(primitive<I>(), starts_[I]);
    if (!value) return false;
    expected = *value;
    announced_[I] = true;
    // The bit is set with the primitive not ready: it now covers the sleepers a wake through
    // this word may have been meant for (a semaphore's duty is discharged, as when its acquire
    // sleeps again).
    woken_[I] = false;
    return true;
  }

  template <std::size_t... I>
  wait_any_result sleep_on_all(const std::array<std::uint32_t, n>& expected, const deadline& limit,
                               std::index_sequence<I...>) noexcept {
    const std::array<wait_on, n> entries{
        wait_on(wait_any_access::word(primitive<I>()), expected[I])...};
    return Backend::wait_any(std::span<const wait_on>(entries), limit);
  }

  template <std::size_t... I>
  void leave_all(std::index_sequence<I...>) noexcept {
    (wait_any_access::leave(primitive<I>(), any_leaving{announced_[I], woken_[I]}), ...);
    announced_ = {};
    woken_ = {};
  }

  std::tuple<Ps&...> primitives_;
  std::array<std::uint32_t, n> starts_;
  std::array<bool, n> announced_{};
  std::array<bool, n> woken_{};
};

}  // namespace detail

// Waits until one of `primitives` is ready and returns its index (see the top of the file).
template <class... Primitives>
std::size_t wait_any(Primitives&... primitives) noexcept {
  if constexpr (detail::wait_any_arguments_ok<Primitives...>()) {
    using backend = detail::wait_any_backend_of<Primitives...>;
    detail::any_wait<backend, Primitives...> call(primitives...);
    return *call.run(detail::deadline::never());  // a deadline that never passes: an index
  } else {
    return 0;  // rejected at compile time above
  }
}

// As wait_any, or nullopt once `timeout` has passed with none ready (never early).
template <class Rep, class Period, class... Primitives>
std::optional<std::size_t> wait_any_for(const std::chrono::duration<Rep, Period>& timeout,
                                        Primitives&... primitives) noexcept {
  if constexpr (detail::wait_any_arguments_ok<Primitives...>()) {
    using backend = detail::wait_any_backend_of<Primitives...>;
    const detail::deadline limit = detail::deadline::after(timeout);  // once, before any look
    detail::any_wait<backend, Primitives...> call(primitives...);
    return call.run(limit);
  } else {
    return std::nullopt;  // rejected at compile time above
  }
}

// As wait_any, or nullopt once `deadline` has passed with none ready (never early, by Clock's
// own reading).
template <class Clock, class Duration, class... Primitives>
std::optional<std::size_t> wait_any_until(const std::chrono::time_point<Clock, Duration>& deadline,
                                          Primitives&... primitives) noexcept {
  if constexpr (detail::wait_any_arguments_ok<Primitives...>()) {
    using backend = detail::wait_any_backend_of<Primitives...>;
    // Begun once: a clock the OS cannot wait on (several attempts) still measures an event's
    // "set since the call began" from the start.
    detail::any_wait<backend, Primitives...> call(primitives...);
    std::optional<std::size_t> ready;
    static_cast<void>(detail::attempt_until(deadline, [&](const detail::deadline& limit) {
      ready = call.run(limit);
      return ready.has_value();
    }));
    return ready;
  } else {
    return std::nullopt;  // rejected at compile time above
  }
}

}  // namespace v0
}  // namespace futon
