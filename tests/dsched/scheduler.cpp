// SPDX-License-Identifier: BSL-1.0
// The deterministic scheduler (see scheduler.hpp).
//
// One mutex guards the whole execution; a thread runs user code only while `current` names it,
// and hands the turn over by setting `current` and signalling the next thread's condition
// variable under that mutex, so every handover is also a happens-before edge (ThreadSanitizer
// sees the runs as race-free when the code under test is).
#include "dsched/scheduler.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <sstream>
#include <thread>

namespace dsched {
namespace {

enum class thread_state : std::uint8_t { runnable, blocked, finished };

struct thread_record {
  explicit thread_record(int i) : id(i) {}
  int id;  // its index in execution::threads
  thread_state state = thread_state::runnable;
  const void* key = nullptr;  // what it is blocked on
  bool timed = false;
  bool may_wake_spuriously = false;
  std::uint64_t blocked_order = 0;  // the order wake choices are offered in: oldest first
  wake_reason reason = wake_reason::woken;
  std::uint64_t eligible_at = 0;  // a late wake keeps it off the CPU until this step
  const char* last_point = "start";
  std::condition_variable turn;
  std::thread os_thread;
};

// An object whose life a body ended (dsched::retire).
struct retired_range {
  std::uintptr_t begin;
  std::uintptr_t end;
  const char* what;
  int by_thread;
  std::uint64_t at_step;
};

struct execution {
  execution(chooser& c, const run_options& o) : choose(c), options(o) {}

