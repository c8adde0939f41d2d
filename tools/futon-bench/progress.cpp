// SPDX-License-Identifier: BSL-1.0
#include "progress.hpp"

#include <cstdio>
#include <string>

#include "format.hpp"
#include "work.hpp"

namespace futon_bench {

progress::progress(int total_points) : total_(total_points), start_ns_(now_ns()) {}

void progress::done(const point& p) {
  ++finished_;
  const long seconds = static_cast<long>((now_ns() - start_ns_) / 1'000'000'000);
  // snprintf rather than a chain of std::string additions, which trips g++ 12's -Wrestrict
  // false positive under -O3.
  char prefix[64];
  std::snprintf(prefix, sizeof prefix, "[%d/%d %ld:%02ld] ", finished_, total_, seconds / 60,
                seconds % 60);
  std::string line = prefix;
  line += p.title;
  line += ':';
  const metric& m = p.metrics.front();
  bool first = true;
  for (const auto& v : p.impls) {
    line += first ? " " : ", ";
    first = false;
    line += v.impl + " " + format_value(*p.median(v.impl, m.key));
  }
  line += " " + m.unit;
  const auto futon = p.median("futon", m.key);
  const auto std_value = p.median("std", m.key);
  if (futon && std_value && *std_value != 0) {
    line += " (futon/std " + format_ratio(*futon / *std_value) + ")";
  }
  for (const auto& n : p.notes)
    line += "\n    note: " + n;
  std::fprintf(stderr, "%s\n", line.c_str());
  std::fflush(stderr);
}

void progress::note(const char* text) {
  std::fprintf(stderr, "      %s\n", text);
  std::fflush(stderr);
}

}  // namespace futon_bench
