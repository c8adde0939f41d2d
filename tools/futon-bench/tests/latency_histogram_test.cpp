// SPDX-License-Identifier: BSL-1.0
// The pipeline's latency histogram: exact below 32 ns, within 1/16 above the true percentile
// elsewhere, never below it; merging adds counts; huge and negative latencies stay in range.
#include "latency_histogram.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace futon_bench {
namespace {

TEST(FutonBenchLatencyHistogram, EmptyReadsZero) {
  const latency_histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.percentile(0.5), 0);
}

TEST(FutonBenchLatencyHistogram, SmallValuesAreExact) {
  latency_histogram h;
  for (std::int64_t v = 0; v < 32; ++v)
    h.record(v);
  EXPECT_EQ(h.count(), 32u);
  EXPECT_EQ(h.percentile(0.5), 15);
  EXPECT_EQ(h.percentile(1.0), 31);
  EXPECT_EQ(h.percentile(0.0), 0);
}

TEST(FutonBenchLatencyHistogram, PercentilesAreWithinASixteenthAbove) {
  latency_histogram h;
  constexpr std::int64_t n = 100'000;
  for (std::int64_t v = 1; v <= n; ++v)
    h.record(v * 10);  // 10 ns .. 1 ms, evenly
  for (const double f : {0.5, 0.9, 0.99, 0.999}) {
    const double truth = f * n * 10;
    const double read = static_cast<double>(h.percentile(f));
    EXPECT_GE(read, truth) << f;
    EXPECT_LE(read, truth * (1 + 1.0 / 16)) << f;
  }
}

TEST(FutonBenchLatencyHistogram, MergeAddsAndExtremesStayInRange) {
  latency_histogram a;
  latency_histogram b;
  for (int i = 0; i < 99; ++i)
    a.record(1000);
  b.record(std::numeric_limits<std::int64_t>::max());
  b.record(-5);  // a clock that went backwards reads as 0
  a.merge(b);
  EXPECT_EQ(a.count(), 101u);
  EXPECT_EQ(a.percentile(0.0), 0);
  EXPECT_GE(a.percentile(0.5), 1000);
  EXPECT_LE(a.percentile(0.5), 1000 + 1000 / 16);
  EXPECT_EQ(a.percentile(1.0), std::numeric_limits<std::int64_t>::max());
}

}  // namespace
}  // namespace futon_bench
