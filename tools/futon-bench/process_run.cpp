// SPDX-License-Identifier: BSL-1.0
#include "process_run.hpp"

#if defined(FUTON_BENCH_HAVE_INTERPROCESS)
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <thread>

#include "work.hpp"

namespace futon_bench {

namespace {

// One child's report, written by the child only, read by the parent once the child has exited
// (its exit is the parent's synchronization: waitpid returns after the child's last store).
struct alignas(64) child_slot {
  thread_tally tally;
  process_usage usage;
  std::atomic<std::uint32_t> done{0};  // the body returned and the slot is complete
};

// The start of the memfd: the harness's words, each on its own cache line, then one slot per
// child, then the scenario's state.
struct control {
  alignas(64) std::atomic<std::uint32_t> ready{0};  // children mapped and waiting for `go`
  alignas(64) std::atomic<std::uint32_t> go{0};
  alignas(64) stop_word stop{0};
};

constexpr std::size_t round_up(std::size_t n, std::size_t to) {
  return (n + to - 1) / to * to;
}

// The memfd and the parent's mapping of it. Nothing is named in any file system: the memory goes
// when the last process unmaps it and closes the descriptor.
class segment {
 public:
  explicit segment(std::size_t size) : size_(size) {
    fd_ = memfd_create("futon-bench-interprocess", MFD_CLOEXEC);
    if (fd_ < 0 || ftruncate(fd_, static_cast<off_t>(size_)) != 0) return;
    at_ = map();
  }
  ~segment() {
    if (at_ != nullptr) munmap(at_, size_);
    if (fd_ >= 0) close(fd_);
  }
  segment(const segment&) = delete;
  segment& operator=(const segment&) = delete;

  // Another mapping of the same memory, at another address (nullptr on failure).
  void* map() const {
    void* at = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
    return at == MAP_FAILED ? nullptr : at;
  }
  void* address() const { return at_; }

 private:
  std::size_t size_;
  int fd_ = -1;
  void* at_ = nullptr;
};

struct layout {
  std::size_t slots;  // offset of the first child_slot
  std::size_t state;  // offset of the scenario's state
  std::size_t size;

  layout(int count, std::size_t state_size) {
    slots = round_up(sizeof(control), 64);
    state = round_up(slots + static_cast<std::size_t>(count) * sizeof(child_slot), 64);
    size = round_up(state + state_size, 4096);
  }
  control& ctl(void* at) const { return *static_cast<control*>(at); }
  child_slot& slot(void* at, int i) const {
    return static_cast<child_slot*>(static_cast<void*>(static_cast<char*>(at) + slots))[i];
  }
  void* state_of(void* at) const { return static_cast<char*>(at) + state; }
};

// The child's whole life: map the segment again, wait for the start, run, report, _exit. It
// touches nothing of the parent's but the segment and `body` (no allocation, no stdio, no
// locks the parent's other threads might have held at the fork).
[[noreturn]] void child_main(
    const segment& seg, const layout& l, int index, pid_t parent,
    const std::function<void(int, const stop_word&, void*, thread_tally&)>& body) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(3);  // the parent died before prctl took effect
  void* at = seg.map();
  if (at == nullptr) _exit(4);
  control& c = l.ctl(at);
  // Release: nothing to publish but "mapped"; the parent only counts.
  c.ready.fetch_add(1, std::memory_order_release);
  // Acquire: pairs with the parent's release store of `go` (nothing rides on it but the start).
  // Polled with short sleeps, the same for every implementation, and outside the timed part.
  while (c.go.load(std::memory_order_acquire) == 0)
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  child_slot& slot = l.slot(at, index);
  const process_usage before = process_usage::now();
  body(index, c.stop, l.state_of(at), slot.tally);
  slot.tally.end_ns = now_ns();
  slot.usage = process_usage::now() - before;
  // Release: the slot is complete; the parent also reads it only after the child has exited.
  slot.done.store(1, std::memory_order_release);
  _exit(0);
}

}  // namespace

std::string process_run::problem(std::chrono::nanoseconds duration) const {
  if (!error.empty()) return error;
  std::string text;
  if (stuck > 0) {
    text = "lost wake-up: " + std::to_string(stuck) + " of " + std::to_string(processes.size()) +
           " processes still blocked " +
           std::to_string(
               std::chrono::duration_cast<std::chrono::seconds>(stuck_after(duration)).count()) +
           " s after the stop signal (killed; this repetition is left out of the figures)";
  }
  if (failed > 0) {
    text += (text.empty() ? "" : "; ") + std::to_string(failed) + " of " +
            std::to_string(processes.size()) +
            " processes died or could not start (this repetition is left out of the figures)";
  }
  return text;
}

