// SPDX-License-Identifier: BSL-1.0
// Progress on stderr, one line per finished scenario point:
//   [3/18 0:41] contended mutex, 8 threads: futon 5.10 M acq/s, std 3.20 M acq/s (futon/std 1.59x)
#pragma once

#include <cstdint>

#include "results.hpp"

namespace futon_bench {

class progress {
 public:
  explicit progress(int total_points);
  // A point is finished: prints its first metric's median for each implementation.
  void done(const point& p);
  // Free text (a scenario's calibration or warning), prefixed like the progress lines.
  void note(const char* text);

 private:
  int total_;
  int finished_ = 0;
  std::int64_t start_ns_;
};

}  // namespace futon_bench
