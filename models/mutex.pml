/*
 * mutex.pml -- futon::basic_mutex: lock, unlock and timed lock over the futex, with the
 * woken_bit / parked_bit wake economy, the starvation mode and its handoff.
 *
 * Code followed (include/futon/mutex.hpp as of commit 61fc4d2, transcribed in
 * mutex_protocol.pml):
 *
 *   lock:    CAS 0 -> locked, else lock_contended(nullptr, false)
 *   lock_contended loop: read the word;
 *     starving and handoff_bit set: CAS clears handoff and the starving bits, keeps locked
 *     unlocked and (starving or no starving_bit): CAS sets locked (clears the starving bits if
 *       ours; if we may be the woken thread: clears woken, sets parked)
 *     timed and the deadline passed: give_up(may_be_woken, starving)
 *     starving: yield (starving_yield_limit times), then CAS sets starving_sleeps and
 *       futex_wait(word, that value) until the handoff wakes everyone (timed: give up)
 *     slept before, may be the woken one, nobody starving, waited > 1 ms: CAS sets starving
 *       and parked, clears woken (the starvation mode)
 *     else CAS sets parked (clears woken if it may be ours); futex_wait(word, that value);
 *       may_be_woken = true (a timed wait that times out: give up, owing nothing)
 *   give_up: hand back woken_bit (re-set parked) and the starving bits, or take a late
 *     handoff; then wake_one_if_unlocked
 *   unlock:  CAS locked -> 0, else unlock_contended: starving_bit: CAS sets handoff (keeps
 *     locked), and futex_wake(word, all) if starving_sleeps was set; else CAS clears locked
 *     and, if parked and not woken, clears parked and sets woken, then wake_one:
 *     futex_wake(word, 1); while it wakes nobody: woken_bit gone: done; unlocked and parked:
 *     CAS clears parked (keeps woken), wake again; else CAS clears woken: done
 *
 * Threads: NT (default 3) threads, thread 1 doing twice and the others once
 *   lock(); critical section; unlock()
 * and with -DTIMED the last thread instead does try_lock_for(some timeout) each time (the
 * deadline passes at any moment; it may give up) and unlocks only when it got the lock.
 * Spurious futex returns: SPURIOUS (default 1) in a run.
 *
 * Properties checked:
 *   1. MUTUAL EXCLUSION: at most one thread in the critical section (a ghost counter, asserted
 *      on entry), and the holder's word has locked_bit.
 *   2. NO LOST WAKEUP, NO DEADLOCK: when nothing can move any more (SPIN's `timeout`), every
 *      thread has done all its iterations: none sleeps in the futex queue while nobody will
 *      wake it, none waits for a handoff that never comes.
 *   3. CLEAN WORD WHEN IDLE: then the word is 0 and the futex queue is empty, as the
 *      destructor's precondition requires of an idle mutex (word_ == 0: no parked_bit,
 *      woken_bit, starving bits or handoff_bit left behind).
 *
 * Why it matters: the unlock fast path is a CAS locked -> 0 that wakes nobody; a sleeper is
 * woken only if the word carries parked_bit when the holder unlocks (or a giver-up finds the
 * mutex unlocked with parked_bit set). Every path that clears parked_bit while sleepers may
 * remain (the unlock that wakes one) relies on the woken thread setting it again; woken_bit
 * suppresses further wakes until the woken thread has run, so a woken_bit that outlives its
 * thread silences every later unlock. A missed step is a thread asleep forever.
 *
 * RESULT: the code as written (61fc4d2) verifies: no error in the default configuration and
 * with -DTIMED (and, not registered: every thread locking twice, -DNLONG=3, 28 M states;
 * -DTIMED with a spurious return, 4.9 M states; no non-progress cycle under weak fairness with
 * -DTIMED -DSPURIOUS=0, checked with pan -l). No bit is ever left set on an idle mutex,
 * including after timed lockers gave up while parked.
 *
 * Earlier versions lost wakeups; SPIN found both, and they are planted bugs now:
 *
 *   -DRETIRE_ONLY (48a978c's wake_one, which only retired woken_bit when its wake found
 *   nobody; the trail of `check.sh mutex RETIRE_ONLY NO_STARVATION SPURIOUS=0`):
 *     T1 holds the lock; T3 sleeps (word locked|parked); T1 unlocks: clears parked, sets
 *       woken, wakes T3.
 *     T3 takes the lock (re-sets parked: word locked|parked), unlocks: clears parked, sets
 *       woken, futex_wake finds nobody (= 0) ... T3 is preempted before retiring woken_bit.
 *     T2 locks: word is `woken`, not 0, so lock_contended takes it: word locked|woken.
 *     T1 (its second round) finds it locked, sets parked, sleeps: word locked|parked|woken.
 *     T2 unlocks: woken_bit is set ("a woken thread is on its way"), so it wakes nobody:
 *       word parked|woken.
 *     T3 retires woken_bit: word parked. Unlocked, T1 asleep, and nobody will ever unlock
 *       again: T1 sleeps until some other thread happens to contend.
 *   The retire ended the suppression woken_bit started without doing what the woken thread it
 *   stood for would have done. 61fc4d2 wakes again when it finds the lock free with
 *   parked_bit set.
 *
 *   -DSTARVING_NO_PARKED (d7371ef's starvation CAS, (state | starving) & ~woken): a thread that
 *   may be the woken one and becomes starving clears woken_bit without re-setting parked_bit,
 *   which the unlock that woke it had cleared; after the handoff it unlocks with the fast CAS
 *   locked -> 0, and a thread still asleep is never woken:
 *     T3 and T2 sleep (word locked|parked); T1 unlocks: clears parked, sets woken, wakes T3.
 *     T1 locks again (lock_contended: word locked|woken).
 *     T3 finds it locked, has waited > 1 ms, becomes starving: word locked|starving.
 *     T1 unlocks: hands over (word locked|starving|handoff); T3 takes it (word locked).
 *     T3 unlocks with the fast CAS locked -> 0. T2 sleeps forever; the word is 0.
 *   48a978c re-marks parked_bit there.
 *
 * Left out: spinning (only re-reads), time itself (see mutex_protocol.pml), try_lock (a CAS
 * that never sleeps), memory orders (every access is to the one word; see mutex_protocol.pml).
 *
 * Variants:
 *   -DNO_STARVATION            no starvation mode
 *   -DSTARVING_YIELDS_ONLY     a starving waiter only yields (d7371ef), never sleeps
 *   -DTIMED                    the last thread is a timed locker that may give up
 *   -DNT=n -DITERS=k -DNLONG=l -DSPURIOUS=s   sizes: threads 1..NLONG (default 1) do ITERS+1
 *                              lock/unlock rounds, the others ITERS (default 1); SPURIOUS
 *                              spurious futex returns (default 1)
 *   planted bugs (SPIN must reject):
 *   -DUNLOCK_KEEPS_NO_PARKED   the woken thread takes the lock without re-setting parked_bit:
 *                              the unlock that woke it cleared parked_bit, so a second sleeper
 *                              is never woken
 *   -DNO_WOKEN_RETIRE          wake_one does not retire woken_bit when its futex_wake woke
 *                              nobody: woken_bit stays, later unlocks wake nobody
 *   -DSTARVING_NO_PARKED       becoming starving does not re-mark parked_bit (d7371ef): the
 *                              sleeper behind the starving thread is never woken
 *   -DRETIRE_ONLY              wake_one only retires woken_bit when its wake found nobody
 *                              (48a978c): a sleeper that slipped in behind it is never woken
 */

