// SPDX-License-Identifier: BSL-1.0
// dsched::lot_platform: the parking lot's platform (src/parking_lot/platform_concept.hpp) under
// the deterministic scheduler. Its bucket lock, its thread parker and its atomics all yield to
// the scheduler, and its clock is the scheduler's virtual one; lot_copy.cpp instantiates the
// real parking lot's engine over it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <futon/detail/deadline.hpp>

#include "dsched/atomic.hpp"
#include "dsched/scheduler.hpp"

namespace dsched {

// The bucket lock: blocks in the scheduler while held. Constant-initialized, as the table is.
class lot_lock {
 public:
  constexpr lot_lock() noexcept = default;
  lot_lock(const lot_lock&) = delete;
  lot_lock& operator=(const lot_lock&) = delete;

  void lock() noexcept {
    point("bucket lock");
    while (held_)
      static_cast<void>(block_on(this, false, false));
    held_ = true;
  }
  void unlock() noexcept {
    held_ = false;
    // FIFO: which thread gets the bucket lock next is not what these tests check, and a choice
    // at every contended bucket unlock would multiply the schedules an exhaustive search runs.
    static_cast<void>(wake_on(this, 1, wake_order::fifo));
  }

 private:
  bool held_ = false;  // only the running thread touches it: the scheduler orders every access
};

// The thread parker, with the contract of the real ones: park() never returns spuriously;
// park_until() returns false only when timed out (here: when the scheduler decides so).
class lot_parker {
 public:
  static constexpr const char* name = "dsched";

  void prepare_park() noexcept { parked_ = true; }
  void park() noexcept {
    while (parked_)
      static_cast<void>(block_on(this, false, false));
  }
  bool park_until(const futon::detail::deadline& limit) noexcept {
    if (limit.is_never()) {
      park();
      return true;
    }
    while (parked_) {
      if (block_on(this, true, false) == wake_reason::timed_out) return !parked_;
    }
    return true;
  }
  void unpark() noexcept {
    parked_ = false;
    // The owner may return and free this parker here, before the wake: the wake only uses the
    // address, as the real parkers' wakes do.
    point("unpark");
    static_cast<void>(wake_on(this, 1));
  }

 private:
  bool parked_ = false;
};

struct lot_platform {
  using thread_parker = lot_parker;
  using raw_lock = lot_lock;
  template <class T>
  using atomic = dsched::atomic<T>;
  static std::int64_t now_ns() noexcept { return dsched::now_ns(); }
  // The real table's size, so that the copy hashes addresses to buckets as the library does.
  static constexpr std::size_t bucket_count_log2 = 9;
};

}  // namespace dsched
