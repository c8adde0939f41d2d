// SPDX-License-Identifier: BSL-1.0
// The order of the runs in a repetition (run_order.hpp): column order on even repetitions,
// reversed on odd ones, for every list of implementations a scenario runs over.
#include "../run_order.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../implementations.hpp"

namespace futon_bench {
namespace {

TEST(FutonBenchRunOrder, EvenRepetitionsRunForwardOddOnesReversed) {
  EXPECT_EQ(order_of_repetition(0), run_order::forward);
  EXPECT_EQ(order_of_repetition(1), run_order::reversed);
  EXPECT_EQ(order_of_repetition(2), run_order::forward);
  EXPECT_EQ(order_of_repetition(5), run_order::reversed);

  std::vector<int> seen;
  ordered_runs runs;
  for (int i = 0; i < 3; ++i)
    runs.add([&seen, i] { seen.push_back(i); });
  runs.run(run_order::forward);
  runs.run(run_order::reversed);
  EXPECT_EQ(seen, (std::vector<int>{0, 1, 2, 2, 1, 0}));
}

// Every implementation runs before every other one equally often over two repetitions.
TEST(FutonBenchRunOrder, TheMutexesTakeTurnsFirst) {
  std::vector<std::string> forward;
  std::vector<std::string> reversed;
  for_each_mutex([&]<class>(const char* name) { forward.emplace_back(name); },
                 order_of_repetition(0));
  for_each_mutex([&]<class>(const char* name) { reversed.emplace_back(name); },
                 order_of_repetition(1));
  ASSERT_GE(forward.size(), 2u);
  EXPECT_EQ(forward.front(), "futon");
  EXPECT_EQ(forward[1], "std");
  EXPECT_EQ(reversed, std::vector<std::string>(forward.rbegin(), forward.rend()));
}

TEST(FutonBenchRunOrder, TheSharedMutexesAndConditionVariablesTakeTurnsFirst) {
  std::vector<std::string> forward;
  std::vector<std::string> reversed;
  for_each_shared_mutex([&]<class>(const char* name) { forward.emplace_back(name); },
                        run_order::forward);
  for_each_shared_mutex([&]<class>(const char* name) { reversed.emplace_back(name); },
                        run_order::reversed);
  EXPECT_EQ(forward.front(), "futon");
  EXPECT_EQ(reversed, std::vector<std::string>(forward.rbegin(), forward.rend()));

  forward.clear();
  reversed.clear();
  for_each_condition_variable([&]<class, class>(const char* name) { forward.emplace_back(name); },
                              run_order::forward);
  for_each_condition_variable([&]<class, class>(const char* name) { reversed.emplace_back(name); },
                              run_order::reversed);
  EXPECT_EQ(forward.front(), "futon");
  EXPECT_EQ(reversed, std::vector<std::string>(forward.rbegin(), forward.rend()));
}

}  // namespace
}  // namespace futon_bench