#ifndef ITERS
#define ITERS 1
#endif
#ifndef NLONG
#define NLONG 1
#endif
/* threads 1..NLONG do ITERS + 1 iterations, the others ITERS */
#define ITERS_OF(t) ((t) <= NLONG -> ITERS + 1 : ITERS)

#include "mutex_protocol.pml"

byte done;  /* threads that finished all their iterations */

proctype locker(byte t) {
  MUTEX_LOCALS;
  byte i;
  do
  :: i < ITERS_OF(t) ->
       mutex_lock(t);
       printf("thread %d: in the critical section\n", t);
       mutex_unlock(t);
       i++
  :: else -> break
  od;
  done++
}

proctype timed_locker(byte t) {
  MUTEX_LOCALS;
  byte i;
  bool dl;  /* this attempt's deadline has passed */
  do
  :: i < ITERS_OF(t) ->
       dl = false;  /* a new try_lock_for: a new deadline */
       mutex_try_lock_before(t, dl);
       if
       :: got == 1 ->
            printf("thread %d: in the critical section (timed lock)\n", t);
            mutex_unlock(t)
       :: else -> skip
       fi;
       i++
  :: else -> break
  od;
  done++
}

/* When nothing can move any more, everyone must have finished and left the mutex idle. */
proctype checker() {
  timeout ->
  printf("checker: nothing can move: %d of %d threads done, word %d, %d asleep on it\n",
         done, NT, mw, fq[MW].n);
  assert(done == NT);          /* NO LOST WAKEUP / NO DEADLOCK */
  assert(fq[MW].n == 0);
  assert(in_cs == 0);
  assert(mw == 0)              /* the destructor's precondition: idle means word 0 */
}

init {
  byte t;
  atomic {
    t = 1;
    do
#ifdef TIMED
    :: t < NT -> run locker(t); t++
    :: t == NT -> run timed_locker(t); t++
#else
    :: t <= NT -> run locker(t); t++
#endif
    :: t > NT -> break
    od;
    run checker()
  }
}
