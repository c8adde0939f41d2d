// SPDX-License-Identifier: BSL-1.0
// How an application scenario measures one point: every repetition runs futon's primitives and
// std's, in alternating order (for_each_primitive_set), over an even number of repetitions
// (application_repetitions), and the point joins the results.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "application_primitives.hpp"
#include "results.hpp"
#include "scenarios.hpp"

namespace futon_bench {

// measure.template operator()<Primitives>(p) adds one repetition of one implementation to `p`.
template <class Measure>
void measure_application_point(context& ctx, std::string scenario, int param, std::string title,
                               std::vector<metric> metrics, Measure measure) {
  point p;
  p.scenario = std::move(scenario);
  p.param = param;
  p.title = std::move(title);
  p.metrics = std::move(metrics);
  // An even count, so that each implementation goes first as often (scenarios.hpp).
  for (int rep = 0; rep < application_repetitions(ctx.opts); ++rep) {
    for_each_primitive_set(
        [&]<class Primitives>() {
          measure.template operator()<Primitives>(p);
          heartbeat(p.title);
        },
        order_of_repetition(rep), ctx.opts.control);
  }
  ctx.out.points.push_back(std::move(p));
  ctx.prog.done(ctx.out.points.back());
}

// "8 writers", "1 writer".
inline std::string count_of(int n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace futon_bench
