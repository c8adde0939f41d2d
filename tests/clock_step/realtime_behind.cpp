// SPDX-License-Identifier: BSL-1.0
// Test-only LD_PRELOAD library: CLOCK_REALTIME, as the program reads it through clock_gettime,
// runs FUTON_TEST_REALTIME_BEHIND_MS milliseconds (default 1000) behind the kernel's. The kernel
// still times out FUTEX_CLOCK_REALTIME waits on its own clock, so a program sees exactly what it
// sees when the wall clock steps back between the kernel's timeout and its own look at the clock:
// the kernel says "timed out", the clock says the deadline is still ahead.
#include <dlfcn.h>
#include <time.h>

#include <cstdlib>

namespace {

using clock_gettime_fn = int (*)(clockid_t, timespec*);

long long behind_ns() {
  static const long long ns = [] {
    const char* ms = std::getenv("FUTON_TEST_REALTIME_BEHIND_MS");
    return (ms != nullptr ? std::atoll(ms) : 1000LL) * 1'000'000LL;
  }();
  return ns;
}

}  // namespace

extern "C" int clock_gettime(clockid_t clock, timespec* ts) {
  static const auto real = reinterpret_cast<clock_gettime_fn>(dlsym(RTLD_NEXT, "clock_gettime"));
  const int rc = real(clock, ts);
  if (rc == 0 && clock == CLOCK_REALTIME && behind_ns() > 0) {
    const long long ns = ts->tv_sec * 1'000'000'000LL + ts->tv_nsec - behind_ns();
    ts->tv_sec = static_cast<time_t>(ns / 1'000'000'000LL);
    ts->tv_nsec = static_cast<long>(ns % 1'000'000'000LL);
  }
  return rc;
}