  chooser& choose;
  run_options options;
  std::mutex mutex;
  std::condition_variable done;
  std::vector<std::unique_ptr<thread_record>> threads;
  int current = 0;
  std::uint64_t steps = 0;
  std::uint64_t block_counter = 0;
  bool complete = false;
  bool failed = false;
  std::string failure;
  std::vector<std::size_t> choices;
  std::vector<retired_range> retired;  // per run, so each run starts with none
};

using lock_type = std::unique_lock<std::mutex>;

thread_local execution* tl_execution = nullptr;

// Failed runs, kept reachable so that leak checkers do not report what is abandoned on purpose.
std::mutex abandoned_mutex;
std::vector<execution*> abandoned;
thread_local int tl_id = -1;

execution& this_execution(const char* what) {
  if (tl_execution == nullptr) {
    std::fprintf(stderr, "dsched: %s called outside a scheduled run\n", what);
    std::abort();
  }
  return *tl_execution;
}

std::string describe_threads(const execution& e) {
  std::ostringstream out;
  for (std::size_t i = 0; i < e.threads.size(); ++i) {
    const thread_record& t = *e.threads[i];
    out << "  thread " << i << ": ";
    switch (t.state) {
      case thread_state::runnable:
        out << "runnable";
        break;
      case thread_state::finished:
        out << "finished";
        break;
      case thread_state::blocked:
        out << "blocked on " << t.key << (t.timed ? " (timed)" : "");
        break;
    }
    out << ", last point: " << t.last_point << '\n';
  }
  return out.str();
}

// Ends the run as failed and blocks the caller for good (see scheduler.hpp).
[[noreturn]] void fail_locked(lock_type& lock, execution& e, const std::string& why) {
  e.failed = true;
  e.failure = why + " at step " + std::to_string(e.steps) + "\n" + describe_threads(e);
  e.current = -1;
  e.done.notify_all();
  for (;;)
    e.threads[static_cast<std::size_t>(tl_id)]->turn.wait(lock);
}

void wait_for_turn(lock_type& lock, execution& e, int me) {
  thread_record& self = *e.threads[static_cast<std::size_t>(me)];
  while (e.current != me)
    self.turn.wait(lock);
}

void make_runnable(execution& e, thread_record& t, wake_reason reason) {
  t.state = thread_state::runnable;
  t.reason = reason;
  t.key = nullptr;
  t.eligible_at = reason == wake_reason::woken ? e.steps + e.choose.late_wake_steps() : e.steps;
}

// A schedule point of thread `me` (which may have just blocked or finished): picks who runs
// next and, unless that is `me`, waits for the turn to come back.
void reschedule(lock_type& lock, execution& e, int me) {
  if (++e.steps > e.options.max_steps) {
    fail_locked(lock, e,
                "step limit of " + std::to_string(e.options.max_steps) +
                    " reached (a livelock, or a body too long for the limit)");
  }
  const bool me_runnable = e.threads[static_cast<std::size_t>(me)]->state == thread_state::runnable;
  std::vector<option> options;
  // Threads to run: those not held back by a late wake, or all runnable ones if every one is.
  bool any_eligible = false;
  for (const auto& t : e.threads) {
    any_eligible |= t->state == thread_state::runnable && t->eligible_at <= e.steps;
  }
  const auto eligible = [&](const thread_record& t) {
    return t.state == thread_state::runnable && (t.eligible_at <= e.steps || !any_eligible);
  };
  if (me_runnable && eligible(*e.threads[static_cast<std::size_t>(me)])) {
    options.push_back({option_kind::run, me, false, false, false});
  }
  for (std::size_t i = 0; i < e.threads.size(); ++i) {
    if (static_cast<int>(i) != me && eligible(*e.threads[i])) {
      options.push_back({option_kind::run, static_cast<int>(i), me_runnable, false, false});
    }
  }
  const bool anyone_can_run = !options.empty();
  for (std::size_t i = 0; i < e.threads.size(); ++i) {
    const thread_record& t = *e.threads[i];
    if (t.state != thread_state::blocked) continue;
    // A timeout is forced (not a fault) when nobody else can run. A spurious wake never is:
    // it would hide a lost wakeup.
    if (t.timed)
      options.push_back({option_kind::timeout, static_cast<int>(i), false, anyone_can_run, false});
    if (t.may_wake_spuriously && anyone_can_run) {
      options.push_back({option_kind::spurious_wake, static_cast<int>(i), false, true, false});
    }
  }
  if (options.empty()) fail_locked(lock, e, "deadlock: every thread is blocked (a lost wakeup?)");
  const std::size_t index = e.choose.pick(options);
  e.choices.push_back(index);
  const option picked = options[index];
  thread_record& next = *e.threads[static_cast<std::size_t>(picked.thread)];
  if (picked.kind == option_kind::timeout) make_runnable(e, next, wake_reason::timed_out);
  if (picked.kind == option_kind::spurious_wake) make_runnable(e, next, wake_reason::spurious);
  if (picked.thread == me) return;
  e.current = picked.thread;
  next.turn.notify_one();
  if (e.threads[static_cast<std::size_t>(me)]->state == thread_state::finished) return;
  wait_for_turn(lock, e, me);
}

wake_reason block_locked(lock_type& lock, execution& e, const void* key, bool timed,
                         bool may_wake_spuriously) {
  thread_record& self = *e.threads[static_cast<std::size_t>(tl_id)];
  self.state = thread_state::blocked;
  self.key = key;
  self.timed = timed;
  self.may_wake_spuriously = may_wake_spuriously;
  self.blocked_order = ++e.block_counter;
  reschedule(lock, e, tl_id);
  return self.reason;
}

// The threads blocked on `key`, oldest first.
std::vector<thread_record*> blocked_on(execution& e, const void* key) {
  std::vector<thread_record*> found;
  for (const auto& t : e.threads) {
    if (t->state == thread_state::blocked && t->key == key) found.push_back(t.get());
  }
  std::sort(found.begin(), found.end(), [](const thread_record* a, const thread_record* b) {
    return a->blocked_order < b->blocked_order;
  });
  return found;
}

// Picks `count` of `waiting` (oldest first) for a wake or a requeue to act on. With a choice
// (fewer to pick than are waiting, and order `any`), each pick is the chooser's: the k-th one
// among the threads after the previous pick that still leave enough for the picks to come, so
// that every set is offered exactly once (as a combination, not as each of its orderings) and
// the first option is always the FIFO one.
std::vector<thread_record*> choose_blocked(execution& e, std::vector<thread_record*> waiting,
                                           std::size_t count, wake_order order) {
  if (count >= waiting.size()) return waiting;
  if (order == wake_order::fifo) {
    waiting.resize(count);
    return waiting;
  }
  std::vector<thread_record*> chosen;
  std::size_t next = 0;  // the oldest thread not yet picked or passed over
  for (std::size_t k = 0; k < count; ++k) {
    const std::size_t last = waiting.size() - (count - k);  // the newest this pick may take
    if (last == next) {
      chosen.push_back(waiting[next++]);
      continue;
    }
    std::vector<option> options;
    for (std::size_t i = next; i <= last; ++i) {
      options.push_back({option_kind::wake, waiting[i]->id, false, false, i != next});
    }
    const std::size_t index = e.choose.pick(options);
    e.choices.push_back(index);
    chosen.push_back(waiting[next + index]);
    next += index + 1;
  }
  return chosen;
}

void finish_locked(lock_type& lock, execution& e, int me) {
  thread_record& self = *e.threads[static_cast<std::size_t>(me)];
  self.state = thread_state::finished;
  self.last_point = "finished";
  for (thread_record* joiner : blocked_on(e, &self))
    make_runnable(e, *joiner, wake_reason::woken);
  if (me == 0) {
    for (const auto& t : e.threads) {
      if (t->state != thread_state::finished) {
        fail_locked(lock, e, "the body returned before joining all its threads");
      }
    }
    e.complete = true;
    e.done.notify_all();
    return;
  }
  reschedule(lock, e, me);
}

void thread_main(execution& e, int id, const std::function<void()>& function) {
  tl_execution = &e;
  tl_id = id;
  {
    lock_type lock(e.mutex);
    wait_for_turn(lock, e, id);
  }
  function();
  lock_type lock(e.mutex);
  finish_locked(lock, e, id);
}

// ---- Choosers --------------------------------------------------------------------------------

class random_chooser final : public chooser {
 public:
  random_chooser(std::uint64_t seed, const random_weights& weights)
      : state_(seed * 0x9E3779B97F4A7C15ull + 1), weights_(weights) {}

