// SPDX-License-Identifier: BSL-1.0
#include "chart_svg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "format.hpp"
#include "implementations.hpp"
#include "scenarios.hpp"

namespace futon_bench {

namespace {

constexpr double width = 780;
constexpr double height = 460;
constexpr double left = 72;
constexpr double right = 200;  // room for the legend
constexpr double top = 48;
constexpr double bottom = 64;

std::string escape(const std::string& text) {
  std::string out;
  for (const char ch : text) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += ch;
    }
  }
  return out;
}

std::string num(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", v);
  return text;
}

// A round step (1, 2 or 5 times a power of ten) giving about five ticks up to `max`.
double tick_step(double max) {
  const double rough = max / 5;
  const double power = std::pow(10, std::floor(std::log10(rough)));
  for (const double m : {1.0, 2.0, 5.0}) {
    if (m * power >= rough) return m * power;
  }
  return 10 * power;
}

// A tick label with as many decimals as the step needs: 0, 0.5, 1 or 0, 2, 4, never 0.0000.
std::string tick_label(double v, double step) {
  int decimals = 0;
  while (decimals < 6 && std::fabs(step * std::pow(10, decimals) -
                                   std::round(step * std::pow(10, decimals))) > 1e-6) {
    ++decimals;
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", decimals, std::fabs(v) < step / 2 ? 0.0 : v);
  return text;
}

const char* color_of(const std::string& impl) {
  if (impl == "futon") return "#1f77b4";
  if (impl == "std") return "#ff7f0e";
  if (impl == "absl") return "#2ca02c";
  if (impl == "tbb") return "#9467bd";
  if (impl == "tbb-queuing") return "#8c564b";
  if (impl == "glibc-adaptive") return "#e377c2";
  return "#7f7f7f";
}

}  // namespace

std::string render_svg(const chart& c) {
  double x_min = 1e300;
  double x_max = -1e300;
  double y_max = 0;
  for (const auto& s : c.series) {
    for (const auto& [x, y] : s.points) {
      x_min = std::min(x_min, x);
      x_max = std::max(x_max, x);
      if (std::isfinite(y)) y_max = std::max(y_max, y);
    }
  }
  if (x_min > x_max) x_min = x_max = 1;
  if (y_max <= 0) y_max = 1;
  const double step = tick_step(y_max * 1.05);
  const double y_top = std::ceil(y_max * 1.05 / step) * step;
  const double lx_min = std::log2(std::max(x_min, 1e-9));
  const double lx_max = std::log2(std::max(x_max, 1e-9));
  const double plot_w = width - left - right;
  const double plot_h = height - top - bottom;
  const auto px = [&](double x) {
    if (lx_max == lx_min) return left + plot_w / 2;
    return left + (std::log2(x) - lx_min) / (lx_max - lx_min) * plot_w;
  };
  const auto py = [&](double y) { return top + plot_h - y / y_top * plot_h; };

  std::string svg;
  svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(width) + "\" height=\"" +
         num(height) + "\" viewBox=\"0 0 " + num(width) + " " + num(height) +
         "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  svg += "<text x=\"" + num(width / 2) + "\" y=\"26\" text-anchor=\"middle\" font-size=\"15\" " +
         "font-weight=\"bold\">" + escape(c.title) + "</text>\n";

  // Grid and y ticks.
  for (double y = 0; y <= y_top + step / 2; y += step) {
    svg += "<line x1=\"" + num(left) + "\" y1=\"" + num(py(y)) + "\" x2=\"" + num(left + plot_w) +
           "\" y2=\"" + num(py(y)) + "\" stroke=\"#e0e0e0\"/>\n";
    svg += "<text x=\"" + num(left - 8) + "\" y=\"" + num(py(y) + 4) + "\" text-anchor=\"end\">" +
           tick_label(y, step) + "</text>\n";
  }
  // x ticks: every x that some series has.
  std::vector<double> xs;
  for (const auto& s : c.series) {
    for (const auto& pt : s.points)
      xs.push_back(pt.first);
  }
  std::sort(xs.begin(), xs.end());
  xs.erase(std::unique(xs.begin(), xs.end()), xs.end());
  for (const double x : xs) {
    svg += "<line x1=\"" + num(px(x)) + "\" y1=\"" + num(top) + "\" x2=\"" + num(px(x)) +
           "\" y2=\"" + num(top + plot_h) + "\" stroke=\"#f0f0f0\"/>\n";
    svg += "<text x=\"" + num(px(x)) + "\" y=\"" + num(top + plot_h + 18) +
           "\" text-anchor=\"middle\">" + tick_label(x, 1) + "</text>\n";
  }
  // Axes and labels.
  svg += "<rect x=\"" + num(left) + "\" y=\"" + num(top) + "\" width=\"" + num(plot_w) +
         "\" height=\"" + num(plot_h) + "\" fill=\"none\" stroke=\"#404040\"/>\n";
  svg += "<text x=\"" + num(left + plot_w / 2) + "\" y=\"" + num(height - 18) +
         "\" text-anchor=\"middle\">" + escape(c.x_label) + "</text>\n";
  svg += "<text transform=\"translate(18," + num(top + plot_h / 2) +
         ") rotate(-90)\" text-anchor=\"middle\">" + escape(c.y_label) + "</text>\n";

  // Series.
  for (const auto& s : c.series) {
    std::string path;
    for (const auto& [x, y] : s.points) {
      if (!std::isfinite(y)) continue;
      path += (path.empty() ? "M" : " L") + num(px(x)) + "," + num(py(y));
    }
    svg += "<path d=\"" + path + "\" fill=\"none\" stroke=\"" + s.color + "\" stroke-width=\"" +
           (s.dashed ? "1.2\" stroke-dasharray=\"6,4\"" : "2.2\"") + "/>\n";
    for (const auto& [x, y] : s.points) {
      if (!std::isfinite(y)) continue;
      svg += "<circle cx=\"" + num(px(x)) + "\" cy=\"" + num(py(y)) + "\" r=\"" +
             (s.dashed ? "2" : "3.5") + "\" fill=\"" + (s.dashed ? "white" : s.color) +
             "\" stroke=\"" + s.color + "\"/>\n";
    }
  }
  // Legend.
  double ly = top + 10;
  const double lx = left + plot_w + 16;
  const auto legend = [&](const std::string& label, const std::string& color, const char* dash,
                          double stroke) {
    svg += "<line x1=\"" + num(lx) + "\" y1=\"" + num(ly) + "\" x2=\"" + num(lx + 26) + "\" y2=\"" +
           num(ly) + "\" stroke=\"" + color + "\" stroke-width=\"" + num(stroke) + "\"" +
           (dash[0] != 0 ? std::string(" stroke-dasharray=\"") + dash + "\"" : "") + "/>\n";
    svg +=
        "<text x=\"" + num(lx + 32) + "\" y=\"" + num(ly + 4) + "\">" + escape(label) + "</text>\n";
    ly += 20;
  };
  for (const auto& s : c.series)
    legend(s.name, s.color, s.dashed ? "6,4" : "", s.dashed ? 1.2 : 2.2);

  svg += "</svg>\n";
  return svg;
}

