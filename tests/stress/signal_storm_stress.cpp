// SPDX-License-Identifier: BSL-1.0
// Signal storms over every backend (POSIX only: pthread_kill): a sender thread sends SIGUSR1 to
// every worker in a tight loop (yielding between passes) while they wait. The no-op handler is
// installed without SA_RESTART in even rounds (an interrupted futex wait returns EINTR) and with
// it in odd rounds (the kernel restarts what it can). A signal may end an untimed futex wait
// early; nothing else may change:
//
//   - futex: timed waits (0..50 us, some up to 2 ms) on words that never change, while a waker
//     wakes them: the wakes' counts add up exactly to the waits that returned true, and no
//     timed-out wait returned before its timeout (the deadline survives interruptions); untimed
//     waits in `while (word == seen) wait` loops follow a generation counter and see every
//     generation exactly once;
//   - mutex and condition variable: counters guarded by the mutex stay exact, and a bounded
//     queue hands every item over exactly once.
//
// tests/futex/futex_signal_test.cpp checks a few waits under a 100 us storm; this one keeps 4-64
// threads interrupted round after round, with the primitives built on the futex too.
#include <gtest/gtest.h>

#if defined(__unix__) || defined(__APPLE__)

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <futon/condition_variable.hpp>
#include <futon/mutex.hpp>
#include <limits>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "backends.hpp"
#include "stress_support.hpp"

namespace {

using namespace std::chrono_literals;
using futon::futex_word;
using futon::stress::early_timeouts;
using futon::stress::per_round;
using futon::stress::stress_clock;
using futon::testing::thread_group;

std::atomic<std::uint64_t> signals_handled{0};
static_assert(std::atomic<std::uint64_t>::is_always_lock_free,
              "the handler must be async-signal-safe");

extern "C" void count_signal(int) {
  signals_handled.fetch_add(1, std::memory_order_relaxed);
}

// Installs the counting handler for SIGUSR1 and restores the previous disposition on destruction.
class scoped_sigusr1_handler {
 public:
  explicit scoped_sigusr1_handler(bool restart) {
    struct sigaction action;
    std::memset(&action, 0, sizeof action);
    action.sa_handler = count_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = restart ? SA_RESTART : 0;
    installed_ = ::sigaction(SIGUSR1, &action, &previous_) == 0;
  }
  scoped_sigusr1_handler(const scoped_sigusr1_handler&) = delete;
  scoped_sigusr1_handler& operator=(const scoped_sigusr1_handler&) = delete;
  ~scoped_sigusr1_handler() {
    if (installed_) ::sigaction(SIGUSR1, &previous_, nullptr);
  }
  bool installed() const { return installed_; }

 private:
  struct sigaction previous_;
  bool installed_ = false;
};

// Signals every target, pass after pass, until `finished()` holds; then returns how many it sent.
// The targets must not be joined before this returns (a joined thread's id may be reused).
template <class Finished>
std::uint64_t signal_until(const std::vector<pthread_t>& targets, Finished finished) {
  std::uint64_t sent = 0;
  while (!finished()) {
    for (pthread_t target : targets) {
      if (::pthread_kill(target, SIGUSR1) == 0) ++sent;
    }
    // Without this the sender would keep one of the two cores to itself.
    std::this_thread::yield();
  }
  return sent;
}

// Per run: rounds and signals handled, for each handler kind.
struct storm_totals {
  std::array<int, 2> rounds{};
  std::array<std::uint64_t, 2> handled{};

