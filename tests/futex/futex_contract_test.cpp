// SPDX-License-Identifier: BSL-1.0
// The futex contract's edge cases (see "The contract" in docs/design.md): the value check comes
// first, wake(w, 0) wakes nobody, waking an address nobody waits on (even memory that has been
// freed or reused) is harmless, wake_one reports whether it woke someone.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <thread>

#include "backends.hpp"
#include "test_support.hpp"

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace {

using namespace std::chrono_literals;
using futon::futex_word;
using futon::testing::one_shot_waiters;
using futon::testing::test_clock;
using futon::testing::watchdog;
using steady = std::chrono::steady_clock;
using system_clock = std::chrono::system_clock;

template <class Backend>
class FutexContract : public futon::testing::futex_test<Backend> {};
TYPED_TEST_SUITE(FutexContract, futon::testing::all_backends, futon::testing::backend_name);

// Every kind of wait returns at once when the word does not hold `expected`, and the timed ones
// say true (not a timeout) whatever the timeout: zero, negative, past, huge.
TYPED_TEST(FutexContract, MismatchReturnsTrueAtOnceWhateverTheTimeout) {
  using futex = typename TestFixture::futex;
  watchdog guard("a wait on a mismatched word blocked");
  const futex_word word{7};
  const auto start = test_clock::now();

  futex::wait(word, 0);
  futex::wait(word, 8);
  EXPECT_TRUE(futex::wait_for(word, 0, 0ns));
  EXPECT_TRUE(futex::wait_for(word, 0, 1ns));
  EXPECT_TRUE(futex::wait_for(word, 0, -1ns));
  EXPECT_TRUE(futex::wait_for(word, 0, -1h));
  EXPECT_TRUE(futex::wait_for(word, 0, std::chrono::nanoseconds::min()));
  EXPECT_TRUE(futex::wait_for(word, 0, std::chrono::duration<double>(0.0)));
  EXPECT_TRUE(futex::wait_for(word, 0, std::chrono::duration<double>(-1.5)));
  EXPECT_TRUE(futex::wait_for(
      word, 0, std::chrono::duration<double>(std::numeric_limits<double>::quiet_NaN())));
  EXPECT_TRUE(futex::wait_for(word, 0, 1h));
  EXPECT_TRUE(futex::wait_for(word, 0, std::chrono::nanoseconds::max()));
  EXPECT_TRUE(futex::wait_for(word, 0, std::chrono::seconds::max()));
  EXPECT_TRUE(futex::wait_until(word, 0, steady::time_point{}));
  EXPECT_TRUE(futex::wait_until(word, 0, steady::time_point::min()));
  EXPECT_TRUE(futex::wait_until(word, 0, steady::now() - 1s));
  EXPECT_TRUE(futex::wait_until(word, 0, steady::now() + 1h));
  EXPECT_TRUE(futex::wait_until(word, 0, steady::time_point::max()));
  EXPECT_TRUE(futex::wait_until(word, 0, system_clock::time_point{-1h}));
  EXPECT_TRUE(futex::wait_until(word, 0, system_clock::time_point::min()));
  EXPECT_TRUE(futex::wait_until(word, 0, system_clock::now() + 1h));
  EXPECT_TRUE(futex::wait_until(word, 0, system_clock::time_point::max()));
  // The whole batch is a handful of system calls at most; 2 s is "at once" on any machine.
  EXPECT_LT(test_clock::now() - start, 2s);
}

TYPED_TEST(FutexContract, WakeWithNobodyWaitingReturnsZero) {
  using futex = typename TestFixture::futex;
  const futex_word word{0};
  EXPECT_EQ(futex::wake(word, 1), 0u);
  EXPECT_EQ(futex::wake(word, 5), 0u);
  EXPECT_EQ(futex::wake(word, std::numeric_limits<std::size_t>::max()), 0u);
  EXPECT_EQ(futex::wake_all(word), 0u);
  EXPECT_FALSE(futex::wake_one(word));
  EXPECT_EQ(futex::wake(word, 0), 0u);
}

// wake(w, 0) returns 0 and leaves a blocked waiter blocked (Linux's FUTEX_WAKE would wake one).
TYPED_TEST(FutexContract, WakeZeroWakesNobody) {
  using futex = typename TestFixture::futex;
  watchdog guard("WakeZeroWakesNobody hung");
  const futex_word word{0};
  one_shot_waiters<futex> waiters(word, 0, 2);
  ASSERT_TRUE(waiters.all_asleep());
  EXPECT_EQ(futex::wake(word, 0), 0u);
  EXPECT_EQ(futex::wake(word, 0), 0u);
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(waiters.returned(), 0u) << "wake(w, 0) woke a waiter";
  // Both are still queued: a real wake finds exactly two.
  EXPECT_EQ(futex::wake_all(word), 2u);
  ASSERT_TRUE(waiters.await_returned(2));
  EXPECT_EQ(waiters.woken(), 2u);
}

TYPED_TEST(FutexContract, WakeOneReportsWhetherItWokeSomeone) {
  using futex = typename TestFixture::futex;
  watchdog guard("WakeOneReportsWhetherItWokeSomeone hung");
  const futex_word word{0};
  EXPECT_FALSE(futex::wake_one(word));
  one_shot_waiters<futex> waiters(word, 0, 2);
  ASSERT_TRUE(waiters.all_asleep());
  EXPECT_TRUE(futex::wake_one(word));
  ASSERT_TRUE(waiters.await_returned(1));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(waiters.returned(), 1u) << "wake_one woke more than one waiter";
  EXPECT_TRUE(futex::wake_one(word));
  ASSERT_TRUE(waiters.await_returned(2));
  EXPECT_FALSE(futex::wake_one(word));
  EXPECT_EQ(waiters.woken(), 2u);
}

// A word waited on by a thread that has since exited, whose storage then holds something else:
// waking the address finds nobody and does not write to the memory.
TYPED_TEST(FutexContract, WakeOnReusedStorageIsHarmless) {
  using futex = typename TestFixture::futex;
  watchdog guard("WakeOnReusedStorageIsHarmless hung");
  alignas(64) unsigned char storage[64];
  {
    auto* word = ::new (static_cast<void*>(storage)) futex_word{0};
    {
      one_shot_waiters<futex> waiter(*word, 0, 1);
      ASSERT_TRUE(waiter.all_asleep());
      EXPECT_EQ(futex::wake_all(*word), 1u);
      ASSERT_TRUE(waiter.await_returned(1));
    }  // the waiter thread has exited
    std::destroy_at(word);
  }
  // Reuse the storage for unrelated bytes.
  std::memset(storage, 0xA5, sizeof storage);
  unsigned char before[sizeof storage];
  std::memcpy(before, storage, sizeof storage);
  // Only the address is used: the futex never reads or writes the word on a wake.
  const auto& stale = *reinterpret_cast<const futex_word*>(storage);
  EXPECT_EQ(futex::wake(stale, 1), 0u);
  EXPECT_EQ(futex::wake_all(stale), 0u);
  EXPECT_FALSE(futex::wake_one(stale));
  EXPECT_EQ(std::memcmp(before, storage, sizeof storage), 0) << "a wake wrote to the memory";

  // The same storage, reused as a new futex word, works as a fresh word.
  auto* again = ::new (static_cast<void*>(storage)) futex_word{3};
  {
    one_shot_waiters<futex> waiter(*again, 3, 1);
    ASSERT_TRUE(waiter.all_asleep());
    EXPECT_EQ(futex::wake_all(*again), 1u);
    ASSERT_TRUE(waiter.await_returned(1));
    EXPECT_EQ(waiter.woken(), 1u);
  }
  std::destroy_at(again);
}

// A word on the heap, waited on, then freed: waking the freed address is harmless. The address is
// kept as an integer (a pointer value, not a pointer to a live object), and the storage is given
// back to the allocator and allocated again so that it is really reused.
TYPED_TEST(FutexContract, WakeOnFreedHeapWordIsHarmless) {
  using futex = typename TestFixture::futex;
  watchdog guard("WakeOnFreedHeapWordIsHarmless hung");
  auto word = std::make_unique<futex_word>(0);
  {
    one_shot_waiters<futex> waiter(*word, 0, 1);
    ASSERT_TRUE(waiter.all_asleep());
    EXPECT_EQ(futex::wake_all(*word), 1u);
    ASSERT_TRUE(waiter.await_returned(1));
  }
  // Through a volatile, so that the compiler's use-after-free analysis (rightly strict about
  // pointers) does not follow the address: here it is only a number the futex hashes.
  volatile std::uintptr_t stored_address = reinterpret_cast<std::uintptr_t>(word.get());
  const std::uintptr_t address = stored_address;
  word.reset();
  // Reuse (often the very same block) for a different live word with no waiters.
  auto reused = std::make_unique<futex_word>(0);
  EXPECT_EQ(futex::wake(*reused, 1), 0u);
  reused.reset();
  // Binding the reference reads nothing; under ASan a backend that read the freed word on a wake
  // would be reported here as a use after free.
  const auto& freed = *reinterpret_cast<const futex_word*>(address);
  EXPECT_EQ(futex::wake(freed, 1), 0u);
  EXPECT_EQ(futex::wake_all(freed), 0u);
}

#if defined(__linux__)
// The strongest form of "freed": the page is unmapped. A wake must not touch the word, or this
// test dies with SIGSEGV.
TYPED_TEST(FutexContract, WakeOnUnmappedPageIsHarmless) {
  using futex = typename TestFixture::futex;
  watchdog guard("WakeOnUnmappedPageIsHarmless hung");
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  void* memory = ::mmap(nullptr, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(memory, MAP_FAILED);
  auto* word = ::new (memory) futex_word{0};
  {
    one_shot_waiters<futex> waiter(*word, 0, 1);
    ASSERT_TRUE(waiter.all_asleep());
    EXPECT_EQ(futex::wake_all(*word), 1u);
    ASSERT_TRUE(waiter.await_returned(1));
  }
  std::destroy_at(word);
  ASSERT_EQ(::munmap(memory, page), 0);
  const auto& gone = *static_cast<const futex_word*>(memory);
  EXPECT_EQ(futex::wake(gone, 1), 0u);
  EXPECT_EQ(futex::wake_all(gone), 0u);
  EXPECT_FALSE(futex::wake_one(gone));
}
#endif

// A wait blocks only while the word holds `expected`: a waiter that saw the new value in its own
// check never blocks, whatever value the word had before (no ABA: the value, not a version, is
// compared).
TYPED_TEST(FutexContract, ValueCheckUsesTheCurrentValue) {
  using futex = typename TestFixture::futex;
  watchdog guard("ValueCheckUsesTheCurrentValue hung");
  futex_word word{0};
  word.store(1);
  EXPECT_TRUE(futex::wait_for(word, 0, 1h));
  word.store(0);
  EXPECT_FALSE(futex::wait_for(word, 0, 1ms));
  word.store(std::numeric_limits<std::uint32_t>::max());
  EXPECT_TRUE(futex::wait_for(word, 0, 1h));
  EXPECT_FALSE(futex::wait_for(word, std::numeric_limits<std::uint32_t>::max(), 1ms));
}

}  // namespace
