// SPDX-License-Identifier: BSL-1.0
// What a futon-bench run measures: the scenarios, their parameters, how long and how often.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace futon_bench {

struct options {
  // Scenario keys, in the order they run: uncontended, contended, broadcast, shared, semaphore,
  // atomic_wait, recursive, and on Linux interprocess_pingpong, interprocess_contended.
  std::vector<std::string> scenarios;
  std::vector<int> contended_threads;   // contended mutex
  std::vector<int> shared_threads;      // shared_mutex with 90 % reads
  std::vector<int> waiters;             // condition-variable broadcast
  std::vector<int> pairs;               // semaphore producer/consumer pairs
  std::vector<int> recursive_threads;   // recursive mutex, two levels deep (1: uncontended)
  std::vector<int> processes;           // one mutex shared by N processes
  std::chrono::nanoseconds duration{};  // one measurement of one implementation
  int repetitions = 0;
  std::string out_dir;
  std::string json_file;      // --json: results.json's path ("": <out_dir>/results.json)
  std::string baseline_file;  // --baseline: an earlier run's results.json ("": none)
  bool quick = false;
  // --control: the application scenarios also run std's primitives a second time, as the column
  // std-control, in the same alternating order: what this machine's noise alone does to a ratio
  // and to a verdict (targets.cpp reports std-control against std beside futon's).
  bool control = false;
  std::string command_line;  // as typed, for the report
};

// All scenario keys, in run order.
const std::vector<std::string>& all_scenarios();
// The names that stand for all their cases on --scenario: thread_pool for thread_pool_0us, ...
// (results.hpp, in_family). One with no case in this build (interprocess off Linux) is unknown.
const std::vector<std::string>& scenario_families();

// Parses argv. On --help, or on an error (message already printed to stderr), returns nullopt
// and sets `exit_code` (0 for --help, 2 for a usage error).
std::optional<options> parse_options(int argc, char** argv, int& exit_code);

void print_help(const char* program);

}  // namespace futon_bench
