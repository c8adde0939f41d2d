// SPDX-License-Identifier: BSL-1.0
// A small made-up run for the tests: two scenario points, futon and std (and a peer or two), a
// metric where higher is better and one where lower is, a repetition count of three.
#pragma once

#include <string>
#include <vector>

#include "results.hpp"

namespace futon_bench::testing {

inline point make_point(const std::string& scenario, int param,
                        const std::vector<std::string>& impls,
                        const std::vector<std::vector<double>>& throughput,
                        const std::vector<std::vector<double>>& cpu) {
  point p;
  p.scenario = scenario;
  p.param = param;
  p.title = scenario + " \"" + std::to_string(param) + "\"";  // a quote, for the escapes
  p.metrics = {{"throughput", "throughput", "M acq/s", better::higher, true},
               {"cpu", "CPU per M acquisitions", "s", better::lower, false}};
  for (std::size_t i = 0; i < impls.size(); ++i) {
    for (const double v : throughput[i])
      p.add(impls[i], "throughput", v);
    for (const double v : cpu[i])
      p.add(impls[i], "cpu", v);
  }
  return p;
}

inline results make_results(double futon_scale = 1.0) {
  results r;
  r.points.push_back(make_point("contended", 4, {"futon", "std"},
                                {{6 * futon_scale, 5 * futon_scale, 7 * futon_scale}, {4, 3, 5}},
                                {{0.2, 0.3, 0.25}, {0.4, 0.5, 0.45}}));
  r.points.push_back(make_point("contended", 8, {"futon", "std"},
                                {{8 * futon_scale, 8 * futon_scale, 8 * futon_scale}, {2, 2, 2}},
                                {{0.1, 0.1, 0.1}, {0.2, 0.2, 0.2}}));
  r.points.back().note("a note with a\nnewline and a \\ backslash");
  return r;
}

}  // namespace futon_bench::testing
