// One parking-lot copy's scenarios (see parking_lot_copy.hpp). Compiled only into a copy, with
// -Dfuton=<the copy's namespace> and its FUTON_BUCKET_COUNT_LOG2: every futon name below,
// including those in the headers, is that copy's, and so is the parking lot the scenarios run on.
#if !defined(futon)
#error "parking_lot_copy.cpp belongs to a parking-lot copy: compile it with -Dfuton=<namespace>"
#endif

#include "parking_lot_copy.hpp"

#include "parking_lot_scenarios.hpp"
#include "wait_impls.hpp"

// Expands to this copy's namespace, so the definition below matches parking_lot_bench.cpp's
// declaration of it.
FUTON_BENCH_DECLARE_COPY(futon)

namespace futon::bench {

futon_bench_common::scenario_set copy_scenarios() noexcept {
  using impl = futon_impl<backend::parking_lot>;
  return {&distinct_words<impl>, &wake_beside_sleepers<impl>};
}

}  // namespace futon::bench
