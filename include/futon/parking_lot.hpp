// SPDX-License-Identifier: BSL-1.0
// <futon/parking_lot.hpp>: wait queues in user space, keyed by any address.
//
// The parking lot lets a thread sleep ("park") on any address and another wake ("unpark") it,
// with decisions made atomically under the lock of the address's queue. Locks and other
// primitives keep only a few bits of state in their own word and leave the queue here, which
// is why they can be one byte to one word in size. This design follows WebKit's WTF::ParkingLot
// and Rust's parking_lot_core; the engine under it (a fixed table of cache-line-sized buckets,
// per-address FIFO queues, a lock-free "nobody waits here" check) follows Zig's user-space futex
// and OpenBSD's bucketed kernel futex.
//
// Example: a one-shot flag.
//
//   std::atomic<bool> set{false};
//   void wait() {
//     while (!set.load(std::memory_order_acquire))
//       futon::parking_lot::park(&set, [&] { return !set.load(std::memory_order_relaxed); });
//   }
//   void signal() { set.store(true, std::memory_order_release);
//   futon::parking_lot::unpark_all(&set); }
//
// Guarantees:
//   - Each address has its own FIFO queue: unpark_one wakes the longest-waiting thread of that
//     address, and never a thread parked on another address, even when addresses share a bucket.
//   - Counts are exact: a thread counted as unparked returns `unparked` (with the unparker's
//     token), even if its deadline passed meanwhile; a thread that returns `timed_out` was not
//     counted by anyone and has already left its queue.
//   - Nothing is allocated: each parked thread's queue entry lives on its own stack.
//   - A thread that timed out never returns while an unparker can still touch its entry.
//
// Callbacks: `validate`, `timed_out` and the unpark callbacks run while the bucket lock is held,
// so they must be short, must not throw, and must not park or call into the parking lot
// (deadlock). `before_sleep` runs after the lock is released, just before the thread sleeps.
#pragma once

#include <cstddef>
#include <cstdint>
#include <futon/detail/deadline.hpp>
#include <futon/detail/function_ref.hpp>
#include <limits>
#include <span>
#include <type_traits>

namespace futon {
inline namespace v0 {
namespace parking_lot {

// A value passed between parker and unparker: the parker's is shown to unpark_filter, the
// unparker's is returned by park.
using token = std::uintptr_t;
inline constexpr token default_park_token = 0;
inline constexpr token default_unpark_token = 0;

// An absolute deadline: deadline::never(), deadline::after(duration), deadline::at(time_point)
// (steady_clock or system_clock).
using deadline = detail::deadline;

enum class park_status : std::uint8_t {
  unparked,   // an unpark counted this thread; `unpark_token` holds its token
  invalid,    // validate() returned false; the thread did not sleep
  timed_out,  // the deadline passed; timed_out() was called and the thread left the queue
};

struct park_result {
  park_status status;
  token unpark_token;  // the unparker's token when status == unparked, else 0
};

// What park_any returns: as park's, plus which of its keys the thread was unparked through (or
// whose validate failed).
struct park_any_result {
  park_status status;
  std::size_t index;   // unparked: the key an unpark of which counted the thread (after a
                       // requeue, the key it was queued under originally); invalid: the key
                       // whose validate returned false; timed_out: 0
  token unpark_token;  // the unparker's token when status == unparked, else 0
};

struct unpark_result {
  std::size_t unparked = 0;  // threads unparked by this call
  std::size_t requeued = 0;  // threads moved to the other address (unpark_requeue)
  bool have_more = false;    // threads remain parked on the (source) address after this call
  // The bucket's fairness timer (about every 0.5 ms, randomised) has expired: a lock built on
  // the parking lot should hand itself directly to the thread it unparks, so a thread that keeps
  // re-locking cannot starve the others. Only ever true when a thread was unparked.
  bool be_fair = false;
};

// What unpark_requeue should do, as chosen by its `validate` callback.
enum class requeue_op : std::uint8_t {
  abort,                    // touch nobody
  unpark_one_requeue_rest,  // unpark the first thread, move all others
  requeue_all,              // move all threads
  unpark_one,               // unpark the first thread, move none
  requeue_one,              // move the first thread only
};

// What unpark_filter should do with one parked thread, given its park token.
enum class filter_op : std::uint8_t { unpark, skip, stop };

}  // namespace parking_lot
}  // namespace v0
}  // namespace futon

// The parking lot's operations on this system, out of line in the library: the engine
// (src/parking_lot/basic_parking_lot.hpp) instantiated over the OS's platform, which stays out of
// the public headers. Internal: call the templates in futon::parking_lot below.
namespace futon {
inline namespace v0 {
namespace detail {

struct requeue_plan {
  bool abort = true;
  std::size_t unpark = 0;   // threads to unpark, first in line first
  std::size_t requeue = 0;  // threads to move after those
};

parking_lot::park_result parking_lot_park(const void* key, function_ref<bool()> validate,
                                          function_ref<void()> before_sleep,
                                          function_ref<void(const void*, bool)> timed_out,
                                          const deadline& limit,
                                          parking_lot::token park_token) noexcept;
parking_lot::park_any_result parking_lot_park_any(std::span<const void* const> keys,
                                                  function_ref<bool(std::size_t)> validate,
                                                  const deadline& limit,
                                                  parking_lot::token park_token) noexcept;
parking_lot::unpark_result parking_lot_unpark_one(
    const void* key,
    function_ref<parking_lot::token(const parking_lot::unpark_result&)> callback) noexcept;
// Unparks up to `count` threads on `key`; takes no lock when nobody is parked in its bucket.
std::size_t parking_lot_unpark_some(const void* key, std::size_t count,
                                    parking_lot::token unpark_token) noexcept;
parking_lot::unpark_result parking_lot_unpark_requeue(
    const void* from, const void* to, function_ref<requeue_plan()> validate,
    function_ref<parking_lot::token(const parking_lot::unpark_result&)> callback) noexcept;
parking_lot::unpark_result parking_lot_unpark_filter(
    const void* key, function_ref<parking_lot::filter_op(parking_lot::token)> filter,
    function_ref<parking_lot::token(const parking_lot::unpark_result&)> callback) noexcept;

}  // namespace detail
}  // namespace v0
}  // namespace futon

