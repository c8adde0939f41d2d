// SPDX-License-Identifier: BSL-1.0
// <futon/barrier.hpp>: futon::barrier, a drop-in std::barrier in 8 bytes (plus its completion
// function, which takes no room when it is empty, as the default one is).
//
// A reusable meeting point: each phase, the expected number of arrivals is awaited; the last
// arrival runs the completion function, then releases every thread waiting for that phase and
// starts the next.
//
//   futon::barrier sync(threads, [&]() noexcept { swap(current, next); });
//   // in each of `threads` threads:
//   for (int step = 0; step < steps; ++step) {
//     compute(next, current);
//     sync.arrive_and_wait();  // everyone's step is done, and the completion ran
//   }
//
// Members as std::barrier<CompletionFunction>: arrive(update = 1) -> arrival_token,
// wait(arrival_token&&), arrive_and_wait, arrive_and_drop, and the static max() (2^24 - 1).
// The default completion function, futon::empty_completion, does nothing. The completion
// function must be callable as an lvalue with no arguments (a static_assert says so otherwise);
// it need not be noexcept, but if it throws, std::terminate is called (as for std, LWG 3898).
//
// Behaviour:
//   - The completion function runs exactly once per phase, on the thread whose arrival ends the
//     phase, after every arrival of the phase and before any thread waiting for the phase is
//     released (its effects are visible to them).
//   - arrive() is one atomic read-modify-write, and the phase's end calls into the futex (wake
//     all) only if a thread may be asleep: no system call when nobody had to wait.
//   - wait() returns only once its phase has ended: never spuriously.
//   - arrive_and_drop() arrives and removes one participant from every later phase.
//
// Two words, not one: the phase and the count of arrivals still expected change independently
// (arrivals must not disturb sleepers, and a sleeper must not disturb arrivals).
//
// Preconditions, checked with FUTON_DEBUG_CHECKS (message, then abort): the expected count is in
// [0, max()]; arrive(n) needs n > 0 and at most the arrivals the phase still expects (arriving
// past the expected count stops a debug build); arrive_and_drop needs a participant to drop;
// wait() takes a token of the current or the previous phase; the barrier is not destroyed while
// a thread waits on it.
//
// basic_barrier<Backend, CompletionFunction> is the same over a chosen futex backend;
// futon::barrier<CompletionFunction> uses the default backend.
// Destruction: a thread whose wait returned may destroy the barrier at once (when it knows no
// other thread will use it), while the arrival that ended the phase is still returning: the end
// of the phase is one compare-and-swap, its last access (the wake that follows is by address).
//
// Counters: the phase number (7 bits) wraps every 128 phases. A token is of the current or the
// previous phase (std's precondition), and a phase cannot end without the arrival of every
// participant, waiters included, so a waiter cannot be lapped. tests/primitives/wraparound_test.cpp
// runs 300 phases.
//
// Signal safety: none of the members may be called from a signal handler.
//
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <futon/detail/announced_wait.hpp>
#include <futon/detail/assert.hpp>
#include <futon/detail/backend_traits.hpp>
#include <futon/futex.hpp>
#include <type_traits>
#include <utility>

