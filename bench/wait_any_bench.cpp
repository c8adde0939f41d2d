// SPDX-License-Identifier: BSL-1.0
// futex_wait_any against a plain futex_wait, Linux's futex_waitv called directly, and one eventfd
// per word with poll(2).
//
// One scenario, ping_pong/entries:N: two threads hand a turn back and forth; each waits for its
// turn on a list of N words of its own, of which the last is the one the other side changes and
// wakes (the other N - 1 stay idle, and every wait re-checks them all). One iteration is a round
// trip: two wakes, two waits returning. The implementations:
//
//   futex_wait            the peer: a plain futex_wait on the one word that changes (the
//                         single-word case, whatever N is)
//   wait_any:kernel       futon::basic_futex<backend::kernel_futex>::wait_any over the N words
//   wait_any:parking_lot  the same on the parking-lot backend
//   futex_waitv           the futex_waitv system call (Linux 5.16+) over the N words, woken with
//                         FUTEX_WAKE (no futon code; counts inexact, see kernel_futex.hpp)
//   eventfd_poll          one eventfd per word: the waker writes the word's eventfd, the waiter
//                         poll(2)s all N and reads the ready one
//
// The ratio table divides each by futex_wait: at entries:1 it is wait_any's cost over a plain
// wait (futon's goal: within 10 %), at entries:64 the wake-to-return latency with 64 entries
// over the single-word case (goal: at most 2x).
//
// A second scenario, event_ping_pong, is the same round trip one layer up, over futon::event
// (default backend): each side sets the other's event and waits on its own, then resets it. Its
// implementations, divided by the first:
//
//   event.wait            the peer: basic_event::wait
//   wait_any(event)       futon::wait_any over that one event (<futon/wait_any.hpp>)
//   wait_any(3)           futon::wait_any over an idle event, an idle semaphore and that event
//                         (the looks and announcements of three primitives, a three-word sleep)
#include <benchmark/benchmark.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <futon/backend/kernel_futex.hpp>
#include <futon/backend/parking_lot.hpp>
#include <futon/counting_semaphore.hpp>
#include <futon/event.hpp>
#include <futon/futex.hpp>
#include <futon/wait_any.hpp>
#include <string>
#include <thread>
#include <vector>

#include "ratio_reporter.hpp"

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#endif

