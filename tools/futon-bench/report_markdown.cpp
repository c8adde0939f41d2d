// SPDX-License-Identifier: BSL-1.0
#include <algorithm>
#include <cstdio>

#include "format.hpp"
#include "implementations.hpp"
#include "peers.hpp"
#include "ratio_table.hpp"
#include "report.hpp"
#include "text_table.hpp"

namespace futon_bench {

namespace {

struct scenario_text {
  const char* key;
  const char* heading;
  const char* method;
};

// What each scenario does and measures, for readers who have not read the source.
constexpr scenario_text scenario_texts[] = {
    {"uncontended", "Uncontended lock + unlock",
     "One thread locks and unlocks a mutex nobody else touches, in batches of 1024 between "
     "clock reads; CPU time and context switches are the process's over the same span. The "
     "reference is the least a lock can do: one compare-and-swap to take it, a plain release "
     "store to give it back. tbb-queuing keeps its queue node in a thread_local (oneTBB's "
     "queuing_mutex locks only through one), which costs it a little here."},
    {"contended", "Contended mutex",
     "N threads share one mutex (on the same cache line as the counter it guards). Each loops: "
     "read the clock, lock, read the clock, increment the counter and work ~20 ns, unlock, work "
     "~100 ns (busy loops calibrated at startup; the clock reads count toward the work). "
     "Throughput is acquisitions per second over all threads; spread is the most acquisitions "
     "any thread made over the fewest (1 = even; a thread with none counts as 1 and is noted); "
     "worst wait is the longest single lock() call of any thread (steady_clock around it); CPU "
     "is getrusage user+system time of the process per million acquisitions; context switches "
     "are voluntary+involuntary per 1000 acquisitions. The machine has few cores, so the larger "
     "counts oversubscribe it: a thread can be preempted while holding the lock, and the worst "
     "wait then includes the holder's time off the CPU. Of the peers, tbb (oneapi::tbb::mutex) "
     "spins and then sleeps on an atomic wait; tbb-queuing (oneapi::tbb::queuing_mutex) hands "
     "the lock over in arrival order and spins (yielding) instead of sleeping, so with more "
     "threads than CPUs each hand-off waits for the next thread in line to be scheduled; "
     "glibc-adaptive spins a bounded while before it sleeps in the kernel, as std::mutex's "
     "glibc mutex does not."},
    {"broadcast", "Condition-variable broadcast",
     "N waiters wait on one condition variable. The notifier (the main thread) locks, advances a "
     "generation, unlocks and calls notify_all; each waiter wakes, relocks, sees the new "
     "generation, counts itself and waits again (which unlocks). The time is from the notify_all "
     "call until the last waiter has counted itself; context switches and CPU time are "
     "process-wide per broadcast. The notifier learns that a round is over by sleeping on an "
     "atomic (std::atomic::wait for every implementation), so each broadcast includes one "
     "sleep of the notifier: the floor is N + 1 switches."},
    {"shared", "shared_mutex, 90 % reads",
     "N threads share one reader/writer lock. Each operation takes the shared lock with "
     "probability 0.9 (reads the guarded value, checks no writer got in) or the exclusive lock "
     "(increments it), with the contended mutex's ~20 ns inside and ~100 ns outside. abseil's "
     "column is absl::Mutex's ReaderLock/Lock; oneTBB's (tbb) is oneapi::tbb::spin_rw_mutex, "
     "which spins and yields but never sleeps."},
    {"semaphore", "Semaphore producer/consumer",
     "P producers and P consumers pass items through a 16-slot queue made of two counting "
     "semaphores (free slots and filled items). Producing and consuming an item each take "
     "~100 ns of work. Throughput counts consumed items."},
    {"atomic_wait", "atomic_wait ping-pong",
     "Two threads take turns on one std::atomic<std::uint32_t>: each waits for the other's "
     "value, stores the next one and calls notify_one. Round trips per second, and the "
     "process's CPU time and context switches per round trip."},
    {"recursive", "Recursive mutex, two levels deep",
     "futon::recursive_mutex against std::recursive_mutex (abseil has none), each taken two "
     "levels deep per acquisition: lock, lock, unlock, unlock. With 1 thread (uncontended) the "
     "four calls alone, in batches of 256 between looks at the stop flag, and no clock reads. "
     "With N threads, the contended scenario's loop (clock read, first lock, clock read, second "
     "lock, counter and ~20 ns of work, two unlocks, ~100 ns of work) and its metrics; the worst "
     "wait is the longest first lock() call. Each measurement takes a third of the configured "
     "duration."},
    {"interprocess_pingpong", "Between processes: ping-pong",
     "Two forked processes share a memfd, each mapping it at an address of its own, that holds a "
     "mutex, one condition variable and a turn counter; the parent constructed them before the "
     "fork. Each process, holding the mutex, waits until the counter says its turn, increments "
     "it and notifies (under the mutex), so each turn includes a wake and a hand-off of the "
     "mutex between processes. futon is futon::interprocess::mutex and condition_variable; "
     "pthread-pshared the C library's pthread_mutex_t and pthread_cond_t made "
     "PTHREAD_PROCESS_SHARED; pthread-robust the same with a PTHREAD_MUTEX_ROBUST mutex (whose "
     "next locker learns of an owner's death). Round trips (two turns) per second; CPU time and "
     "context switches are the two processes' own (getrusage in each, around its timed loop) "
     "per round trip. Each measurement takes half the configured duration."},
    {"interprocess_contended", "Between processes: contended mutex",
     "N forked processes share one process-shared mutex in a memfd, on the cache line of the "
     "counter it guards, and run the contended scenario's loop (clock read, lock, clock read, "
     "counter and ~20 ns of work, unlock, ~100 ns of work), with its metrics: the spread is "
     "between processes, CPU time and context switches are the children's own (getrusage in "
     "each, around its timed loop). The implementations are those of the ping-pong above, and "
     "futon-robust: futon::interprocess::robust_mutex, against pthread-robust. Each "
     "measurement takes half the configured duration; a child still blocked seconds after the "
     "stop signal is killed and the repetition fails."},
    {"group_commit", "Application: group commit (LevelDB's write path)",
     "N writer threads each prepare a record (~100 ns of work) and write it through a log: "
     "under one mutex a writer joins a queue and waits on its own condition variable until a "
     "leader has written its record or it is at the head. The head leads: it takes up to 16 "
     "queued writers as a group, unlocks for the group's write (one ~3 us spin), relocks, marks "
     "each member done and notifies it, then notifies the new head. futon's mutex and "
     "condition_variable against std's. Throughput counts completed writes; writers per group "
     "is how much batching the implementation got (more waiting writers, larger groups). CPU "
     "time and context switches are the process's, per write. Each measurement takes an eighth "
     "of the configured duration (so do the other application scenarios)."},
    {"thread_pool", "Application: thread pool",
     "One submitter thread hands batches of 64 tasks to N workers and joins each batch before "
     "the next: per task it locks the queue's mutex, queues the task, unlocks and wakes a "
     "worker. Tasks spin 0, 1 or 10 us. In the first three cases idle workers wait on one "
     "condition variable, notified once per task (notify_one); in the semaphore case they wait "
     "on a counting_semaphore released once per task. The join is futon::wait_group for futon; "
     "std has no reusable wait group (std::latch counts down once), so std's join is a count "
     "under a std::mutex with a std::condition_variable. Between batches the workers run dry "
     "and sleep, so every batch wakes sleeping workers. Throughput counts tasks run; the spread "
     "is between the workers."},
    {"cache", "Application: read-mostly cache",
     "N threads share a std::unordered_map of 4096 keys (half present at the start, room "
     "reserved) under one shared_mutex. Each operation picks a random key and looks it up under "
     "the shared lock (99, 90 or 50 % of operations), or inserts/updates it under the exclusive "
     "lock, then works ~100 ns outside the lock. Throughput counts both kinds of operation."},
    {"pipeline", "Application: three-stage pipeline",
     "Three stages of N threads each, joined by two bounded queues of 32 items, each a mutex "
     "and two condition variables (not_full, not_empty), notified once per item. Stage 1 stamps "
     "an item with the clock and makes it (~1 us), stage 2 transforms it (~1 us), stage 3 "
     "finishes it (~1 us) and records its end-to-end latency from the stamp. Stage 1 runs as "
     "fast as the pipeline takes items, so the queues fill and drain and threads sleep on both "
     "conditions. Throughput counts finished items; the latency percentiles are over every item "
     "of a repetition (log-linear buckets, each percentile within 6 % above the true value); "
     "the spread is between all 3N threads."},
};

// The first column of a scenario's detail table: what its points' parameter counts.
const char* param_heading(const std::string& scenario) {
  if (scenario == "broadcast") return "waiters";
  if (scenario == "semaphore") return "pairs";
  if (scenario == "interprocess_contended") return "processes";
  if (scenario == "pipeline") return "threads per stage";
  return "threads";
}

// The points of `family` (one scenario, or the cases of one), one row per implementation. The
// cases of a family share the table, their points named by title.
std::string detail_table(const results& r, const std::string& family) {
  const auto points = r.of_family(family);
  if (points.empty()) return "";
  text_table t;
  const bool by_title = std::any_of(points.begin(), points.end(), [&](const point* p) {
    return p->scenario != points.front()->scenario;
  });
  const bool has_param = !by_title && points.front()->param != 0;
  if (by_title) {
    t.header.push_back("point");
    t.numeric.push_back(false);
  } else if (has_param) {
    t.header.push_back(param_heading(family));
    t.numeric.push_back(true);
  }
  t.header.push_back("implementation");
  t.numeric.push_back(false);
  for (const auto& m : points.front()->metrics) {
    t.header.push_back(m.title + " (" + m.unit + ")");
    t.numeric.push_back(true);
  }
  for (const point* p : points) {
    for (const auto& impl : p->impls) {
      std::vector<std::string> row;
      if (by_title) row.push_back(p->title);
      if (has_param) row.push_back(std::to_string(p->param));
      row.push_back(impl.impl);
      for (const auto& m : p->metrics) {
        const auto median = p->median(impl.impl, m.key);
        const auto worst = p->worst(impl.impl, m.key);
        row.push_back(median ? format_value(*median) + " (" + format_value(*worst) + ")" : "-");
      }
      t.rows.push_back(std::move(row));
    }
  }
  return t.to_markdown();
}

std::string join(const std::vector<int>& values) {
  std::string text;
  for (const int v : values) {
    if (!text.empty()) text += ',';
    text += std::to_string(v);
  }
  return text;
}

}  // namespace

std::string markdown_report(const run_record& run) {
  const auto& o = run.opts;
  const auto& impls = compared_implementations();
  std::string md = "# futon-bench report\n\n";
  std::string names;
  for (const auto& i : impls) {
    if (i == "std-control" && !o.control) continue;
    names += (names.empty() ? "" : ", ") + i;
  }
  char line[768];
  std::snprintf(line, sizeof line,
                "%s on %s (%u logical CPUs, %s), futon %s; load average %s at the start and %s "
                "at the end; %s; %.0f s in all. Implementations: %s.\n\n",
                run.machine.date_utc.c_str(), run.machine.cpu.c_str(), run.machine.cpus,
                run.machine.kernel.c_str(), run.machine.futon_commit.c_str(),
                run.load_before.c_str(), run.load_after.c_str(),
                run.machine.assertions
                    ? "**futon's debug checks on (FUTON_DEBUG_CHECKS): not a release "
                      "build, numbers are not representative**"
                    : "release build",
                run.wall_seconds, names.c_str());
  md += line;
  md += peer_summary(run.peers) + "\n\n";
  for (const auto& warning : run.quiet_warnings)
    md += "**Warning: the machine was not quiet:** " + warning + ".\n\n";
  if (run.quiet_warnings.empty()) {
    md += "The machine was quiet: load average below 0.5 at the start";
    if (run.others_cpu_share) {
      std::snprintf(line, sizeof line, ", and other processes used %.1f%% of its CPU time",
                    100 * *run.others_cpu_share);
      md += line;
    }
    md += ".\n\n";
  }
  if (run.base != nullptr) {
    md += "Baseline: `" + run.base->file + "` (futon " + run.base->futon_commit + ", " +
          run.base->date_utc + ").\n\n";
  }
  md +=
      "Every figure is the median of the repetitions, with the worst repetition in brackets "
      "where the tables show both. Repetitions of the implementations are interleaved (futon, "
      "std, ... then again), so a change in machine load falls on all of them alike; the "
      "ratios are therefore steadier than the absolute numbers. The application scenarios "
      "alternate which goes first and run one repetition more when the count is odd, so that "
      "each goes first equally often.\n\n";

  md += "## Targets\n\n";
  for (const auto& t : run.targets)
    md += "- **" + t.line().substr(0, 4) + "** " + t.line().substr(6) + "\n";
  std::string failures;
  for (const auto& p : run.res.points) {
    if (!p.failed) continue;
    for (const auto& n : p.notes) {
      if (n.rfind("FAILED CHECK", 0) == 0) failures += "- " + p.title + ": " + n + "\n";
    }
  }
  if (!failures.empty()) {
    md +=
        "\n## Failed checks\n\nA primitive broke a guarantee while being measured (the run "
        "exits with status 1):\n\n" +
        failures;
  }
  md += "\n## Ratios\n\n";
  md +=
      "futon/X divides futon's median by X's; futon/best peer divides it by the best any peer "
      "measured, whose name follows. With a baseline, \"vs base\" divides this run's futon "
      "(and std) median by the baseline's: std's shows how far the machine itself moved. The "
      "last column says whether higher or lower is better for that metric.\n\n";
  md += ratio_table(run.res, run.base != nullptr ? &run.base->res : nullptr).to_markdown();
  const auto refs = reference_lines(run.res);
  if (!refs.empty()) {
    md += "\nReferences: ";
    for (const auto& r : refs)
      md += r + ". ";
    md += "\n";
  }

  for (const auto& s : scenario_texts) {
    if (run.res.of_family(s.key).empty()) continue;
    md += std::string("\n## ") + s.heading + "\n\n" + s.method + "\n\n";
    for (const auto& chart : run.charts) {
      if (chart.rfind(s.key, 0) == 0) md += "![" + std::string(s.heading) + "](" + chart + ")\n\n";
    }
    md += "Median (worst repetition):\n\n" + detail_table(run.res, s.key);
    for (const point* p : run.res.of_family(s.key)) {
      for (const auto& n : p->notes)
        md += "\n- Note (" + p->title + "): " + n;
    }
    md += "\n";
  }

  md += "\n## Setup\n\n";
  md += "- Machine: " + run.machine.cpu + ", " + std::to_string(run.machine.cpus) +
        " logical CPUs, " + run.machine.kernel + "; load average (1, 5, 15 min) " +
        run.load_before + " before, " + run.load_after + " after (raised by the run's own threads)";
  if (run.others_cpu_share) {
    std::snprintf(line, sizeof line,
                  "; other processes' share of the CPU time during the run %.1f%%",
                  100 * *run.others_cpu_share);
    md += line;
  }
  md += ".\n";
  md += "- futon commit: " + run.machine.futon_commit + ".\n";
  md += "- Build: " + run.machine.compiler + ", " + run.machine.standard_library +
        (run.machine.assertions ? ", futon debug checks on" : ", futon debug checks off") +
        "; futon's futex backend: " + run.machine.futon_backend + ".\n";
  std::snprintf(line, sizeof line, "- Configuration: %lld ms per measurement, %d repetitions%s.\n",
                static_cast<long long>(o.duration.count() / 1'000'000), o.repetitions,
                o.quick ? " (--quick)" : "");
  md += line;
  std::string scenarios;
  for (const auto& s : o.scenarios)
    scenarios += (scenarios.empty() ? "" : ",") + s;
  md += "- Scenarios: " + scenarios + "; contended and application threads " +
        join(o.contended_threads) + "; shared threads " + join(o.shared_threads) +
        "; broadcast waiters " + join(o.waiters) + "; semaphore pairs " + join(o.pairs) +
        "; recursive threads " + join(o.recursive_threads) + "; interprocess processes " +
        join(o.processes) + ".\n";
  md += "- Calibration: " + run.cal.describe() + ".\n";
  md += "- Command: `" + o.command_line + "`\n";
  md +=
      "- Raw numbers, every repetition: `results.csv`, and with the machine, peers and targets "
      "`results.json` (read back by `--baseline`).\n";
  return md;
}

}  // namespace futon_bench
