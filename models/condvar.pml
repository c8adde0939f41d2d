/*
 * condvar.pml -- futon::basic_condition_variable with futon::basic_mutex: wait, notify_all (the
 * broadcast that one woken waiter turns into a requeue onto the mutex) and notify_one.
 *
 * Code followed (include/futon/condition_variable.hpp as of commit 2c0a692; the mutex is
 * mutex_protocol.pml):
 *
 *   word: broadcast_bit, the number of waiters not yet notified, a sequence (upper bits)
 *   wait(lock) = wait_before(lock, nullptr), wait_for(lock, t) = wait_before(lock, &limit):
 *     registered = fetch_add(one_waiter) + one_waiter          (holding the mutex)
 *     m.unlock(); expected = registered
 *     loop: futex_wait(word, expected) (timed: may time out); now = load
 *           sequence changed: notified; if now has broadcast_bit: requeue_onto(m, now); break
 *           timed out: withdraw(registered) (CAS count - 1 unless the sequence moved): break,
 *             or, if a notify came meanwhile, notified; break
 *           else (spurious, or requeued onto the mutex by a broadcast and woken there by an
 *           unlock): m.pass_wake_on(); expected = now
 *     m.lock_after_wake()
 *   requeue_onto: while the word has broadcast_bit: CAS clears it (claims the broadcast); then
 *     loop { current = load; futex_requeue(word, current, m.word, 0, all) until it succeeds };
 *     m.note_requeued_sleepers()
 *   notify_one: CAS loop: if the count is 0 return; count - 1, sequence + 1; futex_wake(word, 1)
 *   notify_all: CAS loop: if the count is 0 return; count := 0, sequence + 1, broadcast_bit;
 *     if futex_wake(word, 1) == 0: withdraw broadcast_bit (CAS loop) while the sequence is
 *     still ours
 *   destructor: checks nothing (61fc4d2 required a zero count, 48a978c no broadcast_bit)
 *
 * Threads: NWAITERS (default 2) waiters, waiter i doing
 *     lock(); while (pred < TARGET(i)) cv.wait(lock); unlock();
 * with TARGET(i) = 1, except that with NROUNDS = 2 the last waiter waits for 2; and one
 * notifier doing NROUNDS (default 1) times
 *     lock(); pred++; unlock(); notify_all()       (-DNOTIFY_UNDER_LOCK: notify before unlock;
 *                                                   -DNOTIFY_ONE: notify_one)
 * With -DTIMED_WAITERS each waiter instead does one wait_for (no predicate) that may time out.
 * Spurious futex returns: SPURIOUS (default 1) in a run, for waiter 1 on the condition
 * variable's word only (they exercise pass_wake_on; mutex.pml covers the mutex's own);
 * -DSPURIOUS_ANY lets any wait of any thread return spuriously (a larger state space). The
 * mutex's starvation mode is left out unless -DSTARVATION (mutex.pml checks it; here it
 * multiplies the state space).
 *
 * Properties checked:
 *   1. NO LOST WAKEUP / NO DEADLOCK: when nothing can move any more (`timeout`), every waiter
 *      and the notifier have finished: the broadcast's requeue chain (one waiter woken, the
 *      others moved onto the mutex, each unlock waking the next) reaches every waiter.
 *   2. MUTUAL EXCLUSION on the mutex (ghost counter, as in mutex.pml), including the returns
 *      from wait (lock_after_wake).
 *   3. NO RETURN WITHOUT A NOTIFY: each notified return of wait follows a notify issued after
 *      the waiter registered (a ghost counter of notifies, incremented in the notify's own
 *      atomic step, compared with its value at registration); an untimed wait returns only so.
 *   4. CLEAN WORDS WHEN IDLE: then both futex queues are empty and the mutex word is 0 (its
 *      destructor's precondition). The condition variable's destructor checks nothing since
 *      2c0a692; -DCOUNT_EXACT (61fc4d2's precondition: no waiter counted) and -DBROADCAST_CLEAR
 *      (48a978c's: no broadcast_bit) check what those versions required, and both fail.
 *
 * Why it matters: notify_all wakes ONE thread and relies on it to requeue all the others onto
 * the mutex, and then on the mutex's parked_bit chain to wake them one by one; a waiter left on
 * either word, or on the mutex without parked_bit, sleeps forever. A thread that registered
 * after the broadcast is requeued too, without having been notified: it must pass the mutex's
 * wake on (pass_wake_on) and wait again.
 *
 * RESULTS
 *   - The untimed protocol verifies as written: default configuration, NOTIFY_UNDER_LOCK,
 *     NOTIFY_ONE, STARVATION, and (not registered) NROUNDS=2 SPURIOUS=0 (15 M states);
 *     NWAITERS=3 SPURIOUS=0 showed no error in the 270 M states searched before memory ran
 *     short (hash compaction, not exhaustive). Before the mutex fix of 61fc4d2 these two
 *     reached the mutex's lost wakeup (mutex.pml, RETIRE_ONLY) at once:
 *     with NROUNDS=2 the waiter that waits twice re-registers and unlocks, its wake_one finds
 *     nobody, the other waiter locks and leaves, the notifier goes to sleep on the mutex
 *     for its second round, and the retire strands it there: the program hangs.
 *   - note_requeued_sleepers is not needed for liveness: -DNO_NOTE_REQUEUED passes too. The
 *     requeuing thread always goes on to lock_after_wake, whose may_be_woken re-sets parked_bit
 *     whether it takes the lock or sleeps (it has not slept in that call, so it cannot take the
 *     starvation path), so the requeued sleepers always find parked_bit set by a thread that
 *     will unlock or sleep behind them. The call only wakes a requeued thread early when the
 *     mutex is free, to contend with the requeuer itself. Without BOTH (-DNO_NOTE_REQUEUED
 *     -DPLAIN_RELOCK) the requeued waiter is lost: the planted bug.
 *   - -DTIMED_WAITERS -DNOTIFY_ONE -DCOUNT_EXACT: SPIN finds the waiter count left at 1 on an
 *     idle condition variable, which 61fc4d2's destructor precondition rejected ("destroyed
 *     while threads wait on it"; 2c0a692 dropped the check, and without it this passes):
 *       waiter 2 registers (count 1), its futex wait times out, it reads the word (no notify);
 *       waiter 1 registers (count 2) and unlocks;
 *       the notifier's notify_one: count 1, new sequence; its futex wake finds nobody (waiter 1
 *         is not asleep yet);
 *       waiter 2 withdraws: the sequence moved, so it reports "notified" (the count stays);
 *       waiter 1's futex wait finds the word changed: new sequence, notified.
 *     One notify_one counted one waiter and released two. By the same reasoning (not checked
 *     here), a spurious return of a second sleeping waiter after a notify_one does the same
 *     without timeouts. No wakeup is lost (the count is only ever too high: the next notify
 *     makes a futile wake). Decrementing the count anyway in the timed-out waiter would not
 *     do: when the notify counted that very waiter, it would undercount, and a later notify
 *     would skip a sleeper.
 *   - 48a978c (-DWITHDRAW_ONCE -DBROADCAST_CLEAR -DTIMED_WAITERS) left broadcast_bit set on an
 *     idle condition variable, which its destructor rejected: a timed-out waiter reads the word
 *     just before a notify_all, whose wake finds nobody; its withdrawal sees the new sequence,
 *     so it returns "notified" without looking at broadcast_bit; a second waiter registers (the
 *     word moves on), so the single withdrawing CAS fails; the second waiter times out. (Also:
 *     notify_all's wake can wake a waiter that registered after the broadcast, which passes
 *     the wake on and times out.) 61fc4d2 withdraws while the sequence is its own and accepts
 *     a stale bit (it only makes the next woken thread requeue the others needlessly).
 *
 * Left out: wait_until's clock conversion (attempt_until), the predicate overloads (they are
 * the loop above), memory orders (see mutex_protocol.pml). The count has 2 bits here (up to 3
 * waiters), 14 in the C++; the sequence is a byte (31 notifies), 17 bits in the C++.
 *
 * Variants:
 *   -DNOTIFY_UNDER_LOCK    the notifier notifies while holding the mutex
 *   -DNOTIFY_ONE           notify_one instead of notify_all (use NWAITERS=1 unless TIMED_WAITERS)
 *   -DNROUNDS=2            two notifies; the last waiter waits for the second one, so it may
 *                          register after the first broadcast and be requeued without a notify
 *   -DTIMED_WAITERS        each waiter does one wait_for (no predicate) that may time out
 *   -DWITHDRAW_ONCE        48a978c: notify_all withdraws broadcast_bit with a single CAS
 *   -DBROADCAST_CLEAR      48a978c's destructor precondition: no broadcast_bit when idle
 *   -DCOUNT_EXACT          61fc4d2's destructor precondition: no waiter counted when idle
 *   -DNO_NOTE_REQUEUED     the requeuing thread does not call note_requeued_sleepers (passes)
 *   -DSTARVATION           include the mutex's starvation mode
 *   -DNWAITERS=n -DSPURIOUS=s -DSPURIOUS_WAITER=i -DSPURIOUS_ANY   sizes
 *   planted bugs (SPIN must reject):
 *   -DNO_NOTE_REQUEUED -DPLAIN_RELOCK   the requeuing thread neither tells the mutex about the
 *                          sleepers it moved nor re-locks as a thread that may have been woken
 *                          (m.lock() instead of lock_after_wake): the requeued waiter sleeps
 *                          on the mutex forever
 *   -DPLAIN_RELOCK         alone: a waiter woken on the mutex re-locks with m.lock(), leaving
 *                          parked_bit or woken_bit set for good (the idle mutex word is not 0)
 *   -DWITHDRAW_ALWAYS      notify_all withdraws broadcast_bit (CAS next -> next & ~broadcast)
 *                          even when its wake woke a thread: that thread then finds no broadcast
 *                          to perform, and the other waiter stays on the condition variable
 */

