/*
 * mutex.pml -- futon::basic_mutex: lock, unlock and timed lock over the futex, with the
 * woken_bit / parked_bit wake economy, the starvation mode and its handoff.
 *
 * Code followed (include/futon/mutex.hpp as of commit 48a978c, transcribed in
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
 *     futex_wake(word, 1); if it woke nobody, retire woken_bit
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
 * RESULT on the code as written (48a978c): SPIN finds a lost wakeup (property 2) with three
 * threads and no spurious wakeup, in wake_one's retiring of woken_bit (the trail of
 * `check.sh --expect pass mutex NO_STARVATION SPURIOUS=0`; the default finds it too):
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
 *   The retire ends the suppression woken_bit started, but does not do what the woken thread
 *   it stands for would have done (take the lock or re-check): a sleeper that arrived in the
 *   window is stranded. Proposed fix (-DRETIRE_RECHECKS, also -DMUTEX_FIXES): after the
 *   retire loop, call wake_one_if_unlocked() (parked_bit set, unlocked, no woken_bit: wake
 *   one). With it SPIN finds no error, also with -DTIMED, and no bit is ever left set on an
 *   idle mutex (including after timed lockers gave up while parked).
 *
 *   The starvation mode of d7371ef (the previous commit) lost a wakeup too: a thread that may
 *   be the woken one and became starving cleared woken_bit without re-setting parked_bit,
 *   which the unlock that woke it had cleared; after the handoff it unlocked with the fast
 *   CAS locked -> 0 and a thread still asleep was never woken. 48a978c re-marks parked_bit
 *   there; -DSTARVING_NO_PARKED takes that out again (a planted bug now).
 *
 * Left out: spinning (only re-reads), time itself (see mutex_protocol.pml), try_lock (a CAS
 * that never sleeps), memory orders (every access is to the one word; see mutex_protocol.pml).
 *
 * Variants:
 *   -DMUTEX_FIXES              the proposed fix: -DRETIRE_RECHECKS
 *   -DNO_STARVATION            no starvation mode
 *   -DSTARVING_YIELDS_ONLY     a starving waiter only yields (d7371ef), never sleeps
 *   -DTIMED                    the last thread is a timed locker that may give up
 *   -DNT=n -DITERS=k -DNLONG=l -DSPURIOUS=s   sizes: threads 1..NLONG (default 1) do ITERS+1
 *                              lock/unlock rounds, the others ITERS (default 1); SPURIOUS
 *                              spurious futex returns (default 1)
 *   planted bugs (SPIN must reject; run with -DMUTEX_FIXES so that the error found is the
 *   planted one):
 *   -DUNLOCK_KEEPS_NO_PARKED   the woken thread takes the lock without re-setting parked_bit:
 *                              the unlock that woke it cleared parked_bit, so a second sleeper
 *                              is never woken
 *   -DNO_WOKEN_RETIRE          wake_one does not retire woken_bit when its futex_wake woke
 *                              nobody: woken_bit stays, later unlocks wake nobody
 *   -DSTARVING_NO_PARKED       becoming starving does not re-mark parked_bit (d7371ef): the
 *                              sleeper behind the starving thread is never woken
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