  void add(bool restart, std::uint64_t handled_in_round) {
    ++rounds[restart ? 1 : 0];
    handled[restart ? 1 : 0] += handled_in_round;
  }
  // A storm that reached nobody proved nothing.
  void expect_reached() const {
    for (int kind = 0; kind < 2; ++kind) {
      if (rounds[kind] > 0) {
        EXPECT_GT(handled[kind], 0u) << "no signal was handled in the rounds "
                                     << (kind == 1 ? "with" : "without") << " SA_RESTART";
      }
    }
  }
};

template <class Backend>
class SignalStorm : public futon::testing::futex_test<Backend> {};
TYPED_TEST_SUITE(SignalStorm, futon::testing::all_backends, futon::testing::backend_name);

TYPED_TEST(SignalStorm, FutexWaitsKeepCountsAndDeadlines) {
  using futex = typename TestFixture::futex;
  futon::testing::watchdog guard("futex waits under a signal storm hung",
                                 futon::stress::watchdog_limit());
  futon::stress::run run;
  storm_totals totals;
  std::uint64_t interrupted = 0;
  while (run.next_round()) {
    const bool restart = run.round() % 2 == 1;
    SCOPED_TRACE(run.where() + (restart ? ", SA_RESTART" : ", no SA_RESTART"));
    scoped_sigusr1_handler handler(restart);
    ASSERT_TRUE(handler.installed());
    signals_handled.store(0);

    // Workers: timed waiters, generation followers and one waker.
    const int timed = std::max(1, run.threads() / 2);
    const int followers = std::max(1, run.threads() - timed - 1);
    const int waits_each = std::max(20, per_round(3000) / timed);
    const std::uint32_t generations =
        static_cast<std::uint32_t>(std::max(10, per_round(1500) / run.threads()));

    std::array<futex_word, 2> words{};  // always 0: a true return means a wake counted it
    futex_word generation{0};
    futex_word check_ins{0};
    std::atomic<int> timed_done{0};
    std::atomic<int> workers_done{0};
    std::atomic<std::uint64_t> returned_true{0};
    std::atomic<std::uint64_t> returned_false{0};
    std::atomic<std::uint64_t> woken{0};
    std::atomic<std::uint64_t> skipped{0};
    std::atomic<std::uint64_t> spurious_returns{0};  // untimed waits a signal cut short
    early_timeouts early;
    const std::uint64_t seed = run.round_seed();
    const int workers = timed + followers + 1;
    std::uint64_t sent = 0;
    {
      thread_group threads;
      for (int w = 0; w < timed; ++w) {
        threads.spawn([&, w] {
          std::mt19937_64 rng(seed + static_cast<std::uint64_t>(w));
          for (int i = 0; i < waits_each; ++i) {
            const futex_word& word = words[rng() % words.size()];
            const auto timeout = rng() % 8 == 0 ? futon::stress::tiny_timeout(rng, 2ms)
                                                : futon::stress::tiny_timeout(rng);
            const auto start = stress_clock::now();
            const bool was_woken = futex::wait_for(word, 0, timeout);
            if (!was_woken) early.check(stress_clock::now() - start, timeout);
            (was_woken ? returned_true : returned_false).fetch_add(1, std::memory_order_relaxed);
          }
          timed_done.fetch_add(1, std::memory_order_release);
          workers_done.fetch_add(1, std::memory_order_release);
        });
      }
      for (int f = 0; f < followers; ++f) {
        threads.spawn([&] {
          std::uint32_t seen = 0;
          while (seen < generations) {
            std::uint32_t now = generation.load(std::memory_order_acquire);
            while (now == seen) {
              futex::wait(generation, seen);
              now = generation.load(std::memory_order_acquire);
              if (now == seen) spurious_returns.fetch_add(1, std::memory_order_relaxed);
            }
            if (now != seen + 1) skipped.fetch_add(1, std::memory_order_relaxed);
            seen = now;
            check_ins.fetch_add(1, std::memory_order_acq_rel);
            futex::wake_all(check_ins);
          }
          workers_done.fetch_add(1, std::memory_order_release);
        });
      }
      threads.spawn([&] {
        std::mt19937_64 rng(seed ^ 0x5741'4b45ull);
        while (timed_done.load(std::memory_order_acquire) < timed) {
          const std::size_t count =
              rng() % 8 == 0 ? std::numeric_limits<std::size_t>::max() : 1 + rng() % 2;
          woken.fetch_add(futex::wake(words[rng() % words.size()], count),
                          std::memory_order_relaxed);
          std::this_thread::yield();
        }
        workers_done.fetch_add(1, std::memory_order_release);
      });
      std::vector<pthread_t> targets;
      for (std::size_t i = 0; i < threads.size(); ++i)
        targets.push_back(threads[i].native_handle());
      std::thread sender([&] {
        sent = signal_until(
            targets, [&] { return workers_done.load(std::memory_order_acquire) == workers; });
      });
      // Drive the generations from here (not a signal target): publish, wake, wait for every
      // follower to check in.
      for (std::uint32_t g = 1; g <= generations; ++g) {
        generation.store(g, std::memory_order_release);
        futex::wake_all(generation);
        const std::uint32_t target = g * static_cast<std::uint32_t>(followers);
        std::uint32_t arrived = check_ins.load(std::memory_order_acquire);
        while (arrived < target) {
          futex::wait(check_ins, arrived);
          arrived = check_ins.load(std::memory_order_acquire);
        }
      }
      sender.join();
    }
    const std::uint64_t total = static_cast<std::uint64_t>(timed) * waits_each;
    ASSERT_EQ(returned_true.load() + returned_false.load(), total);
    ASSERT_EQ(early.count(), 0u) << early.report();
    ASSERT_EQ(woken.load(), returned_true.load())
        << "wakes counted " << woken.load() << " but " << returned_true.load()
        << " timed waits returned true: a signal made a wait report a wake it did not get, or "
           "hid one it got";
    ASSERT_EQ(skipped.load(), 0u) << "a follower missed a generation or saw one twice";
    ASSERT_EQ(check_ins.load(), generations * static_cast<std::uint32_t>(followers));
    for (const futex_word& word : words)
      ASSERT_EQ(futex::wake_all(word), 0u) << "a waiter was left behind on a word";
    totals.add(restart, signals_handled.load());
    interrupted += spurious_returns.load();
    run.count(total + check_ins.load() + sent);
  }
  totals.expect_reached();
  ::testing::Test::RecordProperty("interrupted_untimed_waits", std::to_string(interrupted));
}

TYPED_TEST(SignalStorm, MutexAndCondvarLoseNothing) {
  using mutex = futon::basic_mutex<TypeParam>;
  using condvar = futon::basic_condition_variable<TypeParam>;
  futon::testing::watchdog guard("mutex and condvar under a signal storm hung",
                                 futon::stress::watchdog_limit());
  futon::stress::run run;
  storm_totals totals;
  constexpr std::size_t capacity = 4;
  while (run.next_round()) {
    const bool restart = run.round() % 2 == 1;
    SCOPED_TRACE(run.where() + (restart ? ", SA_RESTART" : ", no SA_RESTART"));
    scoped_sigusr1_handler handler(restart);
    ASSERT_TRUE(handler.installed());
    signals_handled.store(0);

    const int lockers = std::max(1, run.threads() / 2);
    const int producers = std::max(1, (run.threads() - lockers) / 2);
    const int consumers = std::max(1, run.threads() - lockers - producers);
    const int locks_each = std::max(20, per_round(4000) / lockers);
    const std::uint32_t items_each =
        static_cast<std::uint32_t>(std::max(10, per_round(2000) / producers));
    const std::uint32_t total = items_each * static_cast<std::uint32_t>(producers);

    mutex counter_mutex;
    std::uint64_t counter = 0;  // guarded by counter_mutex
    std::atomic<std::uint64_t> increments{0};
    mutex queue_mutex;
    condvar not_full;
    condvar not_empty;
    std::array<std::uint32_t, capacity> ring{};  // guarded by queue_mutex, as are the three below
    std::size_t head = 0;
    std::size_t size = 0;
    std::uint32_t consumed = 0;
    const std::unique_ptr<std::atomic<int>[]> seen(new std::atomic<int>[total]);
    for (std::uint32_t i = 0; i < total; ++i)
      seen[i].store(0, std::memory_order_relaxed);
    std::atomic<int> workers_done{0};
    early_timeouts early;
    const std::uint64_t seed = run.round_seed();
    const int workers = lockers + producers + consumers;
    std::uint64_t sent = 0;
    {
      thread_group threads;
      for (int l = 0; l < lockers; ++l) {
        threads.spawn([&, l] {
          std::mt19937_64 rng(seed + static_cast<std::uint64_t>(l));
          for (int i = 0; i < locks_each; ++i) {
            if (rng() % 2 == 0) {
              std::lock_guard<mutex> lock(counter_mutex);
              ++counter;
              if (rng() % 8 == 0) std::this_thread::yield();
            } else {
              const auto timeout = futon::stress::tiny_timeout(rng);
              const auto start = stress_clock::now();
              if (!counter_mutex.try_lock_for(timeout)) {
                early.check(stress_clock::now() - start, timeout);
                continue;
              }
              ++counter;
              counter_mutex.unlock();
            }
            increments.fetch_add(1, std::memory_order_relaxed);
          }
          workers_done.fetch_add(1, std::memory_order_release);
        });
      }
      // Waits on `cv` until `ready()`: untimed, or with 0..50 us timeouts retried.
      const auto wait = [&](condvar& cv, std::unique_lock<mutex>& lock, auto ready,
                            std::mt19937_64& rng) {
        if (rng() % 2 == 0) {
          cv.wait(lock, ready);
          return;
        }
        while (!ready()) {
          const auto timeout = futon::stress::tiny_timeout(rng);
          const auto start = stress_clock::now();
          if (cv.wait_for(lock, timeout) == std::cv_status::timeout) {
            early.check(stress_clock::now() - start, timeout);
          }
        }
      };
      for (int p = 0; p < producers; ++p) {
        threads.spawn([&, p] {
          std::mt19937_64 rng(seed ^ (0xB0'0000ull + static_cast<std::uint64_t>(p)));
          for (std::uint32_t i = 0; i < items_each; ++i) {
            std::unique_lock<mutex> lock(queue_mutex);
            wait(
                not_full, lock, [&] { return size < capacity; }, rng);
            ring[(head + size) % capacity] = static_cast<std::uint32_t>(p) * items_each + i;
            ++size;
            lock.unlock();
            not_empty.notify_one();
          }
          workers_done.fetch_add(1, std::memory_order_release);
        });
      }
      for (int c = 0; c < consumers; ++c) {
        threads.spawn([&, c] {
          std::mt19937_64 rng(seed ^ (0xC0'0000ull + static_cast<std::uint64_t>(c)));
          for (;;) {
            std::unique_lock<mutex> lock(queue_mutex);
            wait(
                not_empty, lock, [&] { return size > 0 || consumed == total; }, rng);
            if (size == 0) break;
            const std::uint32_t item = ring[head];
            head = (head + 1) % capacity;
            --size;
            const bool last = ++consumed == total;
            seen[item].fetch_add(1, std::memory_order_relaxed);
            lock.unlock();
            if (last) not_empty.notify_all();
            not_full.notify_one();
          }
          workers_done.fetch_add(1, std::memory_order_release);
        });
      }
      std::vector<pthread_t> targets;
      for (std::size_t i = 0; i < threads.size(); ++i)
        targets.push_back(threads[i].native_handle());
      sent = signal_until(targets,
                          [&] { return workers_done.load(std::memory_order_acquire) == workers; });
    }
    ASSERT_EQ(counter, increments.load()) << "the mutex lost or doubled an increment";
    ASSERT_EQ(early.count(), 0u) << early.report();
    ASSERT_EQ(consumed, total);
    std::uint32_t lost = 0;
    std::uint32_t doubled = 0;
    for (std::uint32_t i = 0; i < total; ++i) {
      const int n = seen[i].load();
      if (n == 0) ++lost;
      if (n > 1) ++doubled;
    }
    ASSERT_EQ(lost, 0u) << "items never consumed";
    ASSERT_EQ(doubled, 0u) << "items consumed more than once";
    totals.add(restart, signals_handled.load());
    run.count(increments.load() + total + sent);
  }
  totals.expect_reached();
}

}  // namespace

#endif  // __unix__ || __APPLE__
