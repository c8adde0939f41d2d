// SPDX-License-Identifier: BSL-1.0
// The parking-lot scenarios, written once against the wait_impls.hpp interface (wait, wake_one,
// wake_all) and run by parking_lot_bench for the kernel futex, the library's parking lot, the
// standard library and the parking lot instantiated with other bucket counts
// (parking_lot_copy.hpp).
//
//   distinct_words        n threads (2 to 64) in pairs; each thread sleeps on a word of its own
//                         and wakes its partner's: no word is ever shared by two pairs, so the
//                         total hand-off rate measures how well the table keeps independent
//                         waiters apart (a kernel futex hash, 512 buckets, one lock).
//   wake_beside_sleepers  2 threads wake words nobody waits on, each its own 64 words in turn,
//                         while `sleepers` other threads sleep on words of their own: the
//                         lock-free "nobody waits here" check, which one shared bucket defeats as
//                         soon as anybody sleeps anywhere.
//
// Both run on Google Benchmark threads (->Threads(n)), so every thread's iterations count: the
// time per iteration is the wall time divided by all the work done, and its ratios are
// throughput ratios of the whole process. Each thread runs the same number of iterations (Google
// Benchmark's rule), so the per-thread spread is taken at the moment the first thread finishes:
// how many iterations each thread had done by then (progress_board).
#pragma once

#include <benchmark/benchmark.h>

#include <array>
#include <atomic>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <futon/parking_lot.hpp>
#include <memory>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "bench_support.hpp"
#include "parking_lot_copy.hpp"
#include "sleep_probe.hpp"
#include "wait_impls.hpp"

namespace futon::bench {

// The most Google Benchmark threads a scenario here accepts.
inline constexpr std::size_t max_scenario_threads = 64;

// Per-thread progress, read when the first thread finishes its iterations, for the spread.
class progress_board {
 public:
  // Called by Google Benchmark thread 0 before the timed loop, that is, before the start barrier
  // that orders it before every thread's first publish().
  void reset(std::size_t threads) {
    for (slot& s : slots_)
      s.done.store(0, std::memory_order_relaxed);  // ordered by the start barrier
    first_finished_.store(false, std::memory_order_relaxed);
    at_first_finish_.assign(threads, 0);
  }

  // Thread `index` has done `done` of its `total` iterations.
  void publish(std::size_t index, std::uint64_t done, std::uint64_t total) noexcept {
    // Relaxed: a progress gauge; nothing is read through it.
    slots_[index].done.store(done, std::memory_order_relaxed);
    // Relaxed exchange: it only elects the one thread that takes the snapshot; the snapshot
    // reaches thread 0 through Google Benchmark's end barrier (a mutex) after the loop.
    if (done == total && !first_finished_.exchange(true, std::memory_order_relaxed)) {
      for (std::size_t i = 0; i < at_first_finish_.size(); ++i)
        at_first_finish_[i] = slots_[i].done.load(std::memory_order_relaxed);
    }
  }

  // After the loop, on thread 0 (past the end barrier).
  const std::vector<std::uint64_t>& at_first_finish() const noexcept { return at_first_finish_; }

