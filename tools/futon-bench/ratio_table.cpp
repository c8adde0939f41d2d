// SPDX-License-Identifier: BSL-1.0
#include "ratio_table.hpp"

#include <algorithm>
#include <optional>

#include "format.hpp"
#include "implementations.hpp"

namespace futon_bench {

namespace {

std::string ratio_cell(std::optional<double> a, std::optional<double> b) {
  if (!a || !b || *b == 0) return "";
  return format_ratio(*a / *b);
}

}  // namespace

text_table ratio_table(const results& r) {
  const auto& impls = compared_implementations();
  const bool have_absl = std::find(impls.begin(), impls.end(), "absl") != impls.end();
  text_table t;
  t.header = {"scenario", "metric", "unit"};
  t.numeric = {false, false, false};
  for (const auto& name : impls) {
    t.header.push_back(name);
    t.numeric.push_back(true);
  }
  t.header.push_back("futon/std");
  t.numeric.push_back(true);
  if (have_absl) {
    t.header.push_back("futon/absl");
    t.numeric.push_back(true);
  }
  t.header.push_back("better");
  t.numeric.push_back(false);

  for (const auto& p : r.points) {
    for (const auto& m : p.metrics) {
      if (!m.compared) continue;
      for (const bool worst : {false, true}) {
        if (worst && !m.show_worst) continue;
        const auto value = [&](const std::string& impl) {
          return worst ? p.worst(impl, m.key) : p.median(impl, m.key);
        };
        std::vector<std::string> row = {p.title, worst ? m.title + ", worst rep" : m.title, m.unit};
        for (const auto& name : impls) {
          const auto v = value(name);
          row.push_back(v ? format_value(*v) : "-");
        }
        row.push_back(ratio_cell(value("futon"), value("std")));
        if (have_absl) row.push_back(ratio_cell(value("futon"), value("absl")));
        row.push_back(m.direction == better::higher ? "higher" : "lower");
        t.rows.push_back(std::move(row));
      }
    }
  }
  return t;
}

std::vector<std::string> reference_lines(const results& r) {
  const auto& impls = compared_implementations();
  std::vector<std::string> lines;
  for (const auto& p : r.points) {
    for (const auto& ref : p.impls) {
      if (std::find(impls.begin(), impls.end(), ref.impl) != impls.end()) continue;
      for (const auto& m : p.metrics) {
        const auto base = p.median(ref.impl, m.key);
        if (!base || *base == 0) continue;
        std::string line = p.title + ": " + ref.impl + " " + format_value(*base) + " " + m.unit;
        std::string sep = "; ";
        for (const auto& name : impls) {
          if (const auto v = p.median(name, m.key)) {
            line += sep + name + " " + format_ratio(*v / *base);
            sep = ", ";
          }
        }
        lines.push_back(line + " of it");
      }
    }
  }
  return lines;
}

}  // namespace futon_bench
