// SPDX-License-Identifier: BSL-1.0
// Application scenario: a thread pool running a parallel loop. One submitter thread hands batches
// of 64 tasks to N worker threads and joins each batch before submitting the next:
//   submitter: pending.add(64); 64 times: lock, queue a task, unlock, wake a worker;
//              pending.wait()
//   worker:    wait for a task; lock, take it, unlock; run it; pending.done()
// A task is a spin of 0, 1 or 10 us (thread_pool_0us, _1us, _10us), and idle workers wait on one
// condition variable, notified once per task (notify_one), as the usual pool is written. In
// thread_pool_semaphore (1 us tasks) they wait on a counting semaphore released once per task
// instead. The join is futon::wait_group for futon, and for std a count under a std::mutex with a
// std::condition_variable (application_primitives.hpp; std::latch cannot be reused). Between
// batches the workers run dry and go to sleep, so every batch wakes sleeping workers: the cost
// the implementations differ in. Throughput counts tasks run; the spread is between the workers.
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <string>

#include "application_point.hpp"
#include "run_figures.hpp"
#include "scenarios.hpp"
#include "thread_run.hpp"
#include "work.hpp"

namespace futon_bench {

namespace {

constexpr int batch = 64;

struct task {
  std::uint32_t steps = 0;  // busy_work() steps
};

// The pool's queue: tasks under a mutex. Idle workers wait on one condition variable, woken
// once per task queued (notify_one), or with `on_semaphore` on a counting semaphore that holds a
// permit per queued task.
template <class Primitives, bool on_semaphore>
class task_queue {
 public:
  void push(task t) {
    {
      std::lock_guard<typename Primitives::mutex> lock(mutex_);
      tasks_.push_back(t);
    }
    if constexpr (on_semaphore) {
      permits_.release();
    } else {
      ready_.notify_one();
    }
  }
  // Waits for a task; false once the queue is closed (and empty: see close).
  bool pop(task& t) {
    if constexpr (on_semaphore) permits_.acquire();
    std::unique_lock<typename Primitives::mutex> lock(mutex_);
    if constexpr (!on_semaphore) {
      while (tasks_.empty() && !closed_)
        ready_.wait(lock);
    }
    // On the semaphore every queued task has its permit, so an empty queue after a permit means
    // one from close().
    if (tasks_.empty()) return false;
    t = tasks_.front();
    tasks_.pop_front();
    return true;
  }
  // Called once the queue is empty for good. On the semaphore: one permit per worker, and a
  // worker leaves on its first, so each one gets exactly one.
  void close(int workers) {
    if constexpr (on_semaphore) {
      permits_.release(workers);
    } else {
      {
        std::lock_guard<typename Primitives::mutex> lock(mutex_);
        closed_ = true;
      }
      ready_.notify_all();
    }
  }

 private:
  typename Primitives::mutex mutex_;
  typename Primitives::condition_variable ready_;       // without on_semaphore
  typename Primitives::counting_semaphore permits_{0};  // with it
  std::deque<task> tasks_;                              // guarded by mutex_
  bool closed_ = false;                                 // likewise
};

template <class Queue, class WaitGroup>
struct pool {
  Queue queue;
  WaitGroup pending;
  std::uint64_t submitted = 0;  // written by the submitter alone, read after the run
};

template <bool on_semaphore, class Primitives>
void measure(point& p, int workers, std::uint32_t task_steps, const context& ctx) {
  using pool_type = pool<task_queue<Primitives, on_semaphore>, typename Primitives::wait_group>;
  // Shared with the threads, which keep it alive should one of them be stuck (thread_run.hpp).
  const auto s = std::make_shared<pool_type>();
  const auto duration = application_measurement(ctx.opts);
  const thread_run run = run_threads(
      workers + 1, duration,
      [s, workers, task_steps](int index, const std::atomic<bool>& stop, thread_tally& tally) {
        if (index == 0) {
          // Relaxed: `stop` only says "finish"; the results are read after the thread is done.
          while (!stop.load(std::memory_order_relaxed)) {
            s->pending.add(batch);
            for (int i = 0; i < batch; ++i)
              s->queue.push(task{task_steps});
            s->pending.wait();
            s->submitted += batch;
          }
          // The last batch is joined: the queue stays empty, and the workers may leave.
          s->queue.close(workers);
          return;
        }
        std::uint64_t ran = 0;
        task t;
        while (s->queue.pop(t)) {
          busy_work(t.steps);
          s->pending.done();
          ++ran;
        }
        tally.operations = ran;
      });
  const char* name = Primitives::name;
  const auto worker_tallies = std::span<const thread_tally>(run.threads).subspan(1);
  if (!record_app_run(p, name, run, run.operations(), worker_tallies, duration)) return;
  // Every thread is done (the harness's acquire of their `done` flags).
  if (s->submitted != run.operations()) {
    p.fail(std::string(name) + ": the pool lost tasks: " + std::to_string(s->submitted) +
           " submitted and joined, " + std::to_string(run.operations()) + " run");
  }
}

struct pool_case {
  const char* scenario;
  double task_ns;
  bool semaphore;
  const char* title;
};

constexpr pool_case pool_cases[] = {
    {"thread_pool_0us", 0, false, "thread pool, empty tasks"},
    {"thread_pool_1us", 1000, false, "thread pool, 1 us tasks"},
    {"thread_pool_10us", 10000, false, "thread pool, 10 us tasks"},
    {"thread_pool_semaphore", 1000, true, "thread pool on a semaphore, 1 us tasks"},
};

}  // namespace

void run_thread_pool(context& ctx, const std::string& scenario) {
  for (const pool_case& c : pool_cases) {
    if (scenario != c.scenario) continue;
    const std::uint32_t steps = ctx.cal.steps_for(c.task_ns);
    for (const int workers : ctx.opts.contended_threads) {
      measure_application_point(
          ctx, c.scenario, workers,
          std::string(c.title) + ", " + count_of(workers, "worker", "workers"),
          run_figure_metrics("tasks"), [&]<class Primitives>(point& p) {
            if (c.semaphore) {
              measure<true, Primitives>(p, workers, steps, ctx);
            } else {
              measure<false, Primitives>(p, workers, steps, ctx);
            }
          });
    }
  }
}

}  // namespace futon_bench
