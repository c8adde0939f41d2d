// SPDX-License-Identifier: BSL-1.0
// The targets of issue 11 (targets.cpp), each on made-up results that meet it and on results
// that miss it by one condition: the verdict and the figures its line names.
#include "targets.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "results.hpp"

namespace futon_bench {
namespace {

// A point of `scenario` with one metric `key`, each implementation's repetitions given.
point made_point(const std::string& scenario, int param, const std::string& key, better direction,
                 const std::vector<std::pair<std::string, std::vector<double>>>& values) {
  point p;
  p.scenario = scenario;
  p.param = param;
  p.title = scenario + " " + std::to_string(param);
  p.metrics = {{key, key, "u", direction, true}};
  for (const auto& [impl, reps] : values) {
    for (const double v : reps)
      p.add(impl, key, v);
  }
  return p;
}

const target_result& numbered(const std::vector<target_result>& all, int number) {
  return all.at(static_cast<std::size_t>(number - 1));
}

bool mentions(const target_result& t, const std::string& text) {
  return t.line().find(text) != std::string::npos;
}

TEST(FutonBenchTargets, EveryTargetIsSkippedWithoutItsScenario) {
  const auto all = evaluate_targets(results{});
  ASSERT_EQ(all.size(), 13u);
  for (const auto& t : all)
    EXPECT_EQ(t.outcome, verdict::skip) << t.line();
}

TEST(FutonBenchTargets, UncontendedNeedsBothTheStdRatioAndTheFloor) {
  auto run = [](double futon) {
    results r;
    r.points.push_back(
        made_point("uncontended", 0, "time", better::lower,
                   {{"futon", {futon}}, {"std", {10.0}}, {"CAS lock + CAS unlock", {7.2}}}));
    return numbered(evaluate_targets(r), 1);
  };
  EXPECT_EQ(run(7.5).outcome, verdict::pass) << run(7.5).line();  // 0.75x std, 1.04x the floor
  EXPECT_EQ(run(7.7).outcome, verdict::miss) << run(7.7).line();  // 0.77x std
  results slow_floor;
  slow_floor.points.push_back(
      made_point("uncontended", 0, "time", better::lower,
                 {{"futon", {7.0}}, {"std", {10.0}}, {"CAS lock + CAS unlock", {6.0}}}));
  const auto t = numbered(evaluate_targets(slow_floor), 1);  // 0.70x std but 1.17x the floor
  EXPECT_EQ(t.outcome, verdict::miss) << t.line();
  EXPECT_TRUE(mentions(t, "target <= 0.75x") && mentions(t, "target <= 1.05x")) << t.line();
}

TEST(FutonBenchTargets, ContendedMissesAConvoyRepetitionAndARepetitionBehindStd) {
  auto run = [](std::vector<double> futon, std::vector<double> std_values) {
    results r;
    r.points.push_back(made_point("contended", 4, "throughput", better::higher,
                                  {{"futon", futon}, {"std", std_values}}));
    return numbered(evaluate_targets(r), 2);
  };
  EXPECT_EQ(run({10, 11, 10.5}, {9, 10, 10}).outcome, verdict::pass);
  // One repetition fell to 0.8x the median: a convoy, though every one beat std's.
  const auto convoy = run({10, 8, 10.5}, {5, 5, 5});
  EXPECT_EQ(convoy.outcome, verdict::miss) << convoy.line();
  EXPECT_TRUE(mentions(convoy, "worst/median 0.80x")) << convoy.line();
  // Steady, and ahead on the medians (10.5 vs 10.4), but behind std in the second repetition.
  const auto behind = run({10.5, 10, 11}, {10.4, 10.4, 10.4});
  EXPECT_EQ(behind.outcome, verdict::miss) << behind.line();
  // Thread counts outside 2..32 are not held to it.
  results one;
  one.points.push_back(made_point("contended", 1, "throughput", better::higher,
                                  {{"futon", {1, 5, 10}}, {"std", {20, 20, 20}}}));
  EXPECT_EQ(numbered(evaluate_targets(one), 2).outcome, verdict::skip);
}

TEST(FutonBenchTargets, BroadcastHoldsEachWaiterCountToStdAndToNPlusTwoSwitches) {
  auto add = [](results& r, int waiters, double futon, double std_latency, double switches) {
    point p;
    p.scenario = "broadcast";
    p.param = waiters;
    p.title = "broadcast " + std::to_string(waiters);
    p.metrics = {{"latency", "latency", "us", better::lower, true},
                 {"switches", "switches", "cs", better::lower, true}};
    p.add("futon", "latency", futon);
    p.add("futon", "switches", switches);
    p.add("std", "latency", std_latency);
    p.add("std", "switches", switches * 2);
    r.points.push_back(p);
  };
  results good;
  add(good, 4, 30, 40, 6);
  add(good, 16, 80, 90, 18);
  add(good, 64, 200, 800, 66);
  EXPECT_EQ(numbered(evaluate_targets(good), 5).outcome, verdict::pass)
      << numbered(evaluate_targets(good), 5).line();
  results slow;
  add(slow, 4, 30, 40, 6);
  add(slow, 16, 95, 90, 18);  // slower than std at 16
  add(slow, 64, 200, 800, 66);
  const auto t = numbered(evaluate_targets(slow), 5);
  EXPECT_EQ(t.outcome, verdict::miss);
  EXPECT_TRUE(mentions(t, "missed at 16 waiters")) << t.line();
  results switchy;
  add(switchy, 64, 200, 800, 67);  // one switch over 64 + 2
  EXPECT_EQ(numbered(evaluate_targets(switchy), 5).outcome, verdict::miss);
}

TEST(FutonBenchTargets, SemaphoreAndSharedMutexMustReachStdAtTheirPoints) {
  results r;
  for (const int pairs : {1, 2, 4})
    r.points.push_back(made_point("semaphore", pairs, "throughput", better::higher,
                                  {{"futon", {pairs == 2 ? 0.9 : 1.2}}, {"std", {1.0}}}));
  // 8 pairs is not among the points: behind there changes nothing.
  r.points.push_back(
      made_point("semaphore", 8, "throughput", better::higher, {{"futon", {0.5}}, {"std", {1.0}}}));
  for (const int threads : {1, 2, 4})
    r.points.push_back(made_point("shared", threads, "throughput", better::higher,
                                  {{"futon", {2.0}}, {"std", {1.0}}}));
  const auto all = evaluate_targets(r);
  EXPECT_EQ(numbered(all, 12).outcome, verdict::miss) << numbered(all, 12).line();
  EXPECT_TRUE(mentions(numbered(all, 12), "semaphore 2 (0.90x)")) << numbered(all, 12).line();
  EXPECT_FALSE(mentions(numbered(all, 12), "semaphore 8")) << numbered(all, 12).line();
  EXPECT_EQ(numbered(all, 13).outcome, verdict::pass) << numbered(all, 13).line();
}

}  // namespace
}  // namespace futon_bench