  std::size_t pick(const std::vector<option>& options) override {
    if (options[0].kind == option_kind::no_inject) return roll(weights_.inject) ? 1 : 0;
    if (options[0].kind == option_kind::wake) {
      if (roll(weights_.wake_newest)) return options.size() - 1;
      if (roll(weights_.wake_random)) return static_cast<std::size_t>(next() % options.size());
      return 0;
    }
    std::vector<std::size_t> runs, timeouts, spurious;
    for (std::size_t i = 0; i < options.size(); ++i) {
      switch (options[i].kind) {
        case option_kind::run:
          runs.push_back(i);
          break;
        case option_kind::timeout:
          timeouts.push_back(i);
          break;
        case option_kind::spurious_wake:
          spurious.push_back(i);
          break;
        default:
          break;
      }
    }
    if (!timeouts.empty() && (runs.empty() || roll(weights_.timeout))) return any_of(timeouts);
    if (!spurious.empty() && roll(weights_.spurious_wake)) return any_of(spurious);
    const bool can_continue = !runs.empty() && options[0].kind == option_kind::run &&
                              runs.size() > 1 && options[1].preemption;
    if (can_continue && !roll(weights_.preempt)) return 0;
    return any_of(runs);
  }

  unsigned late_wake_steps() override {
    return roll(weights_.late_wake) ? 1 + static_cast<unsigned>(next() % 32) : 0;
  }

 private:
  // splitmix64: small, fast, and every seed gives a distinct stream.
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  bool roll(unsigned per_thousand) { return next() % 1000 < per_thousand; }
  std::size_t any_of(const std::vector<std::size_t>& indices) {
    return indices[next() % indices.size()];
  }

  std::uint64_t state_;
  random_weights weights_;
};

// Depth-first search over the choice tree, within the bounds: the next run replays the last
// run's choices up to its deepest point with an untried option that fits the budget, takes that
// option, and then always the first option (go on with the current thread, inject nothing).
class bounded_dfs_chooser final : public chooser {
 public:
  explicit bounded_dfs_chooser(const bounds& limits) : limits_(limits) {}

  std::size_t pick(const std::vector<option>& options) override {
    const std::size_t depth = path_.size();
    const unsigned preemptions = depth == 0 ? 0 : path_.back().preemptions_after;
    const unsigned faults = depth == 0 ? 0 : path_.back().faults_after;
    const unsigned reorders = depth == 0 ? 0 : path_.back().reorders_after;
    std::size_t taken = 0;
    if (depth < prefix_.size()) {
      taken = prefix_[depth];
      if (taken >= options.size()) {
        diverged_ = true;  // the body is not deterministic: its choices changed between runs
        taken = 0;
      }
    }
    const option& o = options[taken];
    path_.push_back({taken, options, preemptions + (o.preemption ? 1u : 0u),
                     faults + (o.fault ? 1u : 0u), reorders + (o.reorder ? 1u : 0u)});
    return taken;
  }

