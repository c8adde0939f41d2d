// SPDX-License-Identifier: BSL-1.0
// compile_fail.not_a_clock.<case>: a *_until member given a time point whose Clock is not a
// clock (std::chrono::is_clock_v<Clock> false) must stop the build with futon's static_assert.
// With no case defined (the control), the same calls with real clocks compile.
// Each case includes only the header it needs: parsing all of them for each case doubles its time.
#include <atomic>
#include <chrono>
#include <cstdint>
#if defined(FUTON_CASE_atomic_wait_until) || !defined(FUTON_CASE_ANY)
#include <futon/atomic_wait.hpp>
#endif
#if defined(FUTON_CASE_condition_variable_wait_until_predicate) || !defined(FUTON_CASE_ANY)
#include <futon/condition_variable.hpp>
#include <mutex>
#endif
#if defined(FUTON_CASE_semaphore_try_acquire_until) || !defined(FUTON_CASE_ANY)
#include <futon/counting_semaphore.hpp>
#endif
#if defined(FUTON_CASE_no_now) || !defined(FUTON_CASE_ANY)
#include <futon/event.hpp>
#endif
#if defined(FUTON_CASE_futex_wait_until) || !defined(FUTON_CASE_ANY)
#include <futon/futex.hpp>
#endif
#if defined(FUTON_CASE_mutex_try_lock_until) || !defined(FUTON_CASE_ANY)
#include <futon/mutex.hpp>
#endif
#if defined(FUTON_CASE_shared_mutex_try_lock_shared_until) || !defined(FUTON_CASE_ANY)
#include <futon/shared_mutex.hpp>
#endif

// Outside an unnamed namespace: the control does not use them, and clang would warn of that.
namespace fake_clocks {

// Has duration, time_point, is_steady and now(), but neither rep nor period: not a clock.
struct no_rep_clock {
  using duration = std::chrono::milliseconds;
  using time_point = std::chrono::time_point<no_rep_clock>;
  static constexpr bool is_steady = true;
  static time_point now() noexcept { return time_point(); }
};

// Everything a clock has but now().
struct no_now_clock {
  using duration = std::chrono::milliseconds;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::time_point<no_now_clock>;
  static constexpr bool is_steady = true;
};

}  // namespace fake_clocks

#if defined(FUTON_CASE_no_now)
using deadline_clock = fake_clocks::no_now_clock;
#elif defined(FUTON_CASE_ANY)
using deadline_clock = fake_clocks::no_rep_clock;
#else
using deadline_clock = std::chrono::steady_clock;  // the control
#endif

int main() {
  [[maybe_unused]] const deadline_clock::time_point at{};
  int results = 0;
#if defined(FUTON_CASE_mutex_try_lock_until) || !defined(FUTON_CASE_ANY)
  futon::mutex m;
  if (m.try_lock_until(at)) m.unlock();
#endif
#if defined(FUTON_CASE_shared_mutex_try_lock_shared_until) || !defined(FUTON_CASE_ANY)
  futon::shared_mutex r;
  if (r.try_lock_shared_until(at)) r.unlock_shared();
  if (r.try_lock_until(at)) r.unlock();
#endif
#if defined(FUTON_CASE_condition_variable_wait_until_predicate) || !defined(FUTON_CASE_ANY)
  {
    futon::mutex cm;
    futon::condition_variable cv;
    std::unique_lock lock(cm);
    results += cv.wait_until(lock, at, [] { return false; });
    results += cv.wait_until(lock, at) == std::cv_status::timeout;
  }
#endif
#if defined(FUTON_CASE_semaphore_try_acquire_until) || !defined(FUTON_CASE_ANY)
  futon::counting_semaphore<> sem(0);
  results += sem.try_acquire_until(at);
#endif
#if defined(FUTON_CASE_no_now) || !defined(FUTON_CASE_ANY)
  const futon::event e;
  results += e.wait_until(at);
#endif
#if defined(FUTON_CASE_futex_wait_until) || !defined(FUTON_CASE_ANY)
  const futon::futex_word word{0};
  results += futon::futex_wait_until(word, 0, at);
#endif
#if defined(FUTON_CASE_atomic_wait_until) || !defined(FUTON_CASE_ANY)
  const std::atomic<std::uint64_t> value{0};
  results += futon::atomic_wait_until(value, std::uint64_t{0}, at);
#endif
  return results;
}
