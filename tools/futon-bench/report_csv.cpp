// SPDX-License-Identifier: BSL-1.0
#include <cstdio>

#include "report.hpp"

namespace futon_bench {

namespace {

std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (const char ch : text) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

}  // namespace

std::string csv_report(const results& r) {
  std::string csv = "scenario,point,param,implementation,metric,unit,repetition,value\n";
  for (const auto& p : r.points) {
    for (const auto& impl : p.impls) {
      for (std::size_t m = 0; m < p.metrics.size(); ++m) {
        const auto& values = impl.values[m];
        for (std::size_t rep = 0; rep < values.size(); ++rep) {
          char value[64];
          std::snprintf(value, sizeof value, "%.6g", values[rep]);
          csv += p.scenario + "," + quoted(p.title) + "," + std::to_string(p.param) + "," +
                 quoted(impl.impl) + "," + p.metrics[m].key + "," + quoted(p.metrics[m].unit) +
                 "," + std::to_string(rep + 1) + "," + value + "\n";
        }
      }
    }
  }
  return csv;
}

}  // namespace futon_bench
