// SPDX-License-Identifier: BSL-1.0
#include "options.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <string_view>

#include "interprocess_adapters.hpp"
#include "results.hpp"

namespace futon_bench {

namespace {

// The embedded default configuration: about 7 minutes on a 2-core machine with every peer (69
// full-duration measurements per repetition, 47 with abseil alone, plus the uncontended
// scenario's 7 at a quarter of the duration, the recursive scenario's 8 at a third, and on Linux
// the interprocess scenarios' 12 at half: about a minute per repetition), and the application
// scenarios' 648 (54 points, futon and std, 6 repetitions) at an eighth: about 60 s more. Six
// repetitions: an even count, so that every implementation runs first as often as last
// (run_order.hpp); they give a median that one disturbed repetition cannot move, and a worst
// repetition that shows what a disturbance does. 750 ms holds about a thousand broadcasts even to
// 64 waiters, and is long against the scheduler's time slices, so that a thread the OS left
// waiting for a CPU does not decide the per-thread spread alone.
constexpr std::chrono::milliseconds default_duration{750};
constexpr int default_repetitions = 6;
// --quick: the same scenarios and parameters, shorter and fewer: under a minute.
constexpr std::chrono::milliseconds quick_duration{120};
constexpr int quick_repetitions = 3;

std::vector<std::string> split(std::string_view text) {
  std::vector<std::string> parts;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const auto part = text.substr(0, comma);
    if (!part.empty()) parts.emplace_back(part);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return parts;
}

bool parse_int(std::string_view text, int& value) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc{} && end == text.data() + text.size();
}

bool parse_int_list(std::string_view text, int min, int max, std::vector<int>& values) {
  values.clear();
  for (const auto& part : split(text)) {
    int value = 0;
    if (!parse_int(part, value) || value < min || value > max) return false;
    values.push_back(value);
  }
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return !values.empty();
}

// "200ms", "1s", "1.5s", "500us", "100000ns"; a bare number is milliseconds.
bool parse_duration(std::string_view text, std::chrono::nanoseconds& value) {
  struct unit {
    std::string_view suffix;
    double ns;
  };
  constexpr unit units[] = {{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}};
  double scale = 1e6;
  for (const auto& u : units) {
    if (text.size() > u.suffix.size() && text.ends_with(u.suffix)) {
      // "ms" also ends with "s": the units are listed so that the longer suffix matches first.
      scale = u.ns;
      text.remove_suffix(u.suffix.size());
      break;
    }
  }
  // strtod, not std::from_chars: libc++ 14 has no floating-point from_chars.
  const std::string digits(text);
  char* end = nullptr;
  const double number = std::strtod(digits.c_str(), &end);
  if (digits.empty() || end != digits.c_str() + digits.size() || !(number > 0)) return false;
  value = std::chrono::nanoseconds(static_cast<long long>(number * scale));
  return value.count() >= 1000;  // below a microsecond nothing meaningful fits
}

}  // namespace

const std::vector<std::string>& all_scenarios() {
  static const std::vector<std::string> keys = {
    "uncontended",
    "contended",
    "broadcast",
    "shared",
    "semaphore",
    "atomic_wait",
    "recursive",
    "group_commit",
    "thread_pool_0us",
    "thread_pool_1us",
    "thread_pool_10us",
    "thread_pool_semaphore",
    "cache_99",
    "cache_90",
    "cache_50",
    "pipeline",
#if defined(FUTON_BENCH_HAVE_INTERPROCESS)
    "interprocess_pingpong",
    "interprocess_contended",
#endif
  };
  return keys;
}

const std::vector<std::string>& scenario_families() {
  static const std::vector<std::string> names = {"thread_pool", "cache", "interprocess"};
  return names;
}

