// SPDX-License-Identifier: BSL-1.0
// A deterministic scheduler for futon's tests, in the spirit of folly's DeterministicSchedule and
// Rust's loom: the threads of a test body are real threads, but only one runs at a time, and at
// every schedule point (each access to a dsched::atomic, each lock, park, futex call) the
// scheduler picks which one runs next. The picks come from a `chooser`:
//   - random: seeded, so a failing schedule replays from its seed;
//   - exhaustive: every schedule with at most P preemptions and F injected faults, found by
//     re-running the body depth first over the recorded choices (CHESS's preemption bounding).
// Faults the scheduler injects: spurious wakeups of futex waiters, spurious failures of weak
// compare-exchange, timed waits that time out at once (or at any later point), and wakes that
// arrive late (the woken thread stays off the CPU for a while).
//
// Freedoms of the futex contract it explores besides the interleaving:
//   - wake order: a wake (or requeue) of fewer threads than are blocked on a key reaches any of
//     them, not only the oldest (the futex promises no order; Linux wakes real-time threads
//     first). Which ones is a choice (option_kind::wake), so the exhaustive search tries every
//     pick and random schedules pick the newest or a random one often (random_weights).
//   - object lifetime: a body may end an object's life at any point (dsched::retire); from then
//     on every dsched::atomic operation on a word inside it, and every futex wait on one, fails
//     the run. Futex wakes and requeues stay allowed: they use only the address, which the
//     contract makes harmless on freed memory.
//
// A failure (every thread blocked with nobody to wake them, a body's dsched::check, an access to
// a retired object, or the step limit) ends the run with a report that says how to replay it. The
// failed run's threads stay blocked forever (they cannot be unwound through noexcept code); their
// memory is leaked on purpose, and a test stops at its first failure.
//
// What it cannot see: weak memory. Every run is sequentially consistent; memory orders and
// fences are checked by the SPIN models (models/) and ThreadSanitizer instead.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace dsched {

// What may happen at a choice point besides "keep running the current thread".
enum class option_kind : std::uint8_t {
  run,            // run this thread next
  timeout,        // this timed waiter times out now
  spurious_wake,  // this futex waiter returns without a wake
  inject,         // a binary fault (a weak CAS fails, a wait returns at once): "yes"
  no_inject,      // ... "no"
  wake,           // a futex wake reaches this blocked thread (offered oldest blocker first)
};

struct option {
  option_kind kind;
  int thread;       // -1 for the binary faults
  bool preemption;  // switches away from a thread that could have gone on
  bool fault;       // an injected fault that was not forced
  bool reorder;     // a wake that passes over a thread blocked longer (not FIFO)
};

// Picks one of `options` (never empty) at each choice point.
class chooser {
 public:
  virtual ~chooser() = default;
  virtual std::size_t pick(const std::vector<option>& options) = 0;
  // The late-wake delay, in steps, for a thread just woken (0: on time).
  virtual unsigned late_wake_steps() { return 0; }
};

// Fault probabilities for random schedules, in thousandths.
struct random_weights {
  unsigned preempt = 150;       // switch threads at a schedule point
  unsigned timeout = 30;        // a timed waiter times out while others could run
  unsigned spurious_wake = 10;  // a futex waiter wakes for no reason
  unsigned inject = 20;         // a binary fault
  unsigned late_wake = 100;     // a woken thread stays off the CPU for up to 32 steps
  // Which blocked thread a wake reaches: the newest, else (this often) a uniformly random one,
  // else the oldest. Both 0: FIFO, as the kernel's and the parking lot's queues happen to be.
  unsigned wake_newest = 300;
  unsigned wake_random = 500;
};

struct run_options {
  std::uint64_t max_steps = 200'000;
  // The virtual clock (dsched::now_ns) advances this much per schedule point.
  std::int64_t ns_per_step = 100;
};

struct run_result {
  bool failed = false;
  std::string message;  // why it failed, with each thread's last schedule point
  std::uint64_t steps = 0;
  std::vector<std::size_t> choices;  // the picks made, to replay an exhaustive run
};

// Runs `body` once as managed thread 0, with every pick made by `choose`.
run_result run_once(chooser& choose, const run_options& options, const std::function<void()>& body);

// ---- Exploring many schedules ----------------------------------------------------------------

struct exploration {
  bool failed = false;
  std::string message;  // the failure, and how to replay it
  std::uint64_t runs = 0;
  bool exhausted = false;  // exhaustive mode: every schedule within the bounds was run
};

