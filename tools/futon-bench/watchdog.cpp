// SPDX-License-Identifier: BSL-1.0
#include "watchdog.hpp"

#include <cstdio>
#include <cstdlib>

#include "scenarios.hpp"

namespace futon_bench {

namespace {
watchdog* current = nullptr;  // set while main's watchdog lives; only main's thread sets it
}  // namespace

void heartbeat(const std::string& what) {
  if (current != nullptr) current->beat(what);
}

watchdog::watchdog(std::chrono::seconds limit)
    : limit_(limit), last_("startup"), last_beat_(std::chrono::steady_clock::now()) {
  thread_ = std::thread([this] { watch(); });
  current = this;
}

watchdog::~watchdog() {
  current = nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    done_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

void watchdog::beat(const std::string& what) {
  std::lock_guard<std::mutex> lock(mutex_);
  last_ = what;
  last_beat_ = std::chrono::steady_clock::now();
}

void watchdog::watch() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!done_) {
    cv_.wait_for(lock, std::chrono::seconds(5));
    if (!done_ && std::chrono::steady_clock::now() - last_beat_ > limit_) {
      std::fprintf(stderr,
                   "futon-bench: no measurement finished for %llds (the last one done: %s); a "
                   "thread is probably stuck in a wait. Aborting.\n",
                   static_cast<long long>(limit_.count()), last_.c_str());
      std::fflush(stderr);
      std::abort();
    }
  }
}

}  // namespace futon_bench
