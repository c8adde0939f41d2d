// SPDX-License-Identifier: BSL-1.0
#include "ratio_table.hpp"

#include <algorithm>
#include <optional>

#include "format.hpp"
#include "implementations.hpp"
#include "peers.hpp"

namespace futon_bench {

namespace {

std::string ratio_cell(std::optional<double> a, std::optional<double> b) {
  if (!a || !b || *b == 0) return "";
  return format_ratio(*a / *b);
}

// The compared implementations this run measured somewhere, in column order: a peer that only
// one scenario has (the interprocess ones) gets no empty columns in a run without it.
std::vector<std::string> measured_implementations(const results& r) {
  std::vector<std::string> measured;
  for (const auto& name : compared_implementations()) {
    const bool seen = std::any_of(r.points.begin(), r.points.end(),
                                  [&](const point& p) { return p.find(name) != nullptr; });
    if (seen || name == "futon" || name == "std") measured.push_back(name);
  }
  return measured;
}

}  // namespace

text_table ratio_table(const results& r, const results* baseline) {
  const auto impls = measured_implementations(r);
  std::vector<std::string> peers;
  for (const auto& name : impls) {
    if (is_peer(name)) peers.push_back(name);
  }
  // With std alone, the best peer is std: its column would repeat futon/std.
  const bool show_best = peers.size() > 1;
  text_table t;
  const auto column = [&](std::string title, bool numeric) {
    t.header.push_back(std::move(title));
    t.numeric.push_back(numeric);
  };
  column("scenario", false);
  column("metric", false);
  column("unit", false);
  for (const auto& name : impls)
    column(name, true);
  for (const auto& name : peers)
    column("futon/" + name, true);
  if (show_best) column("futon/best peer", true);
  if (baseline != nullptr) {
    column("futon vs base", true);
    column("std vs base", true);
  }
  column("better", false);

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
        for (const auto& name : peers)
          row.push_back(ratio_cell(value("futon"), value(name)));
        if (show_best) {
          const auto best = best_peer(p, m.key, worst);
          const std::string cell = best ? ratio_cell(value("futon"), best->value) : "";
          row.push_back(cell.empty() ? cell : cell + " " + best->impl);
        }
        if (baseline != nullptr) {
          for (const char* name : {"futon", "std"}) {
            const auto ratio = baseline_ratio(p, *baseline, name, m.key, worst);
            row.push_back(ratio ? format_ratio(*ratio) : "");
          }
        }
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