#ifndef NWAITERS
#define NWAITERS 2
#endif
#ifndef NROUNDS
#define NROUNDS 1
#endif
#define NOTIFIER (NWAITERS + 1)
#define NT (NWAITERS + 1)
#define NWORDS 2

#ifndef STARVATION
/* The mutex's starvation mode is left out by default (mutex.pml checks it; it multiplies the
   state space here); -DSTARVATION puts it back. */
#define NO_STARVATION
#endif

#ifndef SPURIOUS_ANY
/* Spurious returns only for waiter SPURIOUS_WAITER (default 1) on the condition variable's
   futex (they exercise pass_wake_on); mutex.pml covers them on the mutex. -DSPURIOUS_ANY: any
   thread, any word. */
#ifndef SPURIOUS_WAITER
#define SPURIOUS_WAITER 1
#endif
#define SPURIOUS_ON(t, w) ((t) == SPURIOUS_WAITER && (w) == CW)
#endif

#include "mutex_protocol.pml"

/* basic_condition_variable::word_: broadcast_bit, the number of waiters not yet notified, a
   sequence advanced by every notify. The C++ has 14 bits of count (bits 1-14) and the sequence
   in bits 15-31; here 2 bits of count (up to 3 waiters) and the sequence from bit 3 (a byte
   holds 31 notifies, far more than a run makes). */
