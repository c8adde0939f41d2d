// SPDX-License-Identifier: BSL-1.0
// Ratios against peers measured in the same run.
//
// futon's benchmark figures are ratios, never bare times (see docs/design.md, "How performance is
// measured"): a time measured on a noisy 2-core machine means little alone, but the same scenario
// run by a peer moments earlier in the same process is a fair yardstick.
//
// Benchmarks are named "<scenario>/<impl>" (e.g. "ping_pong/futon:kernel" and "ping_pong/std");
// Google Benchmark appends arguments ("/waiters:16"), thread counts ("/threads:8") and modifiers
// ("/real_time"). ratio_reporter wraps the display reporter the command line asks for, passes
// every run through to it, keeps each run's real and CPU time per iteration, and at the end
// prints one table per `comparison`, one row per scenario (in natural order: "threads:8" before
// "threads:16") and compared implementation:
//
//   scenario | impl | impl ns | peer ns | ratio | speed | cpu ratio [| target]
//
// where the times are the median of the repetitions (or the median aggregate when only
// aggregates are displayed), ratio = impl real time / peer real time (< 1: the impl is faster),
// speed = peer time / impl time (how many times the peer's rate the impl reaches: "50x" is 50
// times cheaper, "0.8x" is 80 % of the peer's throughput), and cpu ratio compares the CPU time
// columns. For a benchmark with manual time, "real time" is the time it reported and the CPU
// ratio is n/a. A benchmark run with ->Threads(n) counts every thread's iterations, so its time
// per iteration is the wall time divided by all the work done: ratios of it are throughput
// ratios of the whole process.
//
// A program compares against one peer (the standard library, by default) or several: futex_bench
// adds "parking lot vs kernel futex", parking_lot_bench compares the bucketed parking lot with
// the kernel, the standard library and the one-lock copy.
#pragma once

#include <benchmark/benchmark.h>

#include <map>
#include <string>
#include <vector>

namespace futon::bench {

// One table of ratios.
struct comparison {
  // The implementation every row is divided by, e.g. "std" or "futon:kernel".
  std::string peer;
  // The implementations to compare with it, in this order; empty: every one except the peer,
  // by name.
  std::vector<std::string> impls;
  // A heading for the table; empty: "Ratios against <peer>".
  std::string title;
  // Optional goals: a row whose scenario starts with `scenario_prefix` and whose impl is `impl`
  // (empty: any) must reach `min_speed` (peer time / impl time); the table then gets a column
  // saying whether it did.
  struct target {
    std::string scenario_prefix;
    std::string impl;
    double min_speed;
  };
  std::vector<target> targets;
};

class ratio_reporter final : public benchmark::BenchmarkReporter {
 public:
  // `display` prints the runs as usual and is not owned; one table per comparison, in order.
  ratio_reporter(benchmark::BenchmarkReporter* display, std::vector<comparison> comparisons);

  bool ReportContext(const Context& context) override;
  void ReportRuns(const std::vector<Run>& runs) override;
  void Finalize() override;

 private:
  struct times {
    std::vector<double> real_ns;  // one per repetition
    std::vector<double> cpu_ns;
    double median_real_ns = -1;  // from a "median" aggregate, when one was reported
    double median_cpu_ns = -1;
    // False for manual-time runs: their CPU column covers untimed setup too.
    bool cpu_comparable = true;
  };
  struct scenario {
    std::vector<std::string> impl_order;  // first-seen order (comparisons may fix their own)
    std::map<std::string, times> by_impl;
  };

  void print_table(std::ostream& out, const comparison& c) const;

  benchmark::BenchmarkReporter* display_;
  std::vector<comparison> comparisons_;
  std::vector<std::string> scenario_order_;  // first-seen order; sorted when printed
  std::map<std::string, scenario> scenarios_;
};

// The main() of a benchmark program, after it has registered its benchmarks: parses the
// command line, runs the benchmarks through a ratio_reporter around the usual display reporter,
// and returns 0, or 1 when an argument was not understood.
int run_benchmarks(int argc, char** argv, std::vector<comparison> comparisons);

// The same with one table, against `peer`.
inline int run_benchmarks(int argc, char** argv, const std::string& peer) {
  return run_benchmarks(argc, argv, {comparison{peer, {}, {}, {}}});
}

}  // namespace futon::bench
