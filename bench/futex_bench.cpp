// SPDX-License-Identifier: BSL-1.0
// futon's futex against std::atomic<std::uint32_t>::wait / notify_one, scenario by scenario.
//
// Every scenario is a template over an implementation from wait_impls.hpp and is registered for
// each one in `all_impls`, as "<scenario>/<impl>", so a run prints futon and the standard side
// by side and ends with a table of ratios (ratio_reporter.hpp). The scenarios:
//
//   wake_no_waiters  a wake on a word nobody waits on: the cost every unlock/notify pays
//                    when there is no contention, if the caller does not track waiters itself.
//   wait_mismatch    a wait whose expected value is already stale: it must return at once.
//   ping_pong        two threads hand one word back and forth; one iteration is a round trip
//                    (two hand-offs, each a store, a wake, and the other side's wait returning).
//   wake_one_of_n    one word, N waiters; one iteration hands a generation to exactly one of
//                    them and waits for its acknowledgement: throughput of a work-signalling
//                    word with N threads on it, whatever each implementation does to get there.
//   wake_latency_one_of_n
//                    one word, N waiters all verified asleep; the time from the wake call to the
//                    woken thread running (see the comments there for both methodologies).
//
// Threaded scenarios spawn their helper threads before the timed loop and join them after it,
// measure real time (UseRealTime) and process CPU time (MeasureProcessCPUTime, and the
// "cpu_ns/op" counter, which includes every helper thread), count how often a thread really
// slept ("sleeps/op"), and report the per-thread spread.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "bench_support.hpp"
#include "ratio_reporter.hpp"
#include "sleep_probe.hpp"
#include "wait_impls.hpp"