// Runs `body` under `runs` random schedules, seeds first_seed, first_seed + 1, ... (the seed also
// picks the clock rate: 100 ns or 20 us per step, so that timers such as the mutex's starvation
// limit fire in some runs). Stops at the first failure.
// FUTON_DSCHED_SEED=n in the environment runs seed n alone (to replay a failure);
// FUTON_DSCHED_RUNS=k runs k schedules instead of `runs` (a longer soak).
exploration explore_random(std::uint64_t first_seed, std::uint64_t runs,
                           const random_weights& weights, const std::function<void()>& body);

struct bounds {
  unsigned preemptions = 2;
  unsigned faults = 1;
  std::uint64_t max_runs = 20'000;  // a failure if the bounded space is larger than this
  // Wakes that pass over an older blocked thread, per schedule. Unbounded by default: small
  // cases have few wakes with a choice. 0 explores FIFO wakes only.
  unsigned reorders = std::numeric_limits<unsigned>::max();
};

// Runs `body` under every schedule with at most `limits.preemptions` preemptions,
// `limits.faults` injected faults and `limits.reorders` out-of-order wakes.
// FUTON_DSCHED_REPLAY=i.j.k... runs that one schedule. With either replay variable,
// FUTON_DSCHED_TRACE=1 prints each schedule point as a thread passes it (step, thread, what, and
// the word's address for atomics and futex waits).
exploration explore_exhaustive(const bounds& limits, const std::function<void()>& body);

// ---- Inside a body ---------------------------------------------------------------------------

// A thread of the body, scheduled like the rest. Must be joined.
class thread {
 public:
  explicit thread(std::function<void()> function);
  thread(thread&& other) noexcept : id_(std::exchange(other.id_, -1)) {}
  thread(const thread&) = delete;
  thread& operator=(const thread&) = delete;
  ~thread();
  void join();

 private:
  int id_;
};

// Fails the run with `what` unless `condition` holds. Never returns on failure.
void check(bool condition, const char* what);

// True on a thread the scheduler manages.
bool active() noexcept;

// A schedule point: the scheduler may switch threads here. `what` names it in failure reports.
void point(const char* what) noexcept;

// A binary fault decision at the current point (false outside a run).
bool inject_fault() noexcept;

// The virtual clock, in nanoseconds (advances per schedule point; 0 outside a run).
std::int64_t now_ns() noexcept;

// ---- Object lifetime -------------------------------------------------------------------------
//
// A body ends an object's life where its rules allow (the earliest moment, to check that the
// object's own members no longer touch it then), and the scheduler fails the run at any later
// access to its words, with the usual thread report and replay line:
//
//   alignas(futon::mutex) std::byte storage[sizeof(futon::mutex)];
//   auto* m = new (storage) futon::basic_mutex<dsched::sim_futex>;
//   ...
//   m->~basic_mutex();
//   dsched::retire(storage, sizeof(storage), "mutex");
//
// The memory stays the body's (it must outlive the run), so nothing becomes a real
// use-after-free: the scheduler, not a sanitizer, reports the access, at the schedule point where
// it happens. The registry belongs to the run: each run starts with none retired.

// Ends the life of the object at [begin, begin + bytes): a schedule point, after which any
// access (see `access`) to an address inside fails the run. `what` names it in the report.
void retire(const void* begin, std::size_t bytes, const char* what = "object") noexcept;

// A new object begins its life in [begin, begin + bytes) (memory that was retired before).
void revive(const void* begin, std::size_t bytes) noexcept;

// A schedule point that reads or writes the word at `address` (every dsched::atomic operation, a
// futex wait's value check): fails the run if the word belongs to a retired object.
void access(const void* address, const char* what) noexcept;

// ---- Blocking, for the sim futex and the parking lot's hooks ---------------------------------

enum class wake_reason : std::uint8_t { woken, timed_out, spurious };

// Blocks the calling thread on `key` until wake_on(key) picks it, or (if `timed`) until the
// scheduler times it out, or (if `may_wake_spuriously`) a spurious wake. There is no schedule
// point between the caller's last check and the block: the check and the block are atomic.
wake_reason block_on(const void* key, bool timed, bool may_wake_spuriously) noexcept;

// Which of the threads blocked on a key a wake reaches when it cannot reach them all.
enum class wake_order : std::uint8_t {
  any,   // any of them: the chooser picks (a futex: the contract promises no order)
  fifo,  // the oldest first (a queue that really is FIFO, or a lock whose order is not tested)
};

// Wakes up to `count` threads blocked on `key`; returns how many. By address only: it never
// fails for a retired key.
std::size_t wake_on(const void* key, std::size_t count,
                    wake_order order = wake_order::any) noexcept;

// Wakes up to `wake_count` threads blocked on `from` and moves up to `move_count` more to `to`
// (both sets picked in `order`).
std::pair<std::size_t, std::size_t> requeue_on(const void* from, const void* to,
                                               std::size_t wake_count, std::size_t move_count,
                                               wake_order order = wake_order::any) noexcept;

}  // namespace dsched
