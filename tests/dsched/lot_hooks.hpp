// The OS pieces of the parking lot, replaced for the deterministic-schedule copy of it
// (FUTON_OS_HOOKS_HEADER, see src/os/thread_parker.hpp): its bucket lock, its thread parker and
// its atomics all yield to the scheduler, and its clock is the scheduler's virtual one.
#pragma once

#include <cstdint>
#include <futon/detail/deadline.hpp>

#include "dsched/atomic.hpp"
#include "dsched/scheduler.hpp"

namespace futon::os {

template <class T>
using atomic = dsched::atomic<T>;

inline std::int64_t now_ns() noexcept {
  return dsched::now_ns();
}

// The bucket lock: blocks in the scheduler while held. Constant-initialized, as the table is.
class raw_mutex {
 public:
  constexpr raw_mutex() noexcept = default;
  raw_mutex(const raw_mutex&) = delete;
  raw_mutex& operator=(const raw_mutex&) = delete;

  void lock() noexcept {
    dsched::point("bucket lock");
    while (held_)
      static_cast<void>(dsched::block_on(this, false, false));
    held_ = true;
  }
  void unlock() noexcept {
    held_ = false;
    // FIFO: which thread gets the bucket lock next is not what these tests check, and a choice
    // at every contended bucket unlock would multiply the schedules an exhaustive search runs.
    static_cast<void>(dsched::wake_on(this, 1, dsched::wake_order::fifo));
  }

 private:
  bool held_ = false;  // only the running thread touches it: the scheduler orders every access
};

// The thread parker, with the contract of the real ones: park() never returns spuriously;
// park_until() returns false only when timed out (here: when the scheduler decides so).
class thread_parker {
 public:
  static constexpr const char* name = "dsched";

  void prepare_park() noexcept { parked_ = true; }
  void park() noexcept {
    while (parked_)
      static_cast<void>(dsched::block_on(this, false, false));
  }
  bool park_until(const detail::deadline& limit) noexcept {
    if (limit.is_never()) {
      park();
      return true;
    }
    while (parked_) {
      if (dsched::block_on(this, true, false) == dsched::wake_reason::timed_out) return !parked_;
    }
    return true;
  }
  void unpark() noexcept {
    parked_ = false;
    // The owner may return and free this parker here, before the wake: the wake only uses the
    // address, as the real parkers' wakes do.
    dsched::point("unpark");
    static_cast<void>(dsched::wake_on(this, 1));
  }

 private:
  bool parked_ = false;
};

}  // namespace futon::os
