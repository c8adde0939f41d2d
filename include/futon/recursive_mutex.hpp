// SPDX-License-Identifier: BSL-1.0
// <futon/recursive_mutex.hpp>: futon::recursive_mutex and futon::recursive_timed_mutex, drop-in
// std::recursive_mutex and std::recursive_timed_mutex in 16 bytes, built on futon::mutex.
//
//   futon::recursive_mutex m;
//   void visit(node& n) {
//     std::lock_guard guard(m);            // the thread that holds m may lock it again
//     for (node& child : n.children) visit(child);
//   }
//   futon::recursive_timed_mutex t;
//   if (t.try_lock_for(std::chrono::milliseconds(5))) { ...; t.unlock(); }
//
// Members as the standard's: lock, try_lock, unlock; recursive_timed_mutex adds try_lock_for and
// try_lock_until. Both meet Lockable (recursive_timed_mutex: TimedLockable; checked below) and
// work with lock_guard, unique_lock, scoped_lock. There is no native_handle (the standard leaves
// it to the implementation; there is no OS object behind these).
//
// Behaviour:
//   - A thread that holds the mutex may lock it again (lock, try_lock, and on the timed mutex
//     try_lock_for/until, which then succeed at once whatever the timeout); it must unlock it as
//     many times as it locked it before another thread can have it.
//   - A thread that does not hold it takes futon::mutex's lock (the object's first member; see
//     <futon/mutex.hpp>): the same fast path, spinning, sleeping, fairness and timeouts. This
//     header adds no lock algorithm of its own: only who owns the lock and how many times.
//   - Locking again is a compare of the owner word with the caller's id and an increment: no
//     atomic read-modify-write, no call, no system call. Unlocking below the first level is a
//     decrement.
//   - Ownership levels are bounded (see Counters): at the limit, try_lock (and try_lock_for/until)
//     return false at once, and lock throws std::system_error with
//     std::errc::resource_unavailable_try_again, as [thread.mutex.recursive] allows. The mutex
//     is unchanged by the refused call.
//
// What it stores, and why 16 bytes: the futon::mutex word (4 bytes), the count of levels (4
// bytes, only ever touched by the thread that holds the lock) and the owner's id (8 bytes, read
// by any thread that locks). Rust's parking_lot ReentrantMutex has the same shape (a 1-byte raw
// lock beside an owner id and a count; 24 bytes on 64-bit targets), which this follows. A thread's
// id is a 64-bit number taken from a global counter the first time the thread locks any
// recursive mutex, and never 0 (the owner word's "nobody"). 32-bit ids would make the object 12
// bytes, but such a counter can wrap within the life of a long-running process that starts many
// threads, and a wrapped id may equal a live thread's (the main thread's is 1): that thread
// would then take a mutex another holds. Recycling ids when threads exit would need an exit hook
// whose order against other thread_local destructors (which may still lock) is unspecified.
//
// Preconditions, checked with FUTON_DEBUG_CHECKS (message, then abort): unlock() only by the
// thread that holds the mutex; the mutex is not locked when destroyed.
//
// Destruction: as for std::recursive_mutex, the mutex may be destroyed as soon as it is unlocked
// (every level) and no thread is inside one of its members, even while the thread that unlocked
// it last is still returning from unlock(): the last unlock clears the owner and the count first
// and then unlocks the futon::mutex, whose releasing compare-and-swap is its last access to the
// object's memory (its wake of a sleeper comes before it). So a reference count that drops to
// zero under the lock may free the object right after its final unlock().
//
// Counters:
//   - The levels of ownership, 32 bits, 1 .. 2^32 - 1 while held. It never wraps: the call that
//     would take it past 2^32 - 1 is refused (above), so the holder must unlock as many times as
//     it locked, and 2^32 - 1 unlocks later the mutex is free again.
//   - The thread ids, 64 bits, one step per thread that ever locks a recursive mutex. It cannot
//     wrap within any program's life: at a billion new threads a second it would take 584 years.
//
// Signal safety: none of the members may be called from a signal handler (as for futon::mutex).
//
// Under ThreadSanitizer, the futon::mutex inside is annotated as a mutex (<futon/detail/tsan.hpp>)
// at the object's own address: TSan orders critical sections by it, names it in race reports and
// reports lock-order inversions. It sees the first level only: locking again changes nothing TSan
// needs to know (the thread already holds the lock).
//
// basic_recursive_mutex<Backend> and basic_recursive_timed_mutex<Backend> are the same over a
// chosen futex backend; futon::recursive_mutex and futon::recursive_timed_mutex use the default.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <futon/backend/default_backend.hpp>
#include <futon/detail/assert.hpp>
#include <futon/detail/backend_traits.hpp>
#include <futon/detail/thread_safety.hpp>
#include <futon/futex.hpp>
#include <futon/mutex.hpp>
#include <limits>

