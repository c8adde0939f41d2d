// The bucket table's size, the fairness timer and the fork reset.
//
// Why 512 buckets: the table is fixed (no rehash while threads are parked on it), so it is sized
// for the most threads we expect to park at once on distinct addresses. With n such threads in
// B buckets about n^2 / 2B pairs share a bucket: for 64 threads, 512 buckets give ~4 shared
// pairs, and every shared pair costs both sides a lock handoff and a longer scan. 512 buckets of
// one cache line (128 bytes on x86-64) are 64 KiB of memory, touched only by parking threads.
// The distinct-words benchmark (bench/parking_lot_bench.cpp) measures the table against the
// kernel futex from 1 to 64 threads.
#include "parking_lot/bucket.hpp"

#include <new>

namespace futon::parking_lot_internal {

bool bucket::fairness_due() noexcept {
  const std::int64_t now = os::now_ns();
  if (now < fair_after_ns) return false;
  // xorshift32: a cheap, well-spread random delay in [0, 1 ms).
  std::uint32_t x = fairness_seed == 0 ? 0x9E3779B9u : fairness_seed;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  fairness_seed = x;
  fair_after_ns = now + static_cast<std::int64_t>(x % 1'000'000u);
  return true;
}

constinit bucket_table the_table;

namespace {
// Registered while the library's static objects are initialized, before main().
[[maybe_unused]] const bool fork_hook_registered =
    (os::on_fork_child([] { the_table.reset_after_fork(); }), true);
}  // namespace

void bucket_table::reset_after_fork() noexcept {
  for (bucket& b : buckets_) {
    // The old lock may be held by a thread that no longer exists; rebuild the bucket in place.
    b.~bucket();
    new (&b) bucket();
  }
}

}  // namespace futon::parking_lot_internal
