// SPDX-License-Identifier: BSL-1.0
// futon-bench: futon's primitives against the standard library's and the peers' (abseil, oneTBB,
// glibc's adaptive mutex, where compiled in), side by side, in one run. See --help, and options.cpp
// for the embedded default configuration.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "baseline.hpp"
#include "calibrate.hpp"
#include "chart_svg.hpp"
#include "implementations.hpp"
#include "machine_info.hpp"
#include "options.hpp"
#include "peers.hpp"
#include "process_usage.hpp"
#include "progress.hpp"
#include "ratio_table.hpp"
#include "report.hpp"
#include "scenarios.hpp"
#include "system_activity.hpp"
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

  // Likewise a baseline that cannot be read.
  std::optional<baseline> base;
  if (!opts.baseline_file.empty()) {
    std::string why;
    base = load_baseline(opts.baseline_file, why);
    if (!base) {
      std::fprintf(stderr, "futon-bench: --baseline: %s\n", why.c_str());
      return 1;
    }
  }
  const std::filesystem::path json_path =
      opts.json_file.empty() ? out / "results.json" : std::filesystem::path(opts.json_file);
  if (json_path.has_parent_path())
    std::filesystem::create_directories(json_path.parent_path(), error);

  const std::int64_t start = now_ns();
  const machine_info machine = describe_machine();
  const std::string load_before = load_average();
  const system_cpu_time machine_before = system_cpu_time::now();
  const process_usage own_before = process_usage::now();
  std::string names;
  for (const auto& i : compared_implementations()) {
    if (i == "std-control" && !opts.control) continue;
    names += (names.empty() ? "" : " vs ") + i;
  }
  std::printf("futon-bench: %s\n  on %s, %u logical CPUs, %s; futon %s; load average %s\n",
              names.c_str(), machine.cpu.c_str(), machine.cpus, machine.kernel.c_str(),
              machine.futon_commit.c_str(), load_before.c_str());
  const auto peers = peer_libraries();
  std::printf("  %s\n", peer_summary(peers).c_str());
  std::printf("  %lld ms per measurement, %d repetition%s%s; report in %s\n",
              static_cast<long long>(opts.duration.count() / 1'000'000), opts.repetitions,
              opts.repetitions == 1 ? "" : "s", opts.quick ? " (--quick)" : "",
              out.string().c_str());
  if (base) {
    std::printf("  baseline: %s (futon %s, %s)\n", base->file.c_str(), base->futon_commit.c_str(),
                base->date_utc.c_str());
  }
  for (const auto& warning : quiet_warnings(load_before, std::nullopt, machine.cpus)) {
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

  std::vector<double> planned;
  for (const auto& s : opts.scenarios) {
    const auto costs = planned_costs(s, opts);
    planned.insert(planned.end(), costs.begin(), costs.end());
  }
  results res;
  progress prog(planned);
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
  const auto others_share =
      others_cpu_share(machine_before, system_cpu_time::now(),
                       static_cast<double>((process_usage::now() - own_before).cpu_ns) * 1e-9);
  const auto warnings = quiet_warnings(load_before, others_share, machine.cpus);

  std::printf("\nRatios (median of %d repetitions; \"worst rep\" rows: the worst repetition)\n\n",
              opts.repetitions);
  std::fputs(ratio_table(res, base ? &base->res : nullptr).to_text().c_str(), stdout);
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
  for (const auto& [file, c] : report_charts(res)) {
    written &= write_file(out / file, render_svg(c));
    charts.push_back(file);
  }
  const run_record record{
      opts,  cal,  machine, load_before, load_after, others_share,           warnings,
      peers, wall, res,     targets,     charts,     base ? &*base : nullptr};
  written &= write_file(out / "report.md", markdown_report(record));
  written &= write_file(out / "results.csv", csv_report(res));
  written &= write_file(json_path, json_report(record));
  std::printf("\nReport: %s (with %s, results.csv, %s); %.0f s, load average now %s\n",
              (out / "report.md").string().c_str(), charts.empty() ? "no chart" : "the charts",
              json_path.string().c_str(), wall, load_after.c_str());
  if (others_share) {
    std::printf("Other processes used %.0f%% of the machine's CPU time during the run.\n",
                100 * *others_share);
  }
  if (warnings.empty()) {
    std::printf("The machine was quiet.\n");
  }
  for (const auto& warning : warnings) {
    std::printf("Warning: the machine was not quiet: %s.\n", warning.c_str());
  }

  // A broken guarantee seen while measuring (a failed check) fails the run.
  const bool broken =
      std::any_of(res.points.begin(), res.points.end(), [](const point& p) { return p.failed; });
  return !written || broken ? 1 : 0;
}
