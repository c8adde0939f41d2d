// SPDX-License-Identifier: BSL-1.0
// Helpers of the futex_wait_any tests: words on their own, and a thread that makes exactly one
// wait_any call and records its result (a spurious or extra return shows up as a wrong count).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <futon/futex.hpp>
#include <memory>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace futon::testing {

// `count` distinct words, each holding 0, and the entries {word, 0} for them.
class word_set {
 public:
  explicit word_set(std::size_t count) : words_(new futex_word[count]) {
    for (std::size_t i = 0; i < count; ++i) {
      words_[i].store(0);
      entries_.emplace_back(words_[i], 0);
    }
  }
  futex_word& operator[](std::size_t i) { return words_[i]; }
  std::vector<wait_on>& entries() { return entries_; }
  std::size_t size() const { return entries_.size(); }

 private:
  std::unique_ptr<futex_word[]> words_;
  std::vector<wait_on> entries_;
};

// One thread, one wait_any call (timed unless `timeout` is max), its result and its duration.
template <class Futex>
class one_shot_any_waiter {
 public:
  explicit one_shot_any_waiter(std::vector<wait_on> entries,
                               std::chrono::nanoseconds timeout = std::chrono::seconds(30))
      : entries_(std::move(entries)) {
    thread_ = std::thread([this, timeout] {
      id_.store(current_os_thread_id(), std::memory_order_relaxed);
      started_.store(true, std::memory_order_release);
      const auto start = test_clock::now();
      const wait_any_result r = timeout == std::chrono::nanoseconds::max()
                                    ? Futex::wait_any(entries_)
                                    : Futex::wait_any_for(entries_, timeout);
      elapsed_ = test_clock::now() - start;
      result_ = r;
      done_.store(true, std::memory_order_release);  // publishes result_ and elapsed_
    });
  }
  one_shot_any_waiter(const one_shot_any_waiter&) = delete;
  one_shot_any_waiter& operator=(const one_shot_any_waiter&) = delete;
  ~one_shot_any_waiter() {
    // A test that failed early: release the waiter through every word, then join.
    const bool released = eventually(
        [&] {
          for (const wait_on& e : entries_)
            Futex::wake_all(*e.word);
          return done();
        },
        std::chrono::seconds(20));
    if (!released) {
      std::fprintf(stderr, "FAILED: a wait_any waiter never returned\n");
      std::abort();
    }
    thread_.join();
  }

  [[nodiscard]] bool asleep() {
    if (!eventually([&] { return started_.load(std::memory_order_acquire); })) return false;
    return wait_until_asleep([&] {
      std::vector<os_thread_id> ids;
      if (!done()) ids.push_back(id_.load(std::memory_order_relaxed));
      return ids;
    });
  }
  bool done() const { return done_.load(std::memory_order_acquire); }
  [[nodiscard]] bool await_done() {
    return eventually([&] { return done(); });
  }
  wait_any_result result() const { return result_; }  // once done()
  std::chrono::nanoseconds elapsed() const { return elapsed_; }

 private:
  std::vector<wait_on> entries_;
  std::atomic<bool> started_{false};
  std::atomic<bool> done_{false};
  std::atomic<os_thread_id> id_{0};
  wait_any_result result_ = wait_any_result::empty();
  std::chrono::nanoseconds elapsed_{0};
  std::thread thread_;
};

}  // namespace futon::testing
