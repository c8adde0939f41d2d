// SPDX-License-Identifier: BSL-1.0
// Startup calibration: how many busy_work() steps make the contended scenario's ~20 ns inside and
// ~100 ns outside the lock on this machine, and what one clock read costs (the scenarios read the
// clock once inside and once outside the lock, so that time counts toward the work).
#pragma once

#include <cstdint>
#include <string>

namespace futon_bench {

struct calibration {
  double ns_per_step = 0;        // one busy_work() step
  double clock_read_ns = 0;      // one steady_clock::now()
  double inside_target_ns = 20;  // wanted work inside the lock, clock read included
  double outside_target_ns = 100;
  std::uint32_t inside_steps = 0;  // busy_work() steps inside, after the clock read
  std::uint32_t outside_steps = 0;
  double inside_ns = 0;   // what inside work costs in fact (clock read + steps)
  double outside_ns = 0;  // likewise outside
  double loop_ns = 0;     // one whole iteration of the contended loop with a no-op lock

  // busy_work() steps that take about `ns` (0 before calibration, or for ns <= 0): the
  // application scenarios' fixed spins (a simulated write, a task of 1 or 10 us).
  std::uint32_t steps_for(double ns) const;

  std::string describe() const;
};

calibration calibrate();

}  // namespace futon_bench
