// SPDX-License-Identifier: BSL-1.0
// ThreadSanitizer understands futon's locks as locks (<futon/detail/tsan.hpp>).
//
// One scenario per run: `tsan_annotation_test <scenario> <kernel|parking_lot>`. Each is a small
// program whose outcome under TSan is known: a race TSan must report (on `racy_value`), or
// correctly synchronized code on which it must stay silent. tests/CMakeLists.txt builds this file
// twice - with the annotations, and with FUTON_TSAN_ANNOTATIONS=0 - runs the scenarios under
// both, and checks TSan's report text. Where the two builds must differ, the difference is the
// annotations' doing:
//   - shared_mutex.write_under_shared_lock: two writers, each under a shared lock, one after the
//     other. A race; with the annotations TSan reports it (shared locks do not order each
//     other), without them it is silent (the lock word's release/acquire orders them).
//   - condition_variable.notify_without_mutex: data written without the mutex before a notify,
//     read after the wait. A race as std defines notify; silent without the annotations.
//   - *.lock_order_inversion, misuse.*: reports only a TSan that knows these are locks can give.
//     (Built seeing FUTON_DEBUG_CHECKS 0, see tests/CMakeLists.txt: futon's own debug checks of
//     the same misuses would stop the program before TSan sees them, and so they should: they
//     come first in a debug build.)
// recursive_mutex.*: the same cases for the recursive mutexes, whose annotations are the
// futon::mutex's inside, taken once however many levels deep the holder goes.
// The silent scenarios run every kind of lock, try, timed and shared acquisition, sleep in the
// futex (so the slow paths and their diverted futex calls run) and, on the parking-lot backend,
// through the parking lot; the condition variable's notify_all must requeue, checked below.
// The publish.* scenarios (latch, semaphores, event, call_once, barrier, wait_group) need no
// annotation: each hands data over by release/acquire on its own word, which TSan sees; a
// consumer that sleeps in the kernel futex (invisible to TSan) is still ordered by the word.
// publish.control shows the same handoff with no synchronization is reported.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <futon/backend/kernel_futex.hpp>
#include <futon/backend/parking_lot.hpp>
#include <futon/barrier.hpp>
#include <futon/call_once.hpp>
#include <futon/condition_variable.hpp>
#include <futon/counting_semaphore.hpp>
#include <futon/event.hpp>
#include <futon/latch.hpp>
#include <futon/mutex.hpp>
#include <futon/recursive_mutex.hpp>
#include <futon/shared_mutex.hpp>
#include <futon/wait_group.hpp>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;

// Plain data. A race TSan must report is always on racy_value, so that the expected report
// names it; everything else is guarded_* and must never appear in a report.
int racy_value = 0;
int guarded_value = 0;
int guarded_pair[2] = {0, 0};
bool guarded_flag = false;

// Reports a broken expectation of the scenario itself (not TSan's) and fails the run.
[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "tsan-scenario failed: %s\n", what);
  std::exit(1);
}

// Waits for `flag` with relaxed loads, which TSan does not count as synchronization: the
// scenarios use it to order two threads in time without ordering them for TSan.
void await_relaxed(const std::atomic<bool>& flag) {
  while (!flag.load(std::memory_order_relaxed))
    std::this_thread::yield();
}

// ---- futon::mutex -------------------------------------------------------------------------------

// Two threads, each under its own mutex: a race.
template <class Backend>
void mutex_wrong_mutex() {
  futon::basic_mutex<Backend> a;
  futon::basic_mutex<Backend> b;
  auto run = [](futon::basic_mutex<Backend>& m) {
    for (int i = 0; i < 200; ++i) {
      std::lock_guard guard(m);
      ++racy_value;
    }
  };
  std::thread first(run, std::ref(a));
  std::thread second(run, std::ref(b));
  first.join();
  second.join();
}

// A constant-initialized mutex: TSan learns of it at its first lock (see tsan.hpp).
template <class Backend>
constinit futon::basic_mutex<Backend> static_mutex;

