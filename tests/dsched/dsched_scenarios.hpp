// SPDX-License-Identifier: BSL-1.0
// Scenarios for the rules issue 10 added (object lifetime, any wake order, no lapped counter),
// written once over the primitive types so that the same body runs against the real primitives
// (which must pass: dsched_lifetime_test.cpp, dsched_wake_order_test.cpp) and against the
// planted copies of the 7add648 versions (which must fail: dsched_planted_primitives_test.cpp).
//
// Each scenario is a correct program by the primitive's rules: it destroys an object only at
// the earliest moment its header allows, and it waits only for what it is owed. A failure is
// therefore the primitive's: an access to a destroyed object, a waiter never woken (deadlock),
// or a dsched::check.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <futon/futex.hpp>
#include <limits>
#include <mutex>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#include "dsched/atomic.hpp"
#include "dsched/scheduler.hpp"

namespace dsched::scenarios {

// Whether ending a T's life runs its destructor (see owned::destroy). A specialization may say
// no for a type whose destructor's debug check would abort the whole test program on the
// destruction a scenario makes (the 7add648 mutex: the second half of its defect 1).
template <class T>
struct runs_destructor : std::true_type {};

// A T built in storage the body owns, so that the body can end its life at a chosen point and
// the scheduler can report any later access, while the memory itself stays valid (a failed run
// must not turn into a real use-after-free for a sanitizer to see first).
template <class T>
class owned {
 public:
  template <class... Args>
  explicit owned(const char* what, Args&&... args) : what_(what) {
    ::new (static_cast<void*>(storage_)) T(std::forward<Args>(args)...);
  }
  ~owned() {
    if (alive_) get()->~T();
  }
  owned(const owned&) = delete;
  owned& operator=(const owned&) = delete;

  T* get() noexcept { return std::launder(reinterpret_cast<T*>(storage_)); }
  T* operator->() noexcept { return get(); }
  T& operator*() noexcept { return *get(); }

  // Ends the object's life here: its destructor, then dsched::retire, after which any access
  // to its words fails the run.
  void destroy() noexcept {
    if constexpr (runs_destructor<T>::value) get()->~T();
    alive_ = false;
    retire(storage_, sizeof(T), what_);
  }

