// SPDX-License-Identifier: BSL-1.0
#include "machine_info.hpp"

#include <cstdio>
#include <ctime>
#include <fstream>
#include <futon/backend/default_backend.hpp>
#include <futon/config.hpp>
#include <sstream>
#include <thread>
#include <type_traits>

#include "futon_bench_commit.hpp"  // generated at build time (commit_header.cmake)

#if __has_include(<sys/utsname.h>)
#include <sys/utsname.h>
#endif

namespace futon_bench {

std::string load_average() {
  std::ifstream file("/proc/loadavg");
  std::string one, five, fifteen;
  if (!(file >> one >> five >> fifteen)) return "n/a";
  return one + " " + five + " " + fifteen;
}

machine_info describe_machine() {
  machine_info m;
  m.futon_commit = FUTON_BENCH_COMMIT;
  m.kernel = "unknown";
#if __has_include(<sys/utsname.h>)
  if (utsname u{}; uname(&u) == 0) {
    m.kernel = std::string(u.sysname) + " " + u.release + " " + u.machine;
  }
#endif
  m.cpus = std::thread::hardware_concurrency();
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) m.cpu = line.substr(colon + 2);
      break;
    }
  }
  if (m.cpu.empty()) m.cpu = "unknown CPU";
#if defined(__clang__)
  m.compiler = "clang++ " __clang_version__;
#elif defined(__GNUC__)
  m.compiler = "g++ " __VERSION__;
#elif defined(_MSC_VER)
  m.compiler = "MSVC " + std::to_string(_MSC_VER);
#endif
#if defined(_LIBCPP_VERSION)
  m.standard_library = "libc++ " + std::to_string(_LIBCPP_VERSION);
#elif defined(__GLIBCXX__)
  m.standard_library = "libstdc++ " + std::to_string(__GLIBCXX__);
#elif defined(_MSVC_STL_VERSION)
  m.standard_library = "MSVC STL";
#endif
  m.assertions = FUTON_DEBUG_CHECKS != 0;
  m.futon_backend =
      std::is_same_v<futon::backend::default_backend, futon::backend::parking_lot_futex>
          ? "parking lot"
          : "kernel futex";
  const std::time_t now = std::time(nullptr);
  char text[64] = "";
  if (const std::tm* utc = std::gmtime(&now)) {
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M UTC", utc);
  }
  m.date_utc = text;
  return m;
}

}  // namespace futon_bench
