// SPDX-License-Identifier: BSL-1.0
// Application scenario: a pipeline of three stages, N threads each, joined by two bounded queues
// of 32 items (each a mutex and two condition variables, not_full and not_empty, notified once
// per item):
//   stage 1 stamps a new item with the clock, makes it (~1 us of work) and pushes it into queue A;
//   stage 2 pops from A, transforms the item (~1 us) and pushes it into queue B;
//   stage 3 pops from B, finishes the item (~1 us) and records its end-to-end latency.
// Stage 1 makes items as fast as the pipeline takes them, so the queues run full and empty by
// turns and the threads sleep and wake on both conditions. Throughput counts finished items; the
// latency percentiles (log-linear buckets, within 6 %) are over every item finished in the
// repetition; the spread is between all 3N threads.
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "application_point.hpp"
#include "latency_histogram.hpp"
#include "run_figures.hpp"
#include "scenarios.hpp"
#include "thread_run.hpp"
#include "work.hpp"

namespace futon_bench {

namespace {

constexpr std::size_t queue_slots = 32;
constexpr double stage_ns = 1000;

struct item {
  std::int64_t start_ns = 0;
};

template <class Primitives>
class bounded_queue {
 public:
  // Waits for a free slot; false once the queue is closed.
  bool push(item x) {
    {
      std::unique_lock<typename Primitives::mutex> lock(mutex_);
      while (count_ == queue_slots && !closed_)
        not_full_.wait(lock);
      if (closed_) return false;
      slots_[(head_ + count_) % queue_slots] = x;
      ++count_;
    }
    not_empty_.notify_one();
    return true;
  }
  // Waits for an item; false once the queue is closed (items still in it stay there).
  bool pop(item& x) {
    {
      std::unique_lock<typename Primitives::mutex> lock(mutex_);
      while (count_ == 0 && !closed_)
        not_empty_.wait(lock);
      if (closed_) return false;
      x = slots_[head_];
      head_ = (head_ + 1) % queue_slots;
      --count_;
    }
    not_full_.notify_one();
    return true;
  }
  // Releases every thread waiting in push or pop, now and later.
  void close() {
    {
      std::lock_guard<typename Primitives::mutex> lock(mutex_);
      closed_ = true;
    }
    not_full_.notify_all();
    not_empty_.notify_all();
  }
  // Items left in the queue; once no thread uses it.
  std::size_t left() const { return count_; }

 private:
  typename Primitives::mutex mutex_;
  typename Primitives::condition_variable not_full_;
  typename Primitives::condition_variable not_empty_;
  // Guarded by mutex_:
  std::array<item, queue_slots> slots_{};
  std::size_t head_ = 0;
  std::size_t count_ = 0;
  bool closed_ = false;
};

template <class Primitives>
struct pipeline {
  explicit pipeline(int per_stage) : latencies(static_cast<std::size_t>(per_stage)) {}
  bounded_queue<Primitives> a;
  bounded_queue<Primitives> b;
  std::vector<latency_histogram> latencies;  // one per stage 3 thread
  // Each stage's total, added by its threads when they finish: checks that no queue loses or
  // duplicates an item.
  alignas(64) std::atomic<std::uint64_t> made{0};
  std::atomic<std::uint64_t> moved{0};
  std::atomic<std::uint64_t> dropped{0};  // popped from A by stage 2 after B was closed
  std::atomic<std::uint64_t> finished{0};
};

template <class Primitives>
void measure(point& p, int per_stage, const context& ctx) {
  // Shared with the threads, which keep it alive should one of them be stuck (thread_run.hpp).
  const auto s = std::make_shared<pipeline<Primitives>>(per_stage);
  const std::uint32_t work = ctx.cal.steps_for(stage_ns);
  const auto duration = application_measurement(ctx.opts);
  const thread_run run = run_threads(
      3 * per_stage, duration,
      [s, work, per_stage](int index, const std::atomic<bool>& stop, thread_tally& tally) {
        // Relaxed: plain sums, read after the thread is done.
        constexpr auto relaxed = std::memory_order_relaxed;
        std::uint64_t n = 0;
        item x;
        if (index < per_stage) {
          // Relaxed: `stop` only says "finish"; the results are read after the thread is done.
          while (!stop.load(relaxed)) {
            x.start_ns = now_ns();
            busy_work(work);
            if (!s->a.push(x)) break;
            ++n;
          }
          s->made.fetch_add(n, relaxed);
        } else if (index < 2 * per_stage) {
          while (s->a.pop(x)) {
            busy_work(work);
            if (!s->b.push(x)) {
              s->dropped.fetch_add(1, relaxed);
              break;
            }
            ++n;
          }
          s->moved.fetch_add(n, relaxed);
        } else {
          latency_histogram& latency =
              s->latencies[static_cast<std::size_t>(index - 2 * per_stage)];
          while (s->b.pop(x)) {
            busy_work(work);
            latency.record(now_ns() - x.start_ns);
            ++n;
          }
          s->finished.fetch_add(n, relaxed);
        }
        tally.operations = n;
      },
      [s] {
        // Stage 1 sees `stop`; the others learn it from the closed queues.
        s->a.close();
        s->b.close();
      });
  const char* name = Primitives::name;
  // Relaxed: the threads are done (the harness's acquire of their `done` flags).
  const std::uint64_t finished = s->finished.load(std::memory_order_relaxed);
  if (!record_app_run(p, name, run, finished, run.threads, duration)) return;
  const std::uint64_t made = s->made.load(std::memory_order_relaxed);
  const std::uint64_t moved = s->moved.load(std::memory_order_relaxed);
  const std::uint64_t dropped = s->dropped.load(std::memory_order_relaxed);
  if (made != moved + dropped + s->a.left() || moved != finished + s->b.left()) {
    p.fail(std::string(name) + ": a queue lost or duplicated items: stage 1 made " +
           std::to_string(made) + ", stage 2 passed on " + std::to_string(moved) + " (dropped " +
           std::to_string(dropped) + ", " + std::to_string(s->a.left()) +
           " left in A), stage 3 finished " + std::to_string(finished) + " (" +
           std::to_string(s->b.left()) + " left in B)");
  }
  latency_histogram all;
  for (const auto& h : s->latencies)
    all.merge(h);
  p.add(name, "p50", static_cast<double>(all.percentile(0.5)) * 1e-3);
  p.add(name, "p99", static_cast<double>(all.percentile(0.99)) * 1e-3);
  p.add(name, "p999", static_cast<double>(all.percentile(0.999)) * 1e-3);
}

}  // namespace

void run_pipeline(context& ctx) {
  for (const int per_stage : ctx.opts.contended_threads) {
    auto metrics = run_figure_metrics("items");
    metrics.push_back({"p50", "latency p50", "us", better::lower, false});
    metrics.push_back({"p99", "latency p99", "us", better::lower, false});
    metrics.push_back({"p999", "latency p99.9", "us", better::lower, false});
    measure_application_point(
        ctx, "pipeline", per_stage,
        "pipeline, 3 stages x " + count_of(per_stage, "thread", "threads"), std::move(metrics),
        [&]<class Primitives>(point& p) { measure<Primitives>(p, per_stage, ctx); });
  }
}

}  // namespace futon_bench
