// SPDX-License-Identifier: BSL-1.0
// Whether the machine was quiet: /proc/stat's CPU line, others' share, and the warnings.
#include "system_activity.hpp"

#include <gtest/gtest.h>

namespace futon_bench {
namespace {

TEST(FutonBenchQuiet, ParsesProcStatCpuLine) {
  // user nice system idle iowait irq softirq steal guest guest_nice
  const auto t = parse_proc_stat_cpu_line("cpu  100 0 50 800 20 5 5 20 0 0", 100);
  ASSERT_TRUE(t.known());
  EXPECT_DOUBLE_EQ(t.busy_seconds, 1.8);
  EXPECT_DOUBLE_EQ(t.total_seconds, 10.0);
  EXPECT_FALSE(parse_proc_stat_cpu_line("cpu0 1 2 3 4", 100).known());
  EXPECT_FALSE(parse_proc_stat_cpu_line("garbage", 100).known());
}

TEST(FutonBenchQuiet, OthersShareIsTheBusyTimeThatWasNotOurs) {
  const system_cpu_time before{10, 100};
  const system_cpu_time after{16, 110};  // 10 s of CPU time passed, 6 busy
  EXPECT_DOUBLE_EQ(*others_cpu_share(before, after, 5.0), 0.1);
  EXPECT_DOUBLE_EQ(*others_cpu_share(before, after, 7.0), 0.0);  // tick rounding: clamped
  EXPECT_FALSE(others_cpu_share(system_cpu_time{}, after, 1.0).has_value());
}

TEST(FutonBenchQuiet, WarnsOnLoadAtTheStartAndOnOthersDuringTheRun) {
  EXPECT_TRUE(quiet_warnings("0.49 1.00 2.00", 0.01, 2).empty());
  EXPECT_TRUE(quiet_warnings("n/a", std::nullopt, 2).empty());
  const auto loaded = quiet_warnings("0.50 0.10 0.10", 0.01, 2);
  ASSERT_EQ(loaded.size(), 1u);
  EXPECT_NE(loaded[0].find("0.50"), std::string::npos) << loaded[0];
  const auto busy = quiet_warnings("0.10 0.10 0.10", 0.25, 2);
  ASSERT_EQ(busy.size(), 1u);
  EXPECT_NE(busy[0].find("25%"), std::string::npos) << busy[0];
  EXPECT_EQ(quiet_warnings("3.0 3.0 3.0", 0.5, 2).size(), 2u);
}

}  // namespace
}  // namespace futon_bench
