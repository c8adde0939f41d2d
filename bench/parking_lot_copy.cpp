// SPDX-License-Identifier: BSL-1.0
// The parking lots parking_lot_bench compares (see parking_lot_copy.hpp): the library's, and the
// same engine instantiated over the OS's platform with other bucket counts. Compiled with src/
// on the include path and the library's own definitions (the thread parker it chose).
#include "parking_lot_copy.hpp"

#include <cstddef>
#include <futon/backend/parking_lot.hpp>
#include <iterator>
#include <utility>
#include <vector>

#include "os/platform.hpp"
#include "parking_lot/basic_parking_lot.hpp"
#include "parking_lot/futex_on_parking_lot.hpp"
#include "parking_lot/os_parking_lot.hpp"
#include "parking_lot_scenarios.hpp"
#include "wait_impls.hpp"

namespace futon::bench {
namespace {

// The OS's platform with 2^Log2 buckets.
template <std::size_t Log2>
struct platform_with_buckets : os::platform {
  static constexpr std::size_t bucket_count_log2 = Log2;
};

template <std::size_t Log2>
using lot_with_buckets = detail::basic_parking_lot<platform_with_buckets<Log2>>;

// The futex backend on such a parking lot: the library's parking_lot_futex code, on its table.
template <std::size_t Log2>
struct backend_with_buckets : detail::futex_on_parking_lot<lot_with_buckets<Log2>> {
  static constexpr const char* name = "parking_lot_copy";
};

template <class Impl>
futon_bench_common::scenario_set scenarios_of() noexcept {
  return {&distinct_words<Impl>, &wake_beside_sleepers<Impl>};
}

template <std::size_t Log2>
futon_bench_common::scenario_set scenarios_with_buckets() noexcept {
  return scenarios_of<parking_lot_impl<lot_with_buckets<Log2>, backend_with_buckets<Log2>>>();
}

}  // namespace
}  // namespace futon::bench

// The one-bucket parking lot's code, compiled here once.
template class futon::detail::basic_parking_lot<futon::bench::platform_with_buckets<0>>;

namespace futon_bench_common {

scenario_set library_scenarios() noexcept {
  using namespace futon;
  return bench::scenarios_of<
      bench::parking_lot_impl<detail::os_parking_lot, backend::parking_lot_futex>>();
}

scenario_set one_bucket_scenarios() noexcept {
  return futon::bench::scenarios_with_buckets<0>();
}

std::vector<sized_scenario_set> bucket_sweep_scenarios() {
#if defined(FUTON_BENCH_BUCKET_SWEEP_LOG2)
  static constexpr std::size_t sweep_log2[] = {FUTON_BENCH_BUCKET_SWEEP_LOG2};
  return []<std::size_t... I>(std::index_sequence<I...>) {
    return std::vector<sized_scenario_set>{
        {std::size_t{1} << sweep_log2[I],
         futon::bench::scenarios_with_buckets<sweep_log2[I]>()}...};
  }
  (std::make_index_sequence<std::size(sweep_log2)>{});
#else
  return {};
#endif
}

}  // namespace futon_bench_common