void print_help(const char* program) {
  std::printf(
      "usage: %s [options]\n"
      "\n"
      "Runs futon's primitives and the standard library's side by side (and its peers'),\n"
      "prints ratio tables and PASS/MISS lines for futon's targets, and writes a Markdown\n"
      "report, SVG charts and the raw numbers (report.md, contended.svg, shared.svg,\n"
      "results.csv, results.json) into the output directory. Progress goes to stderr. The\n"
      "peers (abseil, oneTBB, glibc's adaptive mutex) are those found when it was built; the\n"
      "report says which.\n"
      "\n"
      "Scenarios (--scenario, comma-separated, default all):\n"
      "  uncontended   lock+unlock on one thread, ns per pair (+ CAS/store reference)\n"
      "  contended     one mutex, N threads, ~20 ns inside and ~100 ns outside the lock\n"
      "  broadcast     condition_variable::notify_all to N waiters that each pass the mutex\n"
      "  shared        shared_mutex, 90 %% shared (read) locks, N threads\n"
      "  semaphore     counting_semaphore producer/consumer pairs over a 16-slot queue\n"
      "  atomic_wait   ping-pong between two threads through atomic wait/notify_one\n"
      "  recursive     recursive mutex locked two levels deep: alone, and by N threads as in\n"
      "                contended (each measurement a third of --duration)\n"
#if defined(FUTON_BENCH_HAVE_INTERPROCESS)
      "  interprocess_pingpong   two forked processes take turns through a process-shared\n"
      "                mutex + condition_variable in a memfd (futon::interprocess vs pthread\n"
      "                PTHREAD_PROCESS_SHARED, plain and robust; half of --duration each)\n"
      "  interprocess_contended  one process-shared mutex, N forked processes, the contended\n"
      "                loop (same implementations, half of --duration each)\n"
      "  interprocess  both of the above\n"
#endif
      "\n"
      "  Application scenarios, N threads each, futon against std only (each measurement an\n"
      "  eighth of --duration; one repetition more when --repetitions is odd, so that\n"
      "  futon and std, alternating, go first equally often):\n"
      "  group_commit  LevelDB's write path: writers queue under one mutex, each on its own\n"
      "                condition variable; the head leads a group's ~3 us write\n"
      "  thread_pool   N workers, one submitter, batches of 64 tasks joined with a wait group\n"
      "                (std: a mutex + condition variable counter); its cases:\n"
      "    thread_pool_0us, thread_pool_1us, thread_pool_10us   tasks of 0/1/10 us, idle\n"
      "                workers on one condition variable, notify_one per task\n"
      "    thread_pool_semaphore   1 us tasks, wake-ups through a counting_semaphore\n"
      "  cache         a hash map under a shared_mutex; cases cache_99, cache_90, cache_50:\n"
      "                that %% of lookups, the rest inserts/updates\n"
      "  pipeline      three stages of N threads, two bounded queues (mutex + not_full and\n"
      "                not_empty condition variables); end-to-end latency p50/p99/p99.9\n"
      "\n"
      "Options (a value follows '=' or comes as the next argument):\n"
      "  --scenario=LIST     scenarios to run (default: all); a family name (thread_pool,\n"
      "                      cache, interprocess) runs all its cases\n"
      "  --threads=LIST      thread counts for contended, shared, recursive and the\n"
      "                      application scenarios (default: contended and applications\n"
      "                      1,2,4,8,16,32; shared 1,2,4,8; recursive 1,2,4,16; 1 thread is\n"
      "                      the uncontended case; pipeline: threads per stage)\n"
      "  --waiters=LIST      broadcast waiter counts (default 4,16,64)\n"
      "  --pairs=LIST        semaphore producer/consumer pairs (default 1,2,4)\n"
#if defined(FUTON_BENCH_HAVE_INTERPROCESS)
      "  --processes=LIST    interprocess_contended process counts (default 2,4,8)\n"
#endif
      "  --duration=TIME     one measurement, e.g. 200ms, 1s (default %lldms)\n"
      "  --repetitions=N     repetitions of every measurement (default %d)\n"
      "  --quick             %lldms x %d repetitions: under a minute\n"
      "  --control           the application scenarios run std's primitives twice, the\n"
      "                      second time as std-control: the noise floor of their ratios\n"
      "                      and verdicts on this machine (half as long again)\n"
      "  --out=DIR           output directory (default futon-bench-report)\n"
      "  --json=FILE         write the results as JSON to FILE (default DIR/results.json)\n"
      "  --baseline=FILE     an earlier run's results.json: add 'vs base' ratios (this run's\n"
      "                      futon and std over that run's) to the ratio table\n"
      "  --help              this text\n",
      program, static_cast<long long>(default_duration.count()), default_repetitions,
      static_cast<long long>(quick_duration.count()), quick_repetitions);
}

