// SPDX-License-Identifier: BSL-1.0
// The one OS-specific file of futon-bench: getrusage where POSIX has it, GetProcessTimes on
// Windows (which keeps no context-switch count per process: those figures read "n/a" there).
#include "process_usage.hpp"

#if __has_include(<sys/resource.h>)
#include <sys/resource.h>
#define FUTON_BENCH_GETRUSAGE 1
#elif defined(_WIN32)
#include <windows.h>
#endif

namespace futon_bench {

process_usage process_usage::now() noexcept {
  process_usage u;
#if defined(FUTON_BENCH_GETRUSAGE)
  rusage r{};
  getrusage(RUSAGE_SELF, &r);
  const auto ns = [](const timeval& tv) {
    return static_cast<std::int64_t>(tv.tv_sec) * 1'000'000'000 +
           static_cast<std::int64_t>(tv.tv_usec) * 1000;
  };
  u.cpu_ns = ns(r.ru_utime) + ns(r.ru_stime);
  u.voluntary_switches = r.ru_nvcsw;
  u.involuntary_switches = r.ru_nivcsw;
#elif defined(_WIN32)
  FILETIME created, exited, kernel, user;
  if (GetProcessTimes(GetCurrentProcess(), &created, &exited, &kernel, &user)) {
    const auto ns = [](const FILETIME& t) {
      return static_cast<std::int64_t>((static_cast<std::uint64_t>(t.dwHighDateTime) << 32) |
                                       t.dwLowDateTime) *
             100;
    };
    u.cpu_ns = ns(kernel) + ns(user);
  }
#endif
  return u;
}

}  // namespace futon_bench
