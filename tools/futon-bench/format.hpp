// SPDX-License-Identifier: BSL-1.0
// Number formatting shared by the console tables, the progress lines and the report.
#pragma once

#include <cmath>
#include <cstdio>
#include <string>

namespace futon_bench {

// About three significant digits, never in exponent form: 1234, 123, 12.3, 1.23, 0.123.
inline std::string format_value(double v) {
  if (std::isnan(v)) return "n/a";
  if (std::isinf(v)) return "inf";
  char text[64];
  const double a = std::fabs(v);
  const int decimals = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : a >= 0.01 ? 3 : 4;
  std::snprintf(text, sizeof text, "%.*f", decimals, v);
  return text;
}

// A ratio: "1.59x".
inline std::string format_ratio(double r) {
  if (std::isnan(r) || std::isinf(r)) return "n/a";
  char text[64];
  std::snprintf(text, sizeof text, r >= 10 ? "%.1fx" : "%.2fx", r);
  return text;
}

}  // namespace futon_bench