std::optional<options> parse_options(int argc, char** argv, int& exit_code) {
  options o;
  o.scenarios = all_scenarios();
  o.contended_threads = {1, 2, 4, 8, 16, 32};
  o.shared_threads = {1, 2, 4, 8};
  o.waiters = {4, 16, 64};
  o.pairs = {1, 2, 4};
  o.recursive_threads = {1, 2, 4, 16};
  o.processes = {2, 4, 8};
  o.duration = default_duration;
  o.repetitions = default_repetitions;
  o.out_dir = "futon-bench-report";
  bool duration_given = false;
  bool repetitions_given = false;

  for (int i = 0; i < argc; ++i) {
    if (i > 0) o.command_line += ' ';
    o.command_line += argv[i];
  }

  const auto fail = [&](std::string_view arg, std::string_view why) -> std::optional<options> {
    std::fprintf(stderr, "futon-bench: %.*s: %.*s (see --help)\n", static_cast<int>(arg.size()),
                 arg.data(), static_cast<int>(why.size()), why.data());
    exit_code = 2;
    return std::nullopt;
  };

  // The options that take a value, which may also come as the next argument ("--json FILE").
  constexpr std::string_view with_value[] = {
      "--scenario", "--scenarios",   "--threads", "--waiters", "--pairs",   "--processes",
      "--duration", "--repetitions", "--out",     "--json",    "--baseline"};
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const auto eq = arg.find('=');
    const std::string_view name = arg.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? "" : arg.substr(eq + 1);
    if (eq == std::string_view::npos && i + 1 < argc &&
        std::find(std::begin(with_value), std::end(with_value), name) != std::end(with_value)) {
      value = argv[++i];
    }
    if (name == "--help" || name == "-h") {
      print_help(argv[0]);
      exit_code = 0;
      return std::nullopt;
    } else if (name == "--quick") {
      o.quick = true;
    } else if (name == "--control") {
      o.control = true;
    } else if (name == "--scenario" || name == "--scenarios") {
      std::vector<std::string> chosen;
      for (auto& key : split(value)) {
        if (key == "all") {
          chosen = all_scenarios();
          continue;
        }
        // A scenario, or a family's name for all its cases.
        const auto& families = scenario_families();
        const bool family = std::find(families.begin(), families.end(), key) != families.end();
        const auto before = chosen.size();
        for (const auto& s : all_scenarios()) {
          if (s == key || (family && in_family(s, key))) chosen.push_back(s);
        }
        if (chosen.size() == before) return fail(arg, "unknown scenario '" + key + "'");
      }
      if (chosen.empty()) return fail(arg, "no scenario given");
      // Keep the canonical order whatever order they were typed in.
      o.scenarios.clear();
      for (const auto& key : all_scenarios()) {
        if (std::find(chosen.begin(), chosen.end(), key) != chosen.end())
          o.scenarios.push_back(key);
      }
    } else if (name == "--threads") {
      if (!parse_int_list(value, 1, 1024, o.contended_threads)) {
        return fail(arg, "expected thread counts 1..1024, e.g. --threads=1,2,4");
      }
      o.shared_threads = o.contended_threads;
      o.recursive_threads = o.contended_threads;
    } else if (name == "--waiters") {
      if (!parse_int_list(value, 1, 1024, o.waiters)) {
        return fail(arg, "expected waiter counts 1..1024, e.g. --waiters=4,16,64");
      }
    } else if (name == "--pairs") {
      if (!parse_int_list(value, 1, 256, o.pairs)) {
        return fail(arg, "expected pair counts 1..256, e.g. --pairs=1,2");
      }
    } else if (name == "--processes") {
      if (!parse_int_list(value, 1, 64, o.processes)) {
        return fail(arg, "expected process counts 1..64, e.g. --processes=2,4");
      }
    } else if (name == "--duration") {
      if (!parse_duration(value, o.duration)) {
        return fail(arg, "expected a duration of at least 1us, e.g. 200ms or 1s");
      }
      duration_given = true;
    } else if (name == "--repetitions") {
      if (!parse_int(value, o.repetitions) || o.repetitions < 1 || o.repetitions > 1000) {
        return fail(arg, "expected a number of repetitions 1..1000");
      }
      repetitions_given = true;
    } else if (name == "--out") {
      if (value.empty()) return fail(arg, "expected a directory");
      o.out_dir = value;
    } else if (name == "--json") {
      if (value.empty()) return fail(arg, "expected a file name");
      o.json_file = value;
    } else if (name == "--baseline") {
      if (value.empty()) return fail(arg, "expected an earlier run's results.json");
      o.baseline_file = value;
    } else {
      return fail(arg, "unknown option");
    }
  }
  // --quick shortens only what was not chosen explicitly.
  if (o.quick && !duration_given) o.duration = quick_duration;
  if (o.quick && !repetitions_given) o.repetitions = quick_repetitions;
  exit_code = 0;
  return o;
}

}  // namespace futon_bench
