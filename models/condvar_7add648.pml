/*
 * condvar_7add648.pml -- futon::basic_condition_variable as it was at commit 7add648 (one word:
 * broadcast_bit, a waiter count, a sequence; notify_all's broadcast turned into a requeue onto
 * the mutex), with the 7add648 mutex (mutex_protocol_7add648.pml). Kept as the planted bugs of
 * issue 10: under ANY wake order it loses a wakeup (defect 3), and a notifier that destroys the
 * condition variable right after its notify sees the waiters read and write it (defect 6). The
 * current condition variable is condvar.pml, which runs the same scenarios.
 *
 * Code followed (`git show 7add648:include/futon/condition_variable.hpp`, the protocol of
 * 2c0a692):
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
 *   destructor: checks nothing
 *
 * Scenarios (as in condvar.pml): NWAITERS (default 2) waiters and one notifier;
 *   default             waiter i: lock(); while (pred < 1) wait(lock); unlock();
 *                       notifier: lock(); pred = 1; unlock(); notify_all()
 *   -DNOTIFY_UNDER_LOCK notifier: lock(); pred = 1; notify_all(); unlock()
 *   -DNOTIFY_ONE        waiter i: lock(); wait(lock) (once, no predicate); unlock();
 *                       notifier: for r = 1..NWAITERS: once r waiters have registered,
 *                       notify_one()
 *   -DTIMED_WAITERS     as NOTIFY_ONE, each waiter doing one wait_for that may time out
 *   -DONE_NOTIFY        the earlier model's scenario: the notifier does lock(); pred = 1;
 *                       unlock(); and one notify_all (notify_one with -DNOTIFY_ONE); with
 *                       TIMED_WAITERS each waiter does one wait_for
 *   -DDESTROY           the notifier destroys the condition variable right after its last
 *                       notify ([thread.condition.condvar]/5 allows it: every waiter has been
 *                       notified); from then on every access of the word fails
 * futex_wake wakes the OLDEST sleeper (FIFO_WAKE, the order this code relied on) unless
 * -DNONFIFO: then ANY sleeper (futex.pml), as the futex contract says. Spurious futex returns:
 * SPURIOUS (default 1) in a run, for waiter 1 on the condition variable's word only. The
 * mutex's starvation mode only with -DSTARVATION. The mutex's own lifetime rule is not checked
 * here (mutex.pml -DOLD_WAKE_ONE shows that defect).
 *
 * Properties: as condvar.pml: no lost wakeup (every thread finishes), mutual exclusion, no
 * return without a notify issued after the waiter registered (a ghost count of notifies), and,
 * with -DDESTROY, no access of the word after destruction; when idle, both futex queues are
 * empty and the mutex word is 0.
 *
 * RESULTS (issue 10):
 *   - With FIFO wakes the scenarios pass (default, NOTIFY_ONE, and DESTROY-free): that is what
 *     the earlier models checked.
 *   - -DNOTIFY_ONE -DNONFIFO (planted bug, defect 3) loses a wakeup: waiter A registers and
 *     sleeps; notify_one's CAS advances the sequence; waiter C registers (at the new sequence)
 *     and sleeps; the wake goes to C, which sees its own sequence unchanged, takes the return
 *     as spurious and sleeps again; the second notify_one's wake goes to C too: C returns, and
 *     A, notified first, sleeps forever.
 *   - -DDESTROY (planted bug, defect 6): the notifier's notify_all, then destruction; the woken
 *     waiter loads the word (and claims the broadcast, requeues) after it: an access after
 *     destruction.
 *   - The variants below were found and explained by the earlier models (see models/README.md
 *     and this file's history as models/condvar.pml); they are kept, not registered.
 *
 * Left out: as condvar.pml. The count has 2 bits here (up to 3 waiters), 14 in the C++; the
 * sequence is a byte (31 notifies), 17 bits in the C++.
 *
 * Variants:
 *   -DNOTIFY_UNDER_LOCK -DNOTIFY_ONE -DTIMED_WAITERS -DONE_NOTIFY -DDESTROY -DNONFIFO
 *                          scenarios (above)
 *   -DWITHDRAW_ONCE        48a978c: notify_all withdraws broadcast_bit with a single CAS
 *   -DBROADCAST_CLEAR      48a978c's destructor precondition: no broadcast_bit when idle (fails
 *                          with TIMED_WAITERS ONE_NOTIFY WITHDRAW_ONCE)
 *   -DCOUNT_EXACT          61fc4d2's destructor precondition: no waiter counted when idle (fails
 *                          with TIMED_WAITERS ONE_NOTIFY NOTIFY_ONE)
 *   -DNO_NOTE_REQUEUED     the requeuing thread does not call note_requeued_sleepers (passes)
 *   -DNO_NOTE_REQUEUED -DPLAIN_RELOCK   and re-locks with m.lock(): the requeued waiter sleeps
 *                          on the mutex forever
 *   -DWITHDRAW_ALWAYS      notify_all withdraws broadcast_bit even when its wake woke a thread
 *   -DSTARVATION           include the mutex's starvation mode
 *   -DNWAITERS=n -DSPURIOUS=s -DSPURIOUS_WAITER=i -DSPURIOUS_ANY   sizes
 */

