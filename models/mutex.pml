/*
 * mutex.pml -- futon::basic_mutex: lock, unlock and timed lock over the futex, with the
 * sleepers count and woken_bit wake economy, the starvation mode and its handoff, and the
 * lifetime rule: no access to the word after the unlock's releasing step.
 *
 * Code followed (include/futon/mutex.hpp as of this change, transcribed in
 * mutex_protocol.pml; -DOLD_WAKE_ONE: 7add648's, transcribed in mutex_protocol_7add648.pml):
 *
 *   lock:    CAS 0 -> locked, else lock_contended(nullptr)
 *   lock_contended loop (a thread keeps `registered`: it is counted in the word's sleepers
 *     field, from its first sleep until it leaves; and `may_be_woken`: it has returned from a
 *     futex wait and not changed the word since): read word;
 *     starving and handoff_bit set: CAS clears handoff and the starving bits, keeps locked,
 *       leaves (one sleeper fewer, woken cleared)
 *     unlocked and (starving or no starving_bit): CAS sets locked (clears the starving bits if
 *       ours; leaves if registered)
 *     timed and the deadline passed: give_up(registered, starving)
 *     starving: yield (starving_yield_limit times), then CAS sets starving_sleeps, clears
 *       woken, and futex_wait(word, that value) until the handoff wakes everyone
 *     registered, nobody starving, waited >= 1 ms: CAS sets starving (clears woken if it may be
 *       the woken one)
 *     else CAS clears woken and, at the first sleep, counts one sleeper more; futex_wait(word,
 *       that value); may_be_woken = true (a timed wait that times out: give_up(true, false)).
 *       The sleep's self-check timer (it ends by itself after 10 ms, then at each doubling) is
 *       a return without a wake, as a spurious one: SPURIOUS covers it.
 *   give_up(registered, starving): take a late handoff, or leave and hand back the starving
 *     bits; then wake_one_if_unlocked: unlocked, no woken or starving bit, sleepers: CAS sets
 *     woken, futex_wake(word, 1)
 *   unlock:  CAS locked -> 0 (release), else unlock_contended, a loop: starving_bit set: CAS
 *     sets handoff (keeps locked; release), then futex_wake(word, all) if starving_sleeps was
 *     set; else CAS clears locked and, if sleepers and no woken_bit, sets woken (release: the
 *     last access of the word), then futex_wake(word, 1) by address.
 *
 * Threads: NT (default 3) threads, thread 1 doing twice and the others once
 *   lock(); critical section; unlock()
 * and with -DTIMED the last thread instead does try_lock_for(some timeout) each time (the
 * deadline passes at any moment; it may give up) and unlocks only when it got the lock.
 * Spurious futex returns: SPURIOUS (default 1) in a run. futex_wake(word, 1) may wake ANY
 * sleeper (futex.pml; -DFIFO_WAKE: the oldest).
 *
 * Properties checked:
 *   1. MUTUAL EXCLUSION: at most one thread in the critical section (a ghost counter, asserted
 *      on entry), and the holder's word has locked_bit.
 *   2. NO ACCESS AFTER THE RELEASING STEP: once an unlock's releasing CAS has succeeded, that
 *      thread neither loads nor CASes the word (nor futex-waits on it) until its unlock returns
 *      (a ghost flag per thread, asserted at every access: mutex_protocol.pml); futex_wake by
 *      address is allowed.
 *   3. NO ACCESS AFTER DESTRUCTION: the mutex is destroyed (ghost) at the earliest moment a
 *      program may destroy it: in the step where the last thread makes the releasing step of its
 *      last unlock (or the last timed locker gives up its last attempt), i.e. as soon as every
 *      thread has left the critical section for good, while the unlockers are still returning.
 *      Every later access of the word by anyone fails. At that moment the destructor's
 *      precondition holds: the word is 0 (nobody counted, no bit).
 *   4. NO LOST WAKEUP, NO DEADLOCK: when nothing can move any more (SPIN's `timeout`), every
 *      thread has done all its iterations: none sleeps in the futex queue while nobody will
 *      wake it, none waits for a handoff that never comes.
 *   5. CLEAN WORD WHEN IDLE: then the word is 0 and nobody sleeps on it.
 *
 * Why it matters: a mutex may be destroyed as soon as it is unlocked and unused, even while the
 * thread that unlocked it last is still returning from unlock() (a reference count that drops to
 * zero under the lock, as POSIX and std allow). 7add648's unlock (-DOLD_WAKE_ONE) cleared
 * parked_bit, set woken_bit in its releasing CAS, and then, when its futex_wake found nobody,
 * loaded and CASed the word again to retire woken_bit (defect 1 of issue 10): T1 unlocks (word
 * woken); T2 locks, unlocks (no wake: woken_bit is set) and destroys the mutex; T1's wake finds
 * nobody and T1 reads and writes freed memory. Its wake could find nobody because parked_bit
 * outlived waiters that timed out. 1d2627b woke before the releasing CAS instead, so that the
 * unlocker could retire woken_bit itself, but the wake's system call then lengthened every
 * contended critical section (futon-bench, 32 threads: 4x std's context switches). This
 * version counts the sleepers, so a wake that finds nobody always leaves a registered thread
 * outside the futex queue to clear woken_bit (I2 in mutex.hpp), and the wake follows the
 * release again.
 *
 * RESULT: the code as written verifies: no error in the default configuration, with -DTIMED
 * and with -DFIFO_WAKE (see models/README.md for state counts). -DOLD_WAKE_ONE (the 7add648
 * mutex) is rejected: the replay shows the unlocker's wake_one reading the word after its
 * releasing CAS, once its futex_wake found nobody. The planted bugs below are each rejected.
 *
 * Left out: spinning (only re-reads), time itself (see mutex_protocol.pml), try_lock (a CAS
 * that never sleeps), memory orders (every access is to the one word; see mutex_protocol.pml).
 *
 * Variants:
 *   -DNO_STARVATION            no starvation mode
 *   -DTIMED                    the last thread is a timed locker that may give up
 *   -DFIFO_WAKE                futex_wake wakes the oldest sleeper
 *   -DNT=n -DITERS=k -DNLONG=l -DSPURIOUS=s   sizes: threads 1..NLONG (default 1) do ITERS+1
 *                              lock/unlock rounds, the others ITERS (default 1); SPURIOUS
 *                              spurious futex returns (default 1)
 *   planted bugs (SPIN must reject):
 *   -DOLD_WAKE_ONE             7add648's mutex (woken_bit, wake_one reading the word after the
 *                              releasing CAS when its wake finds nobody): defect 1 of issue 10
 *   -DSLEEP_KEEPS_WOKEN        a thread about to sleep clears woken_bit only if it may be the
 *                              woken one: a thread that registered while an earlier wake was
 *                              on its way sleeps on a value with woken_bit, a later unlock's
 *                              wake finds nobody, the word comes back to that value and the
 *                              thread sleeps behind a mark nobody will clear (the ABA of I2)
 *   -DGIVE_UP_NO_WAKE          (with -DTIMED) a timed locker that gives up wakes nobody: a
 *                              sleeper behind the free lock is never woken
 */

