// SPDX-License-Identifier: BSL-1.0
// What parking_lot_bench needs from the parking lots it compares, which parking_lot_copy.cpp
// instantiates (it alone reaches into src/ for the engine and the OS's platform).
//
// parking_lot_bench compares the library's parking lot (512 buckets) with the same engine
// (src/parking_lot/basic_parking_lot.hpp) instantiated over the OS's platform with another
// bucket count: one bucket, i.e. one global lock (the design the OpenBSD seed replaced), and,
// with -DFUTON_BENCH_BUCKET_SWEEP=ON, 2^6 to 2^12 buckets. Each is a template instantiation of
// its own, with its own table, so all of them link into one binary side by side.
//
// The words live here so that every parking lot waits on the very same addresses.
#pragma once

#include <benchmark/benchmark.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace futon_bench_common {

// The scenarios one parking lot runs (parking_lot_scenarios.hpp).
struct scenario_set {
  void (*distinct_words)(benchmark::State&);
  void (*wake_beside_sleepers)(benchmark::State&);
};

// The library's own parking lot (futon's parking_lot_futex backend), whose scenarios also report
// which of their words share a bucket.
scenario_set library_scenarios() noexcept;

// The parking lot with one bucket: one lock for every address.
scenario_set one_bucket_scenarios() noexcept;

// The bucket-count sweep (FUTON_BENCH_BUCKET_SWEEP_LOG2, set by bench/CMakeLists.txt), smallest
// table first; empty unless the sweep was built.
struct sized_scenario_set {
  std::size_t bucket_count;
  scenario_set run;
};
std::vector<sized_scenario_set> bucket_sweep_scenarios();

// A futex word alone on its cache line, so that scenarios measure waiting and waking rather than
// false sharing.
struct alignas(64) padded_word {
  std::atomic<std::uint32_t> value{0};
};

// The most words a scenario may ask scattered_word() for.
inline constexpr std::size_t scattered_word_count = 256;

// Word `index` (< scattered_word_count), at a fixed pseudo-random cache line of a 256 KiB arena.
//
// Where the words lie decides which of them share a parking-lot bucket. Words in one array, a
// fixed stride apart, would flatter Fibonacci hashing, which spreads arithmetic progressions
// almost perfectly; real waiters (a mutex inside each heap object, a flag on each thread's stack)
// sit at unrelated addresses. So the words are placed by a seeded generator, and they are the
// same objects for every parking lot (an inline function's static is one object program-wide):
// within a run, every bucket count sees the very same addresses. Between runs,
// address-space randomisation moves the arena, so which words collide changes from run to run
// (the scenarios' labels say how many did), which averages the placement over runs.
inline std::atomic<std::uint32_t>& scattered_word(std::size_t index) noexcept {
  constexpr std::size_t arena_lines = 4096;
  static padded_word arena[arena_lines];
  static const std::array<std::size_t, scattered_word_count> line_of = [] {
    std::array<std::size_t, scattered_word_count> lines{};
    std::array<bool, arena_lines> taken{};
    std::uint64_t state = 0x5EED'F07E'0000'0001ull;
    for (std::size_t& line : lines) {
      do {
        // splitmix64: small, well mixed, and the same on every platform.
        std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        line = static_cast<std::size_t>((z ^ (z >> 31)) % arena_lines);
      } while (taken[line]);
      taken[line] = true;
    }
    return lines;
  }();
  return arena[line_of[index]].value;
}

}  // namespace futon_bench_common
