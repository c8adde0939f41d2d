// SPDX-License-Identifier: BSL-1.0
// A map shared by threads, two ways:
//   - word counts under a futon::mutex, with std::lock_guard (every access writes);
//   - a price list under a futon::shared_mutex: many readers at once with std::shared_lock, one
//     writer at a time with std::unique_lock (reads far outnumber writes).
// futon's locks work with std's lock wrappers: they only call lock / unlock (and the _shared
// forms). The mutex and shared_mutex are 4 bytes each, against 40 and 56 for libstdc++'s.
#include <cstdio>
#include <futon/mutex.hpp>
#include <futon/shared_mutex.hpp>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

class word_counter {
 public:
  void add(const std::string& word) {
    std::lock_guard lock(mutex_);
    ++counts_[word];
  }
  int count(const std::string& word) const {
    std::lock_guard lock(mutex_);
    const auto it = counts_.find(word);
    return it == counts_.end() ? 0 : it->second;
  }

 private:
  mutable futon::mutex mutex_;
  std::map<std::string, int> counts_;
};

class price_list {
 public:
  void set(const std::string& item, int cents) {
    std::unique_lock lock(mutex_);  // exclusive: no reader sees a half-made change
    prices_[item] = cents;
  }
  int get(const std::string& item) const {
    std::shared_lock lock(mutex_);  // shared: readers do not wait for each other
    const auto it = prices_.find(item);
    return it == prices_.end() ? -1 : it->second;
  }

 private:
  mutable futon::shared_mutex mutex_;
  std::map<std::string, int> prices_;
};

}  // namespace

int main() {
  constexpr int threads = 4;
  constexpr int rounds = 100000;

  word_counter words;
  std::vector<std::thread> counting;
  for (int t = 0; t < threads; ++t) {
    counting.emplace_back([&words] {
      for (int i = 0; i < rounds; ++i)
        words.add(i % 2 == 0 ? "even" : "odd");
    });
  }
  for (auto& thread : counting)
    thread.join();

  price_list prices;
  prices.set("tea", 250);
  std::vector<std::thread> shopping;
  int wrong_prices[threads] = {};  // each reader writes only its own slot, read after join
  for (int t = 0; t < threads; ++t) {
    shopping.emplace_back([&prices, &wrong_prices, t] {
      for (int i = 0; i < rounds; ++i) {
        const int cents = prices.get("tea");
        if (cents != 250 && cents != 300) ++wrong_prices[t];  // only whole updates are seen
      }
    });
  }
  prices.set("tea", 300);  // while the readers read
  for (auto& thread : shopping)
    thread.join();

  int wrong = 0;
  for (const int w : wrong_prices)
    wrong += w;
  std::printf("mutex_map: even %d, odd %d (expected %d each); tea costs %d cents; %d torn reads\n",
              words.count("even"), words.count("odd"), threads * rounds / 2, prices.get("tea"),
              wrong);
  const bool ok = words.count("even") == threads * rounds / 2 &&
                  words.count("odd") == threads * rounds / 2 && prices.get("tea") == 300 &&
                  wrong == 0;
  return ok ? 0 : 1;
}
