// SPDX-License-Identifier: BSL-1.0
// --baseline: this run's figures over an earlier run's, point by point, in the ratio table.
#include "baseline.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "ratio_table.hpp"
#include "test_results.hpp"

namespace futon_bench {
namespace {

TEST(FutonBenchBaseline, RatioOfMediansAtTheSamePoint) {
  const results base = testing::make_results(1.0);
  const results now = testing::make_results(1.5);
  // futon's throughput medians: 6 then 9 at 4 threads; std's unchanged.
  const auto futon = baseline_ratio(now.points[0], base, "futon", "throughput");
  ASSERT_TRUE(futon.has_value());
  EXPECT_DOUBLE_EQ(*futon, 1.5);
  const auto std_ratio = baseline_ratio(now.points[0], base, "std", "throughput");
  ASSERT_TRUE(std_ratio.has_value());
  EXPECT_DOUBLE_EQ(*std_ratio, 1.0);
  // Worst repetition: throughput is higher-is-better, so the lowest, 5 then 7.5.
  const auto worst = baseline_ratio(now.points[0], base, "futon", "throughput", true);
  ASSERT_TRUE(worst.has_value());
  EXPECT_DOUBLE_EQ(*worst, 1.5);
  // Lower-is-better metrics are divided the same way (this run over the baseline).
  const auto cpu = baseline_ratio(now.points[0], base, "futon", "cpu");
  ASSERT_TRUE(cpu.has_value());
  EXPECT_DOUBLE_EQ(*cpu, 1.0);
}

TEST(FutonBenchBaseline, MatchesPointsByScenarioAndParameterNotPosition) {
  results base = testing::make_results(1.0);
  std::reverse(base.points.begin(), base.points.end());
  const results now = testing::make_results(2.0);
  const auto at8 = baseline_ratio(now.points[1], base, "futon", "throughput");
  ASSERT_TRUE(at8.has_value());
  EXPECT_DOUBLE_EQ(*at8, 2.0);
}

TEST(FutonBenchBaseline, NothingWhereTheBaselineHasNoFigure) {
  const results now = testing::make_results();
  results base = testing::make_results();
  base.points.pop_back();  // no 8-thread point
  EXPECT_FALSE(baseline_ratio(now.points[1], base, "futon", "throughput").has_value());
  EXPECT_FALSE(baseline_ratio(now.points[0], base, "absl", "throughput").has_value());
  EXPECT_FALSE(baseline_ratio(now.points[0], base, "futon", "no such metric").has_value());
  base.points[0] = testing::make_point("contended", 4, {"futon"}, {{0, 0, 0}}, {{1, 1, 1}});
  EXPECT_FALSE(baseline_ratio(now.points[0], base, "futon", "throughput").has_value());
}

TEST(FutonBenchBaseline, RatioTableGetsVsBaseColumnsOnlyWithABaseline) {
  const results base = testing::make_results(1.0);
  const results now = testing::make_results(1.5);
  const text_table plain = ratio_table(now);
  EXPECT_EQ(std::find(plain.header.begin(), plain.header.end(), "futon vs base"),
            plain.header.end());
  const text_table t = ratio_table(now, &base);
  const auto column = std::find(t.header.begin(), t.header.end(), "futon vs base");
  ASSERT_NE(column, t.header.end());
  const auto futon_col = static_cast<std::size_t>(column - t.header.begin());
  ASSERT_EQ(t.header.at(futon_col + 1), "std vs base");
  ASSERT_FALSE(t.rows.empty());
  // The first row: 4 threads, throughput median.
  EXPECT_EQ(t.rows[0].at(futon_col), "1.50x");
  EXPECT_EQ(t.rows[0].at(futon_col + 1), "1.00x");
  EXPECT_EQ(t.header.size(), t.rows[0].size());
}

}  // namespace
}  // namespace futon_bench
