// SPDX-License-Identifier: BSL-1.0
// default_backend: the futex backend behind futon's free functions and primitives, chosen when
// the library is built (-DFUTON_BACKEND=kernel|parking_lot).
#pragma once

#include <futon/backend/kernel_futex.hpp>
#include <futon/backend/parking_lot.hpp>
#include <futon/config.hpp>

namespace futon {
inline namespace v0 {
namespace backend {

// Without a kernel futex (FUTON_NO_KERNEL_FUTEX, see kernel_futex.hpp) the build always chooses
// the parking lot; the second test keeps a consumer's headers consistent with that regardless.
#if FUTON_DEFAULT_BACKEND_IS_PARKING_LOT || defined(FUTON_NO_KERNEL_FUTEX)
using default_backend = parking_lot_futex;
#else
using default_backend = kernel_futex;
#endif

}  // namespace backend
}  // namespace v0
}  // namespace futon