#define BC_BIT      1  /* broadcast_bit */
#define ONE_WAITER  2  /* one_waiter */
#define WAITER_MASK 6  /* waiter_mask */
#define SEQ_STEP    8  /* sequence_step */
#define WAITERS_OF(x) (((x) & WAITER_MASK) / ONE_WAITER)
#define SEQ(x) ((x) & ~(WAITER_MASK | BC_BIT))

/* waiter i waits for pred >= TARGET(i) */
#define TARGET(i) ((NROUNDS > 1 && (i) == NWAITERS) -> 2 : 1)

byte pred;      /* the predicate's state, under the mutex */
byte notifies;  /* ghost: notifies issued (each changes the sequence) */
byte done;

#define CV_LOCALS byte registered, expected, now, cstate, cnext, cur, reg_notifies; bool tmo

/* requeue_onto(m, st): claim the broadcast, requeue everyone onto the mutex, tell the mutex */
inline requeue_onto(t, st) {
  cstate = st;
  do
  :: !(cstate & BC_BIT) -> break
  :: else ->
       cnext = cstate & ~BC_BIT;
       cas(cw, cstate, cnext, ok);
       if
       :: ok ->
            printf("thread %d: claims the broadcast: cv word %d\n", t, cnext);
            do
            :: cur = cw;
               futex_requeue(CW, cur, MW, ok);
               if :: ok -> break :: else -> printf("thread %d: requeue: cv word changed, retries\n", t) fi
            od;
#ifndef NO_NOTE_REQUEUED
            note_requeued_sleepers(t);
#endif
            break
       :: else -> skip
       fi
  od;
  cstate = 0;
  cnext = 0;
  cur = 0
}

