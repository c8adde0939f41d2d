// SPDX-License-Identifier: BSL-1.0
// Application scenario: group commit, the shape of LevelDB's write path. N writer threads each
// loop: prepare a record (~100 ns of work), then write it through the log:
//   lock the mutex, join the queue of writers, and wait on the writer's own condition variable
//   until either a leader has written the record or the writer is at the head of the queue;
//   at the head, lead: take up to 16 queued writers (this one first) as a group, unlock for the
//   group's write (one ~3 us spin, whatever the group's size), relock, dequeue the group, mark
//   each other member done and notify its condition variable, then notify the new head, which
//   leads the next group.
// While a leader writes the mutex is free, so writers queue up behind it: the more threads, the
// larger the groups, and every write that a leader does for another costs one sleep and one
// targeted wake. Throughput counts completed writes; "writers per group" says how much batching
// each implementation got.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include "application_point.hpp"
#include "run_figures.hpp"
#include "scenarios.hpp"
#include "thread_run.hpp"
#include "work.hpp"

namespace futon_bench {

namespace {

// LevelDB bounds a group by its bytes, so that one leader's write stays short: here by count.
constexpr std::size_t max_group = 16;
constexpr double write_ns = 3000;

template <class Primitives>
struct writer {
  typename Primitives::condition_variable cv;
  bool done = false;  // guarded by the log's mutex
};

template <class Primitives>
struct write_log {
  typename Primitives::mutex mutex;
  // Guarded by `mutex`: the waiting writers, head first (each lives on its thread's stack), and
  // what the leaders wrote, to check against the writes that returned.
  std::deque<writer<Primitives>*> queue;
  std::uint64_t written = 0;
  std::uint64_t groups = 0;
};

// Returns once a leader (perhaps this thread) has written one record for the caller.
template <class Primitives>
void write_through(write_log<Primitives>& log, std::uint32_t write_steps) {
  writer<Primitives> self;
  std::unique_lock<typename Primitives::mutex> lock(log.mutex);
  log.queue.push_back(&self);
  // std's wait may return spuriously: look again.
  while (!self.done && log.queue.front() != &self)
    self.cv.wait(lock);
  if (self.done) return;
  const std::size_t group = std::min(log.queue.size(), max_group);
  lock.unlock();
  busy_work(write_steps);
  lock.lock();
  // Only a leader dequeues, and there is one at a time (the head): the group is still at the
  // front, with the writers that came during the write behind it.
  for (std::size_t i = 0; i < group; ++i) {
    writer<Primitives>* w = log.queue.front();
    log.queue.pop_front();
    if (w == &self) continue;
    w->done = true;
    // Under the mutex: `w` cannot see `done`, return and destroy its condition variable before
    // the mutex is free, and the notify is over by then.
    w->cv.notify_one();
  }
  log.written += group;
  ++log.groups;
  // The next leader; it waits under the same mutex, so it cannot miss this.
  if (!log.queue.empty()) log.queue.front()->cv.notify_one();
}

template <class Primitives>
void measure(point& p, int threads, const context& ctx) {
  // Shared with the threads, which keep it alive should one of them be stuck (thread_run.hpp).
  const auto log = std::make_shared<write_log<Primitives>>();
  const std::uint32_t prepare = ctx.cal.outside_steps;
  const std::uint32_t write_steps = ctx.cal.steps_for(write_ns);
  const auto duration = application_measurement(ctx.opts);
  // A writer leaves only between writes, and every queued writer is served or made leader by
  // the one before it, so all leave once `stop` is raised: nothing to release at the end.
  const thread_run run = run_threads(
      threads, duration,
      [log, prepare, write_steps](int, const std::atomic<bool>& stop, thread_tally& tally) {
        std::uint64_t writes = 0;
        // Relaxed: `stop` only says "finish"; the results are read after the thread is done.
        while (!stop.load(std::memory_order_relaxed)) {
          busy_work(prepare);
          write_through(*log, write_steps);
          ++writes;
        }
        tally.operations = writes;
      });
  const char* name = Primitives::name;
  if (!record_app_run(p, name, run, run.operations(), run.threads, duration)) return;
  // Every thread is done (the harness's acquire of their `done` flags): the log is quiet.
  if (log->written != run.operations()) {
    p.fail(std::string(name) + ": group commit broken: " + std::to_string(run.operations()) +
           " writes returned but the leaders wrote " + std::to_string(log->written));
  }
  p.add(name, "group",
        static_cast<double>(log->written) /
            static_cast<double>(std::max<std::uint64_t>(log->groups, 1)));
}

}  // namespace

void run_group_commit(context& ctx) {
  for (const int threads : ctx.opts.contended_threads) {
    auto metrics = run_figure_metrics("writes");
    metrics.push_back({"group", "writers per group", "n", better::higher, false, false});
    measure_application_point(
        ctx, "group_commit", threads, "group commit, " + count_of(threads, "writer", "writers"),
        std::move(metrics),
        [&]<class Primitives>(point& p) { measure<Primitives>(p, threads, ctx); });
  }
}

}  // namespace futon_bench
