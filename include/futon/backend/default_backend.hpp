// default_backend: the futex backend behind futon's free functions and primitives, chosen when
// the library is built (-DFUTON_BACKEND=kernel|parking_lot).
#pragma once

#include <futon/backend/kernel_futex.hpp>
#include <futon/config.hpp>

namespace futon::backend {

using default_backend = kernel_futex;

}  // namespace futon::backend