#ifndef ITERS
#define ITERS 1
#endif
#ifndef NLONG
#define NLONG 1
#endif
#ifndef NT
#define NT 3
#endif
/* threads 1..NLONG do ITERS + 1 iterations, the others ITERS */
#define ITERS_OF(t) ((t) <= NLONG -> ITERS + 1 : ITERS)

/* The lifetime rule: assert it at every access of the word. */
#define MUTEX_LIFETIME

byte done;                /* threads that finished all their iterations */
bool last_round[NT + 1];  /* ghost: thread t is in its last lock/unlock round */
byte finished;            /* ghost: threads past the releasing step of their last unlock */

/* The destructor, at the earliest moment: every thread has left the mutex for good. Its
   precondition (debug builds): the word is 0. */
#define DESTROY_MUTEX \
  assert(mw == 0); \
  mdestroyed = true; \
  printf("the mutex is destroyed (every thread has released it for good): word %d\n", mw)

/* Run in the step of every releasing CAS (mutex_protocol.pml). */
#define MUTEX_RELEASED(t) \
  if \
  :: last_round[t] -> \
       finished++; \
       if \
       :: finished == NT -> DESTROY_MUTEX \
       :: else -> skip \
       fi \
  :: else -> skip \
  fi

#ifdef OLD_WAKE_ONE
#include "mutex_protocol_7add648.pml"
#else
#include "mutex_protocol.pml"
#endif

proctype locker(byte t) {
  MUTEX_LOCALS;
  byte i;
  do
  :: i < ITERS_OF(t) ->
       last_round[t] = (i + 1 == ITERS_OF(t));
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
       last_round[t] = (i + 1 == ITERS_OF(t));
       dl = false;  /* a new try_lock_for: a new deadline */
       mutex_try_lock_before(t, dl);
       if
       :: got == 1 ->
            printf("thread %d: in the critical section (timed lock)\n", t);
            mutex_unlock(t)
       :: else ->
            /* gave up: this attempt no longer touches the mutex */
            d_step {
              if
              :: last_round[t] ->
                   finished++;
                   if
                   :: finished == NT -> DESTROY_MUTEX
                   :: else -> skip
                   fi
              :: else -> skip
              fi
            }
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
         done, NT, mw, nq[MW]);
  assert(done == NT);          /* NO LOST WAKEUP / NO DEADLOCK */
  assert(nq[MW] == 0);
  assert(in_cs == 0);
  assert(mdestroyed);          /* every thread released its last lock */
  assert(mw == 0)              /* idle: nobody counted, no bit */
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
