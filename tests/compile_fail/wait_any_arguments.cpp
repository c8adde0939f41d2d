// SPDX-License-Identifier: BSL-1.0
// compile_fail.wait_any_arguments.<case>: futon::wait_any given what it cannot wait on must stop
// the build with one of its static_asserts (<futon/wait_any.hpp>). With no case defined (the
// control), the same calls with proper arguments compile.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <futon/backend/parking_lot.hpp>
#include <futon/counting_semaphore.hpp>
#include <futon/event.hpp>
#include <futon/latch.hpp>
#include <futon/mutex.hpp>
#include <futon/wait_any.hpp>
#include <optional>

// A futex backend that cannot wait on several words (no wait_any).
struct single_word_backend {
  static void wait(const futon::futex_word& w, std::uint32_t v) noexcept {
    futon::backend::parking_lot_futex::wait(w, v);
  }
  static bool wait_until(const futon::futex_word& w, std::uint32_t v,
                         const futon::detail::deadline& limit) noexcept {
    return futon::backend::parking_lot_futex::wait_until(w, v, limit);
  }
  static std::size_t wake(const futon::futex_word& w, std::size_t n) noexcept {
    return futon::backend::parking_lot_futex::wake(w, n);
  }
  static std::optional<futon::requeue_result> requeue(const futon::futex_word& from,
                                                      std::uint32_t expected,
                                                      const futon::futex_word& to,
                                                      std::size_t wake_count,
                                                      std::size_t requeue_count) noexcept {
    return futon::backend::parking_lot_futex::requeue(from, expected, to, wake_count,
                                                      requeue_count);
  }
};

std::size_t use() {
  futon::event e;
  futon::latch l(1);
  futon::counting_semaphore<> s(0);
  std::size_t n = futon::wait_any(e, l, s);
  n += futon::wait_any_for(std::chrono::seconds(1), e, l, s).value_or(0);
  n += futon::wait_any_until(std::chrono::steady_clock::now(), e, l, s).value_or(0);
  const futon::event& const_event = e;
  const futon::latch& const_latch = l;
  n += futon::wait_any(const_event, const_latch);  // events and latches may be const
#if defined(FUTON_CASE_no_arguments)
  n += futon::wait_any();
#endif
#if defined(FUTON_CASE_not_a_primitive)
  futon::mutex m;
  n += futon::wait_any(e, m);
#endif
#if defined(FUTON_CASE_const_semaphore)
  const futon::counting_semaphore<>& const_semaphore = s;
  n += futon::wait_any(e, const_semaphore);
#endif
#if defined(FUTON_CASE_mixed_backends)
  futon::basic_event<futon::backend::parking_lot_futex> lot_event;
  futon::basic_event<single_word_backend> other_event;
  n += futon::wait_any(lot_event, other_event);
#endif
#if defined(FUTON_CASE_backend_without_wait_any)
  futon::basic_event<single_word_backend> a;
  futon::basic_latch<single_word_backend> b(1);
  n += futon::wait_any_for(std::chrono::seconds(1), a, b).value_or(0);
#endif
  return n;
}
