// SPDX-License-Identifier: BSL-1.0
// --baseline FILE: an earlier run's results.json, read back so that this run's table shows how
// far each figure moved ("vs baseline" = this run's value / the baseline's, for the same
// scenario point, implementation and metric). futon's ratio shows a change's effect; std's,
// measured on the same machine both times, shows how much of that is the machine's drift.
#pragma once

#include <optional>
#include <string>

#include "json.hpp"
#include "results.hpp"

namespace futon_bench {

struct baseline {
  std::string file;
  std::string futon_commit;  // as the earlier run recorded it
  std::string date_utc;
  results res;
};

// The results in a results.json document (report_json.cpp writes them); nullopt and `error` set
// if it is not futon-bench's format.
std::optional<results> results_from_json(const json_value& document, std::string& error);

// Reads and parses `file`; nullopt and `error` set if it cannot.
std::optional<baseline> load_baseline(const std::string& file, std::string& error);

// `now`'s median (or worst repetition) of `metric` for `impl` over the baseline's, at the
// baseline's point with the same scenario and parameter; nullopt where either is missing or
// the baseline's is zero or not a number.
std::optional<double> baseline_ratio(const point& now, const results& base, const std::string& impl,
                                     const std::string& metric, bool worst = false);

}  // namespace futon_bench
