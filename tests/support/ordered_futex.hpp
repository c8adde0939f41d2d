// SPDX-License-Identifier: BSL-1.0
// ordered_futex<Order>: a futex backend for tests that wakes waiters in an order the test picks
// (newest first, or at random) instead of the oldest first, to check that no primitive depends
// on which waiter a wake reaches. The futex contract promises no order, and real kernels do not
// keep one: Linux wakes real-time (SCHED_FIFO/RR) waiters before the others.
//
// It is a small futex of its own: one global std::mutex guards a list of waiters, each waiting
// on a condition variable in its own stack frame. The value check and the enqueue happen under
// that mutex, and so do wake and requeue, so the contract's atomicity holds; counts are exact.
// Slow (one lock for everything) and only for tests.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <futon/detail/deadline.hpp>
#include <futon/futex.hpp>
#include <mutex>
#include <optional>
#include <vector>

namespace futon::testing {

enum class wake_order : std::uint8_t { newest_first, random };

namespace ordered_futex_detail {

struct waiter {
  explicit waiter(const futex_word* w) : word(w) {}
  const futex_word* word;
  bool woken = false;
  std::chrono::steady_clock::time_point woken_at{};  // when `woken` was set (for the report below)
  std::condition_variable cv;
};

// A waiter that finds itself woken long after the wake, at the end of a slice that its
// condition variable's notify should have cut short: the platform's condition variable lost
// that notify (see ordered_futex::wait_until). Said on stderr, so that a log shows it.
inline void report_lost_notify(std::chrono::steady_clock::duration late) {
  std::fprintf(
      stderr,
      "ordered_futex: the platform's condition variable lost a notify; the waiter "
      "found its wake %lld ms late, at its next slice\n",
      static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(late).count()));
}

struct registry {
  std::mutex lock;
  std::vector<waiter*> waiters;  // in arrival order (requeue keeps a waiter's place)
  std::uint64_t random_state = 0x9E3779B97F4A7C15ull;

  static registry& get() {
    static registry r;
    return r;
  }

  // splitmix64, under `lock`.
  std::uint64_t next_random() {
    std::uint64_t z = (random_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

  // Takes up to `count` waiters of `word` out of the list, in the order `order` picks.
  std::vector<waiter*> take(const futex_word& word, std::size_t count, wake_order order) {
    std::vector<std::size_t> candidates;
    for (std::size_t i = 0; i < waiters.size(); ++i) {
      if (waiters[i]->word == &word) candidates.push_back(i);
    }
    std::vector<std::size_t> chosen;
    while (chosen.size() < count && !candidates.empty()) {
      const std::size_t pick = order == wake_order::newest_first
                                   ? candidates.size() - 1
                                   : static_cast<std::size_t>(next_random() % candidates.size());
      chosen.push_back(candidates[pick]);
      candidates.erase(candidates.begin() + static_cast<std::ptrdiff_t>(pick));
    }
    std::vector<waiter*> taken;
    for (const std::size_t i : chosen)
      taken.push_back(waiters[i]);
    // Erase from the back so the indices stay valid.
    std::sort(chosen.rbegin(), chosen.rend());
    for (const std::size_t i : chosen)
      waiters.erase(waiters.begin() + static_cast<std::ptrdiff_t>(i));
    return taken;
  }
};

}  // namespace ordered_futex_detail

template <wake_order Order>
struct ordered_futex {
  static constexpr const char* name = Order == wake_order::newest_first ? "newest_first" : "random";

  static void wait(const futex_word& word, std::uint32_t expected) noexcept {
    static_cast<void>(wait_until(word, expected, detail::deadline::never()));
  }

  static bool wait_until(const futex_word& word, std::uint32_t expected,
                         const detail::deadline& limit) noexcept {
    auto& r = ordered_futex_detail::registry::get();
    std::unique_lock lock(r.lock);
    // Relaxed: the registry's mutex orders this check against every wake, as a kernel's
    // hash-bucket lock does.
    if (word.load(std::memory_order_relaxed) != expected) return true;
    if (limit.has_passed()) return false;
    ordered_futex_detail::waiter self(&word);
    r.waiters.push_back(&self);
    while (!self.woken) {
      if (limit.is_never()) {
        // In slices, not one untimed wait. Under wine a test hung once (1 run in about 250 of
        // condition_variable_test's exit-notification tests on this backend) with its waiter
        // alone, asleep in this wait, the notifying thread gone: either mingw's condition
        // variable (winpthreads) lost the notify, or futon lost the wake. A slice tells them
        // apart: the first is reported below and then ends; the second still hangs, since the
        // waiter returns only once a wake or requeue of this futex has set `woken`.
        constexpr auto slice = std::chrono::milliseconds(200);
        if (self.cv.wait_for(lock, slice) == std::cv_status::timeout && self.woken &&
            std::chrono::steady_clock::now() - self.woken_at > slice / 2)
          ordered_futex_detail::report_lost_notify(std::chrono::steady_clock::now() -
                                                   self.woken_at);
        continue;
      }
      // Sleep in short slices on steady_clock and ask the deadline itself whether it has
      // passed, so that any of its clocks works.
      self.cv.wait_for(lock, std::chrono::milliseconds(1));
      if (!self.woken && limit.has_passed()) {
        r.waiters.erase(std::find(r.waiters.begin(), r.waiters.end(), &self));
        return false;
      }
    }
    return true;
  }

  // How many threads sleep in this futex now, on any word (for tests that set up an
  // interleaving: "wait until that thread is asleep").
  static std::size_t sleepers() {
    auto& r = ordered_futex_detail::registry::get();
    std::lock_guard lock(r.lock);
    return r.waiters.size();
  }

  static std::size_t wake(const futex_word& word, std::size_t count) noexcept {
    auto& r = ordered_futex_detail::registry::get();
    std::lock_guard lock(r.lock);
    const auto taken = r.take(word, count, Order);
    for (ordered_futex_detail::waiter* w : taken) {
      w->woken = true;
      w->woken_at = std::chrono::steady_clock::now();
      w->cv.notify_one();  // under the lock: `w` lives in a frame that returns once it sees woken
    }
    return taken.size();
  }

  static std::optional<requeue_result> requeue(const futex_word& from, std::uint32_t expected,
                                               const futex_word& to, std::size_t wake_count,
                                               std::size_t requeue_count) noexcept {
    if (&from == &to) return std::nullopt;
    auto& r = ordered_futex_detail::registry::get();
    std::lock_guard lock(r.lock);
    // Relaxed: as in wait_until.
    if (from.load(std::memory_order_relaxed) != expected) return std::nullopt;
    const auto woken = r.take(from, wake_count, Order);
    for (ordered_futex_detail::waiter* w : woken) {
      w->woken = true;
      w->woken_at = std::chrono::steady_clock::now();
      w->cv.notify_one();
    }
    std::size_t moved = 0;
    for (ordered_futex_detail::waiter* w : r.waiters) {
      if (moved == requeue_count) break;
      if (w->word == &from) {
        w->word = &to;
        ++moved;
      }
    }
    return requeue_result{woken.size(), moved};
  }
};

using newest_first_futex = ordered_futex<wake_order::newest_first>;
using random_order_futex = ordered_futex<wake_order::random>;

}  // namespace futon::testing
