// SPDX-License-Identifier: BSL-1.0
// The names the planted copies of the 7add648 primitives (tests/dsched/planted/) take from
// futon: they live in namespace planted_7add648, beside the real primitives in one test
// program, and reach the library's detail headers and backends through these aliases, so that
// their text stays as it was at 7add648 but for the namespace and the includes.
#pragma once

#include <futon/detail/backend_traits.hpp>
#include <futon/futex.hpp>

namespace planted_7add648 {

namespace detail = futon::detail;
namespace backend = futon::backend;
using futon::futex_backend;

}  // namespace planted_7add648
