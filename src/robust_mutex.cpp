// SPDX-License-Identifier: BSL-1.0
// futon::interprocess::robust_mutex (<futon/robust_mutex.hpp>): the kernel's robust-futex word
// protocol, and the calling thread's robust list shared with glibc.
//
// The idea of sharing one per-thread list between a C library and another mutex implementation,
// by matching the C library's node layout, comes from reading how glibc links its robust mutexes
// (nptl's ENQUEUE_MUTEX / DEQUEUE_MUTEX and the kernel's exit_robust_list); the code is ours.
#include <futon/robust_mutex.hpp>

#if FUTON_HAS_ROBUST_MUTEX

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <futon/backend/kernel_shared_futex.hpp>
#include <futon/detail/assert.hpp>
#include <futon/detail/spin.hpp>

#include "os/linux/robust_list.hpp"

namespace futon {
inline namespace v0 {
namespace interprocess {

namespace {

// The kernel's robust word (linux/futex.h).
constexpr std::uint32_t waiters_bit = 0x8000'0000u;     // FUTEX_WAITERS
constexpr std::uint32_t owner_died_bit = 0x4000'0000u;  // FUTEX_OWNER_DIED
constexpr std::uint32_t tid_mask = 0x3fff'ffffu;        // FUTEX_TID_MASK

// state_
constexpr std::uint32_t consistent = 0;
constexpr std::uint32_t inconsistent = 1;  // held after owner_dead, before make_consistent()
constexpr std::uint32_t not_recoverable = 2;

// glibc's futex_offset on 64-bit Linux: pthread_mutex_t's __lock (offset 0) minus its
// __list.__next (offset 32). robust_mutex puts its word and node at the same offsets.
constexpr long node_next_offset = 32;

// Probe mode: how long a waiter sleeps before it asks whether the owner still exists.
constexpr std::chrono::milliseconds probe_interval{10};

// Kernel mode: how long a waiter sleeps before it looks again without a wake. The kernel's
// robust protocol can lose one wake: an unlocker that has released the word (clearing the waiters
// bit) dies before its wake, and another thread took the word in between, so at the death the
// kernel sees a live owner and wakes nobody, and that owner's unlock sees no waiters bit. (The
// SPIN model models/robust_mutex.pml found it, in the kernel's protocol itself.) The
// look bounds such a loss to this interval; it costs a sleeping waiter one wake-up per interval.
constexpr std::chrono::milliseconds kernel_recheck_interval{100};

// The kernel reads the list and the pending slot at the thread's death, in this thread's own
// context, so program order is all it needs: a compiler barrier keeps each step's stores before
// the next step's (glibc uses the same kind of barrier for the same reason).
void compiler_barrier() noexcept {
  std::atomic_signal_fence(std::memory_order_seq_cst);
}

// A node of the list (glibc's __pthread_list_t): the entry that points at a node is the address of
// its `next`; bit 0 of an entry marks a priority-inheritance mutex of glibc's and is kept.
struct node_view {
  void* prev;
  void* next;
};
node_view* node_of(void* entry) noexcept {
  const auto address = reinterpret_cast<std::uintptr_t>(entry) & ~std::uintptr_t{1};
  return reinterpret_cast<node_view*>(address - offsetof(node_view, next));
}

}  // namespace

bool robust_mutex::kernel_recovery() noexcept {
  return os::this_robust_thread(-node_next_offset).head != nullptr;
}

robust_lock_result robust_mutex::acquire(const detail::deadline* limit, bool try_only) noexcept {
  static_assert(offsetof(robust_mutex, word_) == 0 &&
                    offsetof(robust_mutex, node_) + offsetof(list_node, next) ==
                        static_cast<std::size_t>(node_next_offset) &&
                    sizeof(robust_mutex) == 40,
                "robust_mutex must keep glibc's pthread_mutex_t offsets of the word and the node");
  os::robust_thread& self = os::this_robust_thread(-node_next_offset);
  void* const entry = &node_.next;

  // Relaxed: not_recoverable is final and nothing is read on its strength.
  if (state_.load(std::memory_order_relaxed) == not_recoverable)
    return robust_lock_result::not_recoverable;

  // Pending from before the word is taken until the node is linked: a death in between is then
  // still seen by the kernel (it checks the pending entry as it checks the list's).
  if (self.head != nullptr) {
    self.head->list_op_pending = entry;
    compiler_barrier();
  }
  const auto done = [&](robust_lock_result result) {
    if (self.head != nullptr) {
      compiler_barrier();
      self.head->list_op_pending = nullptr;
    }
    return result;
  };

  // After a sleep the taker cannot know whether others still sleep, so it keeps the waiters bit
  // (an unlock then makes one futile wake at most), as glibc's robust lock does.
  std::uint32_t keep_waiters = 0;
  int spins_left = detail::spin_limit;
  // Relaxed, here and at every look below: a look only chooses the next step; the CAS that takes
  // the word acquires, and a stale look only makes a CAS or the futex's own compare fail.
  std::uint32_t seen = word_.load(std::memory_order_relaxed);
  for (;;) {
    if ((seen & tid_mask) == 0) {
      const bool died = (seen & owner_died_bit) != 0;
      const std::uint32_t desired = self.tid | keep_waiters | (seen & waiters_bit);
      // Acquire: pairs with the previous owner's release in unlock() (or the kernel's atomic
      // update at its death), so its writes to the protected state are visible to us.
      if (!word_.compare_exchange_weak(seen, desired, std::memory_order_acquire,
                                       std::memory_order_relaxed))
        continue;
      if (self.head != nullptr) {
        // Link at the front, as glibc does: our node's links first, then the old first node's
        // prev, then the head, so that at every step the list the kernel would walk is whole.
        void* const first = self.head->list;
        node_.next = first;
        node_.prev = self.head;  // the head's own `list` field is its "next"
        node_of(first)->prev = entry;
        compiler_barrier();
        self.head->list = entry;
      }
      // Relaxed: we hold the word, which ordered every earlier owner's store to state_ before us.
      // not_recoverable comes first: it is final, also when the thread that made it (or one
      // giving the word back as we do here) died holding the word, which the kernel then marked
      // OWNER_DIED (found by the SPIN model; owner_dead there would let make_consistent() revive
      // it). Give the word back, waking everyone to learn it.
      if (state_.load(std::memory_order_relaxed) == not_recoverable) {
        done(robust_lock_result::not_recoverable);
        unlock();
        return robust_lock_result::not_recoverable;
      }
      if (died) {
        state_.store(inconsistent, std::memory_order_relaxed);
        return done(robust_lock_result::owner_dead);
      }
      return done(robust_lock_result::locked);
    }

    FUTON_PRECONDITION((seen & tid_mask) != self.tid,
                       "robust_mutex::lock: the calling thread already holds it");

    // Held by another thread, and nobody asleep yet: the owner may be about to unlock. Spin a
    // little before the probe and the sleep (detail/spin.hpp says how long and why); a pure
    // re-read, so the protocol is unchanged. try_lock makes one attempt only.
    if (!try_only && spins_left > 0 && (seen & waiters_bit) == 0) {
      --spins_left;
      detail::cpu_relax();
      seen = word_.load(std::memory_order_relaxed);
      continue;
    }

    // Held by another thread. In probe mode, one that no longer exists is dead: mark it as the
    // kernel would, then take it above. The CAS fails if the word moved since we read the id, so
    // a mutex that changed hands is never marked. (The dead thread's last writes are ordered
    // before our look by its exit and kill()'s lookup in the kernel, and before our taking CAS.)
    if (self.head == nullptr && !os::thread_id_exists(seen & tid_mask)) {
      const std::uint32_t dead = (seen & waiters_bit) | owner_died_bit;
      // Relaxed: nothing is published; the taking CAS above acquires.
      if (word_.compare_exchange_strong(seen, dead, std::memory_order_relaxed,
                                        std::memory_order_relaxed))
        seen = dead;
      continue;
    }
    // The last step of a timed call is this look: held, by a live owner.
    if (try_only || (limit != nullptr && limit->has_passed()))
      return done(robust_lock_result::busy);
    if ((seen & waiters_bit) == 0) {
      // Relaxed: the bit only asks the owner's unlock for a wake. The word's single modification
      // order decides: set before the owner's exchange, the exchange sees it and wakes; after,
      // this CAS fails on the changed word and we look again.
      if (!word_.compare_exchange_weak(seen, seen | waiters_bit, std::memory_order_relaxed,
                                       std::memory_order_relaxed))
        continue;
      seen |= waiters_bit;
    }
    keep_waiters = waiters_bit;

    // Sleep while the word is unchanged: the kernel compares it atomically with queueing us, so
    // an unlock (or the kernel's death-time update) after our look is not lost. Shared always:
    // the kernel's death-time wake is a shared wake, which a private waiter would miss. Never
    // longer than the mode's interval (probe mode: no wake comes at a death; kernel mode: see
    // kernel_recheck_interval), nor than the caller's deadline. A timeout and a wake both lead
    // back to the look above.
    const std::chrono::milliseconds interval =
        self.head != nullptr ? kernel_recheck_interval : probe_interval;
    const bool caller_ends_first =
        limit != nullptr && limit->remaining_ns() <= std::chrono::nanoseconds(interval).count();
    static_cast<void>(backend::kernel_shared_futex::wait_until(
        word_, seen, caller_ends_first ? *limit : detail::deadline::after(interval)));
    // Relaxed: not_recoverable is final and nothing is read on its strength.
    if (state_.load(std::memory_order_relaxed) == not_recoverable) {
      // We may have taken the one wake a dying unlocker's death gave (the kernel wakes one for
      // a released word in its pending slot): pass it on to everyone, who must all learn it
      // (found by the SPIN model: the others slept on).
      backend::kernel_shared_futex::wake(word_, static_cast<std::size_t>(-1));
      return done(robust_lock_result::not_recoverable);
    }
    seen = word_.load(std::memory_order_relaxed);
  }
}

void robust_mutex::make_consistent() noexcept {
  FUTON_PRECONDITION(state_.load(std::memory_order_relaxed) == inconsistent,
                     "robust_mutex::make_consistent: not held after owner_dead");
  // Relaxed: we hold the mutex; unlock()'s release publishes it.
  state_.store(consistent, std::memory_order_relaxed);
}

void robust_mutex::unlock() noexcept {
  os::robust_thread& self = os::this_robust_thread(-node_next_offset);
  FUTON_PRECONDITION((word_.load(std::memory_order_relaxed) & tid_mask) == self.tid,
                     "robust_mutex::unlock: the calling thread does not hold it");
  // Relaxed: we hold the mutex, and the release below publishes it to the next owner.
  const std::uint32_t state = state_.load(std::memory_order_relaxed);
  const bool abandoned = state != consistent;  // inconsistent, or given back as not_recoverable
  if (state == inconsistent) state_.store(not_recoverable, std::memory_order_relaxed);

  void* const entry = &node_.next;
  if (self.head != nullptr) {
    // Pending while the node leaves the list and until the word is released and its waiter woken:
    // a death in between is seen by the kernel, which then marks the word (still ours) or, if we
    // had released it, wakes the waiter we owed a wake (the kernel's pending-op rule for a word
    // with no owner).
    self.head->list_op_pending = entry;
    compiler_barrier();
    node_view* const next = node_of(node_.next);
    node_view* const prev = node_of(node_.prev);
    next->prev = node_.prev;
    prev->next = node_.next;
    compiler_barrier();
  }
  // Release: publishes the protected state (and state_) to the next owner's acquire. After this
  // exchange another process may take, unlock and destroy the mutex: nothing below reads it. The
  // wake is by address only (a wake on memory since freed or unmapped wakes nobody of ours or
  // fails harmlessly), and the pending entry is only an address until it is cleared.
  const std::uint32_t before = word_.exchange(0, std::memory_order_release);
  if (abandoned) {
    // Everyone asleep must learn it is not_recoverable.
    backend::kernel_shared_futex::wake(word_, static_cast<std::size_t>(-1));
  } else if ((before & waiters_bit) != 0) {
    backend::kernel_shared_futex::wake(word_, 1);
  }
  if (self.head != nullptr) {
    compiler_barrier();
    self.head->list_op_pending = nullptr;
  }
}

}  // namespace interprocess
}  // namespace v0
}  // namespace futon

#endif  // FUTON_HAS_ROBUST_MUTEX
