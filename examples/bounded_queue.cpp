// SPDX-License-Identifier: BSL-1.0
// A bounded blocking queue: producers wait while it is full, consumers while it is empty, each
// on its own futon::condition_variable, so that a push wakes only a consumer and a pop only a
// producer. close() ends the consumers' loop once the queue is drained.
#include <cstddef>
#include <cstdio>
#include <deque>
#include <futon/condition_variable.hpp>
#include <futon/mutex.hpp>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace {

template <class T>
class bounded_queue {
 public:
  explicit bounded_queue(std::size_t capacity) : capacity_(capacity) {}

  // Blocks while the queue is full. False (nothing pushed) once the queue is closed.
  bool push(T value) {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
    if (closed_) return false;
    items_.push_back(std::move(value));
    lock.unlock();  // the woken consumer need not wait for our mutex
    not_empty_.notify_one();
    return true;
  }

  // Blocks while the queue is empty and open. nullopt once it is closed and drained.
  std::optional<T> pop() {
    std::unique_lock lock(mutex_);
    not_empty_.wait(lock, [&] { return closed_ || !items_.empty(); });
    if (items_.empty()) return std::nullopt;
    T value = std::move(items_.front());
    items_.pop_front();
    lock.unlock();
    not_full_.notify_one();
    return value;
  }

  void close() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
    // Everyone re-checks: consumers drain what is left, producers give up.
    not_empty_.notify_all();
    not_full_.notify_all();
  }

 private:
  futon::mutex mutex_;
  futon::condition_variable not_full_;
  futon::condition_variable not_empty_;
  std::deque<T> items_;
  std::size_t capacity_;
  bool closed_ = false;
};

}  // namespace

int main() {
  constexpr int producers = 2;
  constexpr int consumers = 2;
  constexpr long items_each = 20000;

  bounded_queue<long> queue(8);  // small, so that both sides really wait
  std::vector<std::thread> threads;
  long consumed_sum[consumers] = {};  // each consumer writes only its own slot, read after join
  long consumed_count[consumers] = {};
  for (int c = 0; c < consumers; ++c) {
    threads.emplace_back([&, c] {
      while (const auto value = queue.pop()) {
        consumed_sum[c] += *value;
        ++consumed_count[c];
      }
    });
  }
  std::vector<std::thread> producing;
  for (int p = 0; p < producers; ++p) {
    producing.emplace_back([&] {
      for (long i = 1; i <= items_each; ++i)
        queue.push(i);
    });
  }
  for (auto& thread : producing)
    thread.join();
  queue.close();
  for (auto& thread : threads)
    thread.join();

  long sum = 0;
  long count = 0;
  for (int c = 0; c < consumers; ++c) {
    sum += consumed_sum[c];
    count += consumed_count[c];
  }
  const long expected_sum = producers * items_each * (items_each + 1) / 2;
  std::printf("bounded_queue: %ld items consumed, sum %ld (expected %ld items, sum %ld)\n", count,
              sum, producers * items_each, expected_sum);
  return count == producers * items_each && sum == expected_sum ? 0 : 1;
}