 private:
  alignas(T) std::byte storage_[sizeof(T)];
  const char* what_;
  bool alive_ = true;  // only the thread that ends its life writes it; the body reads it at the end
};

// ---- Mutex ------------------------------------------------------------------------------------

// The reference-count pattern POSIX and every std library support (defect 1): the holder's
// unlock is its last use; the thread that locks and unlocks last destroys the mutex right after
// its unlock, while the first holder may still be inside unlock(). A timed waiter that gave up
// first leaves the mutex marked "sleepers may exist", which sends that unlock down its slow path.
template <class Mutex>
void mutex_destroyed_by_last_locker(bool timed_waiter_first) {
  owned<Mutex> m("mutex");
  m->lock();
  if (timed_waiter_first) {
    // It cannot get the lock (held until after the join), so it times out: when the scheduler
    // decides (forced once the body blocks in join).
    thread timed([&] { static_cast<void>(m->try_lock_for(std::chrono::hours(1))); });
    timed.join();
  }
  thread last([&] {
    m->lock();
    m->unlock();
    m.destroy();  // its last reference: nobody else will lock it again
  });
  m->unlock();  // our last use
  last.join();
}

// The reference count with more users: `threads` threads each lock (by try_lock_for retried
// until it succeeds, on odd threads when `timed`, so that timeouts leave the sleepers bit behind
// and give up races with unlocks), drop their reference under the lock and unlock; the one that
// dropped the last destroys the mutex right after its unlock.
template <class Mutex>
void mutex_reference_count(int threads, bool timed) {
  owned<Mutex> m("mutex");
  int references = threads;  // plain: changed only under the lock
  std::vector<thread> users;
  for (int i = 0; i < threads; ++i) {
    users.emplace_back([&, i] {
      if (timed && i % 2 == 1) {
        while (!m->try_lock_for(std::chrono::hours(1))) {
        }
      } else {
        m->lock();
      }
      const bool last = --references == 0;
      m->unlock();
      if (last) m.destroy();
    });
  }
  for (auto& u : users)
    u.join();
}

// The same for a recursive mutex, each holder two levels deep: only the last level's unlock
// releases the mutex, and it is the holder's last use. A timed waiter (on a recursive timed
// mutex) that gave up first leaves the inner mutex marked "sleepers may exist".
template <class RecursiveMutex>
void recursive_mutex_destroyed_by_last_locker(bool timed_waiter_first) {
  owned<RecursiveMutex> m("recursive mutex");
  m->lock();
  m->lock();
  if constexpr (requires { m->try_lock_for(std::chrono::hours(1)); }) {
    if (timed_waiter_first) {
      thread timed([&] { static_cast<void>(m->try_lock_for(std::chrono::hours(1))); });
      timed.join();
    }
  }
  thread last([&] {
    m->lock();
    check(m->try_lock(), "the holder could not lock again");
    m->unlock();
    m->unlock();
    m.destroy();
  });
  m->unlock();
  m->unlock();  // our last use
  last.join();
}

// ---- Shared mutex -----------------------------------------------------------------------------

// Defect 2: the last reader's unlock_shared is its last use; the writer that was waiting for
// it takes the lock, unlocks and destroys the mutex, while the reader may still be inside
// unlock_shared().
template <class SharedMutex>
void shared_mutex_destroyed_by_writer_after_last_reader() {
  owned<SharedMutex> m("shared_mutex");
  m->lock_shared();
  thread writer([&] {
    m->lock();
    m->unlock();
    m.destroy();
  });
  m->unlock_shared();  // our last use
  writer.join();
}

// The other way round, as a reference count under the lock: the writer's unlock is its last
// use; a reader (and a second writer, if `second_writer`) waiting for it each lock, drop their
// reference and unlock, and the one that dropped the last destroys the mutex right after its
// unlock, while the other may still be inside its own unlock.
template <class SharedMutex>
void shared_mutex_destroyed_after_writer(bool second_writer) {
  owned<SharedMutex> m("shared_mutex");
  m->lock();
  // Plain: changed only under the lock (shared or exclusive, never two at once: one reader).
  int references = second_writer ? 3 : 2;
  --references;  // ours, under our lock
  thread reader([&] {
    m->lock_shared();
    const bool last = --references == 0;
    m->unlock_shared();
    if (last) m.destroy();
  });
  std::vector<thread> writers;
  if (second_writer) {
    writers.emplace_back([&] {
      m->lock();
      const bool last = --references == 0;
      m->unlock();
      if (last) m.destroy();
    });
  }
  m->unlock();  // our last use
  reader.join();
  for (auto& w : writers)
    w.join();
}

// The reference count over readers and writers, some of them timed (retried until they
// succeed): each drops its reference under its lock. A writer that dropped the last destroys the
// mutex right after its unlock (a reader that dropped it cannot: other readers may still hold
// the lock with it; then the body destroys it at the end).
template <class SharedMutex>
void shared_mutex_reference_count(int readers, int writers, bool timed) {
  owned<SharedMutex> m("shared_mutex");
  // Atomic: readers drop their references together, under a shared lock. Relaxed: the lock's
  // own ordering is not what is checked here (the scheduler runs everything in one order).
  dsched::atomic<int> references{readers + writers};
  std::vector<thread> users;
  for (int i = 0; i < readers + writers; ++i) {
    const bool writer = i < writers;
    users.emplace_back([&, i, writer] {
      const bool try_timed = timed && i % 2 == 1;
      if (writer) {
        if (try_timed) {
          while (!m->try_lock_for(std::chrono::hours(1))) {
          }
        } else {
          m->lock();
        }
      } else if (try_timed) {
        while (!m->try_lock_shared_for(std::chrono::hours(1))) {
        }
      } else {
        m->lock_shared();
      }
      const bool last = references.fetch_sub(1, std::memory_order_relaxed) == 1;
      if (writer) {
        m->unlock();
      } else {
        m->unlock_shared();
      }
      if (last && writer) m.destroy();
    });
  }
  for (auto& u : users)
    u.join();
}

// ---- Condition variable -----------------------------------------------------------------------

// Defect 6 and [thread.condition.condvar]/5: the notifier destroys the condition variable right
// after the notify that notifies the last waiter, after or (`notify_under_lock`) before it
// unlocks the mutex. Every waiter checks `ready` under the mutex before it waits, so none waits
// un-notified. `all`: notify_all to `waiters` waiters; else notify_one to one waiter.
template <class Mutex, class CondVar>
void condvar_destroyed_after_notify(int waiters, bool all, bool notify_under_lock) {
  Mutex m;
  owned<CondVar> cv("condition_variable");
  bool ready = false;  // under m
  std::vector<thread> threads;
  for (int i = 0; i < waiters; ++i) {
    threads.emplace_back([&] {
      std::unique_lock lock(m);
      while (!ready)
        cv->wait(lock);
    });
  }
  const auto notify = [&] {
    if (all) {
      cv->notify_all();
    } else {
      cv->notify_one();
    }
  };
  if (notify_under_lock) {
    std::lock_guard lock(m);
    ready = true;
    notify();
    cv.destroy();
  } else {
    {
      std::lock_guard lock(m);
      ready = true;
    }
    notify();
    cv.destroy();
  }
  for (auto& t : threads)
    t.join();
}

// Timed waiters (the scheduler may time each wait out, and they wait again) and a notify_all
// after which the notifier destroys the condition variable, with or without the mutex held.
template <class Mutex, class CondVar>
void condvar_timed_waiters_destroyed_after_notify_all(int waiters, bool notify_under_lock) {
  Mutex m;
  owned<CondVar> cv("condition_variable");
  bool ready = false;  // under m
  std::vector<thread> threads;
  for (int i = 0; i < waiters; ++i) {
    threads.emplace_back([&] {
      std::unique_lock lock(m);
      while (!ready)
        static_cast<void>(cv->wait_for(lock, std::chrono::hours(1)));
    });
  }
  if (notify_under_lock) {
    std::lock_guard lock(m);
    ready = true;
    cv->notify_all();
    cv.destroy();
  } else {
    {
      std::lock_guard lock(m);
      ready = true;
    }
    cv->notify_all();
    cv.destroy();
  }
  for (auto& t : threads)
    t.join();
}

// One item per consumer, each announced by a notify_one; the producer destroys the condition
// variable right after the last one. Every consumer that waits is then notified: one that finds
// no item waits only before the last item is produced, and each notify_one counts a waiter while
// any is un-notified (std: "unblocks one of the threads blocked").
template <class Mutex, class CondVar>
void condvar_destroyed_after_last_notify_one(int consumers) {
  Mutex m;
  owned<CondVar> cv("condition_variable");
  int available = 0;  // under m
  std::vector<thread> threads;
  for (int i = 0; i < consumers; ++i) {
    threads.emplace_back([&] {
      std::unique_lock lock(m);
      while (available == 0)
        cv->wait(lock);
      --available;
    });
  }
  for (int i = 0; i < consumers; ++i) {
    {
      std::lock_guard lock(m);
      ++available;
    }
    cv->notify_one();
  }
  cv.destroy();
  for (auto& t : threads)
    t.join();
}

// Defect 3: A waits; a notify_all's sequence step lands; C starts waiting; the notify's wake
// reaches C (the newest waiter, as Linux does for a real-time C). A was waiting when the notify
// was issued, so it must return; C waits for its own flag, set and notified later. Each waits
// for its own flag, so a waiter woken for the other's flag waits again (legitimately).
template <class Mutex, class CondVar>
void condvar_notify_all_reaches_newer_waiter() {
  Mutex m;
  CondVar cv;
  bool a_go = false;  // under m
  bool c_go = false;  // under m
  thread a([&] {
    std::unique_lock lock(m);
    while (!a_go)
      cv.wait(lock);
  });
  thread c([&] {
    std::unique_lock lock(m);
    while (!c_go)
      cv.wait(lock);
  });
  {
    std::lock_guard lock(m);
    a_go = true;
  }
  cv.notify_all();
  a.join();  // never returns if the notify was lost to C
  {
    std::lock_guard lock(m);
    c_go = true;
  }
  cv.notify_all();
  c.join();
}

// A waiter that begins while a notify_all is under way: A (the body) waits first; N sets
// A's flag under the mutex, waits until C holds the mutex and is about to wait for its own
// flag, and notifies all outside the mutex, so that the notify lands anywhere in C's wait
// (one preemption of C). A was waiting when the notify was issued, so it must return; C must
// not take A's notification. N releases C once A is back (so a lost wakeup of A is a deadlock,
// not hidden by the second notify).
template <class Mutex, class CondVar>
void condvar_notify_all_with_a_waiter_beginning() {
  Mutex m;
  CondVar cv;
  bool a_go = false;  // under m
  bool c_go = false;  // under m
  // Atomic, not dsched::atomic, for the reasons `waiting` is in
  // condvar_notify_one_races_timeout. Relaxed: the scheduler runs one thread at a time.
  std::atomic<bool> c_waits{false};
  std::atomic<bool> a_back{false};
  // Blocks until `flag` is set (by `set`). The check and the block are one step (no schedule
  // point between them).
  const auto await = [](std::atomic<bool>& flag) {
    if (!flag.load(std::memory_order_relaxed)) static_cast<void>(block_on(&flag, false, false));
  };
  const auto set = [](std::atomic<bool>& flag) {
    flag.store(true, std::memory_order_relaxed);
    static_cast<void>(wake_on(&flag, 1));
  };
  thread n([&] {
    {
      std::lock_guard lock(m);
      a_go = true;
    }
    await(c_waits);
    cv.notify_all();
    await(a_back);
    {
      std::lock_guard lock(m);
      c_go = true;
    }
    cv.notify_all();
  });
  thread c([&] {
    std::unique_lock lock(m);
    set(c_waits);
    while (!c_go)
      cv.wait(lock);
  });
  {
    std::unique_lock lock(m);
    while (!a_go)
      cv.wait(lock);
  }
  set(a_back);
  n.join();
  c.join();
}

// A notify_one racing a timeout: A waits with a timeout, B without; once both wait, one
// notify_one. If A reports a timeout, the notify was not A's, so it must release B; if A
// reports the notify, B is released by a second notify_one. (No predicates: futon's wait(lock)
// never returns spuriously, and wait_for reports the notify it took.)
template <class Mutex, class CondVar>
void condvar_notify_one_races_timeout() {
  Mutex m;
  CondVar cv;
  // Counted under m, read by the body without it: atomic (not dsched::atomic, whose access is a
  // schedule point: the body's check and its block must be one step), so that ThreadSanitizer,
  // which does not see the scheduler's handovers made inside futon's annotated lock code, sees
  // the accesses ordered. Relaxed: the scheduler runs one thread at a time.
  std::atomic<int> waiting{0};
  const int all_waiting = 0;
  std::cv_status a_status = std::cv_status::no_timeout;
  const auto arrive = [&] {
    // Under m: once the body locks m after this, our wait has registered (it unlocks m only then).
    if (waiting.fetch_add(1, std::memory_order_relaxed) == 1) {
      static_cast<void>(wake_on(&all_waiting, 1));
    }
  };
  thread a([&] {
    std::unique_lock lock(m);
    arrive();
    a_status = cv.wait_for(lock, std::chrono::hours(1));
  });
  thread b([&] {
    std::unique_lock lock(m);
    arrive();
    cv.wait(lock);
  });
  // The check and the block are one step (no schedule point between them).
  if (waiting.load(std::memory_order_relaxed) < 2) {
    static_cast<void>(block_on(&all_waiting, false, false));
  }
  { std::lock_guard lock(m); }  // both have registered
  cv.notify_one();
  a.join();
  if (a_status == std::cv_status::no_timeout) cv.notify_one();
  b.join();  // never returns if a timed-out A swallowed the notify
}

// notify_one to consumers racing for items, with more waiters than each wake reaches: any wake
// order must deliver every item.
template <class Mutex, class CondVar>
void condvar_consumers(int consumers, int items) {
  Mutex m;
  CondVar cv;
  int available = 0;  // under m
  int consumed = 0;   // under m
  std::vector<thread> threads;
  for (int i = 0; i < consumers; ++i) {
    const int share = items / consumers + (i < items % consumers ? 1 : 0);
    threads.emplace_back([&, share] {
      for (int k = 0; k < share; ++k) {
        std::unique_lock lock(m);
        while (available == 0)
          cv.wait(lock);
        --available;
        ++consumed;
      }
    });
  }
  for (int i = 0; i < items; ++i) {
    {
      std::lock_guard lock(m);
      ++available;
    }
    cv.notify_one();
  }
  for (auto& t : threads)
    t.join();
  check(consumed == items && available == 0, "an item was lost or doubled");
}

// ---- Wait group -------------------------------------------------------------------------------

// A futex backend whose words tell when a wait has begun: the first access to a word by the
// thread marked `waiter` (its first atomic operation in the wait) sets `began` and wakes whoever
// blocked on it (lapped_wait_group). Everything else is Backend's.
template <class Backend>
struct begin_watching : Backend {
  static constexpr const char* name = "begin_watching";

