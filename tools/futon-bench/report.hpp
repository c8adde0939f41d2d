// SPDX-License-Identifier: BSL-1.0
// Everything the report files are made from.
#pragma once

#include <string>
#include <vector>

#include "calibrate.hpp"
#include "machine_info.hpp"
#include "options.hpp"
#include "results.hpp"
#include "targets.hpp"

namespace futon_bench {

struct run_record {
  const options& opts;
  const calibration& cal;
  const machine_info& machine;
  std::string load_before;
  std::string load_after;
  double wall_seconds = 0;
  const results& res;
  const std::vector<target_result>& targets;
  std::vector<std::string> charts;  // file names of the charts written, relative to out_dir
};

// report.md
std::string markdown_report(const run_record& run);
// results.csv: one line per repetition of every metric of every implementation.
std::string csv_report(const results& r);

}  // namespace futon_bench