namespace futon {
inline namespace v0 {

// The default completion function: does nothing, takes no room.
struct empty_completion {
  constexpr void operator()() const noexcept {}
};

template <futex_backend Backend, class CompletionFunction = empty_completion>
class basic_barrier {
  // std asks for is_nothrow_invocable_v<CompletionFunction&> but does not make the program
  // ill-formed without it, and libstdc++ and libc++ accept a completion that is not noexcept
  // (lambdas rarely say noexcept). So does futon: it runs inside a noexcept member, and a throw
  // out of it calls std::terminate, as LWG 3898 settles for std. Not callable at all is an error.
  static_assert(std::is_invocable_v<CompletionFunction&>,
                "futon::barrier: the completion function must be callable as an lvalue with no "
                "arguments (as for std::barrier)");
  static_assert(std::is_move_constructible_v<CompletionFunction> &&
                std::is_destructible_v<CompletionFunction>);

 public:
  // Names the phase an arrival belongs to; pass it to wait().
  class arrival_token {
   public:
    arrival_token(arrival_token&&) noexcept = default;
    arrival_token& operator=(arrival_token&&) noexcept = default;

   private:
    friend class basic_barrier;
    explicit arrival_token(std::uint32_t phase) noexcept : phase_(phase) {}
    std::uint32_t phase_;
  };

  static constexpr std::ptrdiff_t max() noexcept { return (std::ptrdiff_t{1} << 24) - 1; }

  constexpr explicit basic_barrier(std::ptrdiff_t expected,
                                   CompletionFunction completion = CompletionFunction())
      : phase_word_(static_cast<std::uint32_t>(expected) * expected_one),
        remaining_(static_cast<std::uint32_t>(expected)),
        completion_(std::move(completion)) {
    FUTON_PRECONDITION(expected >= 0 && expected <= max(),
                       "futon::barrier: the expected count is negative or above max()");
  }
  ~basic_barrier() {
    // waiters_bit is set only by a thread waiting for the current phase, and cleared when the
    // phase ends, which is the only way such a thread returns.
    FUTON_PRECONDITION((phase_word_.load(std::memory_order_relaxed) & waiters_bit) == 0,
                       "futon::barrier destroyed while a thread waits on it");
  }
  basic_barrier(const basic_barrier&) = delete;
  basic_barrier& operator=(const basic_barrier&) = delete;

  [[nodiscard]] arrival_token arrive(std::ptrdiff_t update = 1) noexcept {
    FUTON_PRECONDITION(update > 0, "futon::barrier::arrive: update must be > 0");
    // The phase we arrive in: it cannot end before our own arrival below, and we cannot see an
    // older phase (whoever arrives here has seen the previous phase end, through wait() or
    // through the thread that created the barrier). Relaxed: nothing is read through it.
    const std::uint32_t phase = phase_word_.load(std::memory_order_relaxed) & phase_mask;
    // Release: our work before arriving is published to whoever ends the phase. Acquire: if we
    // end it, we see every other arrival's work (each arrival's read-modify-write continues the
    // release sequences of those before it), and every drop of this phase.
    const std::uint32_t before =
        remaining_.fetch_sub(static_cast<std::uint32_t>(update), std::memory_order_acq_rel);
    FUTON_PRECONDITION(static_cast<std::ptrdiff_t>(before) >= update,
                       "futon::barrier::arrive: more arrivals than the phase expects");
    if (static_cast<std::ptrdiff_t>(before) == update) end_phase();
    return arrival_token(phase);
  }

  void wait(arrival_token&& arrival) const noexcept {
    // Acquire: pairs with end_phase's release, so the completion function's effects and every
    // arrival of the phase are visible once we see it ended.
    std::uint32_t state = phase_word_.load(std::memory_order_acquire);
    FUTON_PRECONDITION((state & phase_mask) == arrival.phase_ ||
                           (state & phase_mask) == next_phase(arrival.phase_),
                       "futon::barrier::wait: the token is not of the current or previous phase");
    while ((state & phase_mask) == arrival.phase_) {
      detail::sleep_announced<Backend>(phase_word_, state, waiters_bit);
    }
  }

  void arrive_and_wait() noexcept { wait(arrive()); }

  void arrive_and_drop() noexcept {
    // Drop first, then arrive: whoever ends the phase acquires our arrival, so it sees the
    // drop. Relaxed: ordered by that arrival's release. No phase can end in between (ours
    // is still expected).
    [[maybe_unused]] const std::uint32_t before =
        phase_word_.fetch_sub(expected_one, std::memory_order_relaxed);
    FUTON_PRECONDITION(before / expected_one > 0,
                       "futon::barrier::arrive_and_drop: no participant left to drop");
    static_cast<void>(arrive(1));
  }

 private:
  // phase_word_, the word waiters sleep on: bits 8..31 the expected count of each phase (lowered
  // by arrive_and_drop), bits 1..7 the phase number (mod 128), and bit 0:
  //
  // waiters_bit: a thread may be asleep waiting for the current phase to end (the announced
  // wait of detail/announced_wait.hpp, whose comment proves the end's wake is not missed). Set
  // by a waiter; cleared by the phase's end, which then wakes everyone.
  //
  // remaining_: the arrivals the current phase still expects. The arrival that brings it to
  // zero ends the phase (end_phase): only that thread touches the barrier until the phase number
  // moves on, so it resets remaining_ without a race.
  //
  // The phase number in a token tells wait() whether its phase has ended; 7 bits are plenty,
  // since a waiter's phase is the current or the previous one (std's precondition), and they let
  // a debug build notice a token two or more phases old. Bits after Rust's std::sync::Barrier
  // (a generation id) and libstdc++'s tree barrier (a phase in each token); written anew.
  static constexpr std::uint32_t waiters_bit = 1;
  static constexpr std::uint32_t phase_one = 2;
  static constexpr std::uint32_t phase_mask = 0xfe;
  static constexpr std::uint32_t expected_one = 0x100;

  static constexpr std::uint32_t next_phase(std::uint32_t phase) noexcept {
    return (phase + phase_one) & phase_mask;
  }

  // Run by the arrival that ends the phase. noexcept: a completion function that throws ends the
  // program here (std::terminate), before any waiter of the phase is released.
  void end_phase() noexcept {
    completion_();  // before anyone waiting for this phase is released
    // Relaxed: the expected count, with this phase's drops, which our acquiring arrival made
    // visible; nobody else changes it until the phase number moves on.
    std::uint32_t state = phase_word_.load(std::memory_order_relaxed);
    // Relaxed: published by the release CAS below; the next phase's arrivals come from threads
    // that saw the phase end (acquire) or that were ordered after it some other way.
    remaining_.store(state / expected_one, std::memory_order_relaxed);
    std::uint32_t next = 0;
    do {
      next = (state & ~(waiters_bit | phase_mask)) | next_phase(state & phase_mask);
      // Release: waiters that see the new phase (acquire) see the completion and every arrival.
    } while (!phase_word_.compare_exchange_weak(state, next, std::memory_order_release,
                                                std::memory_order_relaxed));
    detail::wake_announced<Backend>(phase_word_, state, waiters_bit);
  }

  // mutable: wait() is const (as std's), yet records that a thread sleeps.
  mutable detail::word_t<Backend> phase_word_;
  detail::word_t<Backend> remaining_;
  [[no_unique_address]] CompletionFunction completion_;
};

template <class CompletionFunction = empty_completion>
using barrier = basic_barrier<backend::default_backend, CompletionFunction>;

static_assert(sizeof(barrier<>) == 8, "futon::barrier<> is two 32-bit words");
// As std: neither copyable nor movable; tokens are movable.
static_assert(!std::is_copy_constructible_v<barrier<>> &&
              !std::is_move_constructible_v<barrier<>> && !std::is_copy_assignable_v<barrier<>> &&
              !std::is_move_assignable_v<barrier<>>);
static_assert(std::is_move_constructible_v<barrier<>::arrival_token> &&
              std::is_move_assignable_v<barrier<>::arrival_token> &&
              std::is_destructible_v<barrier<>::arrival_token>);

}  // namespace v0
}  // namespace futon
