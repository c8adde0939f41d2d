// SPDX-License-Identifier: BSL-1.0
// The numbers a run produces: for every scenario point (say "contended mutex, 8 threads"), each
// implementation's value of each metric in every repetition.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace futon_bench {

enum class better { higher, lower };

struct metric {
  std::string key;    // "throughput"
  std::string title;  // "throughput"
  std::string unit;   // "M acq/s"
  better direction = better::higher;
  bool show_worst = false;  // the ratio table shows the worst repetition too
  bool compared = true;     // false: a fact about the run (a count), not in the ratio table
};

// Median and worst of one metric's repetitions.
double median_of(std::vector<double> values);
double worst_of(const std::vector<double>& values, better direction);

// Of the repetitions two implementations shared, how many one did as well as the other or better.
struct repetition_tally {
  int as_good = 0;      // repetitions in which the first did as well or better
  int repetitions = 0;  // repetitions both ran
};

struct impl_values {
  std::string impl;                         // "futon", "std", "absl", or a reference
  std::vector<std::vector<double>> values;  // [metric][repetition]
};

struct point {
  std::string scenario;  // key: "contended"
  std::string title;     // "contended mutex, 8 threads"
  int param = 0;         // 8 (threads, waiters, pairs; 0 if none)
  std::vector<metric> metrics;
  std::vector<impl_values> impls;
  std::vector<std::string> notes;  // anything odd seen while measuring (a failed check)

  int metric_index(const std::string& key) const;
  const impl_values* find(const std::string& impl) const;
  // Median / worst repetition of `metric` for `impl`; nullopt if not measured.
  std::optional<double> median(const std::string& impl, const std::string& metric) const;
  std::optional<double> worst(const std::string& impl, const std::string& metric) const;
  // `impl` against `other` in each repetition of `metric` (the i-th run of each: in a repetition
  // they run back to back, so the pair shares the machine's state of that moment, which the
  // medians of a noisy machine do not); nullopt if either is missing or a repetition of one
  // failed (the counts differ, and the runs no longer pair up).
  std::optional<repetition_tally> paired(const std::string& impl, const std::string& other,
                                         const std::string& metric) const;
  // Records one repetition's value.
  void add(const std::string& impl, const std::string& metric, double value);
  // Adds a note unless the same one is already there (repetitions repeat what they see).
  void note(const std::string& text);
  // A correctness check failed (mutual exclusion, counts): noted, and the run exits non-zero.
  void fail(const std::string& text);
  bool failed = false;
};

struct results {
  std::vector<point> points;
  const point* find(const std::string& scenario, int param) const;
  std::vector<const point*> of(const std::string& scenario) const;
  // The points of `family` and of its cases, the scenarios named `family`_* (thread_pool:
  // thread_pool_0us, thread_pool_1us, ...), in run order.
  std::vector<const point*> of_family(const std::string& family) const;
};

// Whether `scenario` is `family` or one of its cases.
bool in_family(const std::string& scenario, const std::string& family);

}  // namespace futon_bench
