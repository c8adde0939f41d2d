// SPDX-License-Identifier: BSL-1.0
// The application scenarios (group commit, thread pool, cache, pipeline): a tiny run of each
// family gives futon's and std's figures at every point with no failed check; the targets
// T8..T11 judge them; the report files carry their points and metrics; a family's name on the
// command line selects all its cases.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "baseline.hpp"
#include "chart_svg.hpp"
#include "json.hpp"
#include "options.hpp"
#include "report.hpp"
#include "scenarios.hpp"
#include "targets.hpp"

namespace futon_bench {
namespace {

using namespace std::chrono_literals;

struct family_case {
  const char* family;
  int cases;                         // scenario keys in the family
  std::vector<std::string> metrics;  // beyond throughput, spread, cpu, switches
  int target;                        // its target's number
  const char* target_name;
};

const family_case families[] = {
    {"group_commit", 1, {"group"}, 8, "T8 group commit"},
    {"thread_pool", 4, {}, 9, "T9 thread pool"},
    {"cache", 3, {}, 10, "T10 read-mostly cache"},
    {"pipeline", 1, {"p50", "p99", "p999"}, 11, "T11 pipeline"},
};

options tiny_options(const std::vector<std::string>& families_run) {
  options opts;
  for (const auto& s : all_scenarios()) {
    for (const auto& f : families_run) {
      if (in_family(s, f)) opts.scenarios.push_back(s);
    }
  }
  opts.contended_threads = {1, 3};
  // An eighth of it per measurement: 20 ms, long enough for every thread to start working even
  // on a loaded machine or under qemu-user.
  opts.duration = 160ms;
  opts.repetitions = 1;
  return opts;
}

results run_tiny(const options& opts, const calibration& cal) {
  std::vector<double> planned;
  for (const auto& s : opts.scenarios) {
    const auto costs = planned_costs(s, opts);
    planned.insert(planned.end(), costs.begin(), costs.end());
  }
  progress prog(planned);
  results out;
  context ctx{opts, cal, prog, out};
  for (const auto& s : opts.scenarios)
    run_scenario(s, ctx);
  return out;
}

calibration tiny_calibration() {
  calibration cal;
  cal.ns_per_step = 1;  // steps_for(ns): about ns steps, a fraction of ns on most machines
  cal.inside_steps = 10;
  cal.outside_steps = 50;
  return cal;
}

// A tiny run of the family gives futon's and std's figures at every point, and its target a
// verdict.
void check_tiny_run(const family_case& f) {
  const options opts = tiny_options({f.family});
  ASSERT_EQ(static_cast<int>(opts.scenarios.size()), f.cases);
  const results out = run_tiny(opts, tiny_calibration());
  ASSERT_EQ(static_cast<int>(out.points.size()), 2 * f.cases);
  for (const auto& p : out.points) {
    EXPECT_TRUE(is_application_scenario(p.scenario)) << p.scenario;
    EXPECT_TRUE(p.param == 1 || p.param == 3) << p.title;
    EXPECT_FALSE(p.failed) << p.title << ": " << (p.notes.empty() ? "" : p.notes.front());
    std::vector<std::string> keys = {"throughput", "spread", "cpu", "switches"};
    keys.insert(keys.end(), f.metrics.begin(), f.metrics.end());
    ASSERT_EQ(p.metrics.size(), keys.size()) << p.title;
    for (std::size_t m = 0; m < keys.size(); ++m)
      EXPECT_EQ(p.metrics[m].key, keys[m]) << p.title;
    for (const char* impl : {"futon", "std"}) {
      // --repetitions=1 made even: each implementation ran once first and once second.
      ASSERT_NE(p.find(impl), nullptr) << p.title << " " << impl;
      for (const auto& per_metric : p.find(impl)->values)
        EXPECT_EQ(per_metric.size(), 2u) << p.title << " " << impl;
      for (const auto& m : p.metrics) {
        const auto v = p.median(impl, m.key);
        ASSERT_TRUE(v.has_value()) << p.title << " " << impl << " " << m.key;
        if (m.key == "switches") continue;  // NaN where the OS does not count them
        // Every figure is positive once anything was done: a group has a writer, a latency is
        // measured only on a finished item.
        EXPECT_GT(*v, 0) << p.title << " " << impl << " " << m.key;
      }
    }
  }
  const auto targets = evaluate_targets(out);
  ASSERT_EQ(targets.size(), 13u);
  for (const auto& t : targets) {
    if (t.number == f.target) {
      EXPECT_NE(t.outcome, verdict::skip) << t.line();
      EXPECT_NE(t.line().find(f.target_name), std::string::npos) << t.line();
      EXPECT_NE(t.line().find("futon/std throughput"), std::string::npos) << t.line();
    } else if (t.number >= 8) {
      EXPECT_EQ(t.outcome, verdict::skip) << t.line();  // another family's: not run here
    }
  }
}

TEST(FutonBenchApplications, GroupCommitTinyRun) {
  check_tiny_run(families[0]);
}
TEST(FutonBenchApplications, ThreadPoolTinyRun) {
  check_tiny_run(families[1]);
}
TEST(FutonBenchApplications, CacheTinyRun) {
  check_tiny_run(families[2]);
}
TEST(FutonBenchApplications, PipelineTinyRun) {
  check_tiny_run(families[3]);
}

TEST(FutonBenchApplications, ReportFilesCarryTheirPointsAndMetrics) {
  std::vector<std::string> names;
  for (const auto& f : families)
    names.emplace_back(f.family);
  options opts = tiny_options(names);
  opts.contended_threads = {2};
  opts.command_line = "futon-bench --scenario=group_commit,thread_pool,cache,pipeline";
  const calibration cal = tiny_calibration();
  const results res = run_tiny(opts, cal);
  ASSERT_EQ(res.points.size(), 9u);
  const auto targets = evaluate_targets(res);
  machine_info machine;
  const run_record record{opts,         cal, machine, "0.1 0.1 0.1", "0.2 0.2 0.2",
                          std::nullopt, {},  {},      1.0,           res,
                          targets,      {},  nullptr};

  const std::string md = markdown_report(record);
  for (const char* text :
       {"## Application: group commit", "## Application: thread pool",
        "## Application: read-mostly cache", "## Application: three-stage pipeline",
        "writers per group", "latency p99.9", "thread pool on a semaphore, 1 us tasks, 2 workers",
        "cache, 50% lookups, 2 threads", "T8 group commit", "T11 pipeline"}) {
    EXPECT_NE(md.find(text), std::string::npos) << text;
  }

  const std::string csv = csv_report(res);
  for (const char* text : {"\ngroup_commit,", "\nthread_pool_10us,", "\ncache_99,",
                           "\npipeline,\"pipeline, 3 stages x 2 threads\",2,\"futon\",p999,"}) {
    EXPECT_NE(csv.find(text), std::string::npos) << text;
  }

  // A chart per application scenario, with futon's and std's medians at the thread count run.
  const auto charts = report_charts(res);
  ASSERT_EQ(charts.size(), 9u);
  EXPECT_EQ(charts.front().first, "group_commit.svg");
  EXPECT_EQ(charts.back().first, "pipeline.svg");
  for (const auto& [file, c] : charts) {
    for (const char* median : {"futon median", "std median"}) {
      const auto series = std::find_if(c.series.begin(), c.series.end(),
                                       [&](const chart_series& s) { return s.name == median; });
      ASSERT_NE(series, c.series.end()) << file << ": " << median;
      ASSERT_EQ(series->points.size(), 1u) << file;
      EXPECT_EQ(series->points.front().first, 2.0) << file;
      EXPECT_GT(series->points.front().second, 0.0) << file;
    }
  }

  // results.json read back as --baseline would: the same points, with the latency metrics.
  std::string error;
  const auto document = parse_json(json_report(record), error);
  ASSERT_TRUE(document.has_value()) << error;
  const auto back = results_from_json(*document, error);
  ASSERT_TRUE(back.has_value()) << error;
  ASSERT_EQ(back->points.size(), res.points.size());
  const point* pipeline = back->find("pipeline", 2);
  ASSERT_NE(pipeline, nullptr);
  EXPECT_TRUE(pipeline->median("std", "p999").has_value());
  EXPECT_NE(back->find("thread_pool_semaphore", 2), nullptr);
}

// parse_options with argv built from `args` (argv[0] first).
std::optional<options> parse(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  int exit_code = 0;
  return parse_options(static_cast<int>(argv.size()), argv.data(), exit_code);
}

// --control: std's primitives run a second time, as std-control, as often as futon and std, and
// the target line reports them against std.
TEST(FutonBenchApplications, ControlRunsStdTwice) {
  const auto parsed = parse({"futon-bench", "--scenario=group_commit", "--control"});
  ASSERT_TRUE(parsed.has_value());
  EXPECT_TRUE(parsed->control);
  EXPECT_FALSE(parse({"futon-bench", "--scenario=group_commit"})->control);
  options opts = tiny_options({"group_commit"});
  opts.control = true;
  const results out = run_tiny(opts, tiny_calibration());
  ASSERT_EQ(out.points.size(), 2u);
  for (const auto& p : out.points) {
    for (const char* impl : {"futon", "std", "std-control"}) {
      ASSERT_NE(p.find(impl), nullptr) << p.title << " " << impl;
      EXPECT_EQ(p.find(impl)->values.front().size(), 2u) << p.title << " " << impl;
    }
  }
  const auto t = evaluate_targets(out).at(7);
  EXPECT_NE(t.line().find("T8 group commit"), std::string::npos) << t.line();
  EXPECT_NE(t.line().find("std against itself (--control): missed at "), std::string::npos)
      << t.line();
}

TEST(FutonBenchApplications, AFamilyNameSelectsAllItsCases) {
  const auto o = parse({"futon-bench", "--scenario=pipeline,thread_pool,cache_90"});
  ASSERT_TRUE(o.has_value());
  const std::vector<std::string> expected = {"thread_pool_0us",  "thread_pool_1us",
                                             "thread_pool_10us", "thread_pool_semaphore",
                                             "cache_90",         "pipeline"};
  EXPECT_EQ(o->scenarios, expected);
  EXPECT_FALSE(parse({"futon-bench", "--scenario=cache_7"}).has_value());
  // Only a family's own name: not any prefix of a key.
  EXPECT_FALSE(parse({"futon-bench", "--scenario=thread"}).has_value());
  EXPECT_FALSE(parse({"futon-bench", "--scenario=group"}).has_value());
  // --threads reaches the application scenarios (they share the contended list).
  const auto t = parse({"futon-bench", "--scenario=cache", "--threads=2,64"});
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->contended_threads, (std::vector<int>{2, 64}));
  EXPECT_EQ(point_count("cache_99", *t), 2);
}

}  // namespace
}  // namespace futon_bench
