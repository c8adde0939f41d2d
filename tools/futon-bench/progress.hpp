// SPDX-License-Identifier: BSL-1.0
// Progress on stderr, one line per finished scenario point, with the time so far and an estimate
// of the time left:
//   [3/18 0:41, ~2:10 left] contended mutex, 8 threads: futon 5.10 M acq/s, std 3.20 M acq/s
//   (futon/std 1.59x)
// The estimate weighs each point by what it plans to measure (scenarios.hpp, planned_costs) and
// scales the rest by how long the points so far took per planned second, which also covers the
// time the plan leaves out (starting threads, calibration, stragglers).
#pragma once

#include <cstdint>
#include <vector>

#include "results.hpp"

namespace futon_bench {

class progress {
 public:
  // `planned`: each point's planned cost, in run order (one entry per point).
  explicit progress(std::vector<double> planned);
  // The estimated seconds left after `finished` points, `elapsed_seconds` into the run; negative
  // when there is nothing to go by yet.
  static double seconds_left(const std::vector<double>& planned, int finished,
                             double elapsed_seconds);
  // A point is finished: prints its first metric's median for each implementation.
  void done(const point& p);
  // Free text (a scenario's calibration or warning), prefixed like the progress lines.
  void note(const char* text);

 private:
  std::vector<double> planned_;
  int finished_ = 0;
  std::int64_t start_ns_;
};

}  // namespace futon_bench
