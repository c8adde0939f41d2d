// SPDX-License-Identifier: BSL-1.0
// One parking lot per process, however many shared objects link futon: a program and two
// shared objects (libfuton_test_waiter, libfuton_test_waker), each with its own copy of the
// static library, as plugins built separately would have. A thread that parks through one copy
// must be woken through another; with a table per copy the wake would find nobody and the waiter
// would time out.
//
// Why it holds on ELF systems: the table is a static data member of a class template
// (detail::basic_parking_lot<Platform>::table_), which g++ and clang++ emit as a unique global
// symbol (STB_GNU_UNIQUE / vague linkage, default visibility), and the library is compiled as
// position-independent code, which reaches the table through the GOT: the dynamic linker binds
// every copy's references to one definition. (Windows DLLs each keep their own copy: link futon
// as one DLL there. Documented in the README.)
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "parking_lot/os_parking_lot.hpp"
#include "side.hpp"
#include "test_support.hpp"

namespace {

using namespace std::chrono_literals;

TEST(SharedObjects, EveryCopyOfTheLibraryUsesTheSameTable) {
  const void* program = &futon::detail::os_parking_lot::table();
  EXPECT_EQ(futon_test_waiter_table(), program);
  EXPECT_EQ(futon_test_waker_table(), program);
}

TEST(SharedObjects, AWaitThroughOneCopyIsWokenThroughAnother) {
  futon::futex_word word{0};
  std::atomic<int> result{-1};
  std::thread waiter([&] { result.store(futon_test_waiter_wait(&word, 0, 20'000) ? 1 : 0); });
  // Wake until the wake finds the waiter (it may not have parked yet): exactly one is woken.
  std::size_t woken = 0;
  EXPECT_TRUE(futon::testing::eventually([&] {
    woken = futon_test_waker_wake_one(&word);
    return woken != 0;
  })) << "the waker's copy of futon never found the waiter: two parking-lot tables";
  EXPECT_EQ(woken, 1u);
  waiter.join();
  EXPECT_EQ(result.load(), 1) << "the waiter timed out instead of being woken";
}

}  // namespace
