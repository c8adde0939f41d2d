// SPDX-License-Identifier: BSL-1.0
// futon's parking lot and its futex backend instantiated over the deterministic scheduler's
// platform (lot_platform.hpp) in lot_copy.cpp, reached through these plain functions so that a
// test needs neither src/ nor the scheduler's platform. lot_futex (lot_futex.hpp) turns them
// back into a futex backend.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <futon/futex_word.hpp>
#include <span>

namespace dsched::lot {

using word = std::atomic<std::uint32_t>;

void wait(const word& w, std::uint32_t expected) noexcept;
// A timed wait whose deadline has already passed (`passed`), or else may pass at any moment.
bool wait_timed(const word& w, std::uint32_t expected, bool passed) noexcept;
std::size_t wake(const word& w, std::size_t count) noexcept;
// false when `from` did not hold `expected`.
bool requeue(const word& from, std::uint32_t expected, const word& to, std::size_t wake_count,
             std::size_t requeue_count, std::size_t& woken, std::size_t& requeued) noexcept;

// futex_wait_any on the copy: untimed, or timed with a deadline that may pass at any moment
// (virtual time), or has already passed (`passed`).
enum class any_timing { untimed, timed, passed };
futon::wait_any_result wait_any(std::span<const futon::wait_on> entries,
                                any_timing timing) noexcept;

// The planted bug: a futex wait on the parking lot that checks the word before it registers in
// its bucket, and not again under the bucket lock. A wake between the check and the park is
// lost; the deterministic scheduler must find that schedule.
void wait_checking_too_early(const word& w, std::uint32_t expected) noexcept;

// After a failed run: its threads stay parked forever, so empty the copy's table.
void reset() noexcept;

}  // namespace dsched::lot