process_run run_processes(
    int count, std::chrono::nanoseconds duration, std::size_t state_size,
    const std::function<void(void*)>& construct,
    const std::function<void(int, const stop_word&, void*, thread_tally&)>& body,
    const std::function<void(const void*)>& inspect, const std::function<void(void*)>& destroy) {
  process_run run;
  run.processes.resize(static_cast<std::size_t>(count));
  const layout l(count, state_size);
  const segment seg(l.size);
  void* at = seg.address();
  if (at == nullptr) {
    run.error = std::string("memfd_create/mmap failed: ") + std::strerror(errno);
    return run;
  }
  control& c = *::new (at) control();
  for (int i = 0; i < count; ++i)
    ::new (&l.slot(at, i)) child_slot();
  construct(l.state_of(at));

  std::vector<pid_t> children;
  const pid_t parent = getpid();
  std::fflush(nullptr);  // nothing buffered is printed twice
  for (int i = 0; i < count; ++i) {
    const pid_t pid = fork();
    if (pid == 0) child_main(seg, l, i, parent, body);
    if (pid < 0) {
      run.error = std::string("fork failed: ") + std::strerror(errno);
      break;
    }
    children.push_back(pid);
  }
  // Every child mapped and waiting (or some gave up): the timed part starts here. A child that
  // has not checked in after a generous while is counted as failed below.
  const std::int64_t give_up_start =
      now_ns() + std::chrono::nanoseconds(std::chrono::seconds(10)).count();
  // Acquire: pairs with the children's release increments (only a count).
  while (run.error.empty() &&
         c.ready.load(std::memory_order_acquire) < static_cast<std::uint32_t>(count) &&
         now_ns() < give_up_start) {
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  const std::int64_t start = now_ns();
  // Release: see the children's acquire load.
  c.go.store(1, std::memory_order_release);
  if (run.error.empty()) std::this_thread::sleep_for(duration);
  // Relaxed: the children only need to see it eventually; their results are read after exit.
  c.stop.store(1, std::memory_order_relaxed);

  // Reap every child, killing those still running stuck_after() after the stop signal.
  const std::int64_t give_up = now_ns() + stuck_after(duration).count();
  std::vector<int> status(children.size(), -1);
  std::size_t left = children.size();
  while (left > 0) {
    for (std::size_t i = 0; i < children.size(); ++i) {
      if (status[i] != -1) continue;
      int s = 0;
      if (waitpid(children[i], &s, WNOHANG) == children[i]) {
        status[i] = WIFEXITED(s) ? WEXITSTATUS(s) : 128 + (WIFSIGNALED(s) ? WTERMSIG(s) : 0);
        --left;
      }
    }
    if (left == 0) break;
    if (now_ns() > give_up) {
      for (std::size_t i = 0; i < children.size(); ++i) {
        if (status[i] != -1) continue;
        kill(children[i], SIGKILL);
        waitpid(children[i], nullptr, 0);
        status[i] = -2;
        ++run.stuck;
      }
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

  std::int64_t end = start;
  for (int i = 0; i < count; ++i) {
    const child_slot& slot = l.slot(at, i);
    const bool exited = static_cast<std::size_t>(i) < status.size() && status[i] == 0;
    // Acquire: pairs with the child's release store (its exit already ordered it before us).
    if (!exited || slot.done.load(std::memory_order_acquire) == 0) {
      if (static_cast<std::size_t>(i) >= status.size() || status[i] != -2) ++run.failed;
      continue;
    }
    run.processes[static_cast<std::size_t>(i)] = slot.tally;
    end = std::max(end, slot.tally.end_ns);
    run.usage.cpu_ns += slot.usage.cpu_ns;
    run.usage.voluntary_switches =
        std::max<std::int64_t>(run.usage.voluntary_switches, 0) + slot.usage.voluntary_switches;
    run.usage.involuntary_switches =
        std::max<std::int64_t>(run.usage.involuntary_switches, 0) + slot.usage.involuntary_switches;
  }
  run.seconds = static_cast<double>(end - start) * 1e-9;
  inspect(l.state_of(at));
  // A killed child may have died holding a lock: leave the state as it is (it is unmapped).
  if (run.stuck == 0) destroy(l.state_of(at));
  return run;
}

}  // namespace futon_bench
#endif
