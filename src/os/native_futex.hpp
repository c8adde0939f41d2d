// The OS's native futex calls, one implementation per OS under src/os/<os>/.
//
// This layer only translates: arguments into the system call's units, results into
// native_wait_result. Retrying, value checks and the futex contract live in src/kernel_futex.cpp
// (where the OS's futex can meet the contract) and in the thread parker and internal lock
// (os/thread_parker.hpp), which use wait and wake-one on every OS that has such a call.
//
// Every OS's native_futex_wait may return early or spuriously (reported as `woken`), but reports
// `timed_out` only once the deadline has passed on its own clock: an OS whose timeout is relative
// or coarse re-checks the deadline before it says so.
#pragma once

#include <cstddef>
#include <cstdint>
#include <futon/detail/deadline.hpp>
#include <futon/futex_word.hpp>
#include <optional>

namespace futon::os {

enum class native_wait_result {
  woken,           // a wake reached us, or the OS returned for its own reasons
  value_mismatch,  // the word did not hold `expected` when the OS checked it
  timed_out,       // the OS says the deadline passed (on the deadline's own clock)
  interrupted,     // a signal handler ran
};

// Sleeps while `word == expected`, until woken or `limit` (nullptr: no limit). The OS checks the
// value atomically with queueing the caller, so a wake after the caller's own check is not lost.
native_wait_result native_futex_wait(const futex_word& word, std::uint32_t expected,
                                     const detail::deadline* limit) noexcept;

// Wakes up to `count` (> 0) waiters; returns how many were woken where the OS reports it (Linux,
// OpenBSD). Where it does not (builds with FUTON_NO_KERNEL_FUTEX), returns 0 and wakes one waiter
// for count == 1, every waiter otherwise: the parker and the internal lock, the only users there,
// wake one thread and ignore the result.
std::size_t native_futex_wake(const futex_word& word, std::size_t count) noexcept;

// If `from == expected`: wakes up to `wake_count` waiters of `from`, then moves up to
// `requeue_count` more to `to`; returns the number woken plus the number moved, woken first.
// nullopt when `from != expected`. Only where the OS has an exact compare-and-requeue (Linux):
// kernel_futex.cpp, its one user, is built only there.
std::optional<std::size_t> native_futex_cmp_requeue(const futex_word& from, std::uint32_t expected,
                                                    const futex_word& to, std::size_t wake_count,
                                                    std::size_t requeue_count) noexcept;

}  // namespace futon::os
