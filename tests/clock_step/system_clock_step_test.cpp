// SPDX-License-Identifier: BSL-1.0
// Issue 10, defect 7c: a system_clock deadline must not time out early when the wall clock
// steps back while the kernel times the wait out. Run under realtime_behind.c (LD_PRELOAD), the
// program's CLOCK_REALTIME is one second behind the kernel's: every FUTEX_CLOCK_REALTIME wait
// on a deadline less than a second ahead times out at once in the kernel, while the program's
// own clock says the deadline is still ahead. 7add648 trusted the kernel's ETIMEDOUT and
// returned false at once; a wait must keep waiting until the program's clock has passed it.
#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <futon/futex.hpp>

#include "backends.hpp"

namespace {

using namespace std::chrono_literals;
using std::chrono::system_clock;

// CLOCK_REALTIME straight from the kernel (not through clock_gettime, which the shim shifts).
system_clock::time_point kernel_realtime() {
  timespec ts{};
  syscall(SYS_clock_gettime, CLOCK_REALTIME, &ts);
  return system_clock::time_point(std::chrono::duration_cast<system_clock::duration>(
      std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec)));
}

template <class Backend>
class SystemClockStepBack : public ::testing::Test {};
TYPED_TEST_SUITE(SystemClockStepBack, futon::testing::all_backends, futon::testing::backend_name);

// The case is set up only if the shim is in place: otherwise it would pass without testing.
TYPED_TEST(SystemClockStepBack, TheProgramsClockIsBehindTheKernels) {
  const auto behind = kernel_realtime() - system_clock::now();
  EXPECT_GT(behind, 900ms) << "realtime_behind.so is not preloaded: the other cases test nothing";
}

TYPED_TEST(SystemClockStepBack, WaitUntilDoesNotTimeOutBeforeTheProgramsClockPassesIt) {
  futon::futex_word word{0};
  for (const auto timeout : {1ms, 20ms, 100ms}) {
    const auto deadline = system_clock::now() + timeout;
    EXPECT_FALSE((futon::basic_futex<TypeParam>::wait_until(word, 0, deadline)));
    EXPECT_GE(system_clock::now(), deadline)
        << "timed out " << timeout.count() << " ms early by the program's own system_clock";
  }
}

}  // namespace