  // Sets up the next run; false once every schedule within the bounds has been run.
  bool advance() {
    while (!path_.empty()) {
      const frame f = path_.back();
      path_.pop_back();
      const unsigned preemptions = path_.empty() ? 0 : path_.back().preemptions_after;
      const unsigned faults = path_.empty() ? 0 : path_.back().faults_after;
      const unsigned reorders = path_.empty() ? 0 : path_.back().reorders_after;
      for (std::size_t j = f.taken + 1; j < f.options.size(); ++j) {
        const option& o = f.options[j];
        if (preemptions + (o.preemption ? 1u : 0u) <= limits_.preemptions &&
            faults + (o.fault ? 1u : 0u) <= limits_.faults &&
            reorders + (o.reorder ? 1u : 0u) <= limits_.reorders) {
          prefix_.clear();
          for (const frame& g : path_)
            prefix_.push_back(g.taken);
          prefix_.push_back(j);
          path_.clear();
          return true;
        }
      }
    }
    return false;
  }

  bool diverged() const { return diverged_; }

 private:
  struct frame {
    std::size_t taken;
    std::vector<option> options;
    unsigned preemptions_after;
    unsigned faults_after;
    unsigned reorders_after;
  };
  bounds limits_;
  std::vector<std::size_t> prefix_;
  std::vector<frame> path_;
  bool diverged_ = false;
};

// Follows recorded choices, then always the first option.
class replay_chooser final : public chooser {
 public:
  explicit replay_chooser(std::vector<std::size_t> choices) : choices_(std::move(choices)) {}
  std::size_t pick(const std::vector<option>& options) override {
    const std::size_t taken = next_ < choices_.size() ? choices_[next_] : 0;
    ++next_;
    return taken < options.size() ? taken : 0;
  }

