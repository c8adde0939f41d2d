/*
 * timeout_vs_wake.pml -- a timed waiter's deadline racing a wake, with the waiter's queue entry
 * (and its thread parker) on the waiter's own stack.
 *
 * Code modelled (src/parking_lot/basic_parking_lot.hpp: park, unpark_some, take_waiters,
 * unpark_list; src/os/futex_parker.hpp; src/parking_lot/futex_on_parking_lot.hpp):
 *
 *   waiter (futex wait_until on the parking lot):
 *     lock; pending += 1; [barrier]; if word != expected: pending -= 1, unlock, return invalid
 *     parker.state = 1; enqueue (queued = true); unlock
 *     park_until: loop { if state == 0: return unparked          (acquire load)
 *                        if deadline passed: break               (timed out)
 *                        futex_wait(&state, 1, deadline) }       (wake, timeout or spurious)
 *     timed out:  lock the bucket we are in now
 *                 if queued:  remove; pending -= 1; unlock; return timed_out
 *                 else:       unlock; park() (untimed: loop until state == 0); return unparked
 *     -- return: `self` (queue entry + parker) dies with the frame
 *
 *   waker (futex wake(word, 1) = unpark_some): word = 1; [barrier]; if pending == 0 return 0;
 *     lock; take the waiter if queued (queued = false, pending -= 1, next_to_unpark, token);
 *     unlock; unpark_all: read next_to_unpark, parker.unpark() = state := 0 (release store),
 *     then futex_wake(&state, 1).
 *
 * Properties checked:
 *   1. NO USE AFTER RETURN: the waker never reads or writes the waiter's entry or parker
 *      (queued, unpark_token, next_to_unpark, parker.state) after the waiter has returned from
 *      park, i.e. after `frame_alive` has become false. A write there would corrupt whatever
 *      the thread's stack holds next (for example its next parker, making it return early).
 *   2. EXACT COUNTS: the waker counts 1 iff the waiter returns `unparked`; a waiter returning
 *      `timed_out` was counted by nobody and is no longer queued; pending ends at 0.
 *   3. NO HANG: the waiter always returns (SPIN's invalid-end-state check: a waiter blocked
 *      forever, e.g. waiting for an unpark that never comes, is an error).
 *
 * The futex_wake(&state) syscall itself may run after the waiter has returned: unpark()
 * stores 0 and only then wakes, and the waiter can see the 0 and return in between. That is by
 * design (futex_parker.hpp): FUTEX_WAKE_PRIVATE only hashes the address, it never reads
 * or writes the memory, so at worst it is a spurious wakeup of whatever futex the thread waits
 * on next at that address, which every futon wait loop tolerates. The model counts such late
 * wakes in `late_wakes` and does not treat them as errors; -DWAKE_IS_ACCESS treats the wake as
 * an access to the frame and SPIN shows the window exists (expected to FAIL; it documents the
 * reliance on FUTEX_WAKE's harmlessness on dead memory, which a port to another OS must keep).
 *
 * Memory model: sequentially consistent. Everything here is ordered by the bucket lock and by
 * the parker's release store / acquire load; the store-load (`pending`) pattern is checked
 * separately, under TSO, by pending_check.pml.
 *
 * Planted-bug variant (SPIN must reject):
 *   -DRETURN_WHEN_DEQUEUED  on timeout, a waiter that finds itself already dequeued returns
 *                           `unparked` at once instead of waiting for the unpark: the waker
 *                           then stores into the dead parker.
 * Other variants:
 *   -DWAKE_IS_ACCESS        see above (expected to FAIL)
 *   -DNO_SPURIOUS           futex_wait never returns spuriously (smaller state space)
 */

#define EXPECTED 0

#define INVALID   1
#define UNPARKED  2
#define TIMED_OUT 3

bit  bucket_lock;
byte word = EXPECTED;     /* the futex word */
byte pending;             /* bucket::pending */
bool queued;              /* waiter::queued */
byte parker_state;        /* futex_parker::state_ */
bool sleeping;            /* the waiter is blocked in the kernel on &parker_state */
byte unpark_token;        /* waiter::unpark_token */
bool deadline_passed;     /* limit.has_passed(); monotonic */
bool frame_alive = true;  /* the waiter's `self` (entry + parker) still exists */

byte result;              /* the waiter's park result */
byte woken;               /* the waker's count */
byte late_wakes;          /* futex_wake syscalls on &parker_state after the frame died */
bool waiter_done, waker_done;

#define TOKEN 7

inline lock()   { d_step { bucket_lock == 0 -> bucket_lock = 1 } }
inline unlock() { bucket_lock = 0 }

/* The waker touches the waiter's stack memory: it must still be there (used in a d_step with
   the access itself, so the check and the access are one step). */
