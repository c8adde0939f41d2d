// SPDX-License-Identifier: BSL-1.0
// The peers: the report says which were compiled in and why the others were not, in agreement
// with the columns the run has; the best peer is the best in the metric's direction.
#include "peers.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

#include "implementations.hpp"
#include "test_results.hpp"

namespace futon_bench {
namespace {

const peer_library& find_peer(const std::vector<peer_library>& peers, const std::string& name) {
  const auto it = std::find_if(peers.begin(), peers.end(),
                               [&](const peer_library& p) { return p.name == name; });
  if (it == peers.end()) throw std::runtime_error("no peer " + name);
  return *it;
}

bool has_column(const std::string& impl) {
  const auto& impls = compared_implementations();
  return std::find(impls.begin(), impls.end(), impl) != impls.end();
}

TEST(FutonBenchPeers, EveryPeerIsListedAndAgreesWithTheColumns) {
  const auto peers = peer_libraries();
  EXPECT_TRUE(find_peer(peers, "the standard library").compiled);
  EXPECT_EQ(find_peer(peers, "abseil").compiled, has_column("absl"));
  EXPECT_EQ(find_peer(peers, "oneTBB").compiled, has_column("tbb"));
  EXPECT_EQ(find_peer(peers, "oneTBB").compiled, has_column("tbb-queuing"));
  EXPECT_EQ(find_peer(peers, "glibc's adaptive mutex").compiled, has_column("glibc-adaptive"));
  for (const auto& p : peers)
    EXPECT_FALSE(p.detail.empty()) << p.name << ": a version, or why it is not compiled in";
#if defined(FUTON_BENCH_HAVE_ABSL)
  EXPECT_TRUE(has_column("absl"));
#endif
#if defined(FUTON_BENCH_HAVE_TBB)
  EXPECT_TRUE(has_column("tbb"));
#endif
#if defined(__GLIBC__)
  EXPECT_TRUE(has_column("glibc-adaptive"));
#endif
}

TEST(FutonBenchPeers, SummaryNamesThoseInAndWhyTheOthersAreNot) {
  const std::vector<peer_library> peers = {
      {"the standard library", "std", "std::mutex", true, "libstdc++"},
      {"abseil", "absl", "absl::Mutex", true, "20220623"},
      {"oneTBB", "tbb, tbb-queuing", "oneapi::tbb::mutex", false, "not found (install libtbb-dev)"},
  };
  const std::string text = peer_summary(peers);
  const auto in = text.find("Peers compiled in: ");
  const auto out = text.find("Not compiled in: ");
  ASSERT_NE(in, std::string::npos) << text;
  ASSERT_NE(out, std::string::npos) << text;
  EXPECT_LT(text.find("abseil 20220623"), out) << text;
  EXPECT_GT(text.find("oneTBB: not found (install libtbb-dev)"), out) << text;
  const std::string all_in = peer_summary({peers[0], peers[1]});
  EXPECT_EQ(all_in.find("Not compiled in"), std::string::npos) << all_in;
  EXPECT_NE(all_in.find("None left out."), std::string::npos) << all_in;
}

TEST(FutonBenchPeers, BestPeerFollowsTheMetricsDirectionAndSkipsFuton) {
  // std always counts; the CAS reference and unknown names are not peers.
  point p = testing::make_point("contended", 4, {"futon", "std", "not a peer"},
                                {{100, 100, 100}, {3, 3, 3}, {50, 50, 50}},
                                {{0.01, 0.01, 0.01}, {0.5, 0.5, 0.5}, {0.001, 0.001, 0.001}});
  auto best = best_peer(p, "throughput");
  ASSERT_TRUE(best.has_value());
  EXPECT_EQ(best->impl, "std");
  EXPECT_DOUBLE_EQ(best->value, 3);
  // Among all the peers compiled in, the highest throughput and the lowest CPU win.
  const auto& impls = compared_implementations();
  double throughput = 4;
  double cpu = 0.4;
  for (const auto& name : impls) {
    if (name == "futon" || name == "std") continue;
    for (int r = 0; r < 3; ++r) {
      p.add(name, "throughput", throughput);
      p.add(name, "cpu", cpu);
    }
    throughput += 1;
    cpu -= 0.1;
  }
  best = best_peer(p, "throughput");
  const auto best_cpu = best_peer(p, "cpu");
  ASSERT_TRUE(best && best_cpu);
  EXPECT_EQ(best->impl, impls.back());
  EXPECT_EQ(best_cpu->impl, impls.back());
  EXPECT_FALSE(best_peer(p, "no such metric").has_value());
}

TEST(FutonBenchPeers, WorstRepetitionOfEachPeerIsCompared) {
  const point p = testing::make_point("contended", 4, {"futon", "std"}, {{1, 1, 1}, {10, 2, 10}},
                                      {{1, 1, 1}, {0.1, 0.9, 0.1}});
  const auto worst = best_peer(p, "throughput", true);
  ASSERT_TRUE(worst.has_value());
  EXPECT_DOUBLE_EQ(worst->value, 2);
  const auto worst_cpu = best_peer(p, "cpu", true);
  ASSERT_TRUE(worst_cpu.has_value());
  EXPECT_DOUBLE_EQ(worst_cpu->value, 0.9);
}

}  // namespace
}  // namespace futon_bench