namespace futon {
inline namespace v0 {

namespace detail {

// The calling thread's id in the library (one per thread for the whole program, whichever module
// asks), taken from a global 64-bit counter on first use. Never 0.
std::uint64_t recursive_owner_id() noexcept;

// Throws std::system_error(std::errc::resource_unavailable_try_again): out of line, so that this
// header needs no <system_error> and compiles where its users turn exceptions off.
[[noreturn]] void throw_recursion_limit();

// The calling thread's id, cached in this module's thread-local storage (a thread-local with a
// constant initializer and no destructor: usable until the thread ends, even from thread_local
// destructors, and one load once set).
inline std::uint64_t this_thread_recursive_owner_id() noexcept {
  thread_local std::uint64_t id = 0;
  if (id == 0) [[unlikely]]
    id = recursive_owner_id();
  return id;
}

// Defined only by futon's tests (tests/primitives/recursive_mutex_test_access.hpp): the way in to
// start the count of levels near its limit. Not part of the API.
struct recursive_lock_test_access;

// What both recursive mutexes are: a futon::mutex, an owner and a count of levels.
template <futex_backend Backend>
class recursive_lock {
 protected:
  constexpr recursive_lock() noexcept = default;
  ~recursive_lock() {
    // Relaxed: a thread that may destroy the mutex has synchronized with its last unlock; a
    // misuse is all this looks for.
    FUTON_PRECONDITION(owner_.load(std::memory_order_relaxed) == nobody,
                       "futon::recursive_mutex destroyed while locked");
  }
  recursive_lock(const recursive_lock&) = delete;
  recursive_lock& operator=(const recursive_lock&) = delete;

  FUTON_NO_THREAD_SAFETY_ANALYSIS void lock() {
    const std::uint64_t self = this_thread_recursive_owner_id();
    if (holds(self)) {
      if (levels_ == max_levels) [[unlikely]]
        throw_recursion_limit();
      ++levels_;
      return;
    }
    mutex_.lock();
    take(self);
  }

  bool try_lock() noexcept {
    return try_lock_with([&] { return mutex_.try_lock(); });
  }

  template <class Rep, class Period>
  bool try_lock_for(const std::chrono::duration<Rep, Period>& timeout) noexcept {
    return try_lock_with([&] { return mutex_.try_lock_for(timeout); });
  }

  template <class Clock, class Duration>
  bool try_lock_until(const std::chrono::time_point<Clock, Duration>& deadline) noexcept {
    return try_lock_with([&] { return mutex_.try_lock_until(deadline); });
  }

  FUTON_NO_THREAD_SAFETY_ANALYSIS void unlock() noexcept {
    FUTON_PRECONDITION(holds(this_thread_recursive_owner_id()),
                       "futon::recursive_mutex::unlock: the calling thread does not hold this "
                       "mutex");
    if (--levels_ != 0) return;
    // Relaxed: cleared while we still hold the lock, and before the unlock below, the last
    // access to the object (see Destruction). The next holder's acquire orders it before that
    // holder's own store; other threads only compare the word with their own ids (see holds).
    owner_.store(nobody, std::memory_order_relaxed);
    mutex_.unlock();
  }

 private:
  friend struct recursive_lock_test_access;

  static constexpr std::uint64_t nobody = 0;
  static constexpr std::uint32_t max_levels = std::numeric_limits<std::uint32_t>::max();

  // Whether the calling thread (id `self`) holds the lock. Relaxed is enough, because a thread
  // can only ever read its own id in owner_ while it holds the lock:
  //   - Only a thread that holds the lock writes owner_: its own id right after taking the lock,
  //     nobody right before releasing it. So a thread's id is written only by that thread.
  //   - If it holds the lock, its store of its id is the last write to owner_ in the word's
  //     modification order (nobody else may write until it releases), and a thread's read never
  //     returns a value older than its own last write (write-read coherence): it reads its id.
  //   - If it does not hold the lock, its last write to owner_, if any, was `nobody`, before its
  //     last unlock; by the same coherence its read returns that or a later value, and every
  //     later value is `nobody` or another thread's id (it wrote no other). It never reads its id.
  // So a stale value only ever shows another thread's id or nobody: "not mine" either way, which
  // is the right answer, and the caller then goes through the mutex, which does the ordering.
  bool holds(std::uint64_t self) const noexcept {
    return owner_.load(std::memory_order_relaxed) == self;
  }

  // Every try: another level for the holder (at once, whatever the timeout), else `attempt`
  // (one of futon::mutex's tries) and, if it took the mutex, the first level.
  template <class Attempt>
  bool try_lock_with(Attempt attempt) noexcept {
    const std::uint64_t self = this_thread_recursive_owner_id();
    if (holds(self)) return relock();
    if (!attempt()) return false;
    take(self);
    return true;
  }

  // Another level for the holder, unless it is at the limit.
  bool relock() noexcept {
    if (levels_ == max_levels) return false;
    ++levels_;
    return true;
  }

  // We have just taken the mutex.
  void take(std::uint64_t self) noexcept {
    // Relaxed: only we may write it while we hold the lock, and only we compare it with our id
    // to any effect (see holds).
    owner_.store(self, std::memory_order_relaxed);
    levels_ = 1;
  }

  // First member: its TSan annotations and debug checks are keyed on the object's own address.
  basic_mutex<Backend> mutex_;
  // Levels of ownership: read and written only by the thread that holds mutex_, whose lock and
  // unlock order it between holders.
  std::uint32_t levels_ = 0;
  // The backend's atomic (std::atomic unless a test backend checks every access; see
  // backend_traits.hpp).
  detail::atomic_t<Backend, std::uint64_t> owner_{nobody};
};

}  // namespace detail

// A std::recursive_mutex: lock, try_lock, unlock.
template <futex_backend Backend>
class basic_recursive_mutex : private detail::recursive_lock<Backend> {
  using base = detail::recursive_lock<Backend>;

 public:
  constexpr basic_recursive_mutex() noexcept = default;
  basic_recursive_mutex(const basic_recursive_mutex&) = delete;
  basic_recursive_mutex& operator=(const basic_recursive_mutex&) = delete;

  using base::lock;
  using base::try_lock;
  using base::unlock;

 private:
  friend struct detail::recursive_lock_test_access;
};

// A std::recursive_timed_mutex: the above, and try_lock_for and try_lock_until, which take any
// duration and any clock as futon::mutex's do (zero, negative and past timeouts try once;
// duration::max() waits forever; never early). A holder's timed call succeeds at once.
template <futex_backend Backend>
class basic_recursive_timed_mutex : private detail::recursive_lock<Backend> {
  using base = detail::recursive_lock<Backend>;

 public:
  constexpr basic_recursive_timed_mutex() noexcept = default;
  basic_recursive_timed_mutex(const basic_recursive_timed_mutex&) = delete;
  basic_recursive_timed_mutex& operator=(const basic_recursive_timed_mutex&) = delete;

  using base::lock;
  using base::try_lock;
  using base::try_lock_for;
  using base::try_lock_until;
  using base::unlock;

 private:
  friend struct detail::recursive_lock_test_access;
};

using recursive_mutex = basic_recursive_mutex<backend::default_backend>;
using recursive_timed_mutex = basic_recursive_timed_mutex<backend::default_backend>;

static_assert(sizeof(recursive_mutex) == 16 && sizeof(recursive_timed_mutex) == 16,
              "a futon::mutex word, a 32-bit count of levels and a 64-bit owner id");

}  // namespace v0
}  // namespace futon