#ifndef NWAITERS
#define NWAITERS 2
#endif
#define NOTIFIER (NWAITERS + 1)
#define NT (NWAITERS + 1)
#define NWORDS 2
#define CW 2  /* the condition variable's word */
#define WORD(w) ((w) == MW -> mw : cw)

#if defined(TIMED_WAITERS) && !defined(NOTIFY_ONE) && !defined(ONE_NOTIFY)
#define NOTIFY_ONE
#endif
#if defined(NOTIFY_ONE) && !defined(ONE_NOTIFY)
#define GATED      /* one notify_one per waiter, each after one more registration */
#define NNOTIFY NWAITERS
#else
#define NNOTIFY 1  /* lock; pred = 1; unlock; one notify */
#endif

#ifndef NONFIFO
#define FIFO_WAKE  /* the order 7add648 relied on */
#endif

#ifndef STARVATION
#define NO_STARVATION
#endif

#ifndef SPURIOUS_ANY
#ifndef SPURIOUS_WAITER
#define SPURIOUS_WAITER 1
#endif
#define SPURIOUS_ON(t, w) ((t) == SPURIOUS_WAITER && (w) == CW)
#endif

/* NO ACCESS AFTER DESTRUCTION, for the condition variable's word (the futex wait's and
   requeue's read of it included) */
#define CV_ACCESS(t) assert(!cvdestroyed)
#define FUTEX_ACCESS(t, w) \
  if \
  :: (w) == CW -> CV_ACCESS(t) \
  :: else -> skip \
  fi

#include "mutex_protocol_7add648.pml"

/* basic_condition_variable::word_: broadcast_bit, the number of waiters not yet notified, a
   sequence advanced by every notify. The C++ has 14 bits of count (bits 1-14) and the sequence
   in bits 15-31; here 2 bits of count (up to 3 waiters) and the sequence from bit 3. */
#define BC_BIT      1  /* broadcast_bit */
#define ONE_WAITER  2  /* one_waiter */
#define WAITER_MASK 6  /* waiter_mask */
#define SEQ_STEP    8  /* sequence_step */
#define WAITERS_OF(x) (((x) & WAITER_MASK) / ONE_WAITER)
#define SEQ(x) ((x) & ~(WAITER_MASK | BC_BIT))

byte cw;           /* basic_condition_variable::word_ */
bool cvdestroyed;  /* ghost: the condition variable has been destroyed */
byte pred;         /* the predicate's state, under the mutex */
byte nreg;         /* ghost: registrations so far */
byte notifies;     /* ghost: notifies issued (each changes the sequence) */
byte done;

#define CV_LOCALS byte registered, expected, now, cstate, cnext, cur, reg_notifies; bool tmo

/* compare_exchange on the condition variable's word */
inline ccas(t, expected, desired, success) {
  d_step {
    CV_ACCESS(t);
    if
    :: cw == expected -> cw = desired; success = true
    :: else -> expected = cw; success = false
    fi
  }
}

/* requeue_onto(m, st): claim the broadcast, requeue everyone onto the mutex, tell the mutex */
inline requeue_onto(t, st) {
  cstate = st;
  do
  :: !(cstate & BC_BIT) -> break
  :: else ->
       cnext = cstate & ~BC_BIT;
       ccas(t, cstate, cnext, ok);
       if
       :: ok ->
            printf("thread %d: claims the broadcast: cv word %d\n", t, cnext);
            do
            :: d_step { CV_ACCESS(t); cur = cw };
               futex_requeue(t, CW, cur, MW, ok);
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
  d_step { CV_ACCESS(t); cstate = cw };
  do
  :: SEQ(cstate) != SEQ(registered) -> ok = false; break
  :: else ->
       cnext = cstate - ONE_WAITER;
       ccas(t, cstate, cnext, ok);
       if :: ok -> printf("thread %d: withdraws: cv word %d\n", t, cnext); break :: else -> skip fi
  od;
  cstate = 0;
  cnext = 0
}