namespace futon {
inline namespace v0 {
namespace parking_lot {

// Parks the calling thread on `key` if validate() (called under the bucket lock) returns true;
// before_sleep() runs after the lock is released; if `limit` passes first, timed_out(key,
// was_last_thread) runs under the lock as the thread leaves the queue (key is the address the
// thread was parked on at the end, which unpark_requeue may have changed).
template <class Validate, class BeforeSleep, class TimedOut>
requires std::is_invocable_v<BeforeSleep&> && std::is_invocable_v<TimedOut&, const void*, bool>
    park_result park(const void* key, Validate&& validate, BeforeSleep&& before_sleep,
                     TimedOut&& timed_out, const deadline& limit = deadline::never(),
                     token park_token = default_park_token)
noexcept {
  return detail::parking_lot_park(key, validate, before_sleep, timed_out, limit, park_token);
}

template <class Validate>
park_result park(const void* key, Validate&& validate, const deadline& limit = deadline::never(),
                 token park_token = default_park_token) noexcept {
  return detail::parking_lot_park(
      key, validate, [] {}, [](const void*, bool) {}, limit, park_token);
}

// Parks the calling thread on every key of `keys` at once (duplicates allowed), until an unpark
// of any of them counts it, or `limit` passes. validate(i) runs under the lock of keys[i]'s
// bucket as that key is registered, in order; the first false ends the park (invalid, index i)
// unless an unpark of a key registered before has already counted the thread. Exactly one
// unpark counts the thread, whichever of its keys it comes through: an unpark that reaches it
// after another has counted it (or after its deadline has ended the park) passes over it to the
// key's next thread, so the thread never takes an unpark from another thread of that key. A
// requeue moves one of its keys like any parked thread. Nothing is allocated: about 100 bytes of
// stack per key. An empty `keys` returns invalid at once. validate runs under a bucket lock, as
// park's: short, no throw, no parking-lot calls.
template <class Validate>
requires std::is_invocable_r_v<bool, Validate&, std::size_t> park_any_result
park_any(std::span<const void* const> keys, Validate&& validate,
         const deadline& limit = deadline::never(), token park_token = default_park_token)
noexcept {
  return detail::parking_lot_park_any(keys, validate, limit, park_token);
}

// Unparks the longest-waiting thread on `key`. callback(result) runs under the bucket lock
// whether or not a thread was unparked, and returns the token the thread receives.
template <class Callback>
unpark_result unpark_one(const void* key, Callback&& callback) noexcept {
  return detail::parking_lot_unpark_one(key, callback);
}

inline unpark_result unpark_one(const void* key) noexcept {
  return detail::parking_lot_unpark_one(key,
                                        [](const unpark_result&) { return default_unpark_token; });
}

// Unparks every thread on `key`, each receiving `unpark_token`; returns how many. Takes no lock
// when nobody is parked in the key's bucket.
inline std::size_t unpark_all(const void* key, token unpark_token = default_unpark_token) noexcept {
  return detail::parking_lot_unpark_some(key, std::numeric_limits<std::size_t>::max(),
                                         unpark_token);
}

// Moves threads from `from` to `to` (two addresses; the same address is allowed and moves none)
// as validate() -> requeue_op decides, under both bucket locks. Unless it aborted,
// callback(op, result) runs under the locks and returns the token for an unparked thread.
template <class Validate, class Callback>
unpark_result unpark_requeue(const void* from, const void* to, Validate&& validate,
                             Callback&& callback) noexcept {
  requeue_op chosen = requeue_op::abort;
  auto plan = [&]() -> detail::requeue_plan {
    chosen = validate();
    constexpr std::size_t all = std::numeric_limits<std::size_t>::max();
    switch (chosen) {
      case requeue_op::abort:
        return {};
      case requeue_op::unpark_one_requeue_rest:
        return {false, 1, all};
      case requeue_op::requeue_all:
        return {false, 0, all};
      case requeue_op::unpark_one:
        return {false, 1, 0};
      case requeue_op::requeue_one:
        return {false, 0, 1};
    }
    return {};
  };
  auto report = [&](const unpark_result& result) -> token { return callback(chosen, result); };
  return detail::parking_lot_unpark_requeue(from, to, plan, report);
}

// Walks the threads parked on `key` in order, asking filter(park_token) for each: unpark it,
// skip it, or stop. callback(result) then runs under the lock and returns the token every
// unparked thread receives.
template <class Filter, class Callback>
unpark_result unpark_filter(const void* key, Filter&& filter, Callback&& callback) noexcept {
  return detail::parking_lot_unpark_filter(key, filter, callback);
}

}  // namespace parking_lot
}  // namespace v0
}  // namespace futon
