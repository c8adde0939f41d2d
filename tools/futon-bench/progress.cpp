// SPDX-License-Identifier: BSL-1.0
#include "progress.hpp"

#include <cstdio>
#include <string>
#include <utility>

#include "format.hpp"
#include "peers.hpp"
#include "work.hpp"

namespace futon_bench {

progress::progress(std::vector<double> planned)
    : planned_(std::move(planned)), start_ns_(now_ns()) {}

double progress::seconds_left(const std::vector<double>& planned, int finished,
                              double elapsed_seconds) {
  double done = 0;
  double left = 0;
  for (std::size_t i = 0; i < planned.size(); ++i)
    (static_cast<int>(i) < finished ? done : left) += planned[i];
  if (done <= 0 || elapsed_seconds <= 0) return -1;
  return left * elapsed_seconds / done;
}

void progress::done(const point& p) {
  ++finished_;
  const double elapsed = static_cast<double>(now_ns() - start_ns_) * 1e-9;
  const long seconds = static_cast<long>(elapsed);
  const double left = seconds_left(planned_, finished_, elapsed);
  // snprintf rather than a chain of std::string additions, which trips g++ 12's -Wrestrict
  // false positive under -O3.
  char eta[32] = "";
  if (left >= 0 && finished_ < static_cast<int>(planned_.size())) {
    const long l = static_cast<long>(left + 0.5);
    std::snprintf(eta, sizeof eta, ", ~%ld:%02ld left", l / 60, l % 60);
  }
  char prefix[96];
  std::snprintf(prefix, sizeof prefix, "[%d/%d %ld:%02ld%s] ", finished_,
                static_cast<int>(planned_.size()), seconds / 60, seconds % 60, eta);
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
    line += " (futon/std " + format_ratio(*futon / *std_value);
    // The best peer too, when one other than std measured the point and did better.
    if (const auto best = best_peer(p, m.key); best && best->impl != "std" && best->value != 0) {
      line += ", futon/best peer " + format_ratio(*futon / best->value) + " " + best->impl;
    }
    line += ")";
  } else if (const auto best = best_peer(p, m.key); futon && best && best->value != 0) {
    // A point without std (the interprocess scenarios): futon against the best peer alone.
    line += " (futon/best peer " + format_ratio(*futon / best->value) + " " + best->impl + ")";
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
