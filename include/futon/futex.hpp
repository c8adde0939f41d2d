// SPDX-License-Identifier: BSL-1.0
// <futon/futex.hpp>: wait for a 32-bit word to change, and wake the threads waiting on it.
//
// The futex is the smallest useful blocking primitive: a thread sleeps on the address of a word
// while the word holds a value it expects, and another thread, after changing the word, wakes
// sleepers on that address. Every futon primitive is built on it; build your own the same way:
//
//   futon::futex_word ready{0};
//   // waiter                                     // setter
//   while (ready.load(std::memory_order_acquire) == 0)   ready.store(1, std::memory_order_release);
//     futon::futex_wait(ready, 0);                       futon::futex_wake_all(ready);
//
// Contract (every backend, every OS):
//   - A wait blocks only if the word still equals `expected` when it would block (checked
//     atomically against wakes). It returns when woken, when the word differs, or spuriously
//     (a signal, the OS): loop on your own condition.
//   - The value check comes first: a mismatch returns true at once, even with a zero timeout or a
//     deadline in the past.
//   - futex_wait_for / futex_wait_until return false only when the timeout has really passed:
//     never early. A waiter that a wake counted returns true even if its deadline passed
//     meanwhile, so a waker's count always matches the waiters that saw a wake.
//   - Any duration and any clock: zero, negative and past timeouts return false at once (after
//     the value check); duration::max() and time_point::max() wait forever; nothing overflows.
//     steady_clock deadlines ignore wall-clock changes; system_clock deadlines follow them; other
//     clocks are converted to steady_clock and re-checked against their own clock on return.
//   - futex_wake returns how many waiters it woke, exactly; futex_wake(w, 0) wakes nobody.
//     Waking an address nobody waits on, even memory freed or reused since, is harmless.
//   - futex_requeue(from, expected, to, n, m): if `from == expected`, wakes up to n waiters of
//     `from` and moves up to m more to wait on `to`. Returns nullopt, touching nobody, when
//     `from != expected` or when `from` and `to` are the same word. It never deadlocks.
//   - Scope: waits are process-private unless the call's last argument is futon::process_shared
//     (<futon/futex_scope.hpp>). Then the word may be in memory that several processes map, at
//     any address in each, and every process's waiters and wakers meet on it, with the contract
//     above except where the OS's shared futex cannot give it (backend/kernel_shared_futex.hpp
//     says per OS): on Linux all of it; on OpenBSD, macOS and FreeBSD futex_requeue wakes the
//     waiters it would move (reported as woken, so `woken` may exceed n), and on macOS and
//     FreeBSD futex_wake's count is a bound (never below the number woken, at most `count`)
//     rather than exact. A private and a shared call on the same word do not meet: use one
//     scope per word. Where the OS has no shared futex (Windows, DragonFly, other POSIX
//     systems; FUTON_HAS_SHARED_FUTEX is 0) a process_shared call does not compile, and says
//     why. No futex_wait_any for shared words (its waiters of several words queue in one
//     process).
//   - A wake reaches any waiter of the word: no order is promised (Linux wakes real-time threads
//     first; the parking lot happens to keep FIFO order). Build nothing on which one it reaches.
//
// Waiting on several words at once: futex_wait_any(entries[, timeout or deadline]), where each
// entry is `{word, expected}`, sleeps until a wake of any entry's word counts it, or an entry's
// word does not hold its expected value, or the timeout passes, and says which entry:
//
//   futon::futex_word jobs{0}, quit{0};
//   const futon::wait_on entries[] = {{jobs, 0}, {quit, 0}};
//   const futon::wait_any_result r = futon::futex_wait_any(entries);
//   // r.status: woken or changed, r.index: 0 (jobs) or 1 (quit)
//
//   - It never returns spuriously and never reports an index that nobody woke or changed:
//     `woken` means a futex_wake (or futex_requeue's wake) of entries[index]'s word, or of the
//     word it was requeued to, counted this waiter; `changed` means entries[index]'s word held
//     another value when it was checked (the lowest such index when the check before sleeping
//     finds several); `timed_out` only once the timeout has really passed, with nobody counting
//     the waiter; `no_entries` at once for an empty span. An untimed wait returns only woken or
//     changed. (On the kernel backend a wake is any FUTEX_WAKE of the address, including one
//     that other code sends to memory it used before: the kernel cannot tell them apart.)
//   - A wake counts the waiter once, whichever of its words it comes through: two wakes racing
//     on two of its words (or on a word listed twice) count it once between them, and the other
//     goes on to the word's next waiter, so a wait_any never swallows a wake that a plain waiter
//     could have taken. With a plain waiter and a wait_any waiter on w, futex_wake(w, 1) returns
//     1 and a second futex_wake(w, 1) wakes the other.
//   - Timeouts and clocks as futex_wait_for / futex_wait_until: the value check comes first
//     (every entry, in order), then a zero or past timeout returns timed_out; duration::max()
//     waits forever; never early.
//   - Any number of entries, duplicates allowed: no limit (Linux's futex_waitv stops at 128).
//     Nothing is allocated: each entry costs about 100 bytes of the caller's stack while it
//     waits. A requeue moves the entry like any waiter; it stays reported by its own index.
//   - On the kernel backend a wait_any of two or more entries waits in a parking lot of that
//     backend's own, which its wakes and requeues also check (backend/kernel_futex.hpp says
//     why not futex_waitv). Then futex_wake and futex_requeue may take that lot's bucket lock,
//     and are no longer safe in a signal handler while such a wait may be in progress.
//
// Signal safety: on the kernel-futex backend, futex_wake and futex_requeue are one system call
// each and may be called from a signal handler; the waits too, as the system call is
// async-signal-safe, though a handler that waits for the code it interrupted deadlocks. On the
// parking-lot backend (the default where the OS has no exact futex: Windows, macOS, the BSDs)
// every operation may take a bucket lock and none may be called from a signal handler.
//
// Preconditions (checked with FUTON_DEBUG_CHECKS, with a message, then abort): the word is
// 4-byte aligned, which std::atomic guarantees unless memory was reinterpret_cast.
//
// basic_futex<Backend> exposes the same operations over a chosen backend (for tests, benchmarks
// and primitives); the free functions use the library's default backend.
#pragma once

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <futon/backend/default_backend.hpp>
#include <futon/backend/kernel_shared_futex.hpp>
#include <futon/detail/assert.hpp>
#include <futon/detail/deadline.hpp>
#include <futon/futex_scope.hpp>
#include <futon/futex_word.hpp>
#include <limits>
#include <optional>
#include <span>
#include <type_traits>

