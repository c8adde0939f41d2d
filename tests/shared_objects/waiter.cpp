// SPDX-License-Identifier: BSL-1.0
#include <chrono>
#include <futon/backend/parking_lot.hpp>

#include "parking_lot/os_parking_lot.hpp"
#include "side.hpp"

bool futon_test_waiter_wait(const futon::futex_word* word, std::uint32_t expected,
                            std::int64_t timeout_ms) {
  return futon::backend::parking_lot_futex::wait_until(
      *word, expected, futon::detail::deadline::after(std::chrono::milliseconds(timeout_ms)));
}

const void* futon_test_waiter_table() {
  return &futon::detail::os_parking_lot::table();
}