// Three threads under one mutex, taking it every way there is, and sleeping while holding it now
// and then so that the others sleep in the futex; then two under a static mutex: silent.
template <class Backend>
void mutex_same_mutex() {
  futon::basic_mutex<Backend> m;
  // Tries that must fail, on a mutex held meanwhile: a failed try must not count as holding it.
  m.lock();
  std::thread([&] {
    if (m.try_lock() || m.try_lock_for(1ms) ||
        m.try_lock_until(std::chrono::steady_clock::now() + 1ms)) {
      fail("a try took a held mutex");
    }
  }).join();
  m.unlock();
  constexpr int threads = 3;
  constexpr int rounds = 300;
  auto run = [&] {
    for (int i = 0; i < rounds; ++i) {
      switch (i % 5) {
        case 0:
          m.lock();
          break;
        case 1:
          while (!m.try_lock())  // fails under contention: a failed try is annotated too
            std::this_thread::yield();
          break;
        case 2:
          if (!m.try_lock_for(10s)) fail("try_lock_for timed out");
          break;
        case 3:
          if (!m.try_lock_until(std::chrono::steady_clock::now() + 10s)) {
            fail("try_lock_until timed out");
          }
          break;
        default:
          if (!m.try_lock_for(20us)) m.lock();  // a timed try that may give up
          break;
      }
      ++guarded_value;
      if (i % 32 == 0) std::this_thread::sleep_for(200us);
      m.unlock();
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back(run);
  for (auto& t : pool)
    t.join();
  if (guarded_value != threads * rounds) fail("lost increments");

  auto run_static = [] {
    for (int i = 0; i < rounds; ++i) {
      std::lock_guard guard(static_mutex<Backend>);
      ++guarded_value;
    }
  };
  std::thread first(run_static);
  std::thread second(run_static);
  first.join();
  second.join();
  if (guarded_value != (threads + 2) * rounds) fail("lost increments under the static mutex");
}

// Opposite lock orders in two threads (one after the other, so nothing deadlocks): TSan reports
// the inversion, which it can only do if it knows both are mutexes.
template <class Backend>
void mutex_lock_order_inversion() {
  futon::basic_mutex<Backend> a;
  futon::basic_mutex<Backend> b;
  std::thread([&] {
    std::scoped_lock first(a);
    std::scoped_lock second(b);
  }).join();
  std::thread([&] {
    std::scoped_lock first(b);
    std::scoped_lock second(a);
  }).join();
}

// Unlocking a mutex another thread holds: TSan reports it.
template <class Backend>
void misuse_unlock_by_other_thread() {
  futon::basic_mutex<Backend> m;
  m.lock();
  std::thread([&] { m.unlock(); }).join();
}

// Destroying a held mutex: TSan reports it.
template <class Backend>
void misuse_destroy_locked() {
  auto* m = new futon::basic_mutex<Backend>;
  m->lock();
  delete m;
}

// ---- futon::recursive_mutex, futon::recursive_timed_mutex ---------------------------------------
// Annotated through the futon::mutex inside, at the object's address; the levels past the first
// change nothing TSan needs to know.

// Two threads, each under its own recursive mutex (two levels deep): a race.
template <class Backend>
void recursive_mutex_wrong_mutex() {
  futon::basic_recursive_mutex<Backend> a;
  futon::basic_recursive_mutex<Backend> b;
  auto run = [](futon::basic_recursive_mutex<Backend>& m) {
    for (int i = 0; i < 200; ++i) {
      std::lock_guard outer(m);
      std::lock_guard inner(m);
      ++racy_value;
    }
  };
  std::thread first(run, std::ref(a));
  std::thread second(run, std::ref(b));
  first.join();
  second.join();
}

template <class Backend>
constinit futon::basic_recursive_mutex<Backend> static_recursive_mutex;

// Three threads under one recursive timed mutex, taking the first level every way there is and
// more levels on top, touching the data at every level and sleeping while holding it now and
// then (so the others sleep in the futex); then two under a static recursive mutex: silent.
template <class Backend>
void recursive_mutex_same_mutex() {
  futon::basic_recursive_timed_mutex<Backend> m;
  // Tries that must fail, on a mutex held (two levels) meanwhile: a failed try holds nothing.
  m.lock();
  m.lock();
  std::thread([&] {
    if (m.try_lock() || m.try_lock_for(1ms) ||
        m.try_lock_until(std::chrono::steady_clock::now() + 1ms)) {
      fail("a try took a held recursive mutex");
    }
  }).join();
  m.unlock();
  m.unlock();
  constexpr int threads = 3;
  constexpr int rounds = 300;
  auto run = [&] {
    for (int i = 0; i < rounds; ++i) {
      switch (i % 4) {
        case 0:
          m.lock();
          break;
        case 1:
          while (!m.try_lock())
            std::this_thread::yield();
          break;
        case 2:
          if (!m.try_lock_for(10s)) fail("try_lock_for timed out");
          break;
        default:
          if (!m.try_lock_for(20us)) m.lock();
          break;
      }
      ++guarded_pair[0];
      if (!m.try_lock_for(0s)) fail("the holder could not lock again");
      m.lock();
      ++guarded_pair[1];
      m.unlock();
      m.unlock();
      if (i % 32 == 0) std::this_thread::sleep_for(200us);
      ++guarded_value;
      m.unlock();
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back(run);
  for (auto& t : pool)
    t.join();
  if (guarded_value != threads * rounds || guarded_pair[0] != guarded_value ||
      guarded_pair[1] != guarded_value) {
    fail("lost increments");
  }

  auto run_static = [] {
    for (int i = 0; i < rounds; ++i) {
      std::lock_guard outer(static_recursive_mutex<Backend>);
      std::lock_guard inner(static_recursive_mutex<Backend>);
      ++guarded_value;
    }
  };
  std::thread first(run_static);
  std::thread second(run_static);
  first.join();
  second.join();
  if (guarded_value != (threads + 2) * rounds) fail("lost increments under the static mutex");
}

// Opposite lock orders, each taken two levels deep: TSan reports the inversion.
template <class Backend>
void recursive_mutex_lock_order_inversion() {
  futon::basic_recursive_mutex<Backend> a;
  futon::basic_recursive_mutex<Backend> b;
  std::thread([&] {
    std::scoped_lock first(a);
    std::scoped_lock first_again(a);
    std::scoped_lock second(b);
    std::scoped_lock second_again(b);
  }).join();
  std::thread([&] {
    std::scoped_lock first(b);
    std::scoped_lock first_again(b);
    std::scoped_lock second(a);
  }).join();
}

// ---- futon::shared_mutex ------------------------------------------------------------------------

// A writer and two readers, each taking the lock every way there is: silent.
template <class Backend>
void shared_mutex_readers_writer() {
  futon::basic_shared_mutex<Backend> m;
  // Tries that must fail, on a lock held meanwhile the other way: a failed try holds nothing.
  m.lock();
  std::thread([&] {
    if (m.try_lock_shared() || m.try_lock_shared_for(1ms) || m.try_lock() || m.try_lock_for(1ms)) {
      fail("a try took a held lock");
    }
  }).join();
  m.unlock();
  m.lock_shared();
  std::thread([&] {
    if (m.try_lock() || m.try_lock_until(std::chrono::steady_clock::now() + 1ms)) {
      fail("a try took a lock held shared");
    }
  }).join();
  m.unlock_shared();
  constexpr int writes = 200;
  constexpr int reads = 300;
  std::thread writer([&] {
    for (int i = 1; i <= writes; ++i) {
      switch (i % 4) {
        case 0:
          m.lock();
          break;
        case 1:
          while (!m.try_lock())
            std::this_thread::yield();
          break;
        case 2:
          if (!m.try_lock_for(10s)) fail("try_lock_for timed out");
          break;
        default:
          if (!m.try_lock_until(std::chrono::steady_clock::now() + 20us)) m.lock();
          break;
      }
      guarded_pair[0] = i;
      if (i % 16 == 0) std::this_thread::sleep_for(200us);
      guarded_pair[1] = i;
      m.unlock();
    }
  });
  auto reader = [&] {
    for (int i = 0; i < reads; ++i) {
      switch (i % 4) {
        case 0:
          m.lock_shared();
          break;
        case 1:
          while (!m.try_lock_shared())
            std::this_thread::yield();
          break;
        case 2:
          if (!m.try_lock_shared_for(10s)) fail("try_lock_shared_for timed out");
          break;
        default:
          if (!m.try_lock_shared_until(std::chrono::steady_clock::now() + 20us)) m.lock_shared();
          break;
      }
      if (guarded_pair[0] != guarded_pair[1]) fail("a reader saw a half-done write");
      if (i % 16 == 0) std::this_thread::sleep_for(100us);
      m.unlock_shared();
    }
  };
  std::thread first(reader);
  std::thread second(reader);
  writer.join();
  first.join();
  second.join();
}

// Two writers under shared locks, the second after the first has left: a race. Without the
// annotations TSan takes the lock word's release (unlock_shared) and acquire (lock_shared) as
// ordering them, and misses it.
template <class Backend>
void shared_mutex_write_under_shared_lock() {
  futon::basic_shared_mutex<Backend> m;
  std::atomic<bool> first_done{false};
  std::thread first([&] {
    std::shared_lock lock(m);
    racy_value = 1;
    lock.unlock();
    first_done.store(true, std::memory_order_relaxed);
  });
  std::thread second([&] {
    await_relaxed(first_done);
    std::shared_lock lock(m);
    racy_value = 2;
  });
  first.join();
  second.join();
}

// A mutex and a shared_mutex taken in opposite orders: the inversion is reported.
template <class Backend>
void shared_mutex_lock_order_inversion() {
  futon::basic_mutex<Backend> a;
  futon::basic_shared_mutex<Backend> b;
  std::thread([&] {
    std::scoped_lock first(a);
    std::unique_lock second(b);
  }).join();
  std::thread([&] {
    std::unique_lock first(b);
    std::scoped_lock second(a);
  }).join();
}

// ---- futon::condition_variable ------------------------------------------------------------------

// A one-slot queue: the producer fills it under the mutex and notifies, the consumer waits
// (untimed and timed) and empties it: silent.
template <class Backend>
void condition_variable_handoff() {
  futon::basic_mutex<Backend> m;
  futon::basic_condition_variable<Backend> changed;
  constexpr int items = 200;
  std::thread producer([&] {
    for (int i = 1; i <= items; ++i) {
      std::unique_lock lock(m);
      changed.wait(lock, [] { return !guarded_flag; });
      guarded_value = i;
      guarded_flag = true;
      changed.notify_one();
    }
  });
  std::thread consumer([&] {
    for (int i = 1; i <= items; ++i) {
      std::unique_lock lock(m);
      if (i % 2 == 0) {
        changed.wait(lock, [] { return guarded_flag; });
      } else if (!changed.wait_for(lock, 10s, [] { return guarded_flag; })) {
        fail("wait_for timed out");
      }
      if (guarded_value != i) fail("the consumer missed an item");
      guarded_flag = false;
      changed.notify_one();
    }
  });
  producer.join();
  consumer.join();
}

// Several waiters asleep on the condition variable, a notify_all under the mutex: the waiters
// wake and relock it one after the other, each reading what the notifier wrote and updating a
// count under the mutex: silent.
template <class Backend>
void condition_variable_notify_all_many() {
  futon::basic_mutex<Backend> m;
  futon::basic_condition_variable<Backend> go;
  futon::basic_condition_variable<Backend> progress;
  constexpr int waiters = 4;
  constexpr int rounds = 6;
  int generation = 0;  // guarded by m, as are the two below
  int arrived = 0;
  int woken = 0;
  auto waiter = [&] {
    for (int round = 0; round < rounds; ++round) {
      std::unique_lock lock(m);
      ++arrived;
      progress.notify_one();
      go.wait(lock, [&] { return generation > round; });
      if (guarded_value != round * 10) fail("a waiter missed the notifier's write");
      ++woken;
      progress.notify_one();
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < waiters; ++t)
    pool.emplace_back(waiter);
  for (int round = 0; round < rounds; ++round) {
    {
      std::unique_lock lock(m);
      progress.wait(lock, [&] { return arrived == waiters * (round + 1); });
    }
    std::this_thread::sleep_for(20ms);  // let them fall asleep in the futex
    std::unique_lock lock(m);
    guarded_value = round * 10;
    ++generation;
    go.notify_all();
    progress.wait(lock, [&] { return woken == waiters * (round + 1); });
  }
  for (auto& t : pool)
    t.join();
}

// Data written without the mutex, then notified; the waiter reads it after its wait returns. As
// std defines notify (it synchronizes with nothing), a race: reported with the annotations, not
// without (the condition variable's word orders notifier and waiter then). On the parking-lot
// backend a woken sleeper is ordered after its waker by the parking lot itself, which TSan must
// see to check it, so this runs on the kernel backend only.
template <class Backend>
void condition_variable_notify_without_mutex() {
  futon::basic_mutex<Backend> m;
  futon::basic_condition_variable<Backend> cv;
  std::atomic<bool> consumer_done{false};
  std::thread consumer([&] {
    {
      std::unique_lock lock(m);
      cv.wait(lock);  // never returns spuriously: only after a notify
    }
    if (racy_value != 42) fail("the consumer woke before the write");
    consumer_done.store(true, std::memory_order_relaxed);
  });
  std::thread producer([&] {
    racy_value = 42;
    while (!consumer_done.load(std::memory_order_relaxed)) {
      cv.notify_one();
      std::this_thread::sleep_for(1ms);
    }
  });
  producer.join();
  consumer.join();
}

// ---- publishing through the other primitives ----------------------------------------------------

// Runs `produce` (which writes guarded_value = 42 and then signals) after `consume` has had time
// to fall asleep in the futex; `consume` waits and then reads guarded_value: silent.
template <class Produce, class Consume>
void publish(Produce produce, Consume consume) {
  std::thread consumer([&] {
    consume();
    if (guarded_value != 42) fail("the consumer did not see the published value");
  });
  std::this_thread::sleep_for(20ms);
  std::thread producer(produce);
  producer.join();
  consumer.join();
}

template <class Backend>
void publish_latch() {
  futon::basic_latch<Backend> done(1);
  publish(
      [&] {
        guarded_value = 42;
        done.count_down();
      },
      [&] { done.wait(); });
}

template <class Backend>
void publish_semaphore() {
  futon::basic_binary_semaphore<Backend> ready(0);
  futon::basic_counting_semaphore<Backend, 4> slots(0);
  publish(
      [&] {
        guarded_value = 42;
        ready.release();
        slots.release(2);
      },
      [&] {
        ready.acquire();
        if (!slots.try_acquire_for(10s)) fail("try_acquire_for timed out");
      });
}

template <class Backend>
void publish_event() {
  futon::basic_event<Backend> ready;
  publish(
      [&] {
        guarded_value = 42;
        ready.set();
      },
      [&] { ready.wait(); });
}

template <class Backend>
void publish_call_once() {
  futon::basic_once_flag<Backend> once;
  auto init = [] {
    std::this_thread::sleep_for(20ms);  // so that the other caller waits for it, asleep
    guarded_value = 42;
  };
  std::thread active([&] { futon::call_once(once, init); });
  std::thread passive([&] {
    std::this_thread::sleep_for(5ms);
    futon::call_once(once, init);
    if (guarded_value != 42) fail("call_once returned before the value was written");
  });
  active.join();
  passive.join();
}

template <class Backend>
void publish_barrier() {
  futon::basic_barrier<Backend> sync(2);
  publish(
      [&] {
        guarded_value = 42;
        sync.arrive_and_wait();
      },
      [&] { sync.arrive_and_wait(); });
}

template <class Backend>
void publish_wait_group() {
  futon::basic_wait_group<Backend> group;
  group.add(1);
  publish(
      [&] {
        guarded_value = 42;
        group.done();
      },
      [&] { group.wait(); });
}

// The same handoff with nothing but a relaxed flag: reported, so the silence above is the
// primitives' doing.
template <class Backend>
void publish_control() {
  std::atomic<bool> ready{false};
  std::thread consumer([&] {
    await_relaxed(ready);
    if (racy_value != 42) fail("the consumer did not see the value");
  });
  std::thread producer([&] {
    racy_value = 42;
    ready.store(true, std::memory_order_relaxed);
  });
  producer.join();
  consumer.join();
}

struct scenario {
  const char* name;
  void (*kernel)();
  void (*parking_lot)();
};

#if defined(FUTON_NO_KERNEL_FUTEX)
using kernel = futon::backend::parking_lot_futex;  // this OS has no kernel_futex backend
#else
using kernel = futon::backend::kernel_futex;
#endif
using parking_lot = futon::backend::parking_lot_futex;

const scenario scenarios[] = {
    {"mutex.wrong_mutex", mutex_wrong_mutex<kernel>, mutex_wrong_mutex<parking_lot>},
    {"mutex.same_mutex", mutex_same_mutex<kernel>, mutex_same_mutex<parking_lot>},
    {"mutex.lock_order_inversion", mutex_lock_order_inversion<kernel>,
     mutex_lock_order_inversion<parking_lot>},
    {"misuse.unlock_by_other_thread", misuse_unlock_by_other_thread<kernel>,
     misuse_unlock_by_other_thread<parking_lot>},
    {"misuse.destroy_locked", misuse_destroy_locked<kernel>, misuse_destroy_locked<parking_lot>},
    {"recursive_mutex.wrong_mutex", recursive_mutex_wrong_mutex<kernel>,
     recursive_mutex_wrong_mutex<parking_lot>},
    {"recursive_mutex.same_mutex", recursive_mutex_same_mutex<kernel>,
     recursive_mutex_same_mutex<parking_lot>},
    {"recursive_mutex.lock_order_inversion", recursive_mutex_lock_order_inversion<kernel>,
     recursive_mutex_lock_order_inversion<parking_lot>},
    {"shared_mutex.readers_writer", shared_mutex_readers_writer<kernel>,
     shared_mutex_readers_writer<parking_lot>},
    {"shared_mutex.write_under_shared_lock", shared_mutex_write_under_shared_lock<kernel>,
     shared_mutex_write_under_shared_lock<parking_lot>},
    {"shared_mutex.lock_order_inversion", shared_mutex_lock_order_inversion<kernel>,
     shared_mutex_lock_order_inversion<parking_lot>},
    {"condition_variable.handoff", condition_variable_handoff<kernel>,
     condition_variable_handoff<parking_lot>},
    {"condition_variable.notify_all_many", condition_variable_notify_all_many<kernel>,
     condition_variable_notify_all_many<parking_lot>},
    {"condition_variable.notify_without_mutex", condition_variable_notify_without_mutex<kernel>,
     condition_variable_notify_without_mutex<parking_lot>},
    {"publish.latch", publish_latch<kernel>, publish_latch<parking_lot>},
    {"publish.semaphore", publish_semaphore<kernel>, publish_semaphore<parking_lot>},
    {"publish.event", publish_event<kernel>, publish_event<parking_lot>},
    {"publish.call_once", publish_call_once<kernel>, publish_call_once<parking_lot>},
    {"publish.barrier", publish_barrier<kernel>, publish_barrier<parking_lot>},
    {"publish.wait_group", publish_wait_group<kernel>, publish_wait_group<parking_lot>},
    {"publish.control", publish_control<kernel>, publish_control<parking_lot>},
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <scenario> <kernel|parking_lot>\n", argv[0]);
    return 2;
  }
  const std::string_view backend = argv[2];
  for (const scenario& s : scenarios) {
    if (std::strcmp(s.name, argv[1]) != 0) continue;
    if (backend == "kernel") {
      s.kernel();
    } else if (backend == "parking_lot") {
      s.parking_lot();
    } else {
      break;
    }
    // The marker a silent scenario's test looks for: it ran to the end.
    std::printf("tsan-scenario done: %s %s\n", argv[1], argv[2]);
    return 0;
  }
  std::fprintf(stderr, "unknown scenario or backend: %s %s\n", argv[1], argv[2]);
  return 2;
}
