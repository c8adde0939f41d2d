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
// A failure (every thread blocked with nobody to wake them, a body's dsched::check, or the step
// limit) ends the run with a report that says how to replay it. The failed run's threads stay
// blocked forever (they cannot be unwound through noexcept code); their memory is leaked on
// purpose, and a test stops at its first failure.
//
// What it cannot see: weak memory. Every run is sequentially consistent; memory orders and
// fences are checked by the SPIN models (models/) and ThreadSanitizer instead.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
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
};

struct option {
  option_kind kind;
  int thread;       // -1 for the binary faults
  bool preemption;  // switches away from a thread that could have gone on
  bool fault;       // an injected fault that was not forced
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
};

// Runs `body` under every schedule with at most `limits.preemptions` preemptions and
// `limits.faults` injected faults. FUTON_DSCHED_REPLAY=i.j.k... runs that one schedule.
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

// ---- Blocking, for the sim futex and the parking lot's hooks ---------------------------------

enum class wake_reason : std::uint8_t { woken, timed_out, spurious };

// Blocks the calling thread on `key` until wake_on(key) picks it, or (if `timed`) until the
// scheduler times it out, or (if `may_wake_spuriously`) a spurious wake. There is no schedule
// point between the caller's last check and the block: the check and the block are atomic.
wake_reason block_on(const void* key, bool timed, bool may_wake_spuriously) noexcept;

// Wakes up to `count` threads blocked on `key`, oldest first; returns how many.
std::size_t wake_on(const void* key, std::size_t count) noexcept;

// Wakes up to `wake_count` threads blocked on `from` and moves up to `move_count` more to `to`.
std::pair<std::size_t, std::size_t> requeue_on(const void* from, const void* to,
                                               std::size_t wake_count,
                                               std::size_t move_count) noexcept;

}  // namespace dsched
