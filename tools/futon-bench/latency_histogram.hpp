// SPDX-License-Identifier: BSL-1.0
// Latencies in nanoseconds, counted into fixed log-linear buckets so that a thread can record
// millions of them without allocating or keeping them: each power-of-two range is split into
// 16 buckets, so a percentile read back is within 1/16 (6 %) above the true one. Below 32 ns
// every nanosecond has its own bucket. One histogram per thread; merge them afterwards.
#pragma once

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>

namespace futon_bench {

class latency_histogram {
 public:
  void record(std::int64_t ns) noexcept {
    ++counts_[bucket_of(ns < 0 ? 0 : static_cast<std::uint64_t>(ns))];
    ++total_;
  }

  void merge(const latency_histogram& other) noexcept {
    for (std::size_t i = 0; i < counts_.size(); ++i)
      counts_[i] += other.counts_[i];
    total_ += other.total_;
  }

  std::uint64_t count() const noexcept { return total_; }

  // The latency that `fraction` (0.5, 0.99, 0.999) of the recordings do not exceed: the upper
  // edge of the bucket holding that rank, so never below the true value. 0 when empty.
  std::int64_t percentile(double fraction) const noexcept {
    if (total_ == 0) return 0;
    const double wanted = std::ceil(fraction * static_cast<double>(total_));
    const std::uint64_t rank = wanted < 1 ? 1 : static_cast<std::uint64_t>(wanted);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
      seen += counts_[i];
      if (seen >= rank) return upper_edge(i);
    }
    return upper_edge(counts_.size() - 1);
  }

 private:
  static constexpr int sub_bits = 4;  // 16 buckets per power of two
  static constexpr std::size_t per_range = std::size_t{1} << sub_bits;

  // Values below 2 * per_range are their own bucket; above, the range [2^e, 2^(e+1)) holds
  // buckets (e - sub_bits + 1) * per_range + (the 4 bits after the leading one).
  static std::size_t bucket_of(std::uint64_t v) noexcept {
    if (v < 2 * per_range) return static_cast<std::size_t>(v);
    const int e = std::bit_width(v) - 1;
    const std::size_t sub = static_cast<std::size_t>(v >> (e - sub_bits)) & (per_range - 1);
    return static_cast<std::size_t>(e - sub_bits + 1) * per_range + sub;
  }

  static std::int64_t upper_edge(std::size_t bucket) noexcept {
    if (bucket < 2 * per_range) return static_cast<std::int64_t>(bucket);
    const int e = static_cast<int>(bucket / per_range) + sub_bits - 1;
    const std::uint64_t lower = (per_range + bucket % per_range) << (e - sub_bits);
    return static_cast<std::int64_t>(lower + (std::uint64_t{1} << (e - sub_bits)) - 1);
  }

  // Exponents up to 62: any non-negative int64 nanosecond count.
  std::array<std::uint64_t, (63 - sub_bits + 1) * per_range> counts_{};
  std::uint64_t total_ = 0;
};

}  // namespace futon_bench
