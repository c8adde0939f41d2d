// SPDX-License-Identifier: BSL-1.0
// Helpers for the parking lot's own tests: counting and listing the threads parked on an address
// (through unpark_filter with a filter that only looks), waiting until N threads are queued, and a
// thread that parks exactly once and records everything about how it returned.
//
// Sanitizer detection, scaling, the watchdog and thread_group come from test_support.hpp.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <futon/futex.hpp>
#include <futon/parking_lot.hpp>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "test_support.hpp"

namespace futon::testing {

namespace pl = futon::parking_lot;

// An unpark callback that hands out token 0. (A lambda object, not a function: function_ref in
// <futon/detail/function_ref.hpp> does not accept a plain function, see the report.)
inline constexpr auto no_token = [](const pl::unpark_result&) { return pl::token{0}; };

// How many threads are queued on `key` right now (validated and in the queue; they may not have
// gone to sleep yet, which does not matter to an unparker).
inline std::size_t parked_count(const void* key) {
  std::size_t n = 0;
  pl::unpark_filter(
      key,
      [&](pl::token) {
        ++n;
        return pl::filter_op::skip;
      },
      no_token);
  return n;
}

// The park tokens of the threads queued on `key`, in queue order (at most `capacity`; the vector is
// reserved first so the filter, which runs under the bucket lock, never allocates).
inline std::vector<pl::token> parked_tokens(const void* key, std::size_t capacity = 1024) {
  std::vector<pl::token> tokens;
  tokens.reserve(capacity);
  pl::unpark_filter(
      key,
      [&](pl::token t) {
        if (tokens.size() < capacity) tokens.push_back(t);
        return pl::filter_op::skip;
      },
      no_token);
  return tokens;
}

// Polls until exactly `n` threads are queued on `key`; fails with a message after `limit`.
inline ::testing::AssertionResult await_parked(const void* key, std::size_t n,
                                               std::chrono::milliseconds limit = patience) {
  std::size_t seen = 0;
  const bool ok = eventually(
      [&] {
        seen = parked_count(key);
        return seen == n;
      },
      limit);
  if (ok) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected " << n << " threads parked on key " << key
                                       << " within " << limit.count() << " ms, saw " << seen;
}

// A thread that parks once on `key` and records how it returned. Timed when `timeout` is set
// (measured from just before park() is called, so `elapsed() >= timeout` is the strict "never
// early" check). On destruction, a thread still parked is released with unpark_all on its key and
// on every key added with also_release (a requeue may have moved it); it aborts the program if the
// thread does not return within 20 s.
class parked_thread {
 public:
  struct options {
    pl::token park_token = pl::default_park_token;
    std::optional<std::chrono::nanoseconds> timeout;
  };

  parked_thread(const void* key, options opts) : key_(key) {
    release_.push_back(key);
    thread_ = std::thread([this, opts] {
      const auto start = test_clock::now();
      const pl::deadline limit =
          opts.timeout ? pl::deadline::after(*opts.timeout) : pl::deadline::never();
      const pl::park_result result = pl::park(
          key_, [] { return true; }, [this] { before_sleep_calls_.fetch_add(1); },
          [this](const void* final_key, bool was_last) {
            // Under the bucket lock: only record.
            timed_out_key_ = final_key;
            timed_out_was_last_ = was_last;
            timed_out_at_ = test_clock::now();
            timed_out_calls_.fetch_add(1);
          },
          limit, opts.park_token);
      elapsed_ = test_clock::now() - start;
      result_ = result;
      done_.store(true, std::memory_order_release);
    });
  }
  parked_thread(const void* key, pl::token park_token = pl::default_park_token)
      : parked_thread(key, options{park_token, std::nullopt}) {}
  parked_thread(const parked_thread&) = delete;
  parked_thread& operator=(const parked_thread&) = delete;

  ~parked_thread() {
    const bool released = eventually(
        [&] {
          if (done()) return true;
          for (const void* key : release_)
            pl::unpark_all(key);
          return done();
        },
        std::chrono::seconds(20));
    if (!released) {
      std::fprintf(stderr, "FAILED: a parked_thread on %p never returned\n", key_);
      std::fflush(stderr);
      std::abort();
    }
    thread_.join();
  }

