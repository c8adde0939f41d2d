// SPDX-License-Identifier: BSL-1.0
// Runs N threads over one timed measurement: all start together, run until told to stop, and
// report what each did. The harness's own waiting (start and stop) uses std::latch and
// std::atomic<bool>::wait for every implementation alike, outside the timed part where it can.
//
// A primitive that loses a wake-up leaves a thread blocked for good. The harness then does not
// hang: it waits stuck_after() for the threads to leave after the stop signal, reports how many
// did not, and detaches them. Everything a worker thread touches is therefore owned through
// shared_ptr copies the thread itself holds (the harness state here; the scenario's state in
// the body's captures), so a detached thread that ever wakes finds its memory still alive.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "process_usage.hpp"
#include "work.hpp"

namespace futon_bench {

// What one thread reports; one cache line each, so threads do not slow each other down by
// writing their results next to each other.
struct alignas(64) thread_tally {
  std::uint64_t operations = 0;
  std::int64_t worst_wait_ns = 0;  // contended: the longest single lock() call
  std::int64_t end_ns = 0;         // when the thread left its loop
};

struct thread_run {
  std::vector<thread_tally> threads;  // a stuck thread's tally reads 0 (it never reported)
  double seconds = 0;                 // from the start signal until the last thread left
  process_usage usage;                // over the same span, plus thread exits
  int stuck = 0;  // threads still blocked stuck_after() after the stop signal (detached)

  std::uint64_t operations() const {
    std::uint64_t total = 0;
    for (const auto& t : threads)
      total += t.operations;
    return total;
  }
};

// How long threads may take to leave once told to stop before they count as stuck. Leaving
// takes each thread one more lock or wait, microseconds; but on a loaded 2-core machine a
// runnable thread can wait tens of milliseconds for a CPU, and a false alarm would blame a
// primitive for the machine: hence a margin of about a hundred times that.
inline std::chrono::nanoseconds stuck_after(std::chrono::nanoseconds duration) {
  return std::max<std::chrono::nanoseconds>(std::chrono::seconds(3), 10 * duration);
}

// The failure note for `stuck` detached threads out of `threads`.
inline std::string stuck_message(int stuck, int threads, std::chrono::nanoseconds duration) {
  return "lost wake-up: " + std::to_string(stuck) + " of " + std::to_string(threads) +
         " threads still blocked " +
         std::to_string(
             std::chrono::duration_cast<std::chrono::seconds>(stuck_after(duration)).count()) +
         " s after the stop signal (detached; this repetition is left out of the figures)";
}

// Joins the threads whose `done` flag is set within `limit`, detaches the rest; returns how
// many were detached.
inline int join_or_detach(std::vector<std::thread>& threads, const std::atomic<bool>* done,
                          std::chrono::nanoseconds limit) {
  const std::int64_t give_up = now_ns() + limit.count();
  const auto all_done = [&] {
    for (std::size_t i = 0; i < threads.size(); ++i) {
      // Acquire: pairs with the thread's release store, after its last write to shared state.
      if (!done[i].load(std::memory_order_acquire)) return false;
    }
    return true;
  };
  while (!all_done() && now_ns() < give_up)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  int stuck = 0;
  for (std::size_t i = 0; i < threads.size(); ++i) {
    // Acquire: as above.
    if (done[i].load(std::memory_order_acquire)) {
      threads[i].join();
    } else {
      threads[i].detach();
      ++stuck;
    }
  }
  return stuck;
}

// Runs body(index, stop, tally) on `count` threads for about `duration`. The body loops until
// stop.load(relaxed) is true, counting into `tally`; it is copied once and shared by the threads
// (called concurrently, so it must not change its captures). After raising `stop`, the harness
// calls on_stop() (to release threads a body may have left blocked, e.g. on a semaphore).
template <class Body, class OnStop>
thread_run run_threads(int count, std::chrono::nanoseconds duration, Body body, OnStop on_stop) {
  struct harness {
    harness(int n, Body b)
        : tallies(static_cast<std::size_t>(n)),
          done(std::make_unique<std::atomic<bool>[]>(static_cast<std::size_t>(n))),
          ready(n),
          body(std::move(b)) {}
    std::vector<thread_tally> tallies;
    std::unique_ptr<std::atomic<bool>[]> done;
    std::latch ready;
    std::atomic<bool> go{false};
    std::atomic<bool> stop{false};
    const Body body;
  };
  const auto h = std::make_shared<harness>(count, std::move(body));
  std::vector<std::thread> threads;
  threads.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    threads.emplace_back([h, i] {
      h->ready.count_down();
      // Acquire: pairs with the release store of `go`, though nothing is handed over but "start".
      h->go.wait(false, std::memory_order_acquire);
      thread_tally& tally = h->tallies[static_cast<std::size_t>(i)];
      h->body(i, h->stop, tally);
      tally.end_ns = now_ns();
      // Release: the tally is complete (see join_or_detach).
      h->done[static_cast<std::size_t>(i)].store(true, std::memory_order_release);
    });
  }
  // Every thread exists and is about to wait for `go`: the timed part starts here.
  h->ready.wait();
  const process_usage before = process_usage::now();
  const std::int64_t start = now_ns();
  // Release: see the acquire above.
  h->go.store(true, std::memory_order_release);
  h->go.notify_all();
  std::this_thread::sleep_for(duration);
  // Relaxed: the bodies only need to see it eventually; their results are read after `done`.
  h->stop.store(true, std::memory_order_relaxed);
  on_stop();
  thread_run run;
  run.stuck = join_or_detach(threads, h->done.get(), stuck_after(duration));
  run.usage = process_usage::now() - before;
  run.threads.resize(h->tallies.size());
  std::int64_t end = start;
  for (std::size_t i = 0; i < h->tallies.size(); ++i) {
    // Acquire: a stuck thread's tally is never read (it could still be written).
    if (!h->done[i].load(std::memory_order_acquire)) continue;
    run.threads[i] = h->tallies[i];
    end = std::max(end, h->tallies[i].end_ns);
  }
  run.seconds = static_cast<double>(end - start) * 1e-9;
  return run;
}

template <class Body>
thread_run run_threads(int count, std::chrono::nanoseconds duration, Body body) {
  return run_threads(count, duration, body, [] {});
}

}  // namespace futon_bench
