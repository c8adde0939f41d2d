// SPDX-License-Identifier: BSL-1.0
// A line chart as a standalone SVG file, written by hand (no plotting dependency): throughput
// against thread count, one line per implementation, x on a log2 scale.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "results.hpp"

namespace futon_bench {

struct chart_series {
  std::string name;
  std::string color;  // CSS colour
  bool dashed = false;
  std::vector<std::pair<double, double>> points;  // (x, y)
};

struct chart {
  std::string title;
  std::string x_label;
  std::string y_label;
  std::vector<chart_series> series;
};

std::string render_svg(const chart& c);

// Throughput (the scenario's first metric) against its parameter: each implementation's median
// (solid) and worst repetition (dashed).
chart throughput_chart(const results& r, const std::string& scenario, const std::string& title,
                       const std::string& x_label);

// The report's charts, each with its file name: contended.svg and shared.svg when those
// scenarios ran, and one per application scenario that ran (cache_50.svg, pipeline.svg, ...).
std::vector<std::pair<std::string, chart>> report_charts(const results& r);

}  // namespace futon_bench