  void also_release(const void* key) { release_.push_back(key); }

  bool done() const { return done_.load(std::memory_order_acquire); }
  [[nodiscard]] bool await_done(std::chrono::milliseconds limit = patience) const {
    return eventually([&] { return done(); }, limit);
  }

  // Valid once done().
  pl::park_result result() const { return result_; }
  pl::park_status status() const { return result_.status; }
  pl::token unpark_token() const { return result_.unpark_token; }
  std::chrono::nanoseconds elapsed() const { return elapsed_; }
  int timed_out_calls() const { return timed_out_calls_.load(); }
  const void* timed_out_key() const { return timed_out_key_; }
  bool timed_out_was_last() const { return timed_out_was_last_; }
  test_clock::time_point timed_out_at() const { return timed_out_at_; }
  int before_sleep_calls() const { return before_sleep_calls_.load(); }

 private:
  const void* key_;
  std::vector<const void*> release_;
  std::atomic<bool> done_{false};
  pl::park_result result_{};
  std::chrono::nanoseconds elapsed_{};
  std::atomic<int> before_sleep_calls_{0};
  std::atomic<int> timed_out_calls_{0};
  const void* timed_out_key_ = nullptr;
  bool timed_out_was_last_ = false;
  test_clock::time_point timed_out_at_{};
  std::thread thread_;  // last: started after every member it uses is constructed
};

// Starts one parked_thread per token, in order, each queued on `key` before the next starts, so
// the queue order is the token order. `already` is how many threads are queued on `key` before.
inline ::testing::AssertionResult park_in_order(std::vector<std::unique_ptr<parked_thread>>& out,
                                                const void* key,
                                                const std::vector<pl::token>& tokens,
                                                std::size_t already = 0) {
  for (pl::token t : tokens) {
    out.push_back(std::make_unique<parked_thread>(key, t));
    auto queued = await_parked(key, ++already);
    if (!queued) return queued;
  }
  return ::testing::AssertionSuccess();
}

// A thread that makes ONE futex wait on `word` (expecting `expected`) through Futex
// (basic_futex<Backend>), untimed or timed, and records how it returned. On destruction a thread
// still waiting is released with wake_all on `word` and every word added with also_release.
template <class Futex>
class futex_waiter {
 public:
  futex_waiter(const futex_word& word, std::uint32_t expected,
               std::optional<std::chrono::nanoseconds> timeout = std::nullopt)
      : word_(&word) {
    release_.push_back(&word);
    thread_ = std::thread([this, expected, timeout] {
      const auto start = test_clock::now();
      bool woken = true;
      if (timeout) {
        woken = Futex::wait_for(*word_, expected, *timeout);
      } else {
        Futex::wait(*word_, expected);
      }
      elapsed_ = test_clock::now() - start;
      woken_ = woken;
      done_.store(true, std::memory_order_release);
    });
  }
  futex_waiter(const futex_waiter&) = delete;
  futex_waiter& operator=(const futex_waiter&) = delete;
  ~futex_waiter() {
    const bool released = eventually(
        [&] {
          if (done()) return true;
          for (const futex_word* w : release_)
            Futex::wake_all(*w);
          return done();
        },
        std::chrono::seconds(20));
    if (!released) {
      std::fprintf(stderr, "FAILED: a futex_waiter on %p never returned\n",
                   static_cast<const void*>(word_));
      std::fflush(stderr);
      std::abort();
    }
    thread_.join();
  }

  void also_release(const futex_word& word) { release_.push_back(&word); }
  bool done() const { return done_.load(std::memory_order_acquire); }
  [[nodiscard]] bool await_done(std::chrono::milliseconds limit = patience) const {
    return eventually([&] { return done(); }, limit);
  }
  // Valid once done(): the wait's return value (false = timed out) and its duration.
  bool woken() const { return woken_; }
  std::chrono::nanoseconds elapsed() const { return elapsed_; }

 private:
  const futex_word* word_;
  std::vector<const futex_word*> release_;
  std::atomic<bool> done_{false};
  bool woken_ = false;
  std::chrono::nanoseconds elapsed_{};
  std::thread thread_;  // last
};

}  // namespace futon::testing
