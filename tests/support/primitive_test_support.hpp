// SPDX-License-Identifier: BSL-1.0
// Helpers shared by the primitive tests (semaphores, latch, barrier, call_once, event,
// wait_group, atomic_wait):
//   - counting_backend<B>: a futex backend that forwards to B and counts the calls, so a test can
//     check that an uncontended operation never reached the futex (no system call);
//   - backend_and<B, T> / with_values<Backends, Ts...>: typed tests over backends x value types.
// (The timeout table every timed member must pass is timeout_table.hpp.)
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <futon/futex.hpp>
#include <optional>
#include <type_traits>

#include "backends.hpp"
#include "test_support.hpp"

namespace futon::testing {

// ---- Counting the calls that reach the futex -------------------------------------------------

template <class Backend>
struct counting_backend {
  static constexpr const char* name = Backend::name;

  static inline std::atomic<std::size_t> waits{0};
  static inline std::atomic<std::size_t> wakes{0};
  static inline std::atomic<std::size_t> requeues{0};

  static void reset() noexcept {
    waits.store(0);
    wakes.store(0);
    requeues.store(0);
  }
  static std::size_t calls() noexcept { return waits.load() + wakes.load() + requeues.load(); }

  static void wait(const futex_word& word, std::uint32_t expected) noexcept {
    waits.fetch_add(1);
    Backend::wait(word, expected);
  }
  static bool wait_until(const futex_word& word, std::uint32_t expected,
                         const detail::deadline& limit) noexcept {
    waits.fetch_add(1);
    return Backend::wait_until(word, expected, limit);
  }
  static std::size_t wake(const futex_word& word, std::size_t count) noexcept {
    wakes.fetch_add(1);
    return Backend::wake(word, count);
  }
  static std::optional<requeue_result> requeue(const futex_word& from, std::uint32_t expected,
                                               const futex_word& to, std::size_t wake_count,
                                               std::size_t requeue_count) noexcept {
    requeues.fetch_add(1);
    return Backend::requeue(from, expected, to, wake_count, requeue_count);
  }
};

// ---- Backends x value types --------------------------------------------------------------------

template <class Backend, class T>
struct backend_and {
  using backend = Backend;
  using value = T;
};

template <class... Lists>
struct concat_types;
template <class... As>
struct concat_types<::testing::Types<As...>> {
  using type = ::testing::Types<As...>;
};
template <class... As, class... Bs, class... Rest>
struct concat_types<::testing::Types<As...>, ::testing::Types<Bs...>, Rest...> {
  using type = typename concat_types<::testing::Types<As..., Bs...>, Rest...>::type;
};

template <class T, class... Backends>
struct every_backend_with {
  using type = ::testing::Types<backend_and<Backends, T>...>;
};

template <class Backends, class... Ts>
struct with_values;
template <class... Backends, class... Ts>
struct with_values<::testing::Types<Backends...>, Ts...> {
  using type = typename concat_types<typename every_backend_with<Ts, Backends...>::type...>::type;
};

// Waits until the threads whose ids `ids()` lists are asleep; a readable assertion helper.
template <class Ids>
::testing::AssertionResult asleep(Ids ids) {
  if (wait_until_asleep(ids)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "threads did not fall asleep";
}

}  // namespace futon::testing

namespace futon::testing {

// ---- A hook inside a wake --------------------------------------------------------------------

// hooked_backend<B>: forwards to B, but the next wake (on any thread) runs the hook the test
// armed, once, just before or just after the wake itself. A test uses it to make something
// happen at an exact point: between a primitive's releasing step and its wake (another thread
// locks, unlocks and destroys the object; a new waiter registers), or right after the wake,
// deterministically rather than by luck. `runs` counts the hooks run; `hooked_wake_woke` is what
// the wake that ran the last one returned (how many it woke).
enum class hook_point : std::uint8_t { before_wake, after_wake };

template <class Backend>
struct hooked_backend {
  static constexpr const char* name = Backend::name;

  static inline std::function<void()> hook;
  static inline hook_point when = hook_point::before_wake;
  static inline std::atomic<bool> armed{false};
  static inline std::atomic<int> runs{0};
  static inline std::atomic<std::size_t> hooked_wake_woke{0};

  static void arm(hook_point at, std::function<void()> h) {
    hook = std::move(h);
    when = at;
    armed.store(true);  // seq_cst: publishes `hook` and `when` to the thread that runs it
  }

  // Takes back a hook that no wake has run (a case whose release did not need to wake). Only a
  // successful exchange clears `hook`: a wake that took the hook first owns it. seq_cst, as arm().
  static void disarm() {
    if (armed.exchange(false)) hook = nullptr;
  }

  static void wait(const futex_word& word, std::uint32_t expected) noexcept {
    Backend::wait(word, expected);
  }
  static bool wait_until(const futex_word& word, std::uint32_t expected,
                         const detail::deadline& limit) noexcept {
    return Backend::wait_until(word, expected, limit);
  }
  static std::size_t wake(const futex_word& word, std::size_t count) noexcept {
    if (!armed.exchange(false)) return Backend::wake(word, count);  // seq_cst: pairs with arm()
    const std::function<void()> h = std::move(hook);
    hook = nullptr;
    if (when == hook_point::before_wake) h();
    const std::size_t woken = Backend::wake(word, count);
    if (when == hook_point::after_wake) h();
    // seq_cst, as `runs`: read by the test's thread after the call that woke returned or the
    // hook has signalled.
    hooked_wake_woke.store(woken);
    runs.fetch_add(1);
    return woken;
  }
  static std::optional<requeue_result> requeue(const futex_word& from, std::uint32_t expected,
                                               const futex_word& to, std::size_t wake_count,
                                               std::size_t requeue_count) noexcept {
    return Backend::requeue(from, expected, to, wake_count, requeue_count);
  }
};

}  // namespace futon::testing
