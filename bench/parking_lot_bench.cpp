// SPDX-License-Identifier: BSL-1.0
// The parking lot's bucket table against the kernel futex, the standard library and a parking
// lot behind one global lock.
//
// The scenarios are in parking_lot_scenarios.hpp:
//
//   distinct_words/threads:2..64        pairs of threads, each sleeping on a word of its own and
//                                       waking its partner's: does the table keep independent
//                                       waiters apart as their number grows? The goal: the
//                                       parking lot reaches at least 0.8x the kernel's rate at
//                                       every count. (Two is the smallest count: a thread cannot
//                                       hand itself a wake.)
//   wake_beside_sleepers/sleepers:0|64  2 threads waking words nobody waits on, with 0 or 64
//                                       threads asleep on other words.
//
// and each runs on four contenders (the bench workflow interleaves their repetitions at random,
// so that a drift in the machine's load hits them alike):
//
//   futon:kernel       futon's futex on the kernel's futex(2);
//   futon:parking_lot  futon's futex on the parking lot: 512 buckets (the library itself);
//   futon:one_lock     the same parking-lot engine instantiated with one bucket, i.e. one lock
//                      for every address, which is the design the OpenBSD seed replaced: what
//                      the buckets buy is the ratio of these two;
//   std                std::atomic<std::uint32_t>::wait / notify_one.
//
// With -DFUTON_BENCH_BUCKET_SWEEP=ON, instantiations with 2^6 to 2^12 buckets ("buckets:<count>")
// also run both scenarios at their largest size: the numbers behind the choice of 512.
//
// The program ends with ratio tables: against the kernel futex, against std, and the parking lot
// against the one-lock copy (and, in a sweep, every bucket count against the library's 512).
#include <benchmark/benchmark.h>

#include <cstddef>
#include <string>
#include <vector>

#include "parking_lot_copy.hpp"
#include "parking_lot_scenarios.hpp"
#include "ratio_reporter.hpp"
#include "wait_impls.hpp"

namespace futon::bench {
namespace {

// One implementation as parking_lot_bench runs it: a name for the tables and its scenarios.
struct contender {
  std::string name;
  futon_bench_common::scenario_set run;
};

template <class Impl>
contender contender_of() {
  return {Impl::name(), {&distinct_words<Impl>, &wake_beside_sleepers<Impl>}};
}

const std::string one_lock_name = "futon:one_lock";

std::vector<contender> contenders() {
  std::vector<contender> list;
#if !defined(FUTON_NO_KERNEL_FUTEX)
  list.push_back(contender_of<futon_impl<backend::kernel_futex>>());
#endif
  list.push_back(
      {futon_impl<backend::parking_lot_futex>::name(), futon_bench_common::library_scenarios()});
  list.push_back({one_lock_name, futon_bench_common::one_bucket_scenarios()});
  list.push_back(contender_of<std_impl>());
  return list;
}

// The bucket-count sweep's parking lots, smallest table first; empty unless it was built.
std::vector<contender> sweep_contenders() {
  std::vector<contender> list;
  for (const futon_bench_common::sized_scenario_set& s :
       futon_bench_common::bucket_sweep_scenarios()) {
    list.push_back({"buckets:" + std::to_string(s.bucket_count), s.run});
  }
  return list;
}

benchmark::internal::Benchmark* add(const std::string& scenario, const contender& c,
                                    void (*run)(benchmark::State&)) {
  // Real time: the threads share 2 cores, so the wall clock is what a user waits for; the CPU
  // columns cover the whole process (MeasureProcessCPUTime and the cpu_ns/op counter).
  return benchmark::RegisterBenchmark((scenario + "/" + c.name).c_str(), run)
      ->Unit(benchmark::kNanosecond)
      ->UseRealTime()
      ->MeasureProcessCPUTime();
}

void register_all() {
  const std::vector<contender> all = contenders();
  const std::vector<contender> sweep = sweep_contenders();
  // Size-major, contender-minor: without random interleaving, the runs compared in one row of a
  // table follow each other.
  constexpr int largest = 64;
  // 0.1 s a repetition: a few tens of thousands of hand-offs, and 24 runs stay within the bench
  // workflow's time.
  constexpr double distinct_words_min_time = 0.1;
  for (int threads = 2; threads <= largest; threads *= 2) {
    for (const contender& c : all) {
      add("distinct_words", c, c.run.distinct_words)
          ->Threads(threads)
          ->MinTime(distinct_words_min_time);
    }
    if (threads == largest) {
      for (const contender& c : sweep) {
        add("distinct_words", c, c.run.distinct_words)
            ->Threads(threads)
            ->MinTime(distinct_words_min_time);
      }
    }
  }
  for (const int sleepers : {0, 64}) {
    for (const contender& c : all) {
      add("wake_beside_sleepers", c, c.run.wake_beside_sleepers)
          ->ArgName("sleepers")
          ->Arg(sleepers)
          ->Threads(2);
    }
    if (sleepers == 64) {
      for (const contender& c : sweep) {
        add("wake_beside_sleepers", c, c.run.wake_beside_sleepers)
            ->ArgName("sleepers")
            ->Arg(sleepers)
            ->Threads(2);
      }
    }
  }
}

std::vector<comparison> tables() {
  const std::string parking_lot = futon_impl<backend::parking_lot_futex>::name();
  std::vector<std::string> sweep_names;
  for (const contender& c : sweep_contenders())
    sweep_names.push_back(c.name);
  std::vector<comparison> list;
#if !defined(FUTON_NO_KERNEL_FUTEX)
  const std::string kernel = futon_impl<backend::kernel_futex>::name();
  std::vector<std::string> against_kernel{parking_lot, one_lock_name, peer_name};
  against_kernel.insert(against_kernel.end(), sweep_names.begin(), sweep_names.end());
  list.push_back(
      {kernel, against_kernel, "Against the kernel futex", {{"distinct_words", parking_lot, 0.8}}});
  list.push_back({peer_name, {kernel, parking_lot, one_lock_name}, "Against std", {}});
#else
  list.push_back({peer_name, {parking_lot, one_lock_name}, "Against std", {}});
#endif
  list.push_back({one_lock_name,
                  {parking_lot},
                  "What the buckets buy: the parking lot (512 buckets) against one global lock",
                  {}});
  if (!sweep_names.empty()) {
    list.push_back(
        {parking_lot, sweep_names, "Bucket-count sweep against the library's 512 buckets", {}});
  }
  return list;
}

}  // namespace
}  // namespace futon::bench

int main(int argc, char** argv) {
  futon::bench::register_all();
  return futon::bench::run_benchmarks(argc, argv, futon::bench::tables());
}
