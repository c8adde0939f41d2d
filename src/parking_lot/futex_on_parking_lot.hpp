// SPDX-License-Identifier: BSL-1.0
// futex_on_parking_lot<Lot>: the futex contract (<futon/futex.hpp>) on one instantiation of the
// parking lot (basic_parking_lot.hpp): the library's parking_lot_futex backend on the real one
// (src/parking_lot_futex.cpp), and the deterministic-schedule tests' backend on theirs
// (tests/dsched/lot_copy.cpp), so that both run the very same code.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <futon/detail/deadline.hpp>
#include <futon/futex_word.hpp>
#include <futon/parking_lot.hpp>
#include <optional>
#include <span>

namespace futon {
inline namespace v0 {
namespace detail {

template <class Lot>
struct futex_on_parking_lot {
  static void wait(const futex_word& word, std::uint32_t expected) noexcept {
    if (!still_expected(word, expected)) return;  // a stale value costs a load, not a lock
    static_cast<void>(Lot::park(
        &word, [&] { return still_expected(word, expected); }, [] {}, [](const void*, bool) {},
        deadline::never(), parking_lot::default_park_token));
  }

  static bool wait_until(const futex_word& word, std::uint32_t expected,
                         const deadline& limit) noexcept {
    if (!still_expected(word, expected)) return true;  // the value check comes first
    if (limit.has_passed()) return false;
    const auto result = Lot::park(
        &word, [&] { return still_expected(word, expected); }, [] {}, [](const void*, bool) {},
        limit, parking_lot::default_park_token);
    // invalid: the word had changed (true); unparked: a wake counted us (true, even if the
    // deadline has passed since); timed_out: nobody counted us and we have left the queue
    // (false).
    return result.status != parking_lot::park_status::timed_out;
  }

  static std::size_t wake(const futex_word& word, std::size_t count) noexcept {
    return Lot::unpark_some(&word, count, parking_lot::default_unpark_token);
  }

  // futex_wait_any (<futon/futex.hpp>): one waiter queued on every entry's word (park_any), so
  // that a wake of any of them counts it once. One entry is a plain wait.
  static wait_any_result wait_any(std::span<const wait_on> entries,
                                  const deadline& limit) noexcept {
    if (entries.empty()) return wait_any_result::empty();
    // The value check comes first, even when there is no time left; a stale entry costs a load.
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (!still_expected(*entries[i].word, entries[i].expected)) {
        return wait_any_result::changed_at(i);
      }
    }
    if (limit.has_passed()) return wait_any_result::timeout();
    if (entries.size() == 1) {
      const wait_on& only = entries[0];
      const auto result = Lot::park(
          only.word, [&] { return still_expected(*only.word, only.expected); }, [] {},
          [](const void*, bool) {}, limit, parking_lot::default_park_token);
      switch (result.status) {
        case parking_lot::park_status::unparked:
          return wait_any_result::woken_at(0);
        case parking_lot::park_status::invalid:
          return wait_any_result::changed_at(0);
        case parking_lot::park_status::timed_out:
          break;
      }
      return wait_any_result::timeout();
    }
    const auto result = Lot::park_any(
        entries.size(), [&](std::size_t i) -> const void* { return entries[i].word; },
        [&](std::size_t i) { return still_expected(*entries[i].word, entries[i].expected); }, limit,
        parking_lot::default_park_token);
    switch (result.status) {
      case parking_lot::park_status::unparked:
        return wait_any_result::woken_at(result.index);
      case parking_lot::park_status::invalid:
        return wait_any_result::changed_at(result.index);
      case parking_lot::park_status::timed_out:
        break;
    }
    return wait_any_result::timeout();
  }

  static std::optional<requeue_result> requeue(const futex_word& from, std::uint32_t expected,
                                               const futex_word& to, std::size_t wake_count,
                                               std::size_t requeue_count) noexcept {
    bool mismatch = false;
    const auto result = Lot::unpark_requeue(
        &from, &to,
        [&]() -> requeue_plan {
          // Checked under both bucket locks, so no waiter can validate against a value that is
          // about to make us abort (FUTEX_CMP_REQUEUE's atomicity).
          mismatch = !still_expected(from, expected);
          if (mismatch) return {};
          return {false, wake_count, requeue_count};
        },
        [](const parking_lot::unpark_result&) { return parking_lot::default_unpark_token; });
    if (mismatch) return std::nullopt;
    return requeue_result{result.unparked, result.requeued};
  }

 private:
  // The value check under the bucket lock: a waker changes the word before it looks for waiters,
  // so either we see its change here or it finds us queued. Relaxed: the bucket lock and the
  // parking lot's store-load fence order this read (see bucket::pending); callers order their
  // own data with their own atomics.
  static bool still_expected(const futex_word& word, std::uint32_t expected) noexcept {
    return word.load(std::memory_order_relaxed) == expected;
  }
};

}  // namespace detail
}  // namespace v0
}  // namespace futon