/* withdraw(registered): ok = true if the count was decremented (no notify since registering) */
inline withdraw(t) {
  cstate = cw;
  do
  :: SEQ(cstate) != SEQ(registered) -> ok = false; break
  :: else ->
       cnext = cstate - ONE_WAITER;
       cas(cw, cstate, cnext, ok);
       if :: ok -> printf("thread %d: withdraws: cv word %d\n", t, cnext); break :: else -> skip fi
  od;
  cstate = 0;
  cnext = 0
}

/* wait(lock) = wait_before(lock, nullptr), or with `timed` wait_for(lock, timeout) =
   wait_before(lock, &limit), whose futex waits may time out (`dl`: the deadline has passed) */
inline cv_wait(t, timed, dl) {
  d_step {
    registered = cw + ONE_WAITER;  /* fetch_add(one_waiter) + one_waiter */
    cw = cw + ONE_WAITER;
    assert(WAITERS_OF(registered) != 0);  /* the C++ precondition: count does not overflow */
    reg_notifies = notifies
  };
  printf("thread %d: registers: cv word %d; unlocks the mutex\n", t, registered);
  mutex_unlock(t);
  expected = registered;
  do
  :: printf("thread %d: futex_wait(cv word, %d)\n", t, expected);
     futex_wait(t, CW, expected, timed, dl, ok);  /* ok = false: timed out */
     tmo = !ok;
     now = cw;  /* load(acquire) */
     if
     :: SEQ(now) != SEQ(registered) ->
          printf("thread %d: notified: cv word %d\n", t, now);
          assert(notifies != reg_notifies);  /* NO RETURN WITHOUT A NOTIFY after registering */
          if
          :: now & BC_BIT -> requeue_onto(t, now)
          :: else -> skip
          fi;
          break
     :: else ->
          if
          :: tmo ->
               withdraw(t);
               if
               :: ok -> printf("thread %d: wait timed out\n", t)
               :: else ->  /* a notify came after all, between the timeout and the withdrawal */
                    printf("thread %d: timed out, but notified meanwhile\n", t);
                    assert(notifies != reg_notifies)
               fi;
               break
          :: else -> skip
          fi;
          /* spurious, or requeued by a past broadcast and woken on the mutex */
          pass_wake_on(t);
          expected = now
     fi
  od;
  atomic { registered = 0; expected = 0; now = 0; reg_notifies = 0; tmo = false };
#ifndef PLAIN_RELOCK
  lock_after_wake(t)
#else
  mutex_lock(t)  /* BUG: re-locks as a newcomer, not as the thread an unlock may have woken */
#endif
}

inline cv_notify_one(t) {
  cstate = cw;
  do
  :: WAITERS_OF(cstate) == 0 -> ok = false; break
  :: else ->
       cnext = cstate - ONE_WAITER + SEQ_STEP;
       d_step {  /* compare_exchange_weak(state, state - one_waiter + sequence_step) */
         if
         :: cw == cstate -> cw = cnext; ok = true; notifies++
         :: else -> cstate = cw; ok = false
         fi
       };
       if :: ok -> break :: else -> skip fi
  od;
  if
  :: !ok -> printf("thread %d: notify_one: no waiters counted: nothing to do\n", t)
  :: else ->
       printf("thread %d: notify_one: cv word %d\n", t, cnext);
       futex_wake(CW, 1, n)
  fi;
  cstate = 0;
  cnext = 0
}

