// SPDX-License-Identifier: BSL-1.0
#include <futon/backend/parking_lot.hpp>

#include "parking_lot/os_parking_lot.hpp"
#include "side.hpp"

std::size_t futon_test_waker_wake_one(const futon::futex_word* word) {
  return futon::backend::parking_lot_futex::wake(*word, 1);
}

const void* futon_test_waker_table() {
  return &futon::detail::os_parking_lot::table();
}
