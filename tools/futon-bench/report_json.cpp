// SPDX-License-Identifier: BSL-1.0
// results.json: one object; "points" holds every repetition of every metric of every
// implementation, as results.csv does, and the rest says what, where and how it was measured.
#include <cstdio>

#include "json.hpp"
#include "report.hpp"

namespace futon_bench {

namespace {

std::string json_bool(bool value) {
  return value ? "true" : "false";
}

std::string json_strings(const std::vector<std::string>& texts) {
  std::string out = "[";
  for (std::size_t i = 0; i < texts.size(); ++i)
    out += (i == 0 ? "" : ", ") + json_string(texts[i]);
  return out + "]";
}

std::string json_ints(const std::vector<int>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i)
    out += (i == 0 ? "" : ", ") + std::to_string(values[i]);
  return out + "]";
}

std::string point_json(const point& p) {
  std::string out = "    {\"scenario\": " + json_string(p.scenario) +
                    ", \"title\": " + json_string(p.title) +
                    ", \"param\": " + std::to_string(p.param) + ",\n     \"metrics\": [";
  for (std::size_t m = 0; m < p.metrics.size(); ++m) {
    const metric& x = p.metrics[m];
    out += std::string(m == 0 ? "" : ",") + "\n      {\"key\": " + json_string(x.key) +
           ", \"title\": " + json_string(x.title) + ", \"unit\": " + json_string(x.unit) +
           ", \"better\": " + (x.direction == better::higher ? "\"higher\"" : "\"lower\"") +
           ", \"show_worst\": " + json_bool(x.show_worst) +
           ", \"compared\": " + json_bool(x.compared) + "}";
  }
  out += "],\n     \"implementations\": [";
  for (std::size_t i = 0; i < p.impls.size(); ++i) {
    const impl_values& v = p.impls[i];
    out += std::string(i == 0 ? "" : ",") + "\n      {\"name\": " + json_string(v.impl) +
           ", \"values\": {";
    for (std::size_t m = 0; m < p.metrics.size(); ++m) {
      out += std::string(m == 0 ? "" : ", ") + json_string(p.metrics[m].key) + ": [";
      for (std::size_t r = 0; r < v.values[m].size(); ++r)
        out += (r == 0 ? "" : ", ") + json_number(v.values[m][r]);
      out += "]";
    }
    out += "}}";
  }
  out +=
      "],\n     \"notes\": " + json_strings(p.notes) + ", \"failed\": " + json_bool(p.failed) + "}";
  return out;
}

}  // namespace

std::string results_json(const results& r) {
  std::string out = "[";
  for (std::size_t i = 0; i < r.points.size(); ++i)
    out += std::string(i == 0 ? "\n" : ",\n") + point_json(r.points[i]);
  return out + "\n  ]";
}

std::string json_report(const run_record& run) {
  const auto& o = run.opts;
  const auto& m = run.machine;
  std::string out = "{\n  \"format\": \"futon-bench results\",\n  \"format_version\": 1,\n";
  out += "  \"run\": {\"command\": " + json_string(o.command_line) +
         ", \"date_utc\": " + json_string(m.date_utc) +
         ", \"duration_ns\": " + std::to_string(o.duration.count()) +
         ", \"repetitions\": " + std::to_string(o.repetitions) +
         ", \"quick\": " + json_bool(o.quick) +
         ",\n          \"scenarios\": " + json_strings(o.scenarios) +
         ", \"contended_threads\": " + json_ints(o.contended_threads) +
         ", \"shared_threads\": " + json_ints(o.shared_threads) +
         ", \"waiters\": " + json_ints(o.waiters) + ", \"pairs\": " + json_ints(o.pairs) +
         ", \"recursive_threads\": " + json_ints(o.recursive_threads) +
         ", \"processes\": " + json_ints(o.processes) +
         ",\n          \"wall_seconds\": " + json_number(run.wall_seconds) +
         ", \"calibration\": " + json_string(run.cal.describe()) + "},\n";
  out += "  \"machine\": {\"futon_commit\": " + json_string(m.futon_commit) +
         ", \"cpu\": " + json_string(m.cpu) + ", \"cpus\": " + std::to_string(m.cpus) +
         ", \"kernel\": " + json_string(m.kernel) +
         ",\n              \"compiler\": " + json_string(m.compiler) +
         ", \"standard_library\": " + json_string(m.standard_library) +
         ", \"futon_debug_checks\": " + json_bool(m.assertions) +
         ", \"futon_backend\": " + json_string(m.futon_backend) +
         ",\n              \"load_before\": " + json_string(run.load_before) +
         ", \"load_after\": " + json_string(run.load_after) + ", \"others_cpu_share\": " +
         (run.others_cpu_share ? json_number(*run.others_cpu_share) : "null") +
         ", \"quiet\": " + json_bool(run.quiet_warnings.empty()) +
         ", \"warnings\": " + json_strings(run.quiet_warnings) + "},\n";
  out += "  \"peers\": [";
  for (std::size_t i = 0; i < run.peers.size(); ++i) {
    const peer_library& p = run.peers[i];
    out += std::string(i == 0 ? "\n" : ",\n") + "    {\"name\": " + json_string(p.name) +
           ", \"columns\": " + json_string(p.columns) + ", \"types\": " + json_string(p.types) +
           ", \"compiled\": " + json_bool(p.compiled) + ", \"detail\": " + json_string(p.detail) +
           "}";
  }
  out += "\n  ],\n  \"targets\": [";
  for (std::size_t i = 0; i < run.targets.size(); ++i) {
    const target_result& t = run.targets[i];
    const char* outcome = t.outcome == verdict::pass   ? "PASS"
                          : t.outcome == verdict::miss ? "MISS"
                                                       : "SKIP";
    out += std::string(i == 0 ? "\n" : ",\n") + "    {\"name\": " + json_string(t.name) +
           ", \"outcome\": \"" + outcome + "\", \"detail\": " + json_string(t.detail) + "}";
  }
  out += "\n  ],\n";
  if (run.base != nullptr) {
    out += "  \"baseline\": {\"file\": " + json_string(run.base->file) +
           ", \"futon_commit\": " + json_string(run.base->futon_commit) +
           ", \"date_utc\": " + json_string(run.base->date_utc) + "},\n";
  }
  out += "  \"points\": " + results_json(run.res) + "\n}\n";
  return out;
}

}  // namespace futon_bench
