// SPDX-License-Identifier: BSL-1.0
#include "ratio_reporter.hpp"

#include <algorithm>
#include <cstdio>
#include <ostream>
#include <string_view>
#include <utility>

namespace futon::bench {
namespace {

double to_ns(double value, benchmark::TimeUnit unit) {
  // GetTimeUnitMultiplier is "units per second".
  return value * 1e9 / benchmark::GetTimeUnitMultiplier(unit);
}

double median(std::vector<double> values) {
  if (values.empty()) return -1;
  std::sort(values.begin(), values.end());
  const std::size_t mid = values.size() / 2;
  return values.size() % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

// "wake_one_of_n/futon:kernel" + "waiters:16" -> {"wake_one_of_n/waiters:16", "futon:kernel"}.
// The implementation is the last component of the registered name; arguments follow it.
std::pair<std::string, std::string> split_name(const benchmark::BenchmarkName& name) {
  const std::string& function = name.function_name;
  const std::size_t slash = function.rfind('/');
  if (slash == std::string::npos) return {function, ""};
  std::string key = function.substr(0, slash);
  if (!name.args.empty()) key += "/" + name.args;
  if (!name.threads.empty()) key += "/" + name.threads;
  return {key, function.substr(slash + 1)};
}

std::string format_ns(double ns) {
  if (ns < 0) return "n/a";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, ns < 100 ? "%.2f" : "%.0f", ns);
  return buffer;
}

// A goal such as 50 or 0.8, as "50x" or "0.8x".
std::string format_goal(double speed) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%gx", speed);
  return buffer;
}

std::string format_ratio(double numerator, double denominator) {
  if (numerator < 0 || denominator <= 0) return "n/a";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2fx", numerator / denominator);
  return buffer;
}

// Orders scenario names as a reader expects, whatever order they ran in (random interleaving
// shuffles repetitions): alphabetically, except that runs of digits compare as numbers, so
// "threads:8" comes before "threads:16".
bool natural_less(const std::string& a, const std::string& b) {
  const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() && j < b.size()) {
    if (is_digit(a[i]) && is_digit(b[j])) {
      std::size_t end_a = i;
      std::size_t end_b = j;
      while (end_a < a.size() && is_digit(a[end_a]))
        ++end_a;
      while (end_b < b.size() && is_digit(b[end_b]))
        ++end_b;
      // Without leading zeros, the longer run is the larger number.
      const std::string_view run_a(a.data() + i, end_a - i);
      const std::string_view run_b(b.data() + j, end_b - j);
      if (run_a.size() != run_b.size()) return run_a.size() < run_b.size();
      if (run_a != run_b) return run_a < run_b;
      i = end_a;
      j = end_b;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

}  // namespace

ratio_reporter::ratio_reporter(benchmark::BenchmarkReporter* display,
                               std::vector<comparison> comparisons)
    : display_(display), comparisons_(std::move(comparisons)) {}

bool ratio_reporter::ReportContext(const Context& context) {
  // RunSpecifiedBenchmarks points this reporter at its streams; the wrapped one must follow.
  display_->SetOutputStream(&GetOutputStream());
  display_->SetErrorStream(&GetErrorStream());
  return display_->ReportContext(context);
}

void ratio_reporter::ReportRuns(const std::vector<Run>& runs) {
  display_->ReportRuns(runs);
  for (const Run& run : runs) {
    if (run.error_occurred) continue;
    const bool is_median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
    if (run.run_type == Run::RT_Aggregate && !is_median) continue;
    auto [key, impl] = split_name(run.run_name);
    auto [it, inserted] = scenarios_.try_emplace(key);
    if (inserted) scenario_order_.push_back(key);
    scenario& s = it->second;
    if (!s.by_impl.contains(impl)) s.impl_order.push_back(impl);
    times& t = s.by_impl[impl];
    if (run.run_name.time_type.find("manual_time") != std::string::npos) t.cpu_comparable = false;
    const double real = to_ns(run.GetAdjustedRealTime(), run.time_unit);
    const double cpu = to_ns(run.GetAdjustedCPUTime(), run.time_unit);
    if (is_median) {
      t.median_real_ns = real;
      t.median_cpu_ns = cpu;
    } else {
      t.real_ns.push_back(real);
      t.cpu_ns.push_back(cpu);
    }
  }
}

void ratio_reporter::Finalize() {
  display_->Finalize();
  // A table after JSON or CSV output would make it unparsable: put it on stderr then.
  const bool console = dynamic_cast<benchmark::ConsoleReporter*>(display_) != nullptr;
  for (const comparison& c : comparisons_)
    print_table(console ? GetOutputStream() : GetErrorStream(), c);
}

void ratio_reporter::print_table(std::ostream& out, const comparison& c) const {
  using row = std::vector<std::string>;
  std::vector<row> rows;
  const auto real_of = [](const times& t) {
    return t.median_real_ns >= 0 ? t.median_real_ns : median(t.real_ns);
  };
  const auto cpu_of = [](const times& t) {
    return t.median_cpu_ns >= 0 ? t.median_cpu_ns : median(t.cpu_ns);
  };
  const auto target_of = [&](const std::string& key,
                             const std::string& impl) -> const comparison::target* {
    for (const comparison::target& t : c.targets) {
      if (key.starts_with(t.scenario_prefix) && (t.impl.empty() || t.impl == impl)) return &t;
    }
    return nullptr;
  };
  std::vector<std::string> keys = scenario_order_;
  std::sort(keys.begin(), keys.end(), natural_less);
  for (const std::string& key : keys) {
    const scenario& s = scenarios_.at(key);
    const auto peer = s.by_impl.find(c.peer);
    if (peer == s.by_impl.end()) continue;  // nothing to divide by in this scenario
    const double peer_real = real_of(peer->second);
    const double peer_cpu = cpu_of(peer->second);
    std::vector<std::string> impls = c.impls;
    if (impls.empty()) {  // every one, in an order that does not depend on the run order
      impls = s.impl_order;
      std::sort(impls.begin(), impls.end(), natural_less);
    }
    for (const std::string& impl : impls) {
      const auto found = s.by_impl.find(impl);
      if (impl == c.peer || found == s.by_impl.end()) continue;
      const times& t = found->second;
      const bool cpu_comparable = t.cpu_comparable && peer->second.cpu_comparable;
      row r{key,
            impl,
            format_ns(real_of(t)),
            format_ns(peer_real),
            format_ratio(real_of(t), peer_real),
            format_ratio(peer_real, real_of(t)),
            cpu_comparable ? format_ratio(cpu_of(t), peer_cpu) : "n/a"};
      if (!c.targets.empty()) {
        const comparison::target* goal = target_of(key, impl);
        std::string verdict;
        if (goal != nullptr && real_of(t) > 0 && peer_real > 0) {
          const bool met = peer_real / real_of(t) >= goal->min_speed;
          verdict = ">= " + format_goal(goal->min_speed) + (met ? " met" : " MISSED");
        }
        r.push_back(verdict);
      }
      rows.push_back(std::move(r));
    }
  }
  if (rows.empty()) return;

  row header{"scenario", "impl", "impl ns", c.peer + " ns", "ratio", "speed", "cpu ratio"};
  if (!c.targets.empty()) header.push_back("target speed");
  std::vector<std::size_t> width(header.size(), 0);
  const auto widen = [&](const row& r) {
    for (std::size_t i = 0; i < r.size(); ++i)
      width[i] = std::max(width[i], r[i].size());
  };
  widen(header);
  for (const row& r : rows)
    widen(r);
  const auto print = [&](const row& r) {
    for (std::size_t i = 0; i < r.size(); ++i) {
      const std::string pad(width[i] - r[i].size(), ' ');
      // Names and verdicts left-aligned, numbers right-aligned.
      const bool left = i < 2 || i == 7;
      out << (i == 0 ? "" : " | ") << (left ? r[i] + pad : pad + r[i]);
    }
    out << '\n';
  };

  std::size_t total_width = 3 * (width.size() - 1);
  for (std::size_t w : width)
    total_width += w;
  out << '\n'
      << (c.title.empty() ? "Ratios against " + c.peer : c.title)
      << ", measured in this run (real time per iteration, median of repetitions; ratio = impl / "
      << c.peer << ", below 1x means the impl is faster; speed = " << c.peer
      << " / impl, the impl's rate in multiples of " << c.peer
      << "'s; cpu ratio compares the CPU time columns):\n";
  print(header);
  out << std::string(total_width, '-') << '\n';
  for (const row& r : rows)
    print(r);
  out.flush();
}

int run_benchmarks(int argc, char** argv, std::vector<comparison> comparisons) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  // The default display reporter honours --benchmark_format, --benchmark_color and
  // --benchmark_counters_tabular; it is a process-lifetime singleton, not ours to delete.
  ratio_reporter reporter(benchmark::CreateDefaultDisplayReporter(), std::move(comparisons));
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}

}  // namespace futon::bench
