// SPDX-License-Identifier: BSL-1.0
// A fixed pool of worker threads, and futon::wait_group to wait for a batch of tasks: submit()
// adds one to the group, the worker that ran the task calls done(), and wait() returns once all
// of them have run. The group also publishes the tasks' results: every done() before the zero
// happens before wait() returns (release/acquire inside the wait_group), so the results are read
// without any other synchronization.
#include <cstdio>
#include <deque>
#include <functional>
#include <futon/condition_variable.hpp>
#include <futon/mutex.hpp>
#include <futon/wait_group.hpp>
#include <mutex>
#include <thread>
#include <vector>

namespace {

class thread_pool {
 public:
  explicit thread_pool(unsigned threads) {
    for (unsigned i = 0; i < threads; ++i)
      workers_.emplace_back([this] { work(); });
  }
  ~thread_pool() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    ready_.notify_all();
    for (auto& worker : workers_)
      worker.join();
  }
  thread_pool(const thread_pool&) = delete;
  thread_pool& operator=(const thread_pool&) = delete;

  // Runs `task` on a worker; `group.wait()` returns once it (and the group's others) ran.
  void submit(futon::wait_group& group, std::function<void()> task) {
    group.add();  // before the task can run, so the count cannot reach zero early
    {
      std::lock_guard lock(mutex_);
      tasks_.push_back([&group, task = std::move(task)] {
        task();
        group.done();
      });
    }
    ready_.notify_one();
  }

 private:
  void work() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
        if (tasks_.empty()) return;  // stopping, and nothing left to run
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }

  futon::mutex mutex_;
  futon::condition_variable ready_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace

int main() {
  thread_pool pool(4);

  // Two batches through the same pool and the same group: a wait_group is reusable.
  std::vector<long> squares(1000);
  futon::wait_group group;
  for (long batch = 0; batch < 2; ++batch) {
    for (std::size_t i = 0; i < squares.size(); ++i) {
      // Each task writes only its own element.
      pool.submit(group, [&squares, i, batch] {
        const long n = static_cast<long>(i) + batch;
        squares[i] = n * n;
      });
    }
    group.wait();  // all of this batch's writes are visible from here on
  }

  long sum = 0;
  for (const long square : squares)
    sum += square;
  const long n = static_cast<long>(squares.size());
  const long expected = n * (n + 1) * (2 * n + 1) / 6;  // 1^2 + ... + n^2 (the second batch)
  std::printf("thread_pool: sum of squares %ld (expected %ld)\n", sum, expected);
  return sum == expected ? 0 : 1;
}