/* wait(lock) = wait_before(lock, nullptr), or with `timed` wait_for(lock, timeout) =
   wait_before(lock, &limit), whose futex waits may time out (`dl`: the deadline has passed) */
inline cv_wait(t, timed, dl) {
  d_step {
    CV_ACCESS(t);
    nreg++;
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
     d_step { CV_ACCESS(t); now = cw };  /* load(acquire) */
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
  d_step { CV_ACCESS(t); cstate = cw };
  do
  :: WAITERS_OF(cstate) == 0 -> ok = false; break
  :: else ->
       cnext = cstate - ONE_WAITER + SEQ_STEP;
       d_step {  /* compare_exchange_weak(state, state - one_waiter + sequence_step) */
         CV_ACCESS(t);
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
  d_step { CV_ACCESS(t); cstate = cw };
  do
  :: WAITERS_OF(cstate) == 0 -> ok = false; break
  :: else ->
       cnext = ((cstate & ~WAITER_MASK) + SEQ_STEP) | BC_BIT;
       d_step {  /* compare_exchange_weak(state, next); the ghost counts the notify */
         CV_ACCESS(t);
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
       ccas(t, cstate, cnext & ~BC_BIT, ok);
       printf("thread %d: notify_all: woke %d, withdraws broadcast_bit anyway: %d\n", t, n, ok)
#else
       if
       :: n == 0 ->
#ifdef WITHDRAW_ONCE
            /* 48a978c: compare_exchange_strong(next, next & ~broadcast_bit), once */
            cstate = cnext;
            ccas(t, cstate, cnext & ~BC_BIT, ok);
            printf("thread %d: notify_all: nobody woken: withdraws broadcast_bit: %d\n", t, ok)
#else
            /* withdraw while the sequence is still ours (a count change does not stop it) */
            cstate = cnext;
            do
            :: !(cstate & BC_BIT) || SEQ(cstate) != SEQ(cnext) -> break
            :: else ->
                 ccas(t, cstate, cstate & ~BC_BIT, ok);
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
#if defined(TIMED_WAITERS)
  cv_wait(t, true, dl);  /* one wait_for(lock, timeout), no predicate */
  printf("thread %d: wait_for returned\n", t);
#elif defined(GATED)
  cv_wait(t, false, nodl);  /* one wait(lock), no predicate */
  printf("thread %d: wait returned\n", t);
#else
  do
  :: pred >= 1 -> break
  :: else -> cv_wait(t, false, nodl)
  od;
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

inline destroy(t) {
#ifdef DESTROY
  cvdestroyed = true;
  printf("thread %d: the condition variable is destroyed\n", t)
#else
  skip
#endif
}

proctype notifier(byte t) {
  MUTEX_LOCALS;
  CV_LOCALS;
  byte r;
  do
  :: r < NNOTIFY ->
#ifdef GATED
       nreg > r;  /* r + 1 waiters have registered */
#ifdef NOTIFY_UNDER_LOCK
       mutex_lock(t);
       cv_notify_one(t);
       r++;
       if :: r == NNOTIFY -> destroy(t) :: else -> skip fi;
       mutex_unlock(t)
#else
       cv_notify_one(t);
       r++;
       if :: r == NNOTIFY -> destroy(t) :: else -> skip fi
#endif
#else
       mutex_lock(t);
       pred++;
       printf("thread %d (notifier): pred := %d\n", t, pred);
#ifdef NOTIFY_UNDER_LOCK
       notify(t);
       r++;
       destroy(t);
       mutex_unlock(t)
#else
       mutex_unlock(t);
       notify(t);
       r++;
       destroy(t)
#endif
#endif
  :: else -> break
  od;
  done++
}

proctype checker() {
  timeout ->
  printf("checker: nothing can move: %d of %d threads done; mutex word %d (%d asleep), cv word %d (%d asleep)\n",
         done, NT, mw, nq[MW], cw, nq[CW]);
  assert(done == NT);     /* NO LOST WAKEUP / NO DEADLOCK */
  assert(nq[MW] == 0 && nq[CW] == 0);
  assert(in_cs == 0);
  assert(mw == 0);                  /* the mutex's destructor precondition (7add648) */
#ifdef BROADCAST_CLEAR
  assert(!(cw & BC_BIT));           /* 48a978c's destructor precondition */
#endif
#ifdef COUNT_EXACT
  assert(WAITERS_OF(cw) == 0);      /* 61fc4d2's destructor precondition */
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