chart throughput_chart(const results& r, const std::string& scenario, const std::string& title,
                       const std::string& x_label) {
  chart c;
  c.title = title;
  c.x_label = x_label;
  const auto points = r.of(scenario);
  if (points.empty()) return c;
  const metric& m = points.front()->metrics.front();
  c.y_label = m.title + " (" + m.unit + ")";
  for (const auto& impl : compared_implementations()) {
    chart_series median{impl + " median", color_of(impl), false, {}};
    chart_series worst{impl + " worst rep", color_of(impl), true, {}};
    for (const point* p : points) {
      const auto mv = p->median(impl, m.key);
      const auto wv = p->worst(impl, m.key);
      if (mv) median.points.emplace_back(p->param, *mv);
      if (wv) worst.points.emplace_back(p->param, *wv);
    }
    if (!median.points.empty()) c.series.push_back(std::move(median));
    if (!worst.points.empty()) c.series.push_back(std::move(worst));
  }
  return c;
}

std::vector<std::pair<std::string, chart>> report_charts(const results& r) {
  std::vector<std::pair<std::string, chart>> charts;
  if (!r.of("contended").empty()) {
    charts.emplace_back("contended.svg",
                        throughput_chart(r, "contended", "Contended mutex: throughput vs threads",
                                         "threads (log scale)"));
  }
  if (!r.of("shared").empty()) {
    charts.emplace_back("shared.svg",
                        throughput_chart(r, "shared", "shared_mutex, 90% reads: throughput",
                                         "threads (log scale)"));
  }
  // In the order they ran, each once (a scenario's points are its thread counts).
  std::vector<std::string> applications;
  for (const auto& p : r.points) {
    if (is_application_scenario(p.scenario) &&
        std::find(applications.begin(), applications.end(), p.scenario) == applications.end()) {
      applications.push_back(p.scenario);
    }
  }
  for (const auto& scenario : applications) {
    charts.emplace_back(scenario + ".svg",
                        throughput_chart(r, scenario, scenario + ": throughput, futon and std",
                                         "threads (log scale)"));
  }
  return charts;
}

}  // namespace futon_bench