namespace futon::bench {
namespace {

// Keeps each shared word on its own cache line, so that the scenarios measure waiting and waking
// rather than false sharing between unrelated words.
struct alignas(64) padded_word {
  word value{0};
};

// ---------------------------------------------------------------------------------------------
// 1. Wake with no waiters.

template <class Impl>
void wake_no_waiters(benchmark::State& state) {
  padded_word w;
  for (auto _ : state) {
    Impl::wake_one(w.value);
  }
  state.SetItemsProcessed(state.iterations());
}

// ---------------------------------------------------------------------------------------------
// 2. Wait with a mismatched value.

template <class Impl>
void wait_mismatch(benchmark::State& state) {
  padded_word w;
  w.value.store(1, std::memory_order_relaxed);  // single-threaded: no ordering needed
  for (auto _ : state) {
    Impl::wait(w.value, 0);  // 1 != 0: returns without sleeping
  }
  state.SetItemsProcessed(state.iterations());
}

// ---------------------------------------------------------------------------------------------
// 3. Two-thread ping-pong.
//
// `turn` says whose move it is. The benchmark thread stores partner_turn and wakes; the partner,
// waiting while the word is main_turn, runs, stores main_turn and wakes; the benchmark thread,
// waiting while it is partner_turn, returns. Both always wake after storing (neither tracks
// whether the other sleeps), which is how a bare futex user writes it; std::atomic's notify_one
// may skip the system call when it knows nobody waits, and that is part of what is compared.

constexpr std::uint32_t main_turn = 0;
constexpr std::uint32_t partner_turn = 1;
constexpr std::uint32_t stop_playing = 2;

template <class Impl>
void ping_pong(benchmark::State& state) {
  padded_word turn;  // main_turn
  std::uint64_t partner_moves = 0;
  std::thread partner([&] {
    for (;;) {
      std::uint32_t seen = 0;
      // Acquire: pairs with the benchmark thread's release store of partner_turn or
      // stop_playing, so whatever it wrote before handing over is visible here.
      while ((seen = turn.value.load(std::memory_order_acquire)) == main_turn) {
        Impl::wait(turn.value, main_turn);
      }
      if (seen == stop_playing) return;
      ++partner_moves;
      // Release: hands the move back; pairs with the benchmark thread's acquire load.
      turn.value.store(main_turn, std::memory_order_release);
      Impl::wake_one(turn.value);
    }
  });

  loop_meter meter;
  meter.start();
  for (auto _ : state) {
    // Release: pairs with the partner's acquire load.
    turn.value.store(partner_turn, std::memory_order_release);
    Impl::wake_one(turn.value);
    // Acquire: pairs with the partner's release store of main_turn.
    while (turn.value.load(std::memory_order_acquire) == partner_turn) {
      Impl::wait(turn.value, partner_turn);
    }
  }
  meter.stop();

  // The loop ends on our move, so the partner is waiting for its turn: tell it to stop instead.
  // Release: pairs with the partner's acquire load, like every hand-over.
  turn.value.store(stop_playing, std::memory_order_release);
  Impl::wake_one(turn.value);
  partner.join();  // also makes partner_moves visible

  state.SetItemsProcessed(state.iterations());
  state.SetLabel("item = round trip");
  meter.report(state);
  report_spread(state, {static_cast<std::uint64_t>(state.iterations()), partner_moves});
}

// ---------------------------------------------------------------------------------------------
// 4. Wake one of N: two measurements, because "waking one of N" has two honest readings.
//
// Both put N waiters on one word, `go`, holding a generation number, and run iterations of:
//   1. the benchmark thread bumps `go` and wakes exactly one waiter;
//   2. a waiter that sees the new generation claims it (one CAS on `claimed`; exactly one wins),
//      stores the generation into `done` and wakes the benchmark thread;
//   3. the benchmark thread, waiting on `done`, returns; the others stay (or go back) to sleep
//      on `go` with the new generation as their expected value.
// The acknowledgement is what makes a wake measurable: without it, the waker cannot know the
// woken thread ran, and back-to-back wakes would find the queue empty and time the cheap
// "nobody to wake" path instead. Waking through a value change is also the only way to make
// std::atomic::wait return, as it returns only once the value differs.
//
// wake_one_of_n (throughput) times whole iterations. The waiters are not forced to sleep: a
// waiter that has not gone back to sleep yet may see the next generation first and claim it
// (the thread the wake reached then loses the CAS and re-blocks, so the iteration still paid for
// one wake and one re-block). That is what a work-signalling word shared by N threads costs in
// practice, including each implementation's choices before it sleeps: std::atomic::wait spins
// and yields first, a bare futex wait does not. "sleeps/op" shows which regime a run was in,
// "spread" (max/min claims per waiter) how fairly the work went round.
//
// wake_latency_one_of_n (latency) times only the wake itself, with all N waiters verified asleep
// in the kernel before every iteration (sleep_probe), so exactly one thread can run after the
// wake: the one it reached. Manual time = from just before the store and wake to that thread
// reading the clock after its wait returned. Setup and acknowledgement are untimed, so its CPU
// columns are not comparable (the ratio table shows n/a for them). Iterations are fixed, because
// checking 64 threads' state per iteration is slow compared with the figure timed.
//
// Both sweep N over 1, 4, 16 and 64 on a 2-core machine: whether a wake costs more with more
// sleepers on the word, and what oversubscription does to the hand-off.

template <class Impl>
void wake_one_of_n(benchmark::State& state) {
  const auto waiters = static_cast<std::size_t>(state.range(0));
  padded_word go;       // generation; waiters sleep on it
  padded_word done;     // last generation acknowledged; the benchmark thread sleeps on it
  padded_word claimed;  // last generation claimed by a waiter
  std::atomic<bool> stop{false};
  std::atomic<std::size_t> started{0};
  struct alignas(64) waiter_count {
    std::uint64_t claims = 0;  // written only by its waiter, read after join
  };
  std::vector<waiter_count> counts(waiters);

  std::vector<std::thread> threads;
  threads.reserve(waiters);
  for (std::size_t i = 0; i < waiters; ++i) {
    threads.emplace_back([&, i] {
      // Relaxed: only a start-up headcount; it orders nothing.
      started.fetch_add(1, std::memory_order_relaxed);
      std::uint32_t seen = 0;  // the generation before the first iteration
      for (;;) {
        std::uint32_t now = 0;
        // Acquire: pairs with the benchmark thread's release store of `go`, which makes the
        // relaxed store of `stop` before it visible below.
        while ((now = go.value.load(std::memory_order_acquire)) == seen) {
          Impl::wait(go.value, seen);
        }
        if (stop.load(std::memory_order_relaxed)) return;
        seen = now;
        // Generation `now` is claimable only while `claimed` is still `now - 1`: the benchmark
        // thread publishes `now` only after `now - 1` was acknowledged, so exactly one waiter
        // wins. Relaxed: the CAS only elects a winner; data flows through `go` and `done`.
        std::uint32_t previous = now - 1;
        if (claimed.value.compare_exchange_strong(previous, now, std::memory_order_relaxed)) {
          ++counts[i].claims;
          // Release: pairs with the benchmark thread's acquire load of `done`, so it sees this
          // generation fully handled (and, after join, the claim count).
          done.value.store(now, std::memory_order_release);
          Impl::wake_one(done.value);
        }
      }
    });
  }
  // Let every waiter start before timing, so that the first iterations do not time thread
  // creation; most will be asleep on `go` by the time the loop wakes one.
  while (started.load(std::memory_order_relaxed) < waiters)
    std::this_thread::yield();

  std::uint32_t generation = 0;
  loop_meter meter;
  meter.start();
  for (auto _ : state) {
    ++generation;
    // Release: publishes the new generation; pairs with the waiters' acquire loads of `go`.
    go.value.store(generation, std::memory_order_release);
    Impl::wake_one(go.value);
    std::uint32_t acknowledged = 0;
    // Acquire: pairs with the claimer's release store of `done`.
    while ((acknowledged = done.value.load(std::memory_order_acquire)) != generation) {
      Impl::wait(done.value, acknowledged);
    }
  }
  meter.stop();

  // Relaxed: published by the release store of `go` just after it.
  stop.store(true, std::memory_order_relaxed);
  go.value.store(generation + 1, std::memory_order_release);
  Impl::wake_all(go.value);
  for (std::thread& t : threads)
    t.join();  // also makes the claim counts visible

  std::vector<std::uint64_t> claims;
  claims.reserve(waiters);
  for (const waiter_count& c : counts)
    claims.push_back(c.claims);
  state.SetItemsProcessed(state.iterations());
  state.SetLabel("item = one waiter woken and acknowledged");
  meter.report(state);
  report_spread(state, claims);
}

template <class Impl>
void wake_latency_one_of_n(benchmark::State& state) {
  const auto waiters = static_cast<std::size_t>(state.range(0));
  padded_word go;       // generation; waiters sleep on it
  padded_word done;     // last generation acknowledged; the benchmark thread sleeps on it
  padded_word claimed;  // last generation claimed by a waiter
  std::atomic<std::int64_t> woke_at_ns{0};  // when the claimer's wait returned
  std::atomic<bool> stop{false};
  std::atomic<std::size_t> enrolled{0};
  sleep_probe probe(waiters);
  struct alignas(64) waiter_count {
    std::uint64_t claims = 0;  // written only by its waiter, read after join
  };
  std::vector<waiter_count> counts(waiters);

  std::vector<std::thread> threads;
  threads.reserve(waiters);
  for (std::size_t i = 0; i < waiters; ++i) {
    threads.emplace_back([&, i] {
      probe.enroll(i);
      // Release: publishes this thread's probe slot; pairs with the benchmark thread's acquire
      // load of the headcount.
      enrolled.fetch_add(1, std::memory_order_release);
      std::uint32_t seen = 0;
      for (;;) {
        std::uint32_t now = 0;
        // Acquire: pairs with the benchmark thread's release store of `go` (and of `stop`).
        while ((now = go.value.load(std::memory_order_acquire)) == seen) {
          Impl::wait(go.value, seen);
        }
        const std::int64_t woke = steady_now_ns();
        if (stop.load(std::memory_order_relaxed)) return;
        seen = now;
        // As in wake_one_of_n; with every other waiter asleep the CAS cannot fail, it only keeps
        // the benchmark correct if a spurious wakeup ever lets a second thread through.
        std::uint32_t previous = now - 1;
        if (claimed.value.compare_exchange_strong(previous, now, std::memory_order_relaxed)) {
          ++counts[i].claims;
          // Relaxed: published by the release store of `done` just after it.
          woke_at_ns.store(woke, std::memory_order_relaxed);
          // Release: pairs with the benchmark thread's acquire load of `done`.
          done.value.store(now, std::memory_order_release);
          Impl::wake_one(done.value);
        }
      }
    });
  }
  // Acquire: pairs with each waiter's release increment, so every probe slot is filled.
  while (enrolled.load(std::memory_order_acquire) < waiters)
    std::this_thread::yield();

  std::uint32_t generation = 0;
  for (auto _ : state) {
    probe.wait_until_all_asleep();  // untimed: manual time below
    ++generation;
    const std::int64_t woken_from = steady_now_ns();
    // Release: publishes the new generation; pairs with the waiters' acquire loads of `go`.
    go.value.store(generation, std::memory_order_release);
    Impl::wake_one(go.value);
    std::uint32_t acknowledged = 0;
    // Acquire: pairs with the claimer's release store of `done`, which makes woke_at_ns visible.
    while ((acknowledged = done.value.load(std::memory_order_acquire)) != generation) {
      Impl::wait(done.value, acknowledged);
    }
    state.SetIterationTime(
        static_cast<double>(woke_at_ns.load(std::memory_order_relaxed) - woken_from) * 1e-9);
  }

  // Relaxed: published by the release store of `go` just after it.
  stop.store(true, std::memory_order_relaxed);
  go.value.store(generation + 1, std::memory_order_release);
  Impl::wake_all(go.value);
  for (std::thread& t : threads)
    t.join();  // also makes the claim counts visible

  std::vector<std::uint64_t> claims;
  claims.reserve(waiters);
  for (const waiter_count& c : counts)
    claims.push_back(c.claims);
  state.SetItemsProcessed(state.iterations());
  state.SetLabel("time = wake call to woken thread running");
  report_spread(state, claims);
}

// ---------------------------------------------------------------------------------------------
// Registration: every scenario for every implementation, scenario by scenario so that the
// console shows each futon run next to its std peer.

template <class Impl>
benchmark::internal::Benchmark* add(const std::string& scenario, void (*run)(benchmark::State&)) {
  return benchmark::RegisterBenchmark((scenario + "/" + Impl::name()).c_str(), run)
      ->Unit(benchmark::kNanosecond);
}

template <class... Impls>
void register_all(impl_list<Impls...>) {
  (add<Impls>("wake_no_waiters", &wake_no_waiters<Impls>), ...);
  (add<Impls>("wait_mismatch", &wait_mismatch<Impls>), ...);
  // Two threads: real time is the honest clock; the CPU columns cover both threads.
  (add<Impls>("ping_pong", &ping_pong<Impls>)->UseRealTime()->MeasureProcessCPUTime(), ...);
  (add<Impls>("wake_one_of_n", &wake_one_of_n<Impls>)
       ->ArgName("waiters")
       ->Arg(1)
       ->Arg(4)
       ->Arg(16)
       ->Arg(64)
       ->UseRealTime()
       ->MeasureProcessCPUTime(),
   ...);
  (add<Impls>("wake_latency_one_of_n", &wake_latency_one_of_n<Impls>)
       ->ArgName("waiters")
       ->Arg(1)
       ->Arg(4)
       ->Arg(16)
       ->Arg(64)
       ->UseManualTime()
       ->Iterations(2000),
   ...);
}

// The ratio tables: every implementation against std, then the parking lot against the kernel
// futex, its own yardstick (it is what the library runs on where there is no kernel futex).
std::vector<comparison> tables() {
  std::vector<comparison> list{{peer_name, impl_names(all_impls{}, peer_name), {}, {}}};
#if !defined(FUTON_NO_KERNEL_FUTEX)
  // The parking lot's no-waiter wake takes no lock and makes no system call, so it must be far
  // cheaper than FUTEX_WAKE (the goal: 50 times); the rest should be on par.
  list.push_back({futon_impl<backend::kernel_futex>::name(),
                  {futon_impl<backend::parking_lot_futex>::name()},
                  "Parking lot vs kernel futex",
                  {{"wake_no_waiters", {}, 50.0}}});
#endif
  return list;
}

}  // namespace
}  // namespace futon::bench

int main(int argc, char** argv) {
  futon::bench::register_all(futon::bench::all_impls{});
  return futon::bench::run_benchmarks(argc, argv, futon::bench::tables());
}