  // Per run. Atomic, not dsched::atomic: the worker's check and its block must be one step (see
  // `waiting` in condvar_notify_one_races_timeout). Relaxed: one thread runs at a time.
  inline static std::atomic<bool> began{false};
  inline static thread_local bool waiter = false;

  static void note_access() noexcept {
    if (!waiter || began.load(std::memory_order_relaxed)) return;
    began.store(true, std::memory_order_relaxed);
    static_cast<void>(wake_on(&began, std::numeric_limits<std::size_t>::max()));
  }

  // The operations a waiting primitive starts with: each is the base's (a checked schedule
  // point, then the access), then the note.
  struct word_type : Backend::word_type {
    using base = typename Backend::word_type;
    using base::base;
    using base::compare_exchange_strong;
    using base::compare_exchange_weak;
    std::uint32_t load(std::memory_order order = std::memory_order_seq_cst) const noexcept {
      const std::uint32_t value = base::load(order);
      note_access();
      return value;
    }
    std::uint32_t fetch_or(std::uint32_t value,
                           std::memory_order order = std::memory_order_seq_cst) noexcept {
      const std::uint32_t before = base::fetch_or(value, order);
      note_access();
      return before;
    }
    bool compare_exchange_weak(std::uint32_t& expected, std::uint32_t desired,
                               std::memory_order success, std::memory_order failure) noexcept {
      const bool done = base::compare_exchange_weak(expected, desired, success, failure);
      note_access();
      return done;
    }
  };
};

// Defect 5: with the count at 1, a wait begins (and the waiter is preempted right after its
// first access, in some schedule); then `rounds` times done(); add(1). The count reached zero
// after the wait began, so the wait must return (wait_group's contract) though the count is 1
// again. 128 rounds lap a 7-bit generation.
template <template <futon::futex_backend> class WaitGroup, class Backend>
void lapped_wait_group(int rounds) {
  using watch = begin_watching<Backend>;
  WaitGroup<watch> group;
  watch::began.store(false, std::memory_order_relaxed);
  group.add(1);
  thread waiter([&] {
    watch::waiter = true;
    group.wait();
  });
  thread worker([&] {
    // Only once the wait has begun: a wait that begins after the last zero may rightly sleep.
    if (!watch::began.load(std::memory_order_relaxed)) {
      static_cast<void>(block_on(&watch::began, false, false));
    }
    for (int r = 0; r < rounds; ++r) {
      group.done();
      group.add(1);
    }
  });
  worker.join();
  waiter.join();  // never returns if the waiter slept through its zero
}

// ---- One-shot and counting primitives: destroyed by the thread the release let through -------

// The waiter destroys the object as soon as its wait returns, while the releasing thread may
// still be inside release() / count_down() / set() / done() / arrive().
template <class Object, class Release, class Wait, class... Args>
void destroyed_after_wait(const char* what, Release release, Wait wait, Args... args) {
  owned<Object> object(what, args...);
  thread releaser([&] { release(*object); });
  wait(*object);
  object.destroy();
  releaser.join();
}

// Several waiters and several releasers; the waiters count themselves out after their wait
// returns, and the last destroys the object (the others have returned; the releasers may still
// be inside their calls). `Release` is called once per releaser, `Wait` once per waiter.
template <class Object, class Release, class Wait, class... Args>
void destroyed_by_last_waiter(const char* what, int releasers, int waiters, Release release,
                              Wait wait, Args... args) {
  owned<Object> object(what, args...);
  int left = waiters;  // plain: the scheduler orders it; changed after the waits return
  std::vector<thread> threads;
  for (int i = 0; i < releasers; ++i)
    threads.emplace_back([&] { release(*object); });
  for (int i = 0; i < waiters; ++i) {
    threads.emplace_back([&] {
      wait(*object);
      if (--left == 0) object.destroy();
    });
  }
  for (auto& t : threads)
    t.join();
}

}  // namespace dsched::scenarios
