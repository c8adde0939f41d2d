// SPDX-License-Identifier: BSL-1.0
// Thousands of threads parked at once, each on its own word, so most buckets hold several
// addresses: every wake(w, 1) finds exactly its own waiter, and every thread returns.
#if !defined(_WIN32)
#include <pthread.h>
#endif

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <cstddef>
#include <memory>
#include <system_error>
#include <thread>
#include <vector>

#include "parking_lot_support.hpp"

namespace {

using futon::futex_word;
using futon::testing::test_clock;
using futon::testing::watchdog;

using plfutex = futon::basic_futex<futon::backend::parking_lot_futex>;

// 2,000 threads; TSan slows every thread down and keeps per-thread state, so 200 there.
constexpr std::size_t thread_count = futon::testing::thread_sanitizer ? 200 : 2000;

struct shared_state {
  std::unique_ptr<futex_word[]> words;
  std::unique_ptr<std::atomic<bool>[]> returned;
};

struct thread_arg {
  shared_state* state;
  std::size_t index;
};

void* wait_on_own_word(void* raw) {
  const auto* arg = static_cast<thread_arg*>(raw);
  plfutex::wait(arg->state->words[arg->index], 0);  // untimed: returns only when woken
  arg->state->returned[arg->index].store(true, std::memory_order_release);
  return nullptr;
}

// Threads with small stacks: 2,000 default 8 MiB stacks (and ASan's fake stacks sized from them)
// would be a lot of address space for threads that only wait. Windows only reserves a thread's
// stack and commits it as it is used, so there the default std::thread costs little.
class small_stack_threads {
 public:
  small_stack_threads() {
#if !defined(_WIN32)
    // PTHREAD_STACK_MIN is not a constant expression in glibc 2.34+.
    const std::size_t stack = std::max<std::size_t>(PTHREAD_STACK_MIN, 256 * 1024);
    has_attr_ = pthread_attr_init(&attr_) == 0;
    ok_ = has_attr_ && pthread_attr_setstacksize(&attr_, stack) == 0;
#endif
  }
  small_stack_threads(const small_stack_threads&) = delete;
  small_stack_threads& operator=(const small_stack_threads&) = delete;
  ~small_stack_threads() {
    join();
#if !defined(_WIN32)
    if (has_attr_) pthread_attr_destroy(&attr_);
#endif
  }

  bool ok() const {
    return ok_;
  }
  void reserve(std::size_t n) {
    threads_.reserve(n);
  }
  std::size_t size() const {
    return threads_.size();
  }

  // Starts fn(arg); returns 0 or the error that prevented it.
  int spawn(void* (*fn)(void*), void* arg) {
#if defined(_WIN32)
    try {
      threads_.emplace_back(fn, arg);
    } catch (const std::system_error& error) {
      return error.code().value();
    }
    return 0;
#else
    pthread_t t;
    const int rc = pthread_create(&t, &attr_, fn, arg);
    if (rc == 0) threads_.push_back(t);
    return rc;
#endif
  }

  void join() {
#if defined(_WIN32)
    for (std::thread& t : threads_) {
      if (t.joinable()) t.join();
    }
#else
    for (pthread_t t : threads_)
      pthread_join(t, nullptr);
#endif
    threads_.clear();
  }

 private:
#if defined(_WIN32)
  bool ok_ = true;
  std::vector<std::thread> threads_;
#else
  bool ok_ = false;
  bool has_attr_ = false;
  pthread_attr_t attr_;
  std::vector<pthread_t> threads_;
#endif
};

TEST(ParkingLotManyWaiters, TwoThousandDistinctAddressesWokenOneByOne) {
  watchdog dog("2,000 waiters on distinct words: a wake was lost", std::chrono::seconds(100));
  const auto start = test_clock::now();
  shared_state state{std::make_unique<futex_word[]>(thread_count),
                     std::make_unique<std::atomic<bool>[]>(thread_count)};
  std::vector<thread_arg> args(thread_count);
  for (std::size_t i = 0; i < thread_count; ++i) {
    state.words[i].store(0, std::memory_order_relaxed);
    state.returned[i].store(false, std::memory_order_relaxed);
    args[i] = {&state, i};
  }

  small_stack_threads threads;
  ASSERT_TRUE(threads.ok()) << "could not ask for small thread stacks";
  threads.reserve(thread_count);
  for (std::size_t i = 0; i < thread_count; ++i) {
    const int rc = threads.spawn(wait_on_own_word, &args[i]);
    if (rc != 0) {
      ADD_FAILURE() << "could not start thread " << i << ": error " << rc;
      break;
    }
  }
  const std::size_t started = threads.size();

  // Every thread queued on its own word (scan forward; a queued thread stays queued).
  std::size_t queued = 0;
  const bool all_queued = futon::testing::eventually(
      [&] {
        while (queued < started && futon::testing::parked_count(&state.words[queued]) == 1) {
          ++queued;
        }
        return queued == started;
      },
      std::chrono::seconds(60));
  EXPECT_TRUE(all_queued) << "only " << queued << " of " << started << " threads parked";

  // Each buckets' waiters must not be confused: wake(w, 1) wakes exactly the one on w.
  std::size_t wrong = 0;
  std::size_t first_wrong = thread_count;
  if (all_queued) {
    for (std::size_t i = 0; i < started; ++i) {
      if (plfutex::wake(state.words[i], 1) != 1) {
        if (wrong++ == 0) first_wrong = i;
      }
    }
  }
  EXPECT_EQ(wrong, 0u) << "wake(w, 1) did not return 1 for " << wrong << " words, first "
                       << first_wrong;

  // Release anything left (only after a failure), then join.
  if (!all_queued || wrong != 0) {
    futon::testing::eventually([&] {
      bool all = true;
      for (std::size_t i = 0; i < started; ++i) {
        if (!state.returned[i].load(std::memory_order_acquire)) {
          plfutex::wake_all(state.words[i]);
          all = false;
        }
      }
      return all;
    });
  }
  threads.join();
  std::size_t returned = 0;
  for (std::size_t i = 0; i < started; ++i)
    returned += state.returned[i].load() ? 1 : 0;
  EXPECT_EQ(returned, started);
  EXPECT_EQ(started, thread_count);
  for (std::size_t i = 0; i < started; ++i) {
    EXPECT_EQ(plfutex::wake_all(state.words[i]), 0u);
    if (::testing::Test::HasFailure()) break;
  }
  RecordProperty("threads", static_cast<int>(started));
  RecordProperty("ms", static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                            test_clock::now() - start)
                                            .count()));
}

}  // namespace
