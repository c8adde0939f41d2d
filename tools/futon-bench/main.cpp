// SPDX-License-Identifier: BSL-1.0
// futon-bench: futon's primitives against the standard library's (and abseil's), side by side,
// in one run. See --help, and options.cpp for the embedded default configuration.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "calibrate.hpp"
#include "chart_svg.hpp"
#include "implementations.hpp"
#include "machine_info.hpp"
#include "options.hpp"
#include "progress.hpp"
#include "ratio_table.hpp"
#include "report.hpp"
#include "scenarios.hpp"
#include "targets.hpp"
#include "watchdog.hpp"
#include "work.hpp"

namespace {

bool write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream file(path, std::ios::binary);
  file << text;
  file.close();
  if (!file) {
    std::fprintf(stderr, "futon-bench: cannot write %s\n", path.string().c_str());
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace futon_bench;
  int exit_code = 0;
  const auto parsed = parse_options(argc, argv, exit_code);
  if (!parsed) return exit_code;
  const options& opts = *parsed;

  // Fail on an unusable output directory now, not after minutes of measuring.
  const std::filesystem::path out = opts.out_dir;
  std::error_code error;
  std::filesystem::create_directories(out, error);
  if (error || !std::filesystem::is_directory(out)) {
    std::fprintf(stderr, "futon-bench: cannot create %s: %s\n", out.string().c_str(),
                 error.message().c_str());
    return 1;
  }

  const std::int64_t start = now_ns();
  const machine_info machine = describe_machine();
  const std::string load_before = load_average();
  std::string names;
  for (const auto& i : compared_implementations())
    names += (names.empty() ? "" : " vs ") + i;
  std::printf("futon-bench: %s on %s, %u logical CPUs, load average %s\n", names.c_str(),
              machine.cpu.c_str(), machine.cpus, load_before.c_str());
  std::printf("  %lld ms per measurement, %d repetition%s%s; report in %s\n",
              static_cast<long long>(opts.duration.count() / 1'000'000), opts.repetitions,
              opts.repetitions == 1 ? "" : "s", opts.quick ? " (--quick)" : "",
              out.string().c_str());
  if (const auto warning = load_warning(load_before, machine.cpus); !warning.empty()) {
    std::printf("  warning: %s\n", warning.c_str());
  }
  if (machine.assertions) {
    std::printf(
        "  warning: futon built with FUTON_DEBUG_CHECKS: its debug checks run in every call; use a "
        "Release build (cmake --workflow --preset report) for real numbers\n");
  }
  const calibration cal = calibrate();
  std::printf("  calibration: %s\n", cal.describe().c_str());
  std::fflush(stdout);

  int total = 0;
  for (const auto& s : opts.scenarios)
    total += point_count(s, opts);
  results res;
  progress prog(total);
  {
    // A measurement takes about one duration; allow many before calling the run stuck.
    const auto limit =
        std::chrono::seconds(std::max<long long>(120, 30 * opts.duration.count() / 1'000'000'000));
    watchdog dog(limit);
    context ctx{opts, cal, prog, res};
    for (const auto& s : opts.scenarios)
      run_scenario(s, ctx);
  }

  const auto targets = evaluate_targets(res);
  const std::string load_after = load_average();
  const double wall = static_cast<double>(now_ns() - start) * 1e-9;

  std::printf("\nRatios (median of %d repetitions; \"worst rep\" rows: the worst repetition)\n\n",
              opts.repetitions);
  std::fputs(ratio_table(res).to_text().c_str(), stdout);
  const auto refs = reference_lines(res);
  if (!refs.empty()) std::printf("\n");
  for (const auto& r : refs)
    std::printf("  reference: %s\n", r.c_str());
  std::printf("\nTargets\n\n");
  for (const auto& t : targets)
    std::printf("  %s\n", t.line().c_str());
  bool noted = false;
  for (const auto& p : res.points) {
    for (const auto& n : p.notes) {
      if (!noted) std::printf("\nNotes\n\n");
      noted = true;
      std::printf("  %s: %s\n", p.title.c_str(), n.c_str());
    }
  }

  std::vector<std::string> charts;
  bool written = true;
  if (!res.of("contended").empty()) {
    written &= write_file(
        out / "contended.svg",
        render_svg(throughput_chart(res, "contended", "Contended mutex: throughput vs threads",
                                    "threads (log scale)")));
    charts.push_back("contended.svg");
  }
  if (!res.of("shared").empty()) {
    written &=
        write_file(out / "shared.svg",
                   render_svg(throughput_chart(res, "shared", "shared_mutex, 90% reads: throughput",
                                               "threads (log scale)")));
    charts.push_back("shared.svg");
  }
  const run_record record{opts, cal, machine, load_before, load_after, wall, res, targets, charts};
  written &= write_file(out / "report.md", markdown_report(record));
  written &= write_file(out / "results.csv", csv_report(res));
  std::printf("\nReport: %s (with %s, results.csv); %.0f s, load average now %s\n",
              (out / "report.md").string().c_str(), charts.empty() ? "no chart" : "the charts",
              wall, load_after.c_str());

  // A broken guarantee seen while measuring (a failed check) fails the run.
  const bool broken =
      std::any_of(res.points.begin(), res.points.end(), [](const point& p) { return p.failed; });
  return !written || broken ? 1 : 0;
}
