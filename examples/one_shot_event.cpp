// SPDX-License-Identifier: BSL-1.0
// A primitive of one's own on the futex: a one-shot event, one 32-bit word. Threads wait() until
// some thread calls set(), once; set() makes a system call only if a thread may be asleep.
//
// The word: 0 = not set, no sleeper; 2 = not set, a thread may be asleep; 1 = set (final).
// Why no wakeup is lost: a waiter sleeps only while the word is 2 (the futex compares the word
// with 2 atomically with going to sleep), and the word becomes 2 only before set()'s exchange,
// which then sees the 2 and wakes everyone.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <futon/futex.hpp>
#include <thread>
#include <vector>

namespace {

class one_shot_event {
 public:
  void set() noexcept {
    // Release: publishes everything written before set() to the waiters, whose acquire loads
    // read the 1. An exchange (not a store) tells whether a thread marked itself asleep.
    if (word_.exchange(set_value, std::memory_order_release) == sleepers_value) {
      // Only the address is used from here: a woken waiter may destroy the event at once, and
      // waking a freed address is harmless (futex contract).
      futon::futex_wake_all(word_);
    }
  }

  void wait() const noexcept {
    while (!try_sleep_mark()) {
      futon::futex_wait(word_, sleepers_value);  // returns at once unless the word is still 2
    }
  }

  // False when the timeout passed before set().
  bool wait_for(std::chrono::nanoseconds timeout) const noexcept {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!try_sleep_mark()) {
      if (!futon::futex_wait_until(word_, sleepers_value, deadline)) {
        // Timed out, but set() may have come meanwhile. Acquire: as in try_sleep_mark.
        return word_.load(std::memory_order_acquire) == set_value;
      }
    }
    return true;
  }

 private:
  static constexpr std::uint32_t unset_value = 0;
  static constexpr std::uint32_t set_value = 1;
  static constexpr std::uint32_t sleepers_value = 2;

  // True when the event is set; otherwise marks the word "a thread may sleep" and returns false.
  bool try_sleep_mark() const noexcept {
    // Acquire: reading 1 must make set()'s earlier writes visible to the caller.
    std::uint32_t value = word_.load(std::memory_order_acquire);
    if (value == set_value) return true;
    if (value == unset_value) {
      // Acquire on failure: the value read may be set()'s 1, whose writes we then need. The
      // mark itself publishes nothing (relaxed would do on success), but GCC rejects a failure
      // order stronger than the success order, so both are acquire.
      if (!word_.compare_exchange_strong(value, sleepers_value, std::memory_order_acquire,
                                         std::memory_order_acquire)) {
        return value == set_value;  // else 2: another waiter marked it first, so sleep too
      }
    }
    return false;
  }

  // mutable: marking sleepers is not a change of the event's observable state.
  mutable futon::futex_word word_{unset_value};
};

}  // namespace

int main() {
  using namespace std::chrono_literals;
  one_shot_event ready;
  int payload = 0;  // plain data, published by set()

  const bool early = ready.wait_for(10ms);  // nobody set it yet: must time out

  std::vector<std::thread> waiters;
  std::vector<int> seen(4, 0);  // each waiter writes only its own element, read after join
  for (std::size_t i = 0; i < seen.size(); ++i) {
    waiters.emplace_back([&, i] {
      ready.wait();
      seen[i] = payload;  // set() happened before: 42 is visible
    });
  }
  std::this_thread::sleep_for(20ms);  // let them fall asleep (correct either way)
  payload = 42;
  ready.set();
  for (auto& waiter : waiters)
    waiter.join();

  bool all_saw_it = true;
  for (const int value : seen)
    all_saw_it = all_saw_it && value == 42;
  const bool late = ready.wait_for(0ms);  // set: returns true at once, even with no time
  std::printf(
      "one_shot_event: timed out before set: %s; %zu waiters released, all saw 42: %s; "
      "set afterwards: %s\n",
      early ? "no" : "yes", seen.size(), all_saw_it ? "yes" : "no", late ? "yes" : "no");
  return !early && all_saw_it && late ? 0 : 1;
}