namespace futon::bench {
namespace {

struct alignas(64) padded_word {
  futex_word value{0};
};

// One side's words: the last one is its turn word.
struct inbox {
  explicit inbox(std::size_t n) : words(n) {
    for (auto& w : words)
      entries.emplace_back(w.value, 0);
  }
  futex_word& turn() { return words.back().value; }
  std::vector<padded_word> words;
  std::vector<wait_on> entries;  // expected values set before each wait
  std::vector<int> fds;          // eventfd_poll only
};

struct plain_impl {
  static std::string name() { return "futex_wait"; }
  static bool available() { return true; }
  static void setup(inbox&) {}
  static void teardown(inbox&) {}
  static void wait(inbox& box, std::uint32_t expected) { futex_wait(box.turn(), expected); }
  static void wake(inbox& box) { futex_wake_one(box.turn()); }
};

template <class Backend>
struct any_impl {
  using futex = basic_futex<Backend>;
  static std::string name() { return std::string("wait_any:") + Backend::name; }
  static bool available() { return true; }
  static void setup(inbox&) {}
  static void teardown(inbox&) {}
  static void wait(inbox& box, std::uint32_t expected) {
    box.entries.back().expected = expected;  // the idle words hold 0 and are expected to
    static_cast<void>(futex::wait_any(box.entries));
  }
  static void wake(inbox& box) { futex::wake_one(box.turn()); }
};

#if defined(__linux__) && defined(SYS_futex_waitv)
struct waitv_impl {
  static std::string name() { return "futex_waitv"; }
  static bool available() {
    // ENOSYS before Linux 5.16: the benchmark then skips this peer.
    static const bool has =
        syscall(SYS_futex_waitv, nullptr, 0, 0, nullptr, 0) == -1 && errno != ENOSYS;
    return has;
  }
  static void setup(inbox&) {}
  static void teardown(inbox&) {}
  static void wait(inbox& box, std::uint32_t expected) {
    std::array<futex_waitv, 128> list{};
    const std::size_t n = box.words.size();
    for (std::size_t i = 0; i < n; ++i) {
      list[i].val = i + 1 == n ? expected : 0;
      list[i].uaddr = reinterpret_cast<std::uintptr_t>(&box.words[i].value);
      list[i].flags = FUTEX_32 | FUTEX_PRIVATE_FLAG;
    }
    while (box.turn().load(std::memory_order_acquire) == expected) {
      syscall(SYS_futex_waitv, list.data(), static_cast<unsigned>(n), 0, nullptr, 0);
    }
  }
  static void wake(inbox& box) {
    syscall(SYS_futex, &box.turn(), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
  }
};
#endif

#if defined(__linux__)
struct eventfd_impl {
  static std::string name() { return "eventfd_poll"; }
  static bool available() { return true; }
  static void setup(inbox& box) {
    for (std::size_t i = 0; i < box.words.size(); ++i)
      box.fds.push_back(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  }
  static void teardown(inbox& box) {
    for (int fd : box.fds)
      close(fd);
    box.fds.clear();
  }
  static void wait(inbox& box, std::uint32_t expected) {
    std::vector<pollfd> list(box.fds.size());
    for (std::size_t i = 0; i < list.size(); ++i)
      list[i] = pollfd{box.fds[i], POLLIN, 0};
    while (box.turn().load(std::memory_order_acquire) == expected) {
      if (poll(list.data(), list.size(), -1) <= 0) continue;
      for (const pollfd& p : list) {
        std::uint64_t value = 0;
        if (p.revents & POLLIN) static_cast<void>(read(p.fd, &value, sizeof value));
      }
    }
  }
  static void wake(inbox& box) {
    const std::uint64_t one = 1;
    static_cast<void>(write(box.fds.back(), &one, sizeof one));
  }
};
#endif

// The benchmark thread and its partner hand the turn back and forth: each stores the other's
// turn word (release: the round's data, here none, travels with it), wakes it, and waits on its
// own list until its turn word changes (acquire).
template <class Impl>
void ping_pong(benchmark::State& state) {
  if (!Impl::available()) {
    state.SkipWithError("not available on this kernel");
    return;
  }
  const auto n = static_cast<std::size_t>(state.range(0));
  inbox mine(n);
  inbox partner_box(n);
  Impl::setup(mine);
  Impl::setup(partner_box);
  std::atomic<bool> stop{false};
  std::thread partner([&] {
    std::uint32_t seen = 0;
    for (;;) {
      Impl::wait(partner_box, seen);
      seen = partner_box.turn().load(std::memory_order_acquire);
      if (stop.load(std::memory_order_relaxed)) return;
      mine.turn().store(seen, std::memory_order_release);
      Impl::wake(mine);
    }
  });
  std::uint32_t round = 0;
  for (auto _ : state) {
    ++round;
    partner_box.turn().store(round, std::memory_order_release);
    Impl::wake(partner_box);
    while (mine.turn().load(std::memory_order_acquire) != round)
      Impl::wait(mine, round - 1);
  }
  stop.store(true, std::memory_order_relaxed);  // published by the release store below
  partner_box.turn().store(round + 1, std::memory_order_release);
  Impl::wake(partner_box);
  partner.join();
  Impl::teardown(mine);
  Impl::teardown(partner_box);
  state.SetItemsProcessed(state.iterations());
}

template <class Impl>
void add() {
  benchmark::RegisterBenchmark(("ping_pong/" + Impl::name()).c_str(), &ping_pong<Impl>)
      ->ArgName("entries")
      ->Arg(1)
      ->Arg(64)
      ->UseRealTime()
      ->MeasureProcessCPUTime()
      ->Unit(benchmark::kNanosecond);
}

// ---- event_ping_pong: event.wait() beside futon::wait_any over the same event -----------------

// One side: its own event, and the idle primitives a wait_any(3) lists before it.
struct event_side {
  futon::event ready;
  futon::event idle_event;
  futon::counting_semaphore<> idle_semaphore{0};
};

struct event_wait_impl {
  static std::string name() { return "event.wait"; }
  static void wait(event_side& side) { side.ready.wait(); }
};

struct wait_any_one_impl {
  static std::string name() { return "wait_any(event)"; }
  static void wait(event_side& side) { static_cast<void>(futon::wait_any(side.ready)); }
};

struct wait_any_three_impl {
  static std::string name() { return "wait_any(3)"; }
  static void wait(event_side& side) {
    static_cast<void>(futon::wait_any(side.idle_event, side.idle_semaphore, side.ready));
  }
};

// The benchmark thread sets the partner's event and waits for its own; the partner waits for
// its event, resets it, and sets the benchmark thread's. A side resets its event before the
// other can set it again (the other sets it only after this side's next set), so no set is lost.
template <class Impl>
void event_ping_pong(benchmark::State& state) {
  event_side mine;
  event_side partner_side;
  std::atomic<bool> stop{false};
  std::thread partner([&] {
    for (;;) {
      Impl::wait(partner_side);
      partner_side.ready.reset();
      // Relaxed: set by the benchmark thread before the set() this wait returned on (release).
      if (stop.load(std::memory_order_relaxed)) return;
      mine.ready.set();
    }
  });
  for (auto _ : state) {
    partner_side.ready.set();
    Impl::wait(mine);
    mine.ready.reset();
  }
  stop.store(true, std::memory_order_relaxed);  // published by the set() below (release)
  partner_side.ready.set();
  partner.join();
  state.SetItemsProcessed(state.iterations());
}

template <class Impl>
void add_event() {
  benchmark::RegisterBenchmark(("event_ping_pong/" + Impl::name()).c_str(), &event_ping_pong<Impl>)
      ->UseRealTime()
      ->MeasureProcessCPUTime()
      ->Unit(benchmark::kNanosecond);
}

void register_all() {
  add_event<event_wait_impl>();
  add_event<wait_any_one_impl>();
  add_event<wait_any_three_impl>();
  add<plain_impl>();
#if !defined(FUTON_NO_KERNEL_FUTEX)
  add<any_impl<backend::kernel_futex>>();
#endif
  add<any_impl<backend::parking_lot_futex>>();
#if defined(__linux__) && defined(SYS_futex_waitv)
  add<waitv_impl>();
#endif
#if defined(__linux__)
  add<eventfd_impl>();
#endif
}

}  // namespace
}  // namespace futon::bench

int main(int argc, char** argv) {
  futon::bench::register_all();
  return futon::bench::run_benchmarks(
      argc, argv,
      {futon::bench::comparison{"futex_wait", {}, {}, {}},
       futon::bench::comparison{"event.wait", {}, "futon::wait_any against event.wait", {}}});
}