 private:
  std::vector<std::size_t> choices_;
  std::size_t next_ = 0;
};

// Choices as text, zeros run-length encoded: "0x37.1.0x5.2".
std::string encode_choices(const std::vector<std::size_t>& choices) {
  std::ostringstream out;
  for (std::size_t i = 0; i < choices.size();) {
    if (i != 0) out << '.';
    std::size_t run = 1;
    while (i + run < choices.size() && choices[i + run] == choices[i])
      ++run;
    out << choices[i];
    if (run > 1) out << 'x' << run;
    i += run;
  }
  return out.str();
}

std::vector<std::size_t> decode_choices(const std::string& text) {
  std::vector<std::size_t> choices;
  std::istringstream in(text);
  std::string item;
  while (std::getline(in, item, '.')) {
    const auto x = item.find('x');
    const std::size_t value = std::stoull(item.substr(0, x));
    const std::size_t run = x == std::string::npos ? 1 : std::stoull(item.substr(x + 1));
    choices.insert(choices.end(), run, value);
  }
  return choices;
}

const char* environment(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : nullptr;
}

// FUTON_DSCHED_TRACE=1: each schedule point, as the thread passes it, on stderr (with a replay
// variable, the story of the failing schedule).
void trace(const execution& e, const char* what, const void* address) {
  static const bool enabled = environment("FUTON_DSCHED_TRACE") != nullptr;
  if (!enabled) return;
  std::fprintf(stderr, "dsched: step %llu thread %d: %s", static_cast<unsigned long long>(e.steps),
               tl_id, what);
  if (address != nullptr) std::fprintf(stderr, " %p", address);
  std::fputc('\n', stderr);
}

}  // namespace

// ---- Runs ------------------------------------------------------------------------------------

run_result run_once(chooser& choose, const run_options& options,
                    const std::function<void()>& body) {
  // Leaked if the run fails: its threads stay blocked on it forever (see scheduler.hpp).
  auto* e = new execution(choose, options);
  e->threads.push_back(std::make_unique<thread_record>(0));
  e->current = 0;
  {
    lock_type lock(e->mutex);
    e->threads[0]->os_thread = std::thread([e, &body] { thread_main(*e, 0, body); });
    e->done.wait(lock, [e] { return e->complete || e->failed; });
  }
  run_result result;
  result.failed = e->failed;
  result.message = e->failure;
  result.steps = e->steps;
  result.choices = e->choices;
  if (e->failed) {
    {
      lock_type lock(e->mutex);
      for (const auto& t : e->threads) {
        if (t->os_thread.joinable()) t->os_thread.detach();
      }
    }
    std::lock_guard keep(abandoned_mutex);
    abandoned.push_back(e);
    return result;
  }
  for (const auto& t : e->threads)
    t->os_thread.join();
  delete e;
  return result;
}

exploration explore_random(std::uint64_t first_seed, std::uint64_t runs,
                           const random_weights& weights, const std::function<void()>& body) {
  if (const char* seed = environment("FUTON_DSCHED_SEED")) {
    first_seed = std::stoull(seed);
    runs = 1;
  } else if (const char* count = environment("FUTON_DSCHED_RUNS")) {
    runs = std::stoull(count);
  }
  exploration result;
  for (std::uint64_t i = 0; i < runs; ++i) {
    const std::uint64_t seed = first_seed + i;
    random_chooser choose(seed, weights);
    run_options options;
    options.ns_per_step = seed % 2 == 0 ? 100 : 20'000;
    const run_result run = run_once(choose, options, body);
    ++result.runs;
    if (run.failed) {
      result.failed = true;
      result.message = run.message + "replay: FUTON_DSCHED_SEED=" + std::to_string(seed) +
                       " (with this test's --gtest_filter); found after " +
                       std::to_string(result.runs) + " random schedules";
      return result;
    }
  }
  return result;
}

exploration explore_exhaustive(const bounds& limits, const std::function<void()>& body) {
  exploration result;
  if (const char* replay = environment("FUTON_DSCHED_REPLAY")) {
    replay_chooser choose(decode_choices(replay));
    const run_result run = run_once(choose, run_options{}, body);
    result.runs = 1;
    result.failed = run.failed;
    result.message = run.message;
    return result;
  }
  bounded_dfs_chooser choose(limits);
  do {
    if (result.runs == limits.max_runs) {
      result.failed = true;
      result.message = "more than " + std::to_string(limits.max_runs) +
                       " schedules within the bounds: shrink the case or raise max_runs";
      return result;
    }
    const run_result run = run_once(choose, run_options{}, body);
    ++result.runs;
    if (run.failed) {
      result.failed = true;
      result.message = run.message + "replay: FUTON_DSCHED_REPLAY=" + encode_choices(run.choices) +
                       " (with this test's --gtest_filter); found after " +
                       std::to_string(result.runs) + " schedules";
      return result;
    }
    if (choose.diverged()) {
      result.failed = true;
      result.message = "the body made different choices when replayed: it is not deterministic";
      return result;
    }
  } while (choose.advance());
  result.exhausted = true;
  return result;
}

// ---- Inside a body ---------------------------------------------------------------------------

thread::thread(std::function<void()> function) {
  execution& e = this_execution("dsched::thread");
  {
    lock_type lock(e.mutex);
    id_ = static_cast<int>(e.threads.size());
    e.threads.push_back(std::make_unique<thread_record>(id_));
    e.threads.back()->os_thread = std::thread(
        [&e, id = id_, function = std::move(function)] { thread_main(e, id, function); });
  }
  point("thread start");
}

thread::~thread() {
  if (id_ != -1) {
    std::fprintf(stderr, "dsched: a thread was not joined\n");
    std::abort();
  }
}

void thread::join() {
  execution& e = this_execution("dsched::thread::join");
  point("join");
  lock_type lock(e.mutex);
  thread_record& target = *e.threads[static_cast<std::size_t>(id_)];
  while (target.state != thread_state::finished)
    block_locked(lock, e, &target, false, false);
  id_ = -1;
}

void check(bool condition, const char* what) {
  if (condition) return;
  execution& e = this_execution("dsched::check");
  lock_type lock(e.mutex);
  fail_locked(lock, e, std::string("check failed: ") + what);
}

bool active() noexcept {
  return tl_execution != nullptr;
}

void point(const char* what) noexcept {
  execution* e = tl_execution;
  if (e == nullptr) return;
  lock_type lock(e->mutex);
  e->threads[static_cast<std::size_t>(tl_id)]->last_point = what;
  reschedule(lock, *e, tl_id);
  trace(*e, what, nullptr);
}

bool inject_fault() noexcept {
  execution* e = tl_execution;
  if (e == nullptr) return false;
  lock_type lock(e->mutex);
  static const std::vector<option> yes_or_no = {{option_kind::no_inject, -1, false, false, false},
                                                {option_kind::inject, -1, false, true, false}};
  const std::size_t index = e->choose.pick(yes_or_no);
  e->choices.push_back(index);
  return index == 1;
}

std::int64_t now_ns() noexcept {
  execution* e = tl_execution;
  return e == nullptr ? 0 : static_cast<std::int64_t>(e->steps) * e->options.ns_per_step;
}

wake_reason block_on(const void* key, bool timed, bool may_wake_spuriously) noexcept {
  execution& e = this_execution("dsched::block_on");
  lock_type lock(e.mutex);
  return block_locked(lock, e, key, timed, may_wake_spuriously);
}

std::size_t wake_on(const void* key, std::size_t count, wake_order order) noexcept {
  execution& e = this_execution("dsched::wake_on");
  lock_type lock(e.mutex);
  const std::vector<thread_record*> woken = choose_blocked(e, blocked_on(e, key), count, order);
  for (thread_record* t : woken)
    make_runnable(e, *t, wake_reason::woken);
  return woken.size();
}

std::pair<std::size_t, std::size_t> requeue_on(const void* from, const void* to,
                                               std::size_t wake_count, std::size_t move_count,
                                               wake_order order) noexcept {
  execution& e = this_execution("dsched::requeue_on");
  lock_type lock(e.mutex);
  const std::vector<thread_record*> woken =
      choose_blocked(e, blocked_on(e, from), wake_count, order);
  for (thread_record* t : woken)
    make_runnable(e, *t, wake_reason::woken);
  // The rest are still blocked on `from`; pick those to move among them.
  const std::vector<thread_record*> moved =
      choose_blocked(e, blocked_on(e, from), move_count, order);
  for (thread_record* t : moved)
    t->key = to;  // keeps its blocked_order: a later wake offers it among the oldest
  return {woken.size(), moved.size()};
}

void retire(const void* begin, std::size_t bytes, const char* what) noexcept {
  execution& e = this_execution("dsched::retire");
  lock_type lock(e.mutex);
  const auto start = reinterpret_cast<std::uintptr_t>(begin);
  e.retired.push_back({start, start + bytes, what, tl_id, e.steps});
  e.threads[static_cast<std::size_t>(tl_id)]->last_point = "retire";
  // A schedule point right after the object's end: the earliest moment another thread can run
  // into it.
  reschedule(lock, e, tl_id);
  trace(e, "retire", begin);
}

void revive(const void* begin, std::size_t bytes) noexcept {
  execution& e = this_execution("dsched::revive");
  lock_type lock(e.mutex);
  const auto start = reinterpret_cast<std::uintptr_t>(begin);
  const auto end = start + bytes;
  std::erase_if(e.retired, [&](const retired_range& r) { return r.begin < end && start < r.end; });
}

void access(const void* address, const char* what) noexcept {
  execution* e = tl_execution;
  if (e == nullptr) return;
  lock_type lock(e->mutex);
  e->threads[static_cast<std::size_t>(tl_id)]->last_point = what;
  reschedule(lock, *e, tl_id);
  trace(*e, what, address);
  // Checked once the turn is back: the access happens now, after whatever ran meanwhile.
  const auto at = reinterpret_cast<std::uintptr_t>(address);
  for (const retired_range& r : e->retired) {
    if (at < r.begin || at >= r.end) continue;
    std::ostringstream why;
    // Addresses as 0x-prefixed hex on every platform (operator<< of a pointer is not).
    why << "access to " << what << " at 0x" << std::hex << at << " after its object was destroyed ("
        << r.what << " at 0x" << r.begin << std::dec << ", " << (r.end - r.begin)
        << " bytes, retired by thread " << r.by_thread << " at step " << r.at_step << ") by thread "
        << tl_id;
    fail_locked(lock, *e, why.str());
  }
}

}  // namespace dsched
