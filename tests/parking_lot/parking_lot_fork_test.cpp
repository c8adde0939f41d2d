// SPDX-License-Identifier: BSL-1.0
// fork() while threads are parked: the child has only the forking thread, so every waiter in the
// parent's queues is gone there, and a bucket lock may have been held by a thread that no longer
// exists. The child must start with an empty, unlocked parking lot that works (the pthread_atfork
// reset in src/parking_lot/bucket.cpp); the parent's queues must be untouched.
//
// The child reports through its exit status (0 = every check passed, otherwise the number of the
// first failed check) and never returns into GoogleTest. A child that hangs is killed after 10 s,
// which fails the test.
//
// Windows has no fork(): there the file compiles to nothing, the program lists no tests, and
// gtest_discover_tests registers none (rather than a test that passes without checking anything).
#if !defined(_WIN32)
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "parking_lot/os_parking_lot.hpp"
#include "parking_lot_support.hpp"

namespace {

using namespace std::chrono_literals;
using futon::futex_word;
using futon::requeue_result;
using futon::testing::await_parked;
using futon::testing::futex_waiter;
using futon::testing::parked_count;
using futon::testing::parked_thread;
using futon::testing::test_clock;
using futon::testing::watchdog;
namespace pl = futon::parking_lot;
// The engine under the library's parking lot, for its bucket hash (src/ is internal).
using core = futon::detail::os_parking_lot;

using plfutex = futon::basic_futex<futon::backend::parking_lot_futex>;
constexpr std::size_t all = std::numeric_limits<std::size_t>::max();

// The parent parks threads on words[key_index] and waits on words[word_index]; a churn pair of
// threads hammers words[churn_index], which shares the key's bucket, so that the bucket's lock is
// often held at the moment of fork().
constexpr std::size_t pool_size = 4096;
std::array<futex_word, pool_size> pool{};

struct fork_words {
  futex_word* key = nullptr;    // parking lot key with parked parent threads
  futex_word* churn = nullptr;  // same bucket as key, busy during fork()
  futex_word* word = nullptr;   // futex word with parent waiters
  futex_word* other = nullptr;  // a futex word nobody waits on in the parent
};

fork_words pick() {
  fork_words w;
  w.key = &pool[0];
  for (std::size_t i = 1; i < pool_size; ++i) {
    const bool same = core::bucket_index(&pool[i]) == core::bucket_index(w.key);
    if (same && w.churn == nullptr) w.churn = &pool[i];
    if (!same && w.word == nullptr) {
      w.word = &pool[i];
    } else if (!same && w.other == nullptr &&
               core::bucket_index(&pool[i]) != core::bucket_index(w.word)) {
      w.other = &pool[i];
    }
  }
  return w;
}

// ---- In the child: no GoogleTest, no return; exit status = first failed check. -------------

[[noreturn]] void child_fail(int check, const char* what) {
  char message[160];
  const int n =
      std::snprintf(message, sizeof message, "fork child: check %d failed: %s\n", check, what);
  if (n > 0) {
    const ssize_t ignored = write(STDERR_FILENO, message, static_cast<std::size_t>(n));
    static_cast<void>(ignored);
  }
  _exit(check);
}

#define CHILD_CHECK(number, condition) \
  if (!(condition)) child_fail(number, #condition)

// Polls (1 ms) until `condition` holds, for at most 5 s.
template <class Condition>
bool child_eventually(Condition condition) {
  const auto give_up = std::chrono::steady_clock::now() + 5s;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

[[noreturn]] void child_main(const fork_words& w, bool may_spawn_threads) {
  // The parent's waiters do not exist here.
  CHILD_CHECK(1, pl::unpark_all(w.key) == 0);
  CHILD_CHECK(2, parked_count(w.key) == 0);
  CHILD_CHECK(3, plfutex::wake_all(*w.word) == 0);
  CHILD_CHECK(4, plfutex::wake_all(*w.churn) == 0);

  // Timed park and timed futex waits work, on the same words and on others, including the
  // bucket that was busy at fork() (its lock must not be stuck).
  {
    const auto start = std::chrono::steady_clock::now();
    const pl::park_result r = pl::park(
        w.key, [] { return true; }, pl::deadline::after(10ms));
    CHILD_CHECK(5, r.status == pl::park_status::timed_out);
    CHILD_CHECK(6, std::chrono::steady_clock::now() - start >= 10ms);
  }
  CHILD_CHECK(7, pl::park(
                     w.churn, [] { return true; }, pl::deadline::after(1ms))
                         .status == pl::park_status::timed_out);
  CHILD_CHECK(8, !plfutex::wait_for(*w.word, 0, 5ms));
  CHILD_CHECK(9, !plfutex::wait_for(*w.other, 0, 1ms));
  CHILD_CHECK(10, plfutex::wait_for(*w.word, 1, 1s));  // value mismatch: at once
  CHILD_CHECK(11, pl::park(w.key, [] { return false; }).status == pl::park_status::invalid);

  if (may_spawn_threads) {
    {  // park / unpark on the parent's key
      pl::park_result result{};
      std::atomic<bool> started{false};
      std::thread t([&] {
        started.store(true);
        // A const lvalue deadline: with a prvalue, park(key, validate, deadline, token) resolves
        // to the callback overload and does not compile (reported).
        const pl::deadline forever = pl::deadline::never();
        result = pl::park(
            w.key, [] { return true; }, forever, pl::token{3});
      });
      CHILD_CHECK(26, child_eventually([&] { return started.load(); }));
      CHILD_CHECK(12, child_eventually([&] { return parked_count(w.key) == 1; }));
      const auto r = pl::unpark_one(w.key, [](const pl::unpark_result&) { return pl::token{4}; });
      CHILD_CHECK(13, r.unparked == 1 && !r.have_more);
      t.join();
      CHILD_CHECK(14, result.status == pl::park_status::unparked && result.unpark_token == 4);
    }
    {  // futex wait / wake on the parent's word
      std::atomic<bool> returned{false};
      std::thread t([&] {
        plfutex::wait(*w.word, 0);
        returned.store(true);
      });
      CHILD_CHECK(15, child_eventually([&] { return parked_count(w.word) == 1; }));
      CHILD_CHECK(16, plfutex::wake(*w.word, 1) == 1);
      t.join();
      CHILD_CHECK(17, returned.load());
    }
    {  // futex requeue from another word onto the parent's word, then wake there
      std::atomic<bool> returned{false};
      std::thread t([&] {
        plfutex::wait(*w.other, 0);
        returned.store(true);
      });
      CHILD_CHECK(18, child_eventually([&] { return parked_count(w.other) == 1; }));
      CHILD_CHECK(19, plfutex::requeue(*w.other, 0, *w.word, 0, all) == (requeue_result{0, 1}));
      CHILD_CHECK(20, plfutex::wake_all(*w.word) == 1);
      t.join();
      CHILD_CHECK(21, returned.load());
    }
    {  // a timed waiter in the churned bucket, unparked before its deadline
      std::atomic<int> status{-1};
      std::thread t([&] {
        status.store(static_cast<int>(pl::park(
                                          w.churn, [] { return true; }, pl::deadline::after(20s))
                                          .status));
      });
      CHILD_CHECK(22, child_eventually([&] { return parked_count(w.churn) == 1; }));
      CHILD_CHECK(23, pl::unpark_all(w.churn) == 1);
      t.join();
      CHILD_CHECK(24, status.load() == static_cast<int>(pl::park_status::unparked));
    }
  }
  CHILD_CHECK(25, pl::unpark_all(w.key) == 0 && plfutex::wake_all(*w.word) == 0);
  _exit(0);
}

// ---- In the parent -------------------------------------------------------------------------

// Waits up to 10 s for `child`; kills it if it is still running. Describes what happened.
::testing::AssertionResult child_succeeded(pid_t child) {
  const auto give_up = std::chrono::steady_clock::now() + 10s;
  int status = 0;
  for (;;) {
    const pid_t r = waitpid(child, &status, WNOHANG);
    if (r == child) break;
    if (r < 0) return ::testing::AssertionFailure() << "waitpid: " << std::strerror(errno);
    if (std::chrono::steady_clock::now() > give_up) {
      kill(child, SIGKILL);
      waitpid(child, &status, 0);
      return ::testing::AssertionFailure() << "the child hung for 10 s (a bucket lock held at "
                                              "fork() time, or a lost wakeup) and was killed";
    }
    std::this_thread::sleep_for(1ms);
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return ::testing::AssertionSuccess();
  if (WIFEXITED(status)) {
    return ::testing::AssertionFailure()
           << "the child failed check " << WEXITSTATUS(status) << " (see its stderr)";
  }
  if (WIFSIGNALED(status)) {
    return ::testing::AssertionFailure() << "the child died of signal " << WTERMSIG(status);
  }
  return ::testing::AssertionFailure() << "the child ended with status " << status;
}

// Two threads that park and unpark on `key` until destroyed.
class churn_threads {
 public:
  explicit churn_threads(const void* key) : key_(key) {
    parker_ = std::thread([this] {
      started_.fetch_add(1);
      while (!stop_.load()) {
        pl::park(
            key_, [this] { return !stop_.load(); }, pl::deadline::after(100us));
      }
    });
    unparker_ = std::thread([this] {
      started_.fetch_add(1);
      while (!stop_.load())
        pl::unpark_one(key_);
    });
  }
  churn_threads(const churn_threads&) = delete;
  churn_threads& operator=(const churn_threads&) = delete;
  ~churn_threads() {
    stop_.store(true);
    pl::unpark_all(key_);
    parker_.join();
    unparker_.join();
  }
  bool running() const { return started_.load() == 2; }

 private:
  const void* key_;
  std::atomic<bool> stop_{false};
  std::atomic<int> started_{0};
  std::thread parker_;
  std::thread unparker_;
};

TEST(ParkingLotFork, ChildStartsWithAnEmptyWorkingParkingLot) {
  watchdog dog("ParkingLotFork", std::chrono::seconds(100));
  // TSan, by default, kills a child of a multi-threaded process that starts a thread
  // (die_after_fork), and its runtime is not fork-safe with threads anyway: there the child runs
  // only the single-threaded checks.
  constexpr bool may_spawn_threads = !futon::testing::thread_sanitizer;
  const fork_words w = pick();
  ASSERT_NE(w.churn, nullptr);
  ASSERT_NE(w.word, nullptr);
  ASSERT_NE(w.other, nullptr);
  ASSERT_EQ(core::bucket_index(w.key), core::bucket_index(w.churn));

  // Parent threads: two untimed and one timed on the key; an untimed and a timed futex waiter.
  parked_thread p0(w.key, pl::token{0});
  ASSERT_TRUE(await_parked(w.key, 1));
  parked_thread p1(w.key, pl::token{1});
  ASSERT_TRUE(await_parked(w.key, 2));
  parked_thread p2(w.key, {2, 60s});
  ASSERT_TRUE(await_parked(w.key, 3));
  futex_waiter<plfutex> f0(*w.word, 0);
  futex_waiter<plfutex> f1(*w.word, 0, 60s);
  ASSERT_TRUE(await_parked(w.word, 2));

  // Churn: park / unpark in the key's bucket nonstop, so its lock is often held at fork().
  {
    churn_threads churn(w.churn);
    // Fork only once both churn threads are past their start-up: a thread still starting may hold
    // a lock of the C library or of a sanitizer runtime (ASan's allocator, taken while it sets up
    // a new thread), and the child would then deadlock creating a thread of its own.
    ASSERT_TRUE(futon::testing::eventually([&] { return churn.running(); }));
    std::this_thread::sleep_for(10ms);

    const int forks = futon::testing::scaled(20);
    for (int i = 0; i < forks; ++i) {
      std::fflush(nullptr);
      const pid_t child = fork();
      ASSERT_GE(child, 0) << "fork: " << std::strerror(errno);
      if (child == 0) child_main(w, may_spawn_threads);
      ASSERT_TRUE(child_succeeded(child)) << "fork " << i;
    }
  }

  // The parent's queues are as they were.
  EXPECT_EQ(futon::testing::parked_tokens(w.key), (std::vector<pl::token>{0, 1, 2}));
  EXPECT_EQ(pl::unpark_all(w.key, 8), 3u);
  EXPECT_EQ(plfutex::wake_all(*w.word), 2u);
  for (parked_thread* p : {&p0, &p1, &p2}) {
    ASSERT_TRUE(p->await_done());
    EXPECT_EQ(p->status(), pl::park_status::unparked);
    EXPECT_EQ(p->unpark_token(), pl::token{8});
  }
  ASSERT_TRUE(f0.await_done());
  ASSERT_TRUE(f1.await_done());
  EXPECT_TRUE(f0.woken());
  EXPECT_TRUE(f1.woken());
}

}  // namespace

#endif  // !defined(_WIN32)
