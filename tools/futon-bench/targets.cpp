// SPDX-License-Identifier: BSL-1.0
#include "targets.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "format.hpp"
#include "peers.hpp"

namespace futon_bench {

namespace {

std::string threads_text(int n) {
  return std::to_string(n) + (n == 1 ? " thread" : " threads");
}

// Adds `item` to a list of figures, with `separator` after the first.
void append_item(std::string& list, const char* separator, const std::string& item) {
  if (!list.empty()) list += separator;
  list += item;
}

target_result skipped(std::string name, std::string why) {
  return {0, std::move(name), verdict::skip, std::move(why)};
}

// "; best peer tbb 11.0 ns, futon 1.11x of it" when a peer other than std was measured and is the
// best one, else "".
std::string best_peer_note(const point& p, const std::string& metric, const char* unit) {
  const auto best = best_peer(p, metric);
  const auto futon = p.median("futon", metric);
  if (!best || !futon || best->impl == "std" || best->value == 0) return "";
  return "; best peer " + best->impl + " " + format_value(best->value) + " " + unit + ", futon " +
         format_ratio(*futon / best->value) + " of it";
}

// Issue 11: uncontended lock+unlock at most 0.75x std::mutex's time, and within 5 % of the
// bare CAS-lock / CAS-unlock floor measured beside it (the words: a futex lock's
// unlock must read the word as it frees it, so a store-unlock is no floor it could reach).
target_result uncontended(const results& r) {
  const std::string name = "uncontended lock+unlock: <= 0.75x std::mutex, within 5 % of the floor";
  const point* p = r.find("uncontended", 0);
  if (p == nullptr) return skipped(name, "scenario not run");
  const auto futon = p->median("futon", "time");
  const auto std_time = p->median("std", "time");
  const auto floor = p->median("CAS lock + CAS unlock", "time");
  if (!futon || !std_time || !floor) return skipped(name, "not measured");
  const double ratio = *futon / *std_time;
  const double over_floor = *futon / *floor;
  return {0, name, ratio <= 0.75 && over_floor <= 1.05 ? verdict::pass : verdict::miss,
          "futon " + format_value(*futon) + " ns vs std::mutex " + format_value(*std_time) +
              " ns = " + format_ratio(ratio) + " its time (target <= 0.75x); CAS floor " +
              format_value(*floor) + " ns, futon " + format_ratio(over_floor) +
              " of it (target <= 1.05x)" + best_peer_note(*p, "time", "ns")};
}

// Issue 11: at every thread count from 2 to 32, no convoy regime (the worst repetition at least
// 0.9x the median) and futon ahead of std in every repetition (the implementations alternate
// within a repetition, so repetition i of each ran side by side).
target_result contended_scaling(const results& r) {
  const std::string name =
      "contended mutex, 2..32 threads: worst repetition >= 0.9x the median, >= std in every "
      "repetition";
  double lowest_steady = 1e300;  // futon's worst repetition over its median
  double lowest_vs_std = 1e300;  // futon over std, repetition by repetition
  int steady_at = 0;
  int vs_std_at = 0;
  std::string failing;
  int checked = 0;
  for (const point* p : r.of("contended")) {
    if (p->param < 2 || p->param > 32) continue;
    const int m = p->metric_index("throughput");
    const impl_values* futon = p->find("futon");
    const impl_values* std_values = p->find("std");
    if (m < 0 || futon == nullptr || std_values == nullptr) continue;
    const auto& f = futon->values[static_cast<std::size_t>(m)];
    const auto& s = std_values->values[static_cast<std::size_t>(m)];
    if (f.empty() || s.empty()) continue;
    ++checked;
    const double steady = *p->worst("futon", "throughput") / *p->median("futon", "throughput");
    double vs_std = 1e300;
    for (std::size_t i = 0; i < std::min(f.size(), s.size()); ++i) {
      if (s[i] > 0) vs_std = std::min(vs_std, f[i] / s[i]);
    }
    if (steady < lowest_steady) {
      lowest_steady = steady;
      steady_at = p->param;
    }
    if (vs_std < lowest_vs_std) {
      lowest_vs_std = vs_std;
      vs_std_at = p->param;
    }
    if (steady < 0.9 || vs_std < 1) {
      append_item(failing, ", ",
                  std::to_string(p->param) + " (worst/median " + format_ratio(steady) +
                      ", lowest futon/std " + format_ratio(vs_std) + ")");
    }
  }
  if (checked == 0) return skipped(name, "no thread count in 2..32 measured");
  std::string detail = "lowest worst/median " + format_ratio(lowest_steady) + " at " +
                       threads_text(steady_at) + " (target >= 0.90x); lowest futon/std in one " +
                       "repetition " + format_ratio(lowest_vs_std) + " at " +
                       threads_text(vs_std_at) + " (target >= 1.00x)";
  if (!failing.empty()) detail += "; missed at " + failing;
  return {0, name, failing.empty() ? verdict::pass : verdict::miss, detail};
}

target_result contended_cpu(const results& r) {
  const std::string name = "contended CPU per acquisition <= std::mutex";
  double highest = 0;
  int highest_threads = 0;
  std::string failing;
  int checked = 0;
  for (const point* p : r.of("contended")) {
    const auto futon = p->median("futon", "cpu");
    const auto std_cpu = p->median("std", "cpu");
    if (!futon || !std_cpu || *std_cpu <= 0) continue;
    ++checked;
    const double ratio = *futon / *std_cpu;
    if (ratio > highest) {
      highest = ratio;
      highest_threads = p->param;
    }
    if (ratio > 1) {
      append_item(failing, ", ", std::to_string(p->param) + " (" + format_ratio(ratio) + ")");
    }
  }
  if (checked == 0) return skipped(name, "scenario not run");
  std::string detail = "highest futon/std CPU per acquisition " + format_ratio(highest) + " at " +
                       threads_text(highest_threads) + " (target <= 1.00x)";
  if (!failing.empty()) detail += "; above at " + failing;
  return {0, name, failing.empty() ? verdict::pass : verdict::miss, detail};
}

target_result contended_spread(const results& r) {
  const std::string name = "contended spread at 32 threads <= std::mutex";
  const point* p = r.find("contended", 32);
  if (p == nullptr) return skipped(name, "32 threads not run");
  const auto futon = p->median("futon", "spread");
  const auto std_spread = p->median("std", "spread");
  if (!futon || !std_spread) return skipped(name, "not measured");
  const double ratio = *futon / *std_spread;
  return {0, name, *futon <= *std_spread ? verdict::pass : verdict::miss,
          "max/min acquisitions per thread: futon " + format_value(*futon) + ", std " +
              format_value(*std_spread) + " = " + format_ratio(ratio) + " (target <= 1.00x)" +
              best_peer_note(*p, "spread", "x")};
}

// Issue 11: notify_all to 4, 16 and 64 waiters faster than std at each, with at most N + 2
// context switches per broadcast (every waiter runs once, and the notifier at most twice).
target_result broadcast(const results& r) {
  const std::string name =
      "broadcast to 4, 16, 64 waiters: faster than std at each, <= N + 2 cs per broadcast";
  std::string failing;
  std::string figures;
  for (const int waiters : {4, 16, 64}) {
    const point* p = r.find("broadcast", waiters);
    if (p == nullptr) continue;
    const auto futon = p->median("futon", "latency");
    const auto std_latency = p->median("std", "latency");
    const auto switches = p->median("futon", "switches");
    if (!futon || !std_latency || !switches) continue;
    const double ratio = *futon / *std_latency;
    const bool ok = ratio < 1 && *switches <= waiters + 2;
    append_item(figures, "; ",
                std::to_string(waiters) + " waiters: futon " + format_value(*futon) +
                    " us = " + format_ratio(ratio) + " std's time, " + format_value(*switches) +
                    " cs (target <= " + std::to_string(waiters + 2) + ")");
    if (!ok) append_item(failing, ", ", std::to_string(waiters));
  }
  if (figures.empty()) return skipped(name, "no waiter count of 4, 16, 64 run");
  std::string detail = figures + " (time target < 1.00x)";
  if (!failing.empty()) detail += "; missed at " + failing + " waiters";
  return {0, name, failing.empty() ? verdict::pass : verdict::miss, detail};
}

target_result atomic_wait(const results& r) {
  const std::string name = "atomic_wait ping-pong: >= std round trips, <= std CPU per round trip";
  const point* p = r.find("atomic_wait", 0);
  if (p == nullptr) return skipped(name, "scenario not run");
  const auto futon = p->median("futon", "round_trips");
  const auto std_rt = p->median("std", "round_trips");
  const auto futon_cpu = p->median("futon", "cpu");
  const auto std_cpu = p->median("std", "cpu");
  if (!futon || !std_rt || !futon_cpu || !std_cpu) return skipped(name, "not measured");
  const double rt_ratio = *futon / *std_rt;
  const double cpu_ratio = *futon_cpu / *std_cpu;
  const bool pass = rt_ratio >= 1 && cpu_ratio <= 1;
  return {0, name, pass ? verdict::pass : verdict::miss,
          "round trips futon/std " + format_ratio(rt_ratio) + " (target >= 1.00x), CPU per round " +
              "trip futon/std " + format_ratio(cpu_ratio) + " (target <= 1.00x)"};
}

// The better of the pthread process-shared variants measured at `p` for `metric`.
std::optional<double> best_pthread(const point& p, const std::string& metric) {
  const int m = p.metric_index(metric);
  if (m < 0) return std::nullopt;
  const bool higher = p.metrics[static_cast<std::size_t>(m)].direction == better::higher;
  std::optional<double> best;
  for (const char* name : {"pthread-pshared", "pthread-robust"}) {
    const auto v = p.median(name, metric);
    if (v && (!best || (higher ? *v > *best : *v < *best))) best = v;
  }
  return best;
}

// futon against a reference in throughput and CPU time per operation, compared point by point
// and summed up in one target line: throughput at least the reference's, CPU at most its. The
// medians decide; where the repetitions pair up (each repetition runs both, back to back), a
// missed point also says in how many of them futon did as well, so that a reader can tell a miss
// that every repetition shows from one that a noisy machine dealt (std against itself on the 2-core
// VM, --control: single points from 0.68x to 1.46x).
class rate_and_cpu_check {
 public:
  // One comparison, named `where` (a point's title); skipped where a figure is missing.
  // `rate_pairs` and `cpu_pairs`: futon against the reference repetition by repetition, if known.
  void compare(const std::string& where, std::optional<double> futon, std::optional<double> other,
               std::optional<double> futon_cpu, std::optional<double> other_cpu,
               std::optional<repetition_tally> rate_pairs = std::nullopt,
               std::optional<repetition_tally> cpu_pairs = std::nullopt) {
    if (!futon || !other || !futon_cpu || !other_cpu || *other <= 0 || *other_cpu <= 0) return;
    const double rate_ratio = *futon / *other;
    const double cpu_ratio = *futon_cpu / *other_cpu;
    ++compared_points_;
    if (rate_ratio < lowest_) {
      lowest_ = rate_ratio;
      lowest_at_ = where;
    }
    if (cpu_ratio > highest_) {
      highest_ = cpu_ratio;
      highest_at_ = where;
    }
    highest_rate_ = std::max(highest_rate_, rate_ratio);
    lowest_cpu_ = std::min(lowest_cpu_, cpu_ratio);
    const bool rate_missed = rate_ratio < 1;
    const bool cpu_missed = cpu_ratio > 1;
    if (!rate_missed && !cpu_missed) return;
    append_item(failing_, "; ",
                where + " (throughput " + format_ratio(rate_ratio) +
                    in_how_many(rate_pairs, "high") + ", CPU " + format_ratio(cpu_ratio) +
                    in_how_many(cpu_pairs, "low") + ")");
    ++missed_points_;
    const auto behind_in_all = [](const std::optional<repetition_tally>& t) {
      return t && t->repetitions > 0 && t->as_good == 0;
    };
    if ((rate_missed && behind_in_all(rate_pairs)) || (cpu_missed && behind_in_all(cpu_pairs))) {
      append_item(behind_in_every_repetition_, ", ", where);
    }
    if (rate_pairs || cpu_pairs) paired_ = true;
  }

