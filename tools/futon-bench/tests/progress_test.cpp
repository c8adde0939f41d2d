// SPDX-License-Identifier: BSL-1.0
// The progress line's estimate of the time left.
#include "progress.hpp"

#include <gtest/gtest.h>

#include "options.hpp"
#include "scenarios.hpp"

namespace futon_bench {
namespace {

TEST(FutonBenchProgress, TimeLeftScalesThePlanByThePaceSoFar) {
  // Two cheap points done in 4 s (planned 2 s): the rest, planned 6 s, takes twice that.
  const std::vector<double> planned = {1, 1, 3, 3};
  EXPECT_DOUBLE_EQ(progress::seconds_left(planned, 2, 4.0), 12.0);
  EXPECT_DOUBLE_EQ(progress::seconds_left(planned, 4, 20.0), 0.0);
  EXPECT_LT(progress::seconds_left(planned, 0, 1.0), 0);  // nothing to go by yet
}

TEST(FutonBenchProgress, PlanHasOnePositiveCostPerPoint) {
  options o;
  o.contended_threads = {1, 2, 4};
  o.shared_threads = {1, 8};
  o.waiters = {4};
  o.pairs = {1, 2};
  o.recursive_threads = {1, 16};
  o.processes = {2, 8};
  o.duration = std::chrono::milliseconds(100);
  o.repetitions = 2;
  for (const auto& s : all_scenarios()) {
    const auto costs = planned_costs(s, o);
    EXPECT_EQ(static_cast<int>(costs.size()), point_count(s, o)) << s;
    for (const double c : costs)
      EXPECT_GT(c, 0) << s;
  }
  // A contended point runs every mutex for the whole duration; an uncontended one a quarter.
  EXPECT_GT(planned_costs("contended", o)[0], planned_costs("uncontended", o)[0]);
}

}  // namespace
}  // namespace futon_bench
