// The futex contract on the parking lot (see <futon/backend/parking_lot.hpp>).
#include <futon/backend/parking_lot.hpp>
#include <futon/parking_lot.hpp>

namespace futon::backend {
namespace {

// The value check under the bucket lock: a waker changes the word before it looks for waiters,
// so either we see its change here or it finds us queued. Relaxed: the bucket lock and the
// parking lot's store-load barrier order this read (see bucket::pending); callers order their
// own data with their own atomics.
bool still_expected(const futex_word& word, std::uint32_t expected) noexcept {
  return word.load(std::memory_order_relaxed) == expected;
}

}  // namespace

void parking_lot::wait(const futex_word& word, std::uint32_t expected) noexcept {
  if (!still_expected(word, expected)) return;  // a stale value costs a load, not a lock
  static_cast<void>(futon::parking_lot::park(
      &word, [&] { return still_expected(word, expected); },
      futon::parking_lot::deadline::never()));
}

bool parking_lot::wait_until(const futex_word& word, std::uint32_t expected,
                             const detail::deadline& limit) noexcept {
  if (!still_expected(word, expected)) return true;  // the value check comes first
  if (limit.has_passed()) return false;
  const auto result = futon::parking_lot::park(
      &word, [&] { return still_expected(word, expected); }, limit);
  // invalid: the word had changed (true); unparked: a wake counted us (true, even if the deadline
  // has passed since); timed_out: nobody counted us and we have left the queue (false).
  return result.status != futon::parking_lot::park_status::timed_out;
}

std::size_t parking_lot::wake(const futex_word& word, std::size_t count) noexcept {
  return futon::parking_lot::detail_core::unpark_some(&word, count,
                                                      futon::parking_lot::default_unpark_token);
}

std::optional<requeue_result> parking_lot::requeue(const futex_word& from, std::uint32_t expected,
                                                   const futex_word& to, std::size_t wake_count,
                                                   std::size_t requeue_count) noexcept {
  bool mismatch = false;
  const auto result = futon::parking_lot::detail_core::unpark_requeue(
      &from, &to,
      [&]() -> futon::parking_lot::detail_core::requeue_plan {
        // Checked under both bucket locks, so no waiter can validate against a value that is
        // about to make us abort (FUTEX_CMP_REQUEUE's atomicity).
        mismatch = !still_expected(from, expected);
        if (mismatch) return {};
        return {false, wake_count, requeue_count};
      },
      [](const futon::parking_lot::unpark_result&) {
        return futon::parking_lot::default_unpark_token;
      });
  if (mismatch) return std::nullopt;
  return requeue_result{result.unparked, result.requeued};
}

}  // namespace futon::backend
