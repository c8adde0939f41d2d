// SPDX-License-Identifier: BSL-1.0
// The futex contract on the parking lot (see <futon/backend/parking_lot.hpp>): the code of
// futex_on_parking_lot.hpp, on the real system's parking lot.
#include <futon/backend/parking_lot.hpp>

#include "parking_lot/futex_on_parking_lot.hpp"
#include "parking_lot/os_parking_lot.hpp"

namespace futon {
inline namespace v0 {
namespace backend {

using futex = detail::futex_on_parking_lot<detail::os_parking_lot>;

void parking_lot_futex::wait(const futex_word& word, std::uint32_t expected) noexcept {
  futex::wait(word, expected);
}

bool parking_lot_futex::wait_until(const futex_word& word, std::uint32_t expected,
                                   const detail::deadline& limit) noexcept {
  return futex::wait_until(word, expected, limit);
}

std::size_t parking_lot_futex::wake(const futex_word& word, std::size_t count) noexcept {
  return futex::wake(word, count);
}

wait_any_result parking_lot_futex::wait_any(std::span<const wait_on> entries,
                                            const detail::deadline& limit) noexcept {
  return futex::wait_any(entries, limit);
}

std::optional<requeue_result> parking_lot_futex::requeue(const futex_word& from,
                                                         std::uint32_t expected,
                                                         const futex_word& to,
                                                         std::size_t wake_count,
                                                         std::size_t requeue_count) noexcept {
  return futex::requeue(from, expected, to, wake_count, requeue_count);
}

}  // namespace backend
}  // namespace v0
}  // namespace futon