 private:
  struct alignas(64) slot {
    std::atomic<std::uint64_t> done{0};
  };
  std::array<slot, max_scenario_threads> slots_;
  std::atomic<bool> first_finished_{false};
  std::vector<std::uint64_t> at_first_finish_;
};

// Parking-lot implementations can say which words share a bucket (Impl::bucket_index: see
// parking_lot_impl in parking_lot_copy.cpp and parking_lot_bench.cpp); others (the kernel futex,
// std) hash privately.
template <class Impl>
inline constexpr bool on_parking_lot = requires(const void* key) {
  { Impl::bucket_index(key) } -> std::convertible_to<std::size_t>;
};

// The bucket `w` hashes to in Impl's parking lot.
template <class Impl>
std::size_t bucket_of(const word& w) noexcept {
  return Impl::bucket_index(&w);
}

// futon's futex on one instantiation of the parking lot (`Lot`, a basic_parking_lot), through
// the futex backend `Backend` on it, with the lot's own bucket hash.
template <class Lot, class Backend>
struct parking_lot_impl : futon_impl<Backend> {
  static std::size_t bucket_index(const void* key) noexcept { return Lot::bucket_index(key); }
};

// ---------------------------------------------------------------------------------------------
// distinct_words: pairs of threads, each sleeping on its own word.
//
// Thread 2k (the leader) and 2k+1 form a pair; thread i owns scattered_word(i), which counts the
// hand-offs it has received. One iteration of either thread is one hand-off received: the
// leader hands over (store the round into its partner's word, wake it) and waits for the reply
// on its own word; the follower waits on its own word, then replies the same way. Both always
// wake after storing, as a bare futex user does. The waits block for real (sleeps/op): with
// every other thread of the run on the same 2 cores, a partner is rarely running when its turn
// comes.

template <class Impl>
void distinct_words(benchmark::State& state) {
  struct shared_state {
    progress_board progress;
    loop_meter meter;
    std::size_t shared_words = 0;  // words whose parking-lot bucket holds another pair's word
  };
  static shared_state shared;  // one per implementation, shared by the benchmark's threads

  const auto threads = static_cast<std::size_t>(state.threads());
  const auto me = static_cast<std::size_t>(state.thread_index());
  if (threads % 2 != 0 || threads > max_scenario_threads) {
    state.SkipWithError("distinct_words needs an even number of threads, at most 64");
    return;
  }
  word& mine = futon_bench_common::scattered_word(me);
  word& partners = futon_bench_common::scattered_word(me ^ 1);
  const bool leader = me % 2 == 0;

  if (me == 0) {
    // Relaxed stores: Google Benchmark's start barrier (a mutex) orders them before every
    // thread's loop, and the previous run's threads have all been joined.
    for (std::size_t i = 0; i < threads; ++i)
      futon_bench_common::scattered_word(i).store(0, std::memory_order_relaxed);
    shared.progress.reset(threads);
    shared.shared_words = 0;
    if constexpr (on_parking_lot<Impl>) {
      for (std::size_t i = 0; i < threads; ++i) {
        for (std::size_t j = 0; j < threads; ++j) {
          if (j / 2 != i / 2 && bucket_of<Impl>(futon_bench_common::scattered_word(i)) ==
                                    bucket_of<Impl>(futon_bench_common::scattered_word(j))) {
            ++shared.shared_words;
            break;
          }
        }
      }
    }
    shared.meter.start();
  }

  // Hand-off `round` to the partner, and wait for hand-off `round` from it.
  const auto hand_over = [&](std::uint32_t round) {
    // Release: pairs with the partner's acquire load below.
    partners.store(round, std::memory_order_release);
    Impl::wake_one(partners);
  };
  const auto await = [&](std::uint32_t round) {
    std::uint32_t seen = 0;
    // Acquire: pairs with the partner's release store of `round`.
    while ((seen = mine.load(std::memory_order_acquire)) != round)
      Impl::wait(mine, seen);
  };

  const auto total = static_cast<std::uint64_t>(state.max_iterations);
  std::uint64_t done = 0;
  for (auto _ : state) {
    const auto round = static_cast<std::uint32_t>(done + 1);  // wraps harmlessly
    if (leader) {
      hand_over(round);
      await(round);
    } else {
      await(round);
      hand_over(round);
    }
    shared.progress.publish(me, ++done, total);
  }
  state.SetItemsProcessed(state.iterations());

  if (me == 0) {  // past the end barrier: every thread has finished
    shared.meter.stop();
    shared.meter.report(state);
    report_spread(state, shared.progress.at_first_finish());
    std::string label = "item = hand-off received";
    if constexpr (on_parking_lot<Impl>) {
      label += "; " + std::to_string(shared.shared_words) + " of " + std::to_string(threads) +
               " words share a bucket with another pair's";
    }
    state.SetLabel(label);
  }
}

// ---------------------------------------------------------------------------------------------
// wake_beside_sleepers: wakes that find nobody, next to threads asleep on other words.
//
// `sleepers` helper threads each sleep on a word of their own, verified asleep in the kernel
// (sleep_probe) before the timed loop. Then 2 benchmark threads each wake, round robin, 64
// words of their own that nobody waits on. The round robin averages over where the words hash:
// with B buckets and s sleepers, about a fraction s/B of those words share a bucket with a
// sleeper and cost a lock and a queue scan, the others only the lock-free check; with one bucket
// every wake pays, and the two wakers fight over its lock. The kernel's FUTEX_WAKE is a system
// call whatever sleeps where.

inline constexpr std::size_t words_per_waker = 64;
inline constexpr std::size_t max_sleepers = 64;
// scattered_word() indices: the wakers' words after distinct_words' 64, then the sleepers'.
inline constexpr std::size_t first_waker_word = max_scenario_threads;
inline constexpr std::size_t first_sleeper_word = first_waker_word + 2 * words_per_waker;
static_assert(first_sleeper_word + max_sleepers <= futon_bench_common::scattered_word_count);

template <class Impl>
void wake_beside_sleepers(benchmark::State& state) {
  struct shared_state {
    progress_board progress;
    loop_meter meter;
    std::vector<std::thread> sleepers;
    std::unique_ptr<sleep_probe> probe;
    std::atomic<std::size_t> enrolled{0};
    std::size_t words_beside_sleepers = 0;  // waker words whose bucket holds a sleeper's word
  };
  static shared_state shared;  // one per implementation, shared by the benchmark's threads

  const auto wakers = static_cast<std::size_t>(state.threads());
  const auto me = static_cast<std::size_t>(state.thread_index());
  const auto sleepers = static_cast<std::size_t>(state.range(0));
  if (wakers > 2 || sleepers > max_sleepers) {
    state.SkipWithError("wake_beside_sleepers takes at most 2 threads and 64 sleepers");
    return;
  }
  const auto sleeper_word = [](std::size_t i) -> word& {
    return futon_bench_common::scattered_word(first_sleeper_word + i);
  };
  std::array<word*, words_per_waker> targets{};
  for (std::size_t k = 0; k < words_per_waker; ++k)
    targets[k] = &futon_bench_common::scattered_word(first_waker_word + me * words_per_waker + k);

  if (me == 0) {
    shared.progress.reset(wakers);
    shared.words_beside_sleepers = 0;
    if constexpr (on_parking_lot<Impl>) {
      for (std::size_t w = 0; w < wakers * words_per_waker; ++w) {
        const std::size_t b =
            bucket_of<Impl>(futon_bench_common::scattered_word(first_waker_word + w));
        for (std::size_t s = 0; s < sleepers; ++s) {
          if (bucket_of<Impl>(sleeper_word(s)) == b) {
            ++shared.words_beside_sleepers;
            break;
          }
        }
      }
    }
    shared.probe = std::make_unique<sleep_probe>(sleepers);
    // Relaxed: the helpers are started after it (thread creation orders it).
    shared.enrolled.store(0, std::memory_order_relaxed);
    for (std::size_t i = 0; i < sleepers; ++i) {
      // Relaxed: thread creation publishes it to the sleeper.
      sleeper_word(i).store(0, std::memory_order_relaxed);
      shared.sleepers.emplace_back([i, sleeper_word] {
        shared.probe->enroll(i);
        // Release: publishes this thread's probe slot; pairs with the acquire load below.
        shared.enrolled.fetch_add(1, std::memory_order_release);
        word& w = sleeper_word(i);
        // Acquire: pairs with the release store that ends the run.
        while (w.load(std::memory_order_acquire) == 0)
          Impl::wait(w, 0);
      });
    }
    // Acquire: pairs with each sleeper's release increment, so every probe slot is filled.
    while (shared.enrolled.load(std::memory_order_acquire) < sleepers)
      std::this_thread::yield();
    shared.probe->wait_until_all_asleep();
    shared.meter.start();
  }

  const auto total = static_cast<std::uint64_t>(state.max_iterations);
  std::uint64_t done = 0;
  std::size_t k = 0;
  for (auto _ : state) {
    Impl::wake_one(*targets[k]);
    k = (k + 1) % words_per_waker;
    // Every 64 wakes (and at the end): keeps the bookkeeping out of a loop of a few nanoseconds.
    if (++done == total || k == 0) shared.progress.publish(me, done, total);
  }
  state.SetItemsProcessed(state.iterations());

  if (me == 0) {  // past the end barrier: both wakers have finished
    shared.meter.stop();
    for (std::size_t i = 0; i < sleepers; ++i) {
      // Release: pairs with the sleeper's acquire load.
      sleeper_word(i).store(1, std::memory_order_release);
      Impl::wake_all(sleeper_word(i));
    }
    for (std::thread& t : shared.sleepers)
      t.join();
    shared.sleepers.clear();
    shared.probe.reset();
    shared.meter.report(state);
    report_spread(state, shared.progress.at_first_finish());
    std::string label = "item = wake that found nobody";
    if constexpr (on_parking_lot<Impl>) {
      label += "; " + std::to_string(shared.words_beside_sleepers) + " of " +
               std::to_string(wakers * words_per_waker) + " words share a bucket with a sleeper";
    }
    state.SetLabel(label);
  }
}

}  // namespace futon::bench
