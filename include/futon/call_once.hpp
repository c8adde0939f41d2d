// SPDX-License-Identifier: BSL-1.0
// <futon/call_once.hpp>: futon::once_flag and futon::call_once, drop-in std::once_flag and
// std::call_once; the flag is 4 bytes.
//
//   futon::once_flag init_flag;
//   void use() {
//     futon::call_once(init_flag, [] { table = build_table(); });
//     read(table);  // build_table() ran exactly once, and its effects are visible here
//   }
//
// call_once(flag, f, args...) calls std::invoke(f, args...) exactly once for the flag, however
// many threads call at once:
//   - The first caller runs f (the "active" call); every other caller waits until it finishes
//     and then returns without calling f (a "passive" call), seeing everything f did.
//   - If f throws, the exception propagates to its caller and the flag is left as if f had
//     never been called: one of the waiting (or later) callers runs its own f next.
//   - Once f has returned, call_once is one atomic load (acquire): no call, no system call.
//   - A waiting caller sleeps on the flag's word, and the active call wakes waiters only if one
//     may be asleep: no system call when nobody had to wait.
//
// Calling call_once on a flag from inside f for the same flag deadlocks, as for std.
//
// Preconditions, checked with FUTON_DEBUG_CHECKS (message, then abort): the flag is not
// destroyed while a call_once on it is running.
//
// basic_once_flag<Backend> is the same over a chosen futex backend; futon::once_flag uses the
// default, and call_once accepts either. The states follow Rust's futex-based std::sync::Once
// (incomplete, running, running with waiters queued, complete); written anew.
// Destruction: once call_once has returned in some thread, the flag may be destroyed when no other
// call_once on it is running; the call that ran f marks it done with one atomic exchange, its
// last access (the wake that follows is by address).
//
// Counters: none (the word is a state and a waiters bit).
//
// Signal safety: call_once may not be called from a signal handler (f may run, and waiters sleep).
//
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <futon/detail/announced_wait.hpp>
#include <futon/detail/assert.hpp>
#include <futon/detail/backend_traits.hpp>
#include <futon/futex.hpp>
#include <type_traits>
#include <utility>

namespace futon {
inline namespace v0 {

template <futex_backend Backend>
class basic_once_flag;

namespace detail {
// call_once's way to the flag's private members. A friend class rather than call_once itself as
// a friend: clang 16 does not match a constrained friend function template with call_once's
// declaration here, and then rejects the private access.
struct once_flag_access;
}  // namespace detail

template <futex_backend Backend>
class basic_once_flag {
 public:
  constexpr basic_once_flag() noexcept = default;
  // constexpr, so that once_flag is a literal type as std's is (`constexpr futon::once_flag f;`
  // compiles, and a flag may live in a constant evaluation). The debug check runs only outside
  // one: the atomic load cannot be constant-evaluated, and nothing can be running call_once on a
  // flag that a constant evaluation destroys.
  constexpr ~basic_once_flag() {
    if (!std::is_constant_evaluated()) {
      FUTON_PRECONDITION((word_.load(std::memory_order_relaxed) & running_bit) == 0,
                         "futon::once_flag destroyed while call_once runs on it");
    }
  }
  basic_once_flag(const basic_once_flag&) = delete;
  basic_once_flag& operator=(const basic_once_flag&) = delete;

 private:
  friend struct detail::once_flag_access;

  // The word, one of four values:
  static constexpr std::uint32_t idle = 0;         // f has not completed; nobody runs it
  static constexpr std::uint32_t running_bit = 1;  // an active call is running f
  // With running_bit: a thread may be asleep waiting for it (the announced wait of
  // detail/announced_wait.hpp, whose comment proves the wake is not missed). Set by a waiter;
  // the active call's final exchange reads it in the same step that ends the run.
  static constexpr std::uint32_t waiters_bit = 2;
  static constexpr std::uint32_t done = 4;  // f has returned; final

  bool is_done() const noexcept {
    // Acquire: pairs with the release exchange at the end of the active call, so a passive call
    // sees everything f did.
    return word_.load(std::memory_order_acquire) == done;
  }

  // Makes the calling thread the active one (true), or waits until the active call ends and
  // returns false if it completed. Loops until one or the other.
  bool begin() noexcept {
    std::uint32_t state = word_.load(std::memory_order_acquire);
    for (;;) {
      if (state == done) return false;
      if (state == idle) {
        // Acquire success: after a run that threw, our f sees what that one left behind (its
        // release exchange). Acquire failure: the value read may be `done`, which we return on.
        if (word_.compare_exchange_weak(state, running_bit, std::memory_order_acquire,
                                        std::memory_order_acquire)) {
          return true;
        }
        continue;
      }
      detail::sleep_announced<Backend>(word_, state, waiters_bit);
    }
  }

  // Ends the active call: `done` after f returned, `idle` after it threw.
  void finish(std::uint32_t outcome) noexcept {
    // Release: a passive call that reads `done` (acquire) sees everything f did.
    const std::uint32_t before = word_.exchange(outcome, std::memory_order_release);
    // After a throw, wake everyone: any of them may run f next, and those left asleep would no
    // longer be covered by waiters_bit.
    detail::wake_announced<Backend>(word_, before, waiters_bit);
  }

  detail::word_t<Backend> word_{idle};
};

using once_flag = basic_once_flag<backend::default_backend>;

namespace detail {
struct once_flag_access {
  template <futex_backend Backend, class Callable, class... Args>
  static void call_once(basic_once_flag<Backend>& flag, Callable&& f, Args&&... args) {
    if (flag.is_done()) return;
    if (!flag.begin()) return;
    // Resets the flag to idle if f throws, so that the next caller tries; no try/catch needed.
    struct reset_on_throw {
      basic_once_flag<Backend>& flag;
      bool completed = false;
      ~reset_on_throw() {
        if (!completed) flag.finish(basic_once_flag<Backend>::idle);
      }
    } guard{flag};
    std::invoke(std::forward<Callable>(f), std::forward<Args>(args)...);
    guard.completed = true;
    flag.finish(basic_once_flag<Backend>::done);
  }
};
}  // namespace detail

template <futex_backend Backend, class Callable, class... Args>
void call_once(basic_once_flag<Backend>& flag, Callable&& f, Args&&... args) {
  static_assert(std::is_invocable_v<Callable, Args...>,
                "futon::call_once: f is not callable with these arguments");
  detail::once_flag_access::call_once(flag, std::forward<Callable>(f), std::forward<Args>(args)...);
}

static_assert(sizeof(once_flag) == 4, "futon::once_flag is one 32-bit word");
// As std: constant-initializable, a literal type, neither copyable nor movable.
static_assert(std::is_nothrow_default_constructible_v<once_flag>);
static_assert(!std::is_copy_constructible_v<once_flag> &&
              !std::is_move_constructible_v<once_flag> && !std::is_copy_assignable_v<once_flag> &&
              !std::is_move_assignable_v<once_flag>);

}  // namespace v0
}  // namespace futon
