// SPDX-License-Identifier: BSL-1.0
// The run's summary: for every scenario point and metric, the median of each implementation, the
// ratio of futon's to each peer's and to the best peer's (with that peer's name), and with a
// baseline, futon's and std's values over the baseline's ("vs base"); the last column says which
// direction is better. Metrics marked show_worst get a second row for the worst repetition.
#pragma once

#include <string>
#include <vector>

#include "baseline.hpp"
#include "results.hpp"
#include "text_table.hpp"

namespace futon_bench {

text_table ratio_table(const results& r, const results* baseline = nullptr);

// Lines for the measured references that are not implementations (the CAS + store lock):
// "uncontended lock+unlock: CAS lock + store unlock 5.20 ns; futon 1.30x, std 2.10x of it".
std::vector<std::string> reference_lines(const results& r);

}  // namespace futon_bench
