// SPDX-License-Identifier: BSL-1.0
// The parking lot pads each bucket to the CPU's cache-line size (<futon/detail/cache_line.hpp>),
// so two buckets never share a line (or the pair of lines some prefetchers fetch together). This
// test states the expected size for the CPU it was compiled for, independently of that table,
// and checks the table and the bucket against it: run on every CPU of the cross test
// (scripts/test-cross-linux.sh) and under wine, it checks every row that is built.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <futon/atomic_wait.hpp>
#include <futon/detail/cache_line.hpp>

#include "parking_lot/os_parking_lot.hpp"

namespace {

// The seed's table (Zig's std.atomic.cache_line, as Go's runtime): 128 bytes where the line or
// the adjacent-line prefetcher's pair is 128 (x86-64, aarch64, ppc64), 256 on s390x, 32 on 32-bit
// ARM, MIPS and riscv64, 64 elsewhere (i386, riscv32, ...).
constexpr std::size_t expected_cache_line() {
#if defined(__x86_64__) || defined(_M_X64)
  return 128;
#elif defined(__aarch64__) || defined(_M_ARM64)
  return 128;
#elif defined(__powerpc64__)
  return 128;
#elif defined(__s390x__)
  return 256;
#elif defined(__arm__) || defined(_M_ARM)
  return 32;
#elif defined(__mips__)
  return 32;
#elif defined(__riscv) && __riscv_xlen == 64
  return 32;
#else
  return 64;
#endif
}

constexpr const char* cpu_name() {
#if defined(__x86_64__) || defined(_M_X64)
  return "x86-64";
#elif defined(__aarch64__) || defined(_M_ARM64)
  return "aarch64";
#elif defined(__powerpc64__)
  return "ppc64";
#elif defined(__s390x__)
  return "s390x";
#elif defined(__arm__) || defined(_M_ARM)
  return "arm";
#elif defined(__mips__)
  return "mips";
#elif defined(__riscv)
  return "riscv";
#elif defined(__i386__) || defined(_M_IX86)
  return "i386";
#else
  return "other";
#endif
}

TEST(CacheLine, SizeMatchesTheTableForThisCpu) {
  SCOPED_TRACE(cpu_name());
  EXPECT_EQ(futon::detail::cache_line_size, expected_cache_line());
}

TEST(CacheLine, BucketsAreAlignedAndPaddedToIt) {
  using bucket = futon::detail::bucket<futon::os::platform>;
  using futon::detail::cache_line_size;
  SCOPED_TRACE(cpu_name());
  EXPECT_EQ(alignof(bucket), cache_line_size);
  // A multiple of the alignment by definition; a whole number of lines, so no two buckets of
  // the table share one.
  EXPECT_EQ(sizeof(bucket) % cache_line_size, 0U);
}

TEST(CacheLine, AtomicWaitSlotsUseTheSameSize) {
  using futon::detail::cache_line_size;
  EXPECT_EQ(alignof(futon::detail::atomic_wait_slot), cache_line_size);
  EXPECT_EQ(sizeof(futon::detail::atomic_wait_slot) % cache_line_size, 0U);
}

TEST(CacheLine, TheBucketTableIsAlignedToIt) {
  using futon::detail::cache_line_size;
  const auto address = reinterpret_cast<std::uintptr_t>(&futon::detail::os_parking_lot::table());
  EXPECT_EQ(address % cache_line_size, 0U) << cpu_name();
}

}  // namespace