  // `reference` names what futon was held to ("std", "pthread"); `against` says more of it,
  // after the figures, and `last` ends the line ("" for nothing).
  target_result result(std::string name, const std::string& reference, const std::string& against,
                       const std::string& last = "") const {
    if (lowest_at_.empty()) return skipped(std::move(name), "scenario not run");
    std::string detail = "lowest futon/" + reference + " throughput " + format_ratio(lowest_) +
                         " (" + lowest_at_ + "; target >= 1.00x), highest futon/" + reference +
                         " CPU " + format_ratio(highest_) + " (" + highest_at_ +
                         "; target <= 1.00x)" + against;
    if (!failing_.empty()) {
      detail += "; missed at " + failing_;
      if (paired_) {
        detail += behind_in_every_repetition_.empty()
                      ? "; at none of the " + std::to_string(missed_points_) +
                            " was futon behind in every repetition"
                      : "; behind in every repetition at " + behind_in_every_repetition_;
      }
    }
    detail += last;
    return {0, std::move(name), failing_.empty() ? verdict::pass : verdict::miss, detail};
  }

  // The comparisons in one phrase, for a control (a reference against itself): "missed at 5 of
  // 24 points (throughput 0.80x to 1.21x, CPU 0.90x to 1.15x), behind in every repetition at
  // none"; "" if nothing was compared.
  std::string summary() const {
    if (compared_points_ == 0) return "";
    std::string text = "missed at " + std::to_string(missed_points_) + " of " +
                       std::to_string(compared_points_) + " points (throughput " +
                       format_ratio(lowest_) + " to " + format_ratio(highest_rate_) + ", CPU " +
                       format_ratio(lowest_cpu_) + " to " + format_ratio(highest_) + ")";
    if (paired_) {
      text +=
          ", behind in every repetition at " +
          (behind_in_every_repetition_.empty() ? std::string("none") : behind_in_every_repetition_);
    }
    return text;
  }