inline cv_notify_all(t) {
  cstate = cw;
  do
  :: WAITERS_OF(cstate) == 0 -> ok = false; break
  :: else ->
       cnext = ((cstate & ~WAITER_MASK) + SEQ_STEP) | BC_BIT;
       d_step {  /* compare_exchange_weak(state, next); the ghost counts the notify */
         if
         :: cw == cstate -> cw = cnext; ok = true; notifies++
         :: else -> cstate = cw; ok = false
         fi
       };
       if :: ok -> break :: else -> skip fi
  od;
  if
  :: !ok -> printf("thread %d: notify_all: no waiters counted: nothing to do\n", t)
  :: else ->
       printf("thread %d: notify_all: cv word %d\n", t, cnext);
       futex_wake(CW, 1, n);
#if defined(WITHDRAW_ALWAYS)
       /* BUG: withdraws even when the wake found a thread */
       cstate = cnext;
       cas(cw, cstate, cnext & ~BC_BIT, ok);
       printf("thread %d: notify_all: woke %d, withdraws broadcast_bit anyway: %d\n", t, n, ok)
#else
       if
       :: n == 0 ->
#ifdef WITHDRAW_ONCE
            /* 48a978c: compare_exchange_strong(next, next & ~broadcast_bit), once */
            cstate = cnext;
            cas(cw, cstate, cnext & ~BC_BIT, ok);
            printf("thread %d: notify_all: nobody woken: withdraws broadcast_bit: %d\n", t, ok)
#else
            /* withdraw while the sequence is still ours (a count change does not stop it) */
            cstate = cnext;
            do
            :: !(cstate & BC_BIT) || SEQ(cstate) != SEQ(cnext) -> break
            :: else ->
                 cas(cw, cstate, cstate & ~BC_BIT, ok);
                 if :: ok -> break :: else -> skip fi
            od;
            printf("thread %d: notify_all: nobody woken: withdraws broadcast_bit: cv word %d\n", t, cw)
#endif
       :: else -> skip
       fi
#endif
  fi;
  cstate = 0;
  cnext = 0
}

proctype waiter(byte t) {
  MUTEX_LOCALS;
  CV_LOCALS;
  bool dl;
  mutex_lock(t);
#ifndef TIMED_WAITERS
  do
  :: pred >= TARGET(t) -> break
  :: else -> cv_wait(t, false, nodl)
  od;
#else
  cv_wait(t, true, dl);  /* one wait_for(lock, timeout), no predicate */
  printf("thread %d: wait_for returned: leaves\n", t);
#endif
#ifndef TIMED_WAITERS
  printf("thread %d: predicate holds: leaves\n", t);
#endif
  mutex_unlock(t);
  done++
}

inline notify(t) {
#ifdef NOTIFY_ONE
  cv_notify_one(t)
#else
  cv_notify_all(t)
#endif
}

proctype notifier(byte t) {
  MUTEX_LOCALS;
  CV_LOCALS;
  byte r;
  do
  :: r < NROUNDS ->
       mutex_lock(t);
       pred++;
       printf("thread %d (notifier): pred := %d\n", t, pred);
#ifdef NOTIFY_UNDER_LOCK
       notify(t);
       mutex_unlock(t);
#else
       mutex_unlock(t);
       notify(t);
#endif
       r++
  :: else -> break
  od;
  done++
}

proctype checker() {
  timeout ->
  printf("checker: nothing can move: %d of %d threads done; mutex word %d (%d asleep), cv word %d (%d asleep)\n",
         done, NT, mw, fq[MW].n, cw, fq[CW].n);
  assert(done == NT);     /* NO LOST WAKEUP / NO DEADLOCK */
  assert(fq[MW].n == 0 && fq[CW].n == 0);
  assert(in_cs == 0);
  assert(mw == 0);                  /* the mutex's destructor precondition */
#ifdef BROADCAST_CLEAR
  assert(!(cw & BC_BIT));           /* 48a978c's destructor precondition */
#endif
#ifdef COUNT_EXACT
  /* Not a property any more: a timed-out waiter that raced a notify leaves its count (harmless,
     one futile wake later), so the destructor no longer checks it. -DCOUNT_EXACT shows it. */
  assert(WAITERS_OF(cw) == 0);
#endif
  skip
}

init {
  byte t;
  atomic {
    t = 1;
    do
    :: t <= NWAITERS -> run waiter(t); t++
    :: else -> break
    od;
    run notifier(NOTIFIER);
    run checker()
  }
}
