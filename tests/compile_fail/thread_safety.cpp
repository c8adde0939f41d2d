// SPDX-License-Identifier: BSL-1.0
// Clang's -Wthread-safety sees futon's locks as it sees libc++'s std::mutex (see
// <futon/detail/thread_safety.hpp>). The control compiles cleanly: every futon header, correct
// uses of each lock function and of the std guards libc++ annotates. Each case is one misuse
// the analysis must report.
#include <condition_variable>
#include <futon/barrier.hpp>
#include <futon/call_once.hpp>
#include <futon/condition_variable.hpp>
#include <futon/condition_variable_any.hpp>
#include <futon/counting_semaphore.hpp>
#include <futon/event.hpp>
#include <futon/latch.hpp>
#include <futon/mutex.hpp>
#include <futon/recursive_mutex.hpp>
#include <futon/shared_mutex.hpp>
#include <futon/wait_group.hpp>
#include <mutex>
#include <shared_mutex>

#define GUARDED_BY(x) __attribute__((guarded_by(x)))
#define REQUIRES(x) __attribute__((requires_capability(x)))

namespace {

futon::mutex m;
int guarded GUARDED_BY(m) = 0;
futon::shared_mutex sm;
int shared_guarded GUARDED_BY(sm) = 0;

void needs_m() REQUIRES(m) {
  ++guarded;
}

#if !defined(FUTON_CASE_ANY)  // each case alone, so that it fails for its own reason
[[maybe_unused]] void correct_uses() {
  m.lock();
  needs_m();
  m.unlock();
  if (m.try_lock()) {
    ++guarded;
    m.unlock();
  }
  if (m.try_lock_for(std::chrono::milliseconds(1))) {
    ++guarded;
    m.unlock();
  }
  if (m.try_lock_until(std::chrono::steady_clock::now())) {
    ++guarded;
    m.unlock();
  }
  sm.lock();
  ++shared_guarded;
  sm.unlock();
  sm.lock_shared();
  [[maybe_unused]] const int seen = shared_guarded;
  sm.unlock_shared();
  if (sm.try_lock_shared_for(std::chrono::milliseconds(1))) {
    [[maybe_unused]] const int again = shared_guarded;
    sm.unlock_shared();
  }
#if defined(_LIBCPP_ENABLE_THREAD_SAFETY_ANNOTATIONS)
  {
    const std::lock_guard guard(m);  // libc++'s guards are scoped capabilities
    ++guarded;
  }
#endif
  // The rest of the library compiles without a warning under the analysis.
  futon::condition_variable cv;
  std::unique_lock lock(m, std::defer_lock);
  static_cast<void>(cv.wait_for(lock, std::chrono::milliseconds(0)));
  futon::condition_variable_any cv_any;
  static_cast<void>(cv_any.wait_for(lock, std::chrono::milliseconds(0)));
  futon::recursive_timed_mutex rm;
  rm.lock();
  rm.lock();
  rm.unlock();
  rm.unlock();
  std::shared_lock reader(sm);
  std::scoped_lock both(rm);
}
#endif

#if defined(FUTON_CASE_write_without_lock)
[[maybe_unused]] void misuse() {
  guarded = 1;
}
#elif defined(FUTON_CASE_call_without_lock)
[[maybe_unused]] void misuse() {
  needs_m();
}
#elif defined(FUTON_CASE_unlock_not_held)
[[maybe_unused]] void misuse() {
  m.unlock();
}
#elif defined(FUTON_CASE_still_held_at_return)
[[maybe_unused]] void misuse() {
  m.lock();
}
#elif defined(FUTON_CASE_write_under_shared_lock)
[[maybe_unused]] void misuse() {
  sm.lock_shared();
  shared_guarded = 1;
  sm.unlock_shared();
}
#elif defined(FUTON_CASE_write_after_failed_try)
[[maybe_unused]] void misuse() {
  if (!m.try_lock()) guarded = 1;
}
#endif

}  // namespace
