// SPDX-License-Identifier: BSL-1.0
// The OS's native futex calls, one implementation per OS under src/os/<os>/.
//
// This layer only translates: arguments into the system call's units, results into
// native_wait_result. Retrying, value checks and the futex contract live in src/kernel_futex.cpp
// (where the OS's futex can meet the contract), src/kernel_shared_futex.cpp (where processes can
// share it) and in the thread parker and bucket lock (os/futex_parker.hpp, os/futex_lock.hpp),
// which use wait and wake-one on every OS that has such a call. Each wake is one the OS really
// has: wake one and wake all everywhere, an exact count only where the OS reports one and
// kernel_futex needs it, and the shared wake where processes can share a wait.
//
// Every OS's native_futex_wait may return early or spuriously (reported as `woken`), but reports
// `timed_out` only once the deadline has passed on its own clock: an OS whose timeout is relative
// or coarse re-checks the deadline before it says so.
#pragma once

#include <cstddef>
#include <cstdint>
#include <futon/config.hpp>
#include <futon/detail/deadline.hpp>
#include <futon/futex_word.hpp>
#include <optional>

namespace futon {
inline namespace v0 {
namespace os {

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

// Wakes one thread sleeping on `word` (if any): what every OS's call can do. The thread parker
// and the bucket lock (os/futex_parker.hpp, os/futex_lock.hpp) each sleep on a word of their
// own and need no more.
void native_futex_wake_one(const futex_word& word) noexcept;

// Wakes every thread sleeping on `word`: every OS's call can do this too.
void native_futex_wake_all(const futex_word& word) noexcept;

#if FUTON_HAS_SHARED_FUTEX
// Where the OS has a futex that processes can share (config.hpp's FUTON_HAS_SHARED_FUTEX:
// Linux, macOS on the ulock or os_sync calls, FreeBSD, OpenBSD): kernel_shared_futex.cpp, and
// kernel_futex.cpp on Linux, use these.

// Who may wait on the word: the threads of this process, or of every process that maps its
// memory (the kernel keys such a waiter by the memory object and the offset in it, so processes
// that map it at different addresses meet on one word).
enum class futex_scope { process_private, process_shared };

// native_futex_wait, for a word of either scope.
native_wait_result native_futex_wait(const futex_word& word, std::uint32_t expected,
                                     const detail::deadline* limit, futex_scope scope) noexcept;

// Wakes up to `count` (> 0) waiters of a process-shared word. Returns what the OS can tell: the
// number woken where it counts (Linux, OpenBSD), else a bound never below it and never above
// `count` (each OS's file says which; backend/kernel_shared_futex.hpp sums them up).
std::size_t native_futex_wake_shared(const futex_word& word, std::size_t count) noexcept;

// Whether the calling process may write `word` (false: mapped read-only). Where the OS offers no
// probe that cannot fault, true.
bool native_word_writable(const futex_word& word) noexcept;
#endif

#if !defined(FUTON_NO_KERNEL_FUTEX)
// Only where the OS's futex meets the whole futex contract (Linux; src/CMakeLists.txt's
// futon_has_kernel_futex): kernel_futex.cpp and kernel_shared_futex.cpp use these there.
#if !FUTON_HAS_SHARED_FUTEX
#error "futon: an OS with a kernel futex has a shared one (src/CMakeLists.txt)"
#endif

// Wakes up to `count` (> 0) waiters and returns how many it woke: an exact count.
std::size_t native_futex_wake_exact(const futex_word& word, std::size_t count,
                                    futex_scope scope = futex_scope::process_private) noexcept;

// If `from == expected`: wakes up to `wake_count` waiters of `from`, then moves up to
// `requeue_count` more to `to`; returns the number woken plus the number moved, woken first.
// nullopt when `from != expected`.
std::optional<std::size_t> native_futex_cmp_requeue(
    const futex_word& from, std::uint32_t expected, const futex_word& to, std::size_t wake_count,
    std::size_t requeue_count, futex_scope scope = futex_scope::process_private) noexcept;
#endif

}  // namespace os
}  // namespace v0
}  // namespace futon
