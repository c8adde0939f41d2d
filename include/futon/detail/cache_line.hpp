// SPDX-License-Identifier: BSL-1.0
// The size to pad shared data to, per CPU, so that two of the parking lot's buckets or two of
// atomic_wait's waiter slots never share a cache line (or the pair of lines that x86 and ARM
// prefetchers fetch together). The table follows Zig's and Go's:
// 128 bytes where the adjacent-line prefetcher or the line itself is 128 bytes (x86-64, aarch64,
// ppc64), 256 on s390x, 32 on arm, mips and riscv64, 64 elsewhere.
#pragma once

#include <cstddef>

namespace futon {
inline namespace v0 {
namespace detail {

#if defined(__x86_64__) || defined(_M_X64) || defined(__aarch64__) || defined(_M_ARM64) || \
    defined(__powerpc64__)
inline constexpr std::size_t cache_line_size = 128;
#elif defined(__s390x__)
inline constexpr std::size_t cache_line_size = 256;
#elif defined(__arm__) || defined(_M_ARM) || defined(__mips__) || \
    (defined(__riscv) && __riscv_xlen == 64)
inline constexpr std::size_t cache_line_size = 32;
#else
inline constexpr std::size_t cache_line_size = 64;
#endif

}  // namespace detail
}  // namespace v0
}  // namespace futon
