// SPDX-License-Identifier: BSL-1.0
// Scenario 6: two threads play ping-pong on one std::atomic<std::uint32_t>: each waits for the
// other's value, then stores the next one and notifies. A round trip is two hand-offs. Measured:
// round trips per second, CPU time and context switches per round trip - a waiter that spins
// longer wins round trips and pays for them in CPU time, so both are targets.
#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>

#include "run_order.hpp"
#include "scenarios.hpp"
#include "thread_run.hpp"

#if __has_include(<futon/atomic_wait.hpp>)
#include <futon/atomic_wait.hpp>
#define FUTON_BENCH_HAVE_ATOMIC_WAIT 1
#endif

namespace futon_bench {

namespace {

// Acquire on the waits: the value read was stored with release by the other player.
#if defined(FUTON_BENCH_HAVE_ATOMIC_WAIT)
struct futon_waiter {
  static void wait(const std::atomic<std::uint32_t>& a, std::uint32_t old) noexcept {
    futon::atomic_wait(a, old, std::memory_order_acquire);
  }
  static void notify_one(std::atomic<std::uint32_t>& a) noexcept { futon::atomic_notify_one(a); }
};
#endif

struct std_waiter {
  static void wait(const std::atomic<std::uint32_t>& a, std::uint32_t old) noexcept {
    a.wait(old, std::memory_order_acquire);
  }
  static void notify_one(std::atomic<std::uint32_t>& a) noexcept { a.notify_one(); }
};

struct alignas(64) ball {
  std::atomic<std::uint32_t> value{0};
};

// Odd values are the pinger's serves, even ones the ponger's returns; this odd value ends the game.
constexpr std::uint32_t game_over = 0xFFFF'FFFF;

template <class Waiter>
void measure(point& p, const std::string& name, const context& ctx) {
  // Shared with the threads, which keep it alive should one of them be stuck (thread_run.hpp).
  const auto b = std::make_shared<ball>();
  const thread_run run = run_threads(
      2, ctx.opts.duration, [b](int index, const std::atomic<bool>& stop, thread_tally& tally) {
        if (index == 0) {
          std::uint32_t serve = 1;
          std::uint64_t round_trips = 0;
          // Relaxed: `stop` only says "finish"; the results are read after the thread is done.
          while (!stop.load(std::memory_order_relaxed)) {
            // Release: the ponger's acquire wait sees the serve (and anything before it).
            b->value.store(serve, std::memory_order_release);
            Waiter::notify_one(b->value);
            Waiter::wait(b->value, serve);  // returns once the ponger stored serve + 1
            serve += 2;
            ++round_trips;
          }
          // Release: as above.
          b->value.store(game_over, std::memory_order_release);
          Waiter::notify_one(b->value);
          tally.operations = round_trips;
        } else {
          std::uint32_t returned = 0;
          for (;;) {
            Waiter::wait(b->value, returned);
            // Acquire: as in the wait (the value is the one the wait saw, or a later serve).
            const std::uint32_t serve = b->value.load(std::memory_order_acquire);
            if (serve == game_over) break;
            returned = serve + 1;
            // Release: the pinger's acquire wait sees the return.
            b->value.store(returned, std::memory_order_release);
            Waiter::notify_one(b->value);
          }
        }
      });
  if (run.stuck > 0) {
    p.fail(name + ": " + stuck_message(run.stuck, 2, ctx.opts.duration));
    return;
  }
  const double n = static_cast<double>(run.operations() == 0 ? 1 : run.operations());
  p.add(name, "round_trips", n / run.seconds * 1e-3);
  p.add(name, "cpu", static_cast<double>(run.usage.cpu_ns) * 1e-3 / n);
  p.add(name, "switches",
        run.usage.has_switches() ? static_cast<double>(run.usage.context_switches()) / n
                                 : std::numeric_limits<double>::quiet_NaN());
}

}  // namespace

void run_atomic_wait(context& ctx) {
  point p;
  p.scenario = "atomic_wait";
  p.title = "atomic_wait ping-pong";
  p.metrics = {
      {"round_trips", "round trips", "k/s", better::higher, true},
      {"cpu", "CPU per round trip", "us", better::lower, false},
      {"switches", "ctx switches per round trip", "cs", better::lower, false},
  };
#if !defined(FUTON_BENCH_HAVE_ATOMIC_WAIT)
  p.note("futon::atomic_wait is not written yet: std only");
#endif
  for (int rep = 0; rep < ctx.opts.repetitions; ++rep) {
    ordered_runs runs;
#if defined(FUTON_BENCH_HAVE_ATOMIC_WAIT)
    runs.add([&] {
      measure<futon_waiter>(p, "futon", ctx);
      heartbeat(p.title);
    });
#endif
    runs.add([&] {
      measure<std_waiter>(p, "std", ctx);
      heartbeat(p.title);
    });
    runs.run(order_of_repetition(rep));
  }
  ctx.out.points.push_back(std::move(p));
  ctx.prog.done(ctx.out.points.back());
}

}  // namespace futon_bench
