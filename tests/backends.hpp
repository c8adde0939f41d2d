// The futex backends every futex and primitive test runs against.
#pragma once

#include <gtest/gtest.h>

#include <futon/backend/kernel_futex.hpp>
#include <futon/backend/parking_lot.hpp>
#include <futon/futex.hpp>

namespace futon::testing {

#if defined(FUTON_NO_KERNEL_FUTEX)
// This OS's futex reports no wake counts or cannot compare-and-requeue (see kernel_futex.hpp):
// there is no kernel_futex backend to test, and the parking lot is the default.
using all_backends = ::testing::Types<backend::parking_lot>;
#else
using all_backends = ::testing::Types<backend::kernel_futex, backend::parking_lot>;
#endif

// Prints the backend's own name in test names: FutexSmoke/kernel.Name.
struct backend_name {
  template <class Backend>
  static std::string GetName(int) {
    return Backend::name;
  }
};

}  // namespace futon::testing
