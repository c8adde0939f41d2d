// SPDX-License-Identifier: BSL-1.0
// The futex backends every futex and primitive test runs against.
#pragma once

#include <gtest/gtest.h>

#include <futon/backend/kernel_futex.hpp>
#include <futon/backend/kernel_shared_futex.hpp>
#include <futon/backend/parking_lot.hpp>
#include <futon/futex.hpp>

#include "ordered_futex.hpp"

namespace futon::testing {

#if defined(FUTON_NO_KERNEL_FUTEX)
// This OS's futex reports no wake counts or cannot compare-and-requeue (see kernel_futex.hpp):
// there is no kernel_futex backend to test, and the parking lot is the default. Its shared futex
// (where there is one: macOS, FreeBSD, OpenBSD) has the same gaps, which the futex tests would
// report as failures: it runs the primitives' tests below and tests/interprocess/, which expect
// what kernel_shared_futex.hpp says of each OS.
using all_backends = ::testing::Types<backend::parking_lot_futex>;
#else
// kernel_shared_futex (process-shared waits) keeps the whole contract within one process too,
// and every primitive over it is futon::interprocess's (tests/interprocess/ adds the processes).
using all_backends = ::testing::Types<backend::kernel_futex, backend::kernel_shared_futex,
                                      backend::parking_lot_futex>;
#endif

// The backends with futex_wait_any (futex_wait_any_backend): all but the process-shared one.
#if defined(FUTON_NO_KERNEL_FUTEX)
using wait_any_backends = ::testing::Types<backend::parking_lot_futex>;
#else
using wait_any_backends = ::testing::Types<backend::kernel_futex, backend::parking_lot_futex>;
#endif

// The primitives' tests also run on futexes that wake newest first and at random
// (ordered_futex.hpp): no primitive may depend on which waiter a wake reaches.
#if defined(FUTON_NO_KERNEL_FUTEX) && FUTON_HAS_SHARED_FUTEX
// The primitives use neither wake counts nor requeue: they keep their contracts on the shared
// futex of every OS that has one.
using primitive_backends =
    ::testing::Types<backend::kernel_shared_futex, backend::parking_lot_futex, newest_first_futex,
                     random_order_futex>;
#elif defined(FUTON_NO_KERNEL_FUTEX)
using primitive_backends =
    ::testing::Types<backend::parking_lot_futex, newest_first_futex, random_order_futex>;
#else
using primitive_backends =
    ::testing::Types<backend::kernel_futex, backend::kernel_shared_futex,
                     backend::parking_lot_futex, newest_first_futex, random_order_futex>;
#endif

// Prints the backend's own name in test names: FutexSmoke/kernel.Name.
struct backend_name {
  template <class Backend>
  static std::string GetName(int) {
    return Backend::name;
  }
};

}  // namespace futon::testing
