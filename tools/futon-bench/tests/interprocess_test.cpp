// SPDX-License-Identifier: BSL-1.0
// The interprocess scenarios' plumbing (Linux): forked children report their counts through the
// shared segment, a child that hangs is killed and one that dies is counted, never hanging the
// run; a tiny run of each scenario gives every implementation's figures and the T7 line.
#include <gtest/gtest.h>

#include <csignal>
#include <cstdint>
#include <string>

#include "implementations.hpp"
#include "process_run.hpp"
#include "scenarios.hpp"
#include "targets.hpp"

#if defined(FUTON_BENCH_HAVE_INTERPROCESS)
#include <unistd.h>

namespace futon_bench {
namespace {

using namespace std::chrono_literals;

struct tally_board {
  std::uint64_t seen_by[4] = {};  // each child writes its own entry, in its own mapping
};

TEST(FutonBenchInterprocess, ChildrenReportThroughTheSegment) {
  std::uint64_t from_state[4] = {};
  const process_run run = run_processes<tally_board>(
      4, 20ms,
      [](int index, const stop_word& stop, tally_board& b, thread_tally& tally) {
        std::uint64_t n = 0;
        // Relaxed: as in the scenarios.
        while (stop.load(std::memory_order_relaxed) == 0)
          ++n;
        tally.operations = n;
        b.seen_by[index] = n;
      },
      [&](const tally_board& b) {
        for (int i = 0; i < 4; ++i)
          from_state[i] = b.seen_by[i];
      });
  ASSERT_TRUE(run.ok()) << run.problem(20ms);
  ASSERT_EQ(run.processes.size(), 4u);
  // (A child may count nothing: on a loaded machine it can miss the whole 20 ms.)
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(run.processes[static_cast<std::size_t>(i)].operations, from_state[i]) << i;
  EXPECT_GT(run.operations(), 0u);
  EXPECT_GT(run.seconds, 0.019);
  EXPECT_GT(run.usage.cpu_ns, 0);
  EXPECT_TRUE(run.usage.has_switches());
}

TEST(FutonBenchInterprocess, AHungChildIsKilledAndADeadOneCounted) {
  const auto started = std::chrono::steady_clock::now();
  const process_run run = run_processes<tally_board>(
      3, 2ms, [](int index, const stop_word&, tally_board&, thread_tally& tally) {
        tally.operations = 1;
        if (index == 1) {
          for (;;)
            pause();  // a lost wake-up: never returns
        }
        if (index == 2) std::raise(SIGKILL);  // dies mid-measurement
      });
  EXPECT_LT(std::chrono::steady_clock::now() - started, stuck_after(2ms) + 5s);
  EXPECT_FALSE(run.ok());
  EXPECT_EQ(run.stuck, 1);
  EXPECT_EQ(run.failed, 1);
  EXPECT_EQ(run.operations(), 1u);  // only child 0's
  const std::string why = run.problem(2ms);
  EXPECT_NE(why.find("lost wake-up: 1 of 3 processes"), std::string::npos) << why;
  EXPECT_NE(why.find("1 of 3 processes died"), std::string::npos) << why;
}

// Whether one of the point's notes says that a process of `impl` never got the lock.
bool never_got_the_lock(const point& p, const std::string& impl) {
  for (const auto& note : p.notes) {
    if (note.rfind(impl + ":", 0) == 0 && note.find("never got the lock") != std::string::npos) {
      return true;
    }
  }
  return false;
}

TEST(FutonBenchInterprocess, TinyRunHasEveryImplementationsFigures) {
  options opts;
  opts.processes = {2, 3};
  // Long enough for every child to take the lock even under qemu-user (where starting a process
  // takes tens of milliseconds: at 4 ms none had, and spread and worst wait read 0).
  opts.duration = 200ms;
  opts.repetitions = 1;
  calibration cal;
  cal.inside_steps = 10;
  cal.outside_steps = 50;
  progress prog({1, 1, 1});
  results out;
  context ctx{opts, cal, prog, out};
  run_scenario("interprocess_pingpong", ctx);
  run_scenario("interprocess_contended", ctx);
  ASSERT_EQ(out.points.size(), 3u);
  EXPECT_EQ(out.points[0].scenario, "interprocess_pingpong");
  EXPECT_EQ(out.points[2].param, 3);
  for (const auto& p : out.points) {
    EXPECT_FALSE(p.failed) << p.title;
    for (const char* impl : {"futon", "pthread-pshared", "pthread-robust"}) {
      // A robust mutex can be refused (qemu-user keeps no robust list): then a note says so.
      if (p.find(impl) == nullptr && std::string(impl) == "pthread-robust" && !p.notes.empty())
        continue;
      for (const auto& m : p.metrics) {
        if (m.key == "switches") continue;  // may read NaN where the OS does not count them
        const auto v = p.median(impl, m.key);
        ASSERT_TRUE(v.has_value()) << p.title << " " << impl << " " << m.key;
        // Spread and worst wait are 0 when a process never got the lock, which the point's
        // notes then say (a machine too slow for the duration); every other figure is positive.
        const bool needs_every_process = m.key == "spread" || m.key == "worst_wait";
        if (needs_every_process && never_got_the_lock(p, impl)) continue;
        EXPECT_GT(*v, 0) << p.title << " " << impl << " " << m.key;
      }
    }
  }
  const auto targets = evaluate_targets(out);
  ASSERT_EQ(targets.size(), 13u);
  EXPECT_NE(targets[6].outcome, verdict::skip) << targets[6].line();
  EXPECT_NE(targets[6].line().find("T7 interprocess"), std::string::npos) << targets[6].line();
}

}  // namespace
}  // namespace futon_bench
#endif