 private:
  // ", as high in 2 of 6 repetitions"; "" if the repetitions do not pair up.
  static std::string in_how_many(const std::optional<repetition_tally>& t, const char* as_what) {
    if (!t) return "";
    return std::string(", as ") + as_what + " in " + std::to_string(t->as_good) + " of " +
           std::to_string(t->repetitions) + " repetitions";
  }

  double lowest_ = 1e300;    // futon's throughput over the reference's
  double highest_ = 0;       // futon's CPU over the reference's
  double highest_rate_ = 0;  // the other ends of the two ranges
  double lowest_cpu_ = 1e300;
  int compared_points_ = 0;
  std::string lowest_at_;
  std::string highest_at_;
  std::string failing_;
  int missed_points_ = 0;
  bool paired_ = false;                     // some miss came with repetition tallies
  std::string behind_in_every_repetition_;  // the missed points no repetition of futon's met
};

target_result interprocess(const results& r) {
  std::vector<const point*> points = r.of("interprocess_pingpong");
  for (const point* p : r.of("interprocess_contended"))
    points.push_back(p);
  rate_and_cpu_check check;
  // futon's mutex against the better pthread mutex; futon's robust mutex (contended scenario
  // only: it has no condition variable) against pthread's robust one.
  for (const point* p : points) {
    const std::string rate = p->scenario == "interprocess_pingpong" ? "round_trips" : "throughput";
    check.compare(p->title, p->median("futon", rate), best_pthread(*p, rate),
                  p->median("futon", "cpu"), best_pthread(*p, "cpu"));
    check.compare(p->title + ", robust", p->median("futon-robust", rate),
                  p->median("pthread-robust", rate), p->median("futon-robust", "cpu"),
                  p->median("pthread-robust", "cpu"));
  }
  return check.result(
      "interprocess: futon >= pthread process-shared throughput, <= its CPU per operation",
      "pthread",
      ", futon against the better of plain and robust pthread, futon-robust against "
      "pthread-robust");
}

// An application scenario (all its cases): futon's primitives against std's at every point.
// Under --control, std's second run (std-control) is held to the same rule against std, and the
// line says how that went: the verdict a futon no better and no worse than std would get here.
target_result application(const results& r, const std::string& family, const std::string& what) {
  rate_and_cpu_check check;
  rate_and_cpu_check control;
  for (const point* p : r.of_family(family)) {
    check.compare(p->title, p->median("futon", "throughput"), p->median("std", "throughput"),
                  p->median("futon", "cpu"), p->median("std", "cpu"),
                  p->paired("futon", "std", "throughput"), p->paired("futon", "std", "cpu"));
    control.compare(p->title, p->median("std-control", "throughput"),
                    p->median("std", "throughput"), p->median("std-control", "cpu"),
                    p->median("std", "cpu"), p->paired("std-control", "std", "throughput"),
                    p->paired("std-control", "std", "cpu"));
  }
  const std::string noise = control.summary();
  return check.result(what + ": futon >= std throughput, <= std CPU, at every thread count", "std",
                      "", noise.empty() ? "" : "; std against itself (--control): " + noise);
}

// Issue 11: futon's median throughput at least std's at each of `params` (all measured points
// when empty).
target_result at_least_std(const results& r, const std::string& scenario,
                           const std::vector<int>& params, std::string name) {
  double lowest = 1e300;
  std::string lowest_at;
  std::string failing;
  for (const point* p : r.of(scenario)) {
    if (!params.empty() && std::find(params.begin(), params.end(), p->param) == params.end()) {
      continue;
    }
    const auto futon = p->median("futon", "throughput");
    const auto std_rate = p->median("std", "throughput");
    if (!futon || !std_rate || *std_rate <= 0) continue;
    const double ratio = *futon / *std_rate;
    if (ratio < lowest) {
      lowest = ratio;
      lowest_at = p->title;
    }
    if (ratio < 1) {
      append_item(failing, "; ", p->title + " (" + format_ratio(ratio) + ")");
    }
  }
  if (lowest_at.empty()) return skipped(std::move(name), "scenario not run");
  std::string detail = "lowest futon/std throughput " + format_ratio(lowest) + " (" + lowest_at +
                       "; target >= 1.00x)";
  if (!failing.empty()) detail += "; missed at " + failing;
  return {0, std::move(name), failing.empty() ? verdict::pass : verdict::miss, detail};
}

}  // namespace

std::string target_result::line() const {
  const char* word = outcome == verdict::pass ? "PASS" : outcome == verdict::miss ? "MISS" : "SKIP";
  return std::string(word) + "  T" + std::to_string(number) + " " + name + ": " + detail;
}

std::vector<target_result> evaluate_targets(const results& r) {
  std::vector<target_result> all = {
      uncontended(r),
      contended_scaling(r),
      contended_cpu(r),
      contended_spread(r),
      broadcast(r),
      atomic_wait(r),
      interprocess(r),
      application(r, "group_commit", "group commit"),
      application(r, "thread_pool", "thread pool"),
      application(r, "cache", "read-mostly cache"),
      application(r, "pipeline", "pipeline"),
      at_least_std(r, "semaphore", {1, 2, 4},
                   "semaphore producer/consumer: >= std at 1, 2 and 4 pairs"),
      at_least_std(r, "shared", {}, "shared_mutex 90% reads: >= std at every thread count"),
  };
  for (std::size_t i = 0; i < all.size(); ++i)
    all[i].number = static_cast<int>(i + 1);
  return all;
}

}  // namespace futon_bench
