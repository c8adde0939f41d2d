// SPDX-License-Identifier: BSL-1.0
// Runs N forked child processes over one timed measurement, as thread_run.hpp runs threads: the
// processes share one memfd, each mapped at an address of its own, that holds the harness's
// control words and the scenario's state (the locks under test, constructed once by the parent
// before the fork). Each child waits for the start, runs the body until the parent raises
// `stop`, and reports its tally, CPU time and context switches through its slot in the memfd.
//
// The children measure their own usage (getrusage(RUSAGE_SELF) around the body) rather than the
// parent reading RUSAGE_CHILDREN or wait4's figures: those would also count fork's copy-on-write
// faults and the wait for the start, the same for every implementation but diluting the ratios.
//
// A child that does not finish within stuck_after() of the stop signal is killed (SIGKILL) and
// counted as stuck; one that dies or exits badly counts as failed. Either way the run returns:
// a lost wake-up costs a few seconds, never the report. Children die with the parent
// (PR_SET_PDEATHSIG), so an aborted run leaves none asleep. Linux only
// (FUTON_BENCH_HAVE_INTERPROCESS).
#pragma once

#include "interprocess_adapters.hpp"

#if defined(FUTON_BENCH_HAVE_INTERPROCESS)
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "process_usage.hpp"
#include "thread_run.hpp"

namespace futon_bench {

struct process_run {
  std::vector<thread_tally> processes;  // a stuck or failed child's tally reads 0
  double seconds = 0;                   // from the start signal until the last child left
  process_usage usage;                  // the children's, summed, over their timed part
  int stuck = 0;                        // killed stuck_after() after the stop signal
  int failed = 0;                       // died, or could not start or map the segment
  std::string error;                    // why the run could not start ("" if it did)

  std::uint64_t operations() const {
    std::uint64_t total = 0;
    for (const auto& t : processes)
      total += t.operations;
    return total;
  }
  bool ok() const { return error.empty() && stuck == 0 && failed == 0; }
  // The failure note for a run that is not ok().
  std::string problem(std::chrono::nanoseconds duration) const;
};

// What the children see of the harness: `stop` becomes non-zero when they should finish (they
// read it relaxed in their loop; the results are read after they exit).
using stop_word = std::atomic<std::uint32_t>;
static_assert(stop_word::is_always_lock_free, "a lock-free atomic is address-free: shareable");

// The typeless core: `state_size` bytes of shared state, built by construct(state) in the
// parent before the first fork; body(index, stop, state, tally) runs in each child, in its own
// mapping of the state; inspect(state) runs in the parent once every child has exited or been
// killed (to read what the children left there), then destroy(state), skipped when a child was
// killed (it may have died holding a lock).
process_run run_processes(
    int count, std::chrono::nanoseconds duration, std::size_t state_size,
    const std::function<void(void*)>& construct,
    const std::function<void(int, const stop_word&, void*, thread_tally&)>& body,
    const std::function<void(const void*)>& inspect, const std::function<void(void*)>& destroy);

// The same with a `State` type: body(index, stop, State&, tally), inspect(const State&).
template <class State, class Body, class Inspect>
process_run run_processes(int count, std::chrono::nanoseconds duration, Body body,
                          Inspect inspect) {
  static_assert(alignof(State) <= 64, "the state is placed on a cache-line boundary");
  return run_processes(
      count, duration, sizeof(State), [](void* at) { ::new (at) State(); },
      [&body](int index, const stop_word& stop, void* state, thread_tally& tally) {
        body(index, stop, *static_cast<State*>(state), tally);
      },
      [&inspect](const void* at) { inspect(*static_cast<const State*>(at)); },
      [](void* at) { static_cast<State*>(at)->~State(); });
}

template <class State, class Body>
process_run run_processes(int count, std::chrono::nanoseconds duration, Body body) {
  return run_processes<State>(count, duration, std::move(body), [](const State&) {});
}

}  // namespace futon_bench
#endif
