// Threads joined on destruction, and groups of one-shot futex waiters whose returns are counted
// (the unit of every exact-count test).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <futon/futex.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "hang_guard.hpp"
#include "sanitizer_scaling.hpp"
#include "thread_state.hpp"

namespace futon::testing {

// A set of threads joined on destruction (so a failed ASSERT does not leave a joinable
// std::thread).
class thread_group {
 public:
  thread_group() = default;
  thread_group(const thread_group&) = delete;
  thread_group& operator=(const thread_group&) = delete;
  ~thread_group() { join(); }

  template <class F>
  void spawn(F&& f) {
    threads_.emplace_back(std::forward<F>(f));
  }
  void join() {
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  std::size_t size() const { return threads_.size(); }
  std::thread& operator[](std::size_t i) { return threads_[i]; }

 private:
  std::vector<std::thread> threads_;
};

enum class wait_kind { untimed, timed };

// `count` threads that each make exactly ONE wait call on `word` (expecting `expected`) and record
// how it returned: the unit of every exact-count test. A waiter never loops, so a spurious return
// or an early timeout shows up as a count that is off (a loud failure), never as a hang.
//
// Timed waiters use `timeout` (default 30 s, far beyond any test: reaching it means a wake was
// lost, and it is counted in timed_out()). On destruction, waiters still blocked are released by
// waking every word in release_words() until all have returned (words a requeue may have moved
// them to must be added with also_release), then joined.
template <class Futex>
class one_shot_waiters {
 public:
  enum state : int { not_started, waiting, returned_true, returned_false };

  one_shot_waiters(const futex_word& word, std::uint32_t expected, std::size_t count,
                   wait_kind kind = wait_kind::timed,
                   std::chrono::nanoseconds timeout = std::chrono::seconds(30))
      : count_(count),
        states_(new std::atomic<int>[count]),
        ids_(new std::atomic<os_thread_id>[count]),
        elapsed_(new std::atomic<std::int64_t>[count]) {
    release_.push_back(&word);
    for (std::size_t i = 0; i < count; ++i) {
      states_[i].store(not_started);
      ids_[i].store(0);
      elapsed_[i].store(0);
    }
    for (std::size_t i = 0; i < count; ++i) {
      threads_.spawn([this, &word, expected, kind, timeout, i] {
        ids_[i].store(current_os_thread_id(), std::memory_order_relaxed);
        states_[i].store(waiting, std::memory_order_release);
        const auto start = test_clock::now();
        bool woken = true;
        if (kind == wait_kind::timed) {
          woken = Futex::wait_for(word, expected, timeout);
        } else {
          Futex::wait(word, expected);
        }
        elapsed_[i].store((test_clock::now() - start).count(), std::memory_order_relaxed);
        states_[i].store(woken ? returned_true : returned_false, std::memory_order_release);
      });
    }
  }
  one_shot_waiters(const one_shot_waiters&) = delete;
  one_shot_waiters& operator=(const one_shot_waiters&) = delete;

  ~one_shot_waiters() {
    const bool released = eventually(
        [&] {
          for (const futex_word* w : release_)
            Futex::wake_all(*w);
          return returned() == count_;
        },
        std::chrono::seconds(20));
    if (!released) {
      std::fprintf(stderr, "FAILED: %zu of %zu one-shot waiters never returned\n",
                   count_ - returned(), count_);
      std::fflush(stderr);
      std::abort();
    }
    threads_.join();
  }

  // Words the waiters may have been requeued onto, woken too on destruction.
  void also_release(const futex_word& word) { release_.push_back(&word); }

  // Waits until every waiter has started and each one not yet returned is asleep.
  [[nodiscard]] bool all_asleep(std::chrono::milliseconds limit = patience) {
    if (!eventually([&] { return started() == count_; }, limit)) return false;
    return wait_until_asleep(
        [&] {
          std::vector<os_thread_id> ids;
          for (std::size_t i = 0; i < count_; ++i) {
            if (states_[i].load(std::memory_order_acquire) == waiting) {
              ids.push_back(ids_[i].load(std::memory_order_relaxed));
            }
          }
          return ids;
        },
        limit);
  }

  // Waits until at least `n` waiters have returned; false after `limit`.
  [[nodiscard]] bool await_returned(std::size_t n, std::chrono::milliseconds limit = patience) {
    return eventually([&] { return returned() >= n; }, limit);
  }

  std::size_t size() const { return count_; }
  std::size_t started() const { return count_ - count_of(not_started); }
  std::size_t returned() const { return woken() + timed_out(); }
  std::size_t woken() const { return count_of(returned_true); }
  std::size_t timed_out() const { return count_of(returned_false); }
  state state_of(std::size_t i) const {
    return static_cast<state>(states_[i].load(std::memory_order_acquire));
  }
  // How long waiter i's wait call took (valid once it returned).
  std::chrono::nanoseconds elapsed_of(std::size_t i) const {
    return std::chrono::nanoseconds(elapsed_[i].load(std::memory_order_relaxed));
  }

  // Joins the threads; only call once every waiter has returned (or will, unaided).
  void join() { threads_.join(); }

 private:
  std::size_t count_of(int s) const {
    std::size_t n = 0;
    for (std::size_t i = 0; i < count_; ++i) {
      if (states_[i].load(std::memory_order_acquire) == s) ++n;
    }
    return n;
  }

  std::size_t count_;
  std::unique_ptr<std::atomic<int>[]> states_;
  std::unique_ptr<std::atomic<os_thread_id>[]> ids_;
  std::unique_ptr<std::atomic<std::int64_t>[]> elapsed_;
  std::vector<const futex_word*> release_;
  thread_group threads_;  // last: joined before the arrays above are freed
};

// A typed-test fixture base: `futex` is basic_futex over the backend under test.
template <class Backend>
class futex_test : public ::testing::Test {
 protected:
  using futex = basic_futex<Backend>;
};

}  // namespace futon::testing