inline touch_frame() { assert(frame_alive) }

/* futex_wait(&parker_state, 1[, deadline]): sleep only if the state is still 1 (atomically,
   in the kernel); return on a wake, on the deadline (timed == true), or spuriously. */
inline futex_wait(timed) {
  d_step { if :: parker_state == 1 -> sleeping = true :: else -> skip fi };
  if
  :: !sleeping -> skip                                         /* woken (or did not sleep) */
  :: timed && deadline_passed && sleeping -> sleeping = false  /* ETIMEDOUT */
#ifndef NO_SPURIOUS
  :: sleeping -> sleeping = false                              /* EINTR, spurious */
#endif
  fi
}

proctype waiter() {
  lock();
  pending++;
  /* store_load_fence(): sequentially consistent here */
  if
  :: word != EXPECTED ->
       pending--; unlock(); result = INVALID;
       printf("waiter: word changed: returns invalid\n");
       goto returned
  :: else -> skip
  fi;
  parker_state = 1;  /* prepare_park */
  queued = true;     /* push_back */
  unlock();
  printf("waiter: enqueued, park_until(deadline)\n");

  /* park_until(limit) */
  do
  :: parker_state == 0 -> result = UNPARKED; printf("waiter: park_until sees state 0\n"); goto returned
  :: else ->
       if
       :: deadline_passed -> printf("waiter: park_until: deadline passed\n"); break
       :: else -> futex_wait(true)
       fi
  od;

  /* Timed out: lock_bucket_of(self) (one bucket and one key here; requeue_vs_timeout.pml
     checks the key re-check) */
  lock();
  if
  :: queued ->
       printf("waiter: timed out, still queued: leaves the queue\n");
       queued = false;  /* current.queue.remove(&self) */
       pending--;
       unlock();
       result = TIMED_OUT
  :: else ->
       /* An unparker took us out and counted us: it will call unpark on our parker. */
       unlock();
       printf("waiter: timed out, but already dequeued by the waker\n");
#ifdef RETURN_WHEN_DEQUEUED
       result = UNPARKED  /* BUG: returns (and frees self) before the unparker is done */
#else
       do  /* self.parker.park(): returns once the unparker is done with `self` */
       :: parker_state == 0 -> break
       :: else -> futex_wait(false)
       od;
       result = UNPARKED
#endif
  fi;

returned:
  if
  :: result == UNPARKED -> assert(unpark_token == TOKEN)  /* we read the token the waker set */
  :: else -> skip
  fi;
  if
  :: result == INVALID -> printf("waiter: returns invalid; its frame is dead\n")
  :: result == UNPARKED -> printf("waiter: returns unparked; its frame (entry + parker) is dead\n")
  :: result == TIMED_OUT -> printf("waiter: returns timed_out; its frame (entry + parker) is dead\n")
  fi;
  frame_alive = false;  /* park returns: `self` is gone, the stack will be reused */
  waiter_done = true
}

proctype waker() {
  bool taken;

  word = 1;  /* the caller's change, then futex wake(word, 1) */
  /* store_load_fence() */
  if
  :: pending == 0 -> goto done
  :: else -> skip
  fi;
  lock();
  if
  :: queued ->  /* take_waiters: pop_front + taken.append */
       printf("waker: dequeues the waiter (counts 1), sets its token\n");
       d_step { touch_frame(); queued = false };
       pending--;
       woken = 1;
       taken = true;
       d_step { touch_frame(); unpark_token = TOKEN }  /* taken.set_token(token) */
  :: else -> skip
  fi;
  unlock();
  if
  :: taken ->
       touch_frame();  /* unpark_all reads w->next_to_unpark before unparking w */
       printf("waker: parker.unpark(): state := 0\n");
       d_step { touch_frame(); parker_state = 0 };  /* parker.unpark(): state_.store(0, release) */
       /* native_futex_wake_one(state_): by address only */
#ifdef WAKE_IS_ACCESS
       touch_frame();
#endif
       if
       :: !frame_alive -> late_wakes++; printf("waker: futex_wake(&state) after the frame died\n")
       :: else -> printf("waker: futex_wake(&state)\n")
       fi;
       sleeping = false
  :: else -> skip
  fi;
done:
  waker_done = true
}

/* The deadline passes at some point (or never, if everything ends first). */
proctype clock() {
  deadline_passed = true;
  printf("clock: the deadline passes\n")
}

proctype checker() {
  (waiter_done && waker_done) ->
  d_step {
    assert(result != 0);
    assert((woken == 1) == (result == UNPARKED));  /* counted iff it returns unparked */
    assert(result != TIMED_OUT || deadline_passed); /* never times out early */
    assert(!queued && pending == 0)
  }
}

init {
  atomic {
    run waiter();
    run waker();
    run clock();
    run checker()
  }
}
