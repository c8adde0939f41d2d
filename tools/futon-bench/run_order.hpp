// SPDX-License-Identifier: BSL-1.0
// The order in which one repetition of a point runs the implementations it compares. Whatever
// the first run of a repetition pays (a cold allocator, the scheduler's placement of fresh
// threads, a CPU clock still ramping up) or the last one gains, it must not fall on the same
// implementation every time: the 1-thread shared point missed or passed by which of futon and std
// ran first (session notes of issue 11). So repetitions alternate: forward (futon first, in column
// order) on even ones, reversed on odd ones. Over an even count, every implementation runs before
// every other one equally often; the default count is even (options.cpp).
#pragma once

#include <functional>
#include <utility>
#include <vector>

namespace futon_bench {

enum class run_order { forward, reversed };

constexpr run_order order_of_repetition(int repetition) {
  return repetition % 2 == 0 ? run_order::forward : run_order::reversed;
}

// The runs of one repetition, added in column order and run in the order asked for.
class ordered_runs {
 public:
  template <class Run>
  void add(Run run) {
    runs_.emplace_back(std::move(run));
  }
  void run(run_order order) const {
    if (order == run_order::forward) {
      for (const auto& r : runs_)
        r();
    } else {
      for (auto it = runs_.rbegin(); it != runs_.rend(); ++it)
        (*it)();
    }
  }

 private:
  std::vector<std::function<void()>> runs_;
};

}  // namespace futon_bench
