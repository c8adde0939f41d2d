// SPDX-License-Identifier: BSL-1.0
// results.json: well-formed, and what --baseline reads back is what was written.
#include "json.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include "baseline.hpp"
#include "report.hpp"
#include "test_results.hpp"

namespace futon_bench {
namespace {

struct sample_run {
  options opts;
  calibration cal;
  machine_info machine;
  results res = testing::make_results();
  std::vector<target_result> targets;

  sample_run() {
    opts.scenarios = {"contended"};
    opts.contended_threads = {4, 8};
    opts.duration = std::chrono::milliseconds(5);
    opts.repetitions = 3;
    opts.command_line = "futon-bench --scenario=contended \"quoted\"";
    machine.futon_commit = "0123456789ab-dirty";
    machine.cpu = "Some CPU @ 2.0GHz";
    machine.cpus = 2;
    machine.kernel = "Linux 6.1.0 x86_64";
    machine.date_utc = "2026-12-05 10:00 UTC";
    targets.push_back({1, "a target", verdict::pass, "futon 1.00x (target <= 0.80x)"});
  }

  run_record record() const {
    return run_record{opts,
                      cal,
                      machine,
                      "0.12 0.20 0.30",
                      "1.50 0.40 0.35",
                      0.01,
                      {},
                      peer_libraries(),
                      12.5,
                      res,
                      targets,
                      {},
                      nullptr};
  }
};

json_value parse_or_fail(const std::string& text) {
  std::string error;
  auto v = parse_json(text, error);
  EXPECT_TRUE(v.has_value()) << error << "\n" << text;
  return v ? *v : json_value{};
}

void expect_same_results(const results& a, const results& b) {
  ASSERT_EQ(a.points.size(), b.points.size());
  for (std::size_t i = 0; i < a.points.size(); ++i) {
    const point& p = a.points[i];
    const point& q = b.points[i];
    EXPECT_EQ(p.scenario, q.scenario);
    EXPECT_EQ(p.title, q.title);
    EXPECT_EQ(p.param, q.param);
    EXPECT_EQ(p.notes, q.notes);
    ASSERT_EQ(p.metrics.size(), q.metrics.size());
    for (std::size_t m = 0; m < p.metrics.size(); ++m) {
      EXPECT_EQ(p.metrics[m].key, q.metrics[m].key);
      EXPECT_EQ(p.metrics[m].unit, q.metrics[m].unit);
      EXPECT_EQ(p.metrics[m].direction, q.metrics[m].direction);
      EXPECT_EQ(p.metrics[m].show_worst, q.metrics[m].show_worst);
    }
    ASSERT_EQ(p.impls.size(), q.impls.size());
    for (std::size_t k = 0; k < p.impls.size(); ++k) {
      EXPECT_EQ(p.impls[k].impl, q.impls[k].impl);
      ASSERT_EQ(p.impls[k].values.size(), q.impls[k].values.size());
      for (std::size_t m = 0; m < p.impls[k].values.size(); ++m) {
        const auto& x = p.impls[k].values[m];
        const auto& y = q.impls[k].values[m];
        ASSERT_EQ(x.size(), y.size());
        for (std::size_t r = 0; r < x.size(); ++r) {
          if (std::isnan(x[r])) {
            EXPECT_TRUE(std::isnan(y[r]));
          } else {
            EXPECT_EQ(x[r], y[r]);  // exact: 17 significant digits
          }
        }
      }
    }
  }
}

TEST(FutonBenchJson, ReportIsWellFormedAndDescribesTheRun) {
  const sample_run run;
  const json_value doc = parse_or_fail(json_report(run.record()));
  ASSERT_EQ(doc.type, json_value::kind::object);
  EXPECT_EQ(doc.member("format")->text, "futon-bench results");
  const json_value* machine = doc.member("machine");
  ASSERT_NE(machine, nullptr);
  EXPECT_EQ(machine->member("futon_commit")->text, "0123456789ab-dirty");
  EXPECT_EQ(machine->member("kernel")->text, "Linux 6.1.0 x86_64");
  EXPECT_EQ(machine->member("load_before")->text, "0.12 0.20 0.30");
  EXPECT_EQ(machine->member("load_after")->text, "1.50 0.40 0.35");
  EXPECT_TRUE(machine->member("quiet")->boolean);
  EXPECT_EQ(doc.member("run")->member("command")->text, run.opts.command_line);
  EXPECT_EQ(doc.member("peers")->items.size(), peer_libraries().size());
  EXPECT_EQ(doc.member("targets")->items.at(0).member("outcome")->text, "PASS");
  EXPECT_EQ(doc.member("points")->items.size(), 2u);
}

TEST(FutonBenchJson, ResultsRoundTripThroughTheBaselineReader) {
  sample_run run;
  // A figure this OS cannot give is NaN: written as null, read back as NaN.
  run.res.points[0].add("std", "cpu", std::numeric_limits<double>::quiet_NaN());
  run.res.points[0].add("futon", "cpu", 1.0 / 3.0);
  const json_value doc = parse_or_fail(json_report(run.record()));
  std::string error;
  const auto back = results_from_json(doc, error);
  ASSERT_TRUE(back.has_value()) << error;
  expect_same_results(run.res, *back);
}

TEST(FutonBenchJson, LoadBaselineReadsAWrittenFile) {
  const sample_run run;
  const auto path = std::filesystem::temp_directory_path() /
                    ("futon_bench_json_test_" +
                     std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + ".json");
  {
    std::ofstream out(path, std::ios::binary);
    out << json_report(run.record());
  }
  std::string error;
  const auto base = load_baseline(path.string(), error);
  std::filesystem::remove(path);
  ASSERT_TRUE(base.has_value()) << error;
  EXPECT_EQ(base->futon_commit, "0123456789ab-dirty");
  EXPECT_EQ(base->date_utc, "2026-12-05 10:00 UTC");
  expect_same_results(run.res, base->res);
}

TEST(FutonBenchJson, StringsKeepEveryCharacter) {
  const std::string text = "quote \" backslash \\ newline \n tab \t bell \a utf-8 \xc3\xa9";
  const json_value v = parse_or_fail(json_string(text));
  EXPECT_EQ(v.text, text);
  const json_value escaped = parse_or_fail(R"("\u00e9\ud83d\ude00\/")");
  EXPECT_EQ(escaped.text, "\xc3\xa9\xf0\x9f\x98\x80/");
}

TEST(FutonBenchJson, NumbersAreExactAndNonFiniteIsNull) {
  for (const double x : {0.0, -1.5, 1e-300, 123456789.123456789, 1.0 / 3.0}) {
    EXPECT_EQ(parse_or_fail(json_number(x)).number, x);
  }
  EXPECT_EQ(json_number(std::numeric_limits<double>::quiet_NaN()), "null");
  EXPECT_EQ(json_number(std::numeric_limits<double>::infinity()), "null");
  EXPECT_TRUE(std::isnan(parse_or_fail("null").as_number()));
}

TEST(FutonBenchJson, MalformedTextIsRejectedWithALine) {
  for (const char* bad : {"", "{", "[1,]", "{\"a\" 1}", "{\"a\": 1,}", "01", "1.", "-", "\"abc",
                          "\"\\x\"", "tru", "[1] 2", "{\"a\": [1, 2}", "\"a\nb\""}) {
    std::string error;
    EXPECT_FALSE(parse_json(bad, error).has_value()) << bad;
    EXPECT_EQ(error.rfind("line ", 0), 0u) << bad << ": " << error;
  }
  std::string error;
  EXPECT_TRUE(parse_json(" {\"a\": [1, -2.5e3, true, false, null, {}], \"b\": \"\"} ", error))
      << error;
  EXPECT_FALSE(parse_json(std::string(100, '['), error).has_value());  // nested too deeply
}

TEST(FutonBenchJson, OtherDocumentsAreNotTakenForResults) {
  std::string error;
  EXPECT_FALSE(results_from_json(parse_or_fail("{\"points\": []}"), error).has_value());
  EXPECT_NE(error.find("futon-bench"), std::string::npos);
  EXPECT_FALSE(load_baseline("/nonexistent/futon-bench/results.json", error).has_value());
  EXPECT_NE(error.find("cannot read"), std::string::npos);
}

}  // namespace
}  // namespace futon_bench
