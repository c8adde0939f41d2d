// SPDX-License-Identifier: BSL-1.0
// Everything the report files are made from.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "baseline.hpp"
#include "calibrate.hpp"
#include "machine_info.hpp"
#include "options.hpp"
#include "peers.hpp"
#include "results.hpp"
#include "targets.hpp"

namespace futon_bench {

struct run_record {
  const options& opts;
  const calibration& cal;
  const machine_info& machine;
  std::string load_before;
  std::string load_after;
  std::optional<double> others_cpu_share;   // others' share of the CPUs during the run
  std::vector<std::string> quiet_warnings;  // empty: the machine was quiet
  std::vector<peer_library> peers;
  double wall_seconds = 0;
  const results& res;
  const std::vector<target_result>& targets;
  std::vector<std::string> charts;  // file names of the charts written, relative to out_dir
  const baseline* base = nullptr;   // --baseline, or none
};

// report.md
std::string markdown_report(const run_record& run);
// results.csv: one line per repetition of every metric of every implementation.
std::string csv_report(const results& r);
// results.json (--json): the CSV's numbers, every repetition, with the metrics' descriptions,
// the machine, the peers and the targets; --baseline reads it back (baseline.hpp).
std::string json_report(const run_record& run);
// The "points" array alone: what --baseline needs of a run.
std::string results_json(const results& r);

}  // namespace futon_bench
