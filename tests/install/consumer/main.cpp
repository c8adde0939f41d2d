// A program written the way a futon user writes one: it checks that futon's headers compile,
// that the library links (with its Threads dependency) and that the futex calls work. Exits 0
// on success, 1 after printing what failed.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <futon/config.hpp>
#include <futon/futex.hpp>
#include <thread>

int main() {
  using namespace std::chrono_literals;
  int failures = 0;
  const auto check = [&failures](bool ok, const char* what) {
    if (!ok) {
      std::fprintf(stderr, "futon_consumer: FAILED: %s\n", what);
      ++failures;
    }
  };

  futon::futex_word word{0};
  check(!futon::futex_wait_for(word, 0, 1ms), "a wait nobody wakes times out (returns false)");
  check(futon::futex_wait_for(word, 1, 1h), "a wait on a stale value returns true at once");
  check(futon::futex_wake(word, 1) == 0, "waking a word nobody waits on wakes nobody");

  // One waiter, woken by a value change and a wake. Each wait is bounded so that a lost wake
  // fails the check instead of hanging the test.
  std::atomic<bool> saw_change{false};
  std::thread waiter([&] {
    const auto give_up = std::chrono::steady_clock::now() + 10s;
    // Acquire: pairs with the release store below.
    while (word.load(std::memory_order_acquire) == 0 &&
           std::chrono::steady_clock::now() < give_up) {
      futon::futex_wait_for(word, 0, 1s);
    }
    // Relaxed: read after join, which orders it.
    saw_change.store(word.load(std::memory_order_acquire) == 1, std::memory_order_relaxed);
  });
  std::this_thread::sleep_for(10ms);  // most likely asleep by now; correct either way
  word.store(1, std::memory_order_release);
  futon::futex_wake(word, 1);
  waiter.join();
  check(saw_change.load(std::memory_order_relaxed), "a waiter sees the change it was woken for");

  // config.hpp is installed and found with the other headers.
  if (failures == 0) {
    std::printf("futon_consumer: ok (futon %d.%d.%d)\n", FUTON_VERSION_MAJOR, FUTON_VERSION_MINOR,
                FUTON_VERSION_PATCH);
  }
  return failures == 0 ? 0 : 1;
}
