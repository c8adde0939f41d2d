// SPDX-License-Identifier: BSL-1.0
// A thread that stops the run, naming the scenario point, if no measurement finishes for a long
// time: a lost wake-up in a primitive would otherwise hang futon-bench (and the CTest run) with
// no clue where. It sleeps in a timed condition-variable wait, so it costs the measurements
// nothing but a wake-up every few seconds.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace futon_bench {

class watchdog {
 public:
  explicit watchdog(std::chrono::seconds limit);
  ~watchdog();
  watchdog(const watchdog&) = delete;
  watchdog& operator=(const watchdog&) = delete;

  void beat(const std::string& what);

 private:
  void watch();

  std::chrono::seconds limit_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::string last_;  // the point whose measurement finished last
  std::chrono::steady_clock::time_point last_beat_;
  bool done_ = false;
  std::thread thread_;
};

}  // namespace futon_bench
