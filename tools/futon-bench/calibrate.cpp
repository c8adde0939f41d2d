// SPDX-License-Identifier: BSL-1.0
#include "calibrate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "work.hpp"

namespace futon_bench {

namespace {

// Every figure is the fastest of many short trials: on a shared machine a trial can only be
// slowed down (preempted, interrupted, a sibling thread on the core), never sped up, so the
// minimum is the undisturbed cost. 64 trials take about 0.2 s in all.
constexpr int trials = 64;

template <class Body>
double fastest_ns_per_call(int calls, Body body) {
  double best = 1e300;
  for (int t = 0; t < trials; ++t) {
    const std::int64_t start = now_ns();
    for (int i = 0; i < calls; ++i)
      body();
    const std::int64_t end = now_ns();
    best = std::min(best, static_cast<double>(end - start) / calls);
  }
  return best;
}

}  // namespace

calibration calibrate() {
  calibration c;
  constexpr std::uint32_t steps = 100'000;
  c.ns_per_step = fastest_ns_per_call(1, [] { busy_work(steps); }) / steps;
  c.clock_read_ns = fastest_ns_per_call(20'000, [] {
    // Keep the result alive so the call is not dropped.
    volatile std::int64_t sink = now_ns();
    static_cast<void>(sink);
  });
  c.inside_steps = c.steps_for(c.inside_target_ns - c.clock_read_ns);
  c.outside_steps = c.steps_for(c.outside_target_ns - c.clock_read_ns);
  c.inside_ns = c.clock_read_ns + c.inside_steps * c.ns_per_step;
  c.outside_ns = c.clock_read_ns + c.outside_steps * c.ns_per_step;
  // The contended loop's shape with the lock left out: what one thread could do at best.
  const std::uint32_t inside = c.inside_steps;
  const std::uint32_t outside = c.outside_steps;
  c.loop_ns = fastest_ns_per_call(20'000, [inside, outside] {
    volatile std::int64_t t0 = now_ns();
    busy_work(inside);
    volatile std::int64_t t1 = now_ns();
    busy_work(outside);
    static_cast<void>(t0);
    static_cast<void>(t1);
  });
  return c;
}

std::uint32_t calibration::steps_for(double ns) const {
  if (ns <= 0 || ns_per_step <= 0) return 0;
  return static_cast<std::uint32_t>(std::lround(ns / ns_per_step));
}

std::string calibration::describe() const {
  char text[512];
  std::snprintf(text, sizeof text,
                "busy loop %.3f ns/step, steady_clock read %.1f ns; inside the lock %.1f ns "
                "(clock read + %u steps, target %.0f), outside %.1f ns (clock read + %u steps, "
                "target %.0f); one loop iteration without a lock %.1f ns",
                ns_per_step, clock_read_ns, inside_ns, inside_steps, inside_target_ns, outside_ns,
                outside_steps, outside_target_ns, loop_ns);
  return text;
}

}  // namespace futon_bench