namespace futon {
inline namespace v0 {

// The static interface every futex backend provides.
template <class Backend>
concept futex_backend = requires(const futex_word& word, std::uint32_t value,
                                 const detail::deadline& limit, std::size_t count) {
  { Backend::wait(word, value) }
  noexcept;
  { Backend::wait_until(word, value, limit) }
  noexcept->std::same_as<bool>;
  { Backend::wake(word, count) }
  noexcept->std::same_as<std::size_t>;
  { Backend::requeue(word, value, word, count, count) }
  noexcept->std::same_as<std::optional<requeue_result>>;
};

// A backend that can wait on several words at once (futex_wait_any).
template <class Backend>
concept futex_wait_any_backend = futex_backend<Backend> &&
    requires(std::span<const wait_on> entries, const detail::deadline& limit) {
  { Backend::wait_any(entries, limit) }
  noexcept->std::same_as<wait_any_result>;
};

template <futex_backend Backend>
struct basic_futex {
  using backend_type = Backend;

  static void wait(const futex_word& word, std::uint32_t expected) noexcept {
    check_aligned(word);
    Backend::wait(word, expected);
  }

  // False when `timeout` passed without a wake (never early).
  template <class Rep, class Period>
  static bool wait_for(const futex_word& word, std::uint32_t expected,
                       const std::chrono::duration<Rep, Period>& timeout) noexcept {
    check_aligned(word);
    return Backend::wait_until(word, expected, detail::deadline::after(timeout));
  }

  // False when `deadline` passed without a wake (never early, by `Clock`'s own reading).
  template <class Clock, class Duration>
  static bool wait_until(const futex_word& word, std::uint32_t expected,
                         const std::chrono::time_point<Clock, Duration>& deadline) noexcept {
    check_aligned(word);
    return detail::attempt_until(deadline, [&](const detail::deadline& limit) {
      return Backend::wait_until(word, expected, limit);
    });
  }

  // Returns woken or changed with the entry's index, never spuriously (see the top of the file).
  static wait_any_result wait_any(std::span<const wait_on> entries) noexcept requires
      futex_wait_any_backend<Backend> {
    check_aligned(entries);
    return Backend::wait_any(entries, detail::deadline::never());
  }

  // As wait_any, or timed_out once `timeout` has passed (never early).
  template <class Rep, class Period>
  static wait_any_result wait_any_for(std::span<const wait_on> entries,
                                      const std::chrono::duration<Rep, Period>& timeout) noexcept
      requires futex_wait_any_backend<Backend> {
    check_aligned(entries);
    return Backend::wait_any(entries, detail::deadline::after(timeout));
  }

  // As wait_any, or timed_out once `deadline` has passed (never early, by `Clock`'s reading).
  template <class Clock, class Duration>
  static wait_any_result wait_any_until(
      std::span<const wait_on> entries,
      const std::chrono::time_point<Clock, Duration>& deadline) noexcept requires
      futex_wait_any_backend<Backend> {
    check_aligned(entries);
    wait_any_result result = wait_any_result::timeout();
    detail::attempt_until(deadline, [&](const detail::deadline& limit) {
      result = Backend::wait_any(entries, limit);
      return !result.timed_out();
    });
    return result;
  }

  static std::size_t wake(const futex_word& word, std::size_t count) noexcept {
    check_aligned(word);
    if (count == 0) return 0;  // Linux's FUTEX_WAKE would wake one for 0: keep the contract here.
    return Backend::wake(word, count);
  }

  static bool wake_one(const futex_word& word) noexcept { return wake(word, 1) == 1; }

  static std::size_t wake_all(const futex_word& word) noexcept {
    return wake(word, std::numeric_limits<std::size_t>::max());
  }

  static std::optional<requeue_result> requeue(const futex_word& from, std::uint32_t expected,
                                               const futex_word& to, std::size_t wake_count,
                                               std::size_t requeue_count) noexcept {
    check_aligned(from);
    check_aligned(to);
    if (&from == &to) return std::nullopt;
    return Backend::requeue(from, expected, to, wake_count, requeue_count);
  }

 private:
  static void check_aligned([[maybe_unused]] const futex_word& word) noexcept {
    FUTON_PRECONDITION(reinterpret_cast<std::uintptr_t>(&word) % alignof(futex_word) == 0,
                       "futex word is not 4-byte aligned");
  }
  static void check_aligned([[maybe_unused]] std::span<const wait_on> entries) noexcept {
#if FUTON_DEBUG_CHECKS
    for (const wait_on& entry : entries)
      check_aligned(*entry.word);
#endif
  }
};

using futex = basic_futex<backend::default_backend>;

inline void futex_wait(const futex_word& word, std::uint32_t expected) noexcept {
  futex::wait(word, expected);
}

template <class Rep, class Period>
bool futex_wait_for(const futex_word& word, std::uint32_t expected,
                    const std::chrono::duration<Rep, Period>& timeout) noexcept {
  return futex::wait_for(word, expected, timeout);
}

template <class Clock, class Duration>
bool futex_wait_until(const futex_word& word, std::uint32_t expected,
                      const std::chrono::time_point<Clock, Duration>& deadline) noexcept {
  return futex::wait_until(word, expected, deadline);
}

inline wait_any_result futex_wait_any(std::span<const wait_on> entries) noexcept {
  return futex::wait_any(entries);
}

template <class Rep, class Period>
wait_any_result futex_wait_any_for(std::span<const wait_on> entries,
                                   const std::chrono::duration<Rep, Period>& timeout) noexcept {
  return futex::wait_any_for(entries, timeout);
}

template <class Clock, class Duration>
wait_any_result futex_wait_any_until(
    std::span<const wait_on> entries,
    const std::chrono::time_point<Clock, Duration>& deadline) noexcept {
  return futex::wait_any_until(entries, deadline);
}

inline std::size_t futex_wake(const futex_word& word, std::size_t count) noexcept {
  return futex::wake(word, count);
}

inline bool futex_wake_one(const futex_word& word) noexcept {
  return futex::wake_one(word);
}

inline std::size_t futex_wake_all(const futex_word& word) noexcept {
  return futex::wake_all(word);
}

inline std::optional<requeue_result> futex_requeue(const futex_word& from, std::uint32_t expected,
                                                   const futex_word& to, std::size_t wake_count,
                                                   std::size_t requeue_count) noexcept {
  return futex::requeue(from, expected, to, wake_count, requeue_count);
}

// ---- The same calls with a scope (futon::process_private or futon::process_shared) -----------

#if FUTON_HAS_SHARED_FUTEX
// The futex on words shared between processes (backend/kernel_shared_futex.hpp).
using shared_futex = basic_futex<backend::kernel_shared_futex>;
#endif

namespace detail {

// The futex of a scope. process_shared has one only where the OS has a shared futex; a call
// elsewhere fails here, at compile time, rather than wait privately and sleep through the other
// processes' wakes.
template <futex_scope Scope>
struct futex_of_scope {
  static_assert(std::same_as<Scope, process_private_t>,
                "futon: futon::process_shared needs an OS futex that processes can share "
                "(Linux, macOS, FreeBSD, OpenBSD); on this platform futon's futex is "
                "process-local (Windows's WaitOnAddress and futon's parking lot are), see "
                "<futon/backend/kernel_shared_futex.hpp>");
  using type = futex;
};

#if FUTON_HAS_SHARED_FUTEX
template <>
struct futex_of_scope<process_shared_t> {
  using type = shared_futex;
};
#endif

template <futex_scope Scope>
using futex_of_scope_t = typename futex_of_scope<Scope>::type;

}  // namespace detail

template <futex_scope Scope>
void futex_wait(const futex_word& word, std::uint32_t expected, Scope) noexcept {
  detail::futex_of_scope_t<Scope>::wait(word, expected);
}

template <class Rep, class Period, futex_scope Scope>
bool futex_wait_for(const futex_word& word, std::uint32_t expected,
                    const std::chrono::duration<Rep, Period>& timeout, Scope) noexcept {
  return detail::futex_of_scope_t<Scope>::wait_for(word, expected, timeout);
}

template <class Clock, class Duration, futex_scope Scope>
bool futex_wait_until(const futex_word& word, std::uint32_t expected,
                      const std::chrono::time_point<Clock, Duration>& deadline, Scope) noexcept {
  return detail::futex_of_scope_t<Scope>::wait_until(word, expected, deadline);
}

template <futex_scope Scope>
std::size_t futex_wake(const futex_word& word, std::size_t count, Scope) noexcept {
  return detail::futex_of_scope_t<Scope>::wake(word, count);
}

template <futex_scope Scope>
bool futex_wake_one(const futex_word& word, Scope) noexcept {
  return detail::futex_of_scope_t<Scope>::wake_one(word);
}

template <futex_scope Scope>
std::size_t futex_wake_all(const futex_word& word, Scope) noexcept {
  return detail::futex_of_scope_t<Scope>::wake_all(word);
}

template <futex_scope Scope>
std::optional<requeue_result> futex_requeue(const futex_word& from, std::uint32_t expected,
                                            const futex_word& to, std::size_t wake_count,
                                            std::size_t requeue_count, Scope) noexcept {
  return detail::futex_of_scope_t<Scope>::requeue(from, expected, to, wake_count, requeue_count);
}

}  // namespace v0
}  // namespace futon
