// SPDX-License-Identifier: BSL-1.0
// os_parking_lot: the parking lot on the real system (os::platform), whose code the library
// compiles once, in parking_lot.cpp (the explicit instantiation below is declared extern here).
// For src/ and for the tests that reach into the engine (bucket indexes, the table's alignment).
#pragma once

#include "os/platform.hpp"
#include "parking_lot/basic_parking_lot.hpp"

namespace futon {
inline namespace v0 {
namespace detail {

extern template class basic_parking_lot<os::platform>;
using os_parking_lot = basic_parking_lot<os::platform>;

}  // namespace detail
}  // namespace v0
}  // namespace futon
