/*
 * condvar.pml -- futon::basic_condition_variable with futon::basic_mutex: wait, wait_for,
 * notify_one, notify_all and the destructor, under ANY wake order, with the lifetime rule (no
 * access to the object after the step that lets another thread destroy it).
 *
 * Code followed (include/futon/condition_variable.hpp as of commit 192bc26, and notify_all
 * setting pass_bit since 2026-12-05; the mutex is mutex_protocol.pml; the 7add648 condition
 * variable is condvar_7add648.pml):
 *
 *   seq_: a sequence, advanced by every notify that finds un-notified waiters.
 *   counts_ (the futex word waiters sleep on): inside (waiters between registering and leaving),
 *     unnotified (those no notify has counted yet), an epoch (advanced by every token step, so
 *     that registrations and leaves alone cannot bring counts_ back to a value a sleeper
 *     expects), pass_bit, destroy_bit. tokens = inside - unnotified: notifications handed out
 *     and not yet taken.
 *   wait(lock) / wait_for: (holding m) registered = counts_.fetch_add(one_inside +
 *     one_unnotified, acquire); base = seq_.load(); m.unlock(); eligible = timed_out = woken =
 *     false; loop:
 *       c = counts_.load(acquire);
 *       eligible |= epoch(c) != epoch(registered) || seq_.load() != base;
 *       (eligible || unnotified(c) == 0) && tokens(c) > 0: CAS c -> c - one_inside (release):
 *         notified, leave
 *       else timed_out: CAS c -> c - one_inside - one_unnotified (release): timed out, leave
 *       else woken && tokens(c) > 0 && !pass_bit: CAS c -> c | pass_bit, then
 *         futex_wake(counts_, all): a wake meant for an eligible waiter may have reached us
 *         (the C++ first goes round the loop again, reading counts_ afresh, a bounded number of
 *         times, relaxing then yielding: a waiter slow to take this branch, which the model's
 *         interleavings already contain, so the model does not spell the looks out)
 *       else futex_wait(counts_, c) (timed: timed_out = it timed out); woken = true
 *       (a failed CAS re-reads both words)
 *     leave: if the leaving CAS found destroy_bit and inside == 1: futex_wake(counts_, all), by
 *     address only; then m.lock(); return notified.
 *   notify_one / notify_all: c = counts_.load(); unnotified(c) == 0: return; seq_.fetch_add(1);
 *     CAS loop: unnotified(c) == 0: return (they left); c -> token_step(c): unnotified - 1
 *     (notify_all: unnotified = 0), epoch + 1, pass_bit cleared (notify_all: set, its wake of
 *     all reaching every sleeper) (release); then futex_wake(counts_, 1) (notify_all: all), by
 *     address only.
 *   destructor: loop: c = counts_.load(acquire); inside(c) == 0: return; precondition
 *     unnotified(c) == 0 (destroying with un-notified waiters is the caller's bug); CAS sets
 *     destroy_bit if clear; futex_wait(counts_, c | destroy_bit).
 *
 * Threads: NWAITERS (default 2, at most 3) waiters and a notifier that destroys the condition
 * variable right after its last notify (the earliest moment [thread.condition.condvar]/5
 * allows: every waiter has been notified). Scenarios:
 *   default           waiter i: lock(); while (pred < 1) wait(lock); unlock();
 *                     notifier: lock(); pred = 1; unlock(); notify_all(); destroy
 *   -DNOTIFY_UNDER_LOCK   notifier: lock(); pred = 1; notify_all(); destroy; unlock()
 *   -DNOTIFY_ONE      waiter i: lock(); wait(lock) (once, no predicate); unlock();
 *                     notifier: for r = 1..NWAITERS: once r waiters have registered (a ghost
 *                     count; a program knows it from a count under the mutex), notify_one();
 *                     then destroy. So a waiter may register after a notify, while that
 *                     notify's wake is still to come (the any-wake-order scenario).
 *   -DTIMED_WAITERS   as NOTIFY_ONE, but each waiter does one wait_for (no predicate) that may
 *                     time out (at any moment while it sleeps)
 *   -DONE_NOTIFY      (with TIMED_WAITERS) waiter i: lock(); if (pred < 1) wait_for(lock,
 *                     timeout); unlock(); the notifier: lock(); pred = 1; unlock();
 *                     notify_all() (notify_one() with -DNOTIFY_ONE, NWAITERS=1), then destroys:
 *                     timed waiters racing a single notify
 *   -DLATE_WAITER     a waiter that begins during a notify (the deterministic scheduler's
 *                     trace against acbdd53): waiter A (1): lock(); while (!a) wait(lock);
 *                     unlock(); waiter C (2): the same for its own flag c; the notifier:
 *                     lock(); a = 1; unlock(); notify_all(); once A has returned (a ghost
 *                     wait, so no later notify can mask a lost wakeup of A): lock(); c = 1;
 *                     unlock(); notify_all(); destroy. C takes the mutex and registers at any
 *                     point relative to the first notify's steps. With -DNOTIFY_ONE both are
 *                     notify_one, and C begins once a is set and registers only after the
 *                     first notify's token step (or after it returned): registered before it,
 *                     C could rightly be the one notified.
 *   -DMIXED_NOTIFY    as NOTIFY_ONE, but waiter 1 waits twice (three registrations), and the
 *                     first of the three notifies is a notify_all (its token step sets
 *                     pass_bit), the next two notify_one (theirs must clear it): waiter 1's
 *                     second wait can begin after a notify_one's token step and be the one its
 *                     wake reaches, while waiter 2 sleeps with the notification.
 * futex_wake(word, 1) wakes ANY sleeper of the word (futex.pml: each choice is a branch of the
 * search). Spurious futex returns: SPURIOUS (default 1) in a run, for waiter 1 on counts_
 * (-DSPURIOUS_ANY: any thread, any word). The mutex's starvation mode is left out unless
 * -DSTARVATION (mutex.pml checks it).
 *
 * Properties checked:
 *   1. NO LOST WAKEUP / NO DEADLOCK: when nothing can move any more (`timeout`), every waiter
 *      and the notifier (with its destructor) have finished and nobody sleeps on a word.
 *   2. NO RETURN WITHOUT A NOTIFY: a wait returns "notified" only if some notify that was not
 *      over when the wait registered (its token step still to come) has begun (advanced seq_)
 *      by then: ghost counts of notifies begun and ended (a single notifier, so they are
 *      ordered). The header allows a notify that was under way when the wait began to release
 *      it, but not one whose token step came before the registration (192bc26). An untimed
 *      wait returns only so.
 *   3. EXACT COUNTS: when idle, inside == unnotified == 0, and the notified returns equal the
 *      notifications handed out (each notify_one's token step hands out one, notify_all's as
 *      many as it counted): no notification lost, none made up, none left to a later wait.
 *   4. NO ACCESS AFTER THE RELEASING STEP: a waiter touches neither word (nor futex-waits on
 *      counts_) between its leaving CAS and its return; a notifier between its token step and
 *      its return (ghost flags per thread, asserted at every access); futex_wake by address is
 *      allowed. The mutex's unlocks are checked the same way (mutex_protocol.pml).
 *   5. NO ACCESS AFTER DESTRUCTION: once the destructor has returned (ghost `cvdestroyed`),
 *      nobody touches the words; the destructor's precondition (no un-notified waiter) holds.
 *   6. MUTUAL EXCLUSION on the mutex (as in mutex.pml), and the idle mutex word has no
 *      locked, starving or handoff bit.
 *
 * Why it matters (issue 10): the futex promises no wake order (Linux wakes real-time threads
 * first); 7add648's condition variable (condvar_7add648.pml) relied on FIFO: a notify_one's
 * wake could reach a waiter that registered after the notify, which treated it as spurious and
 * slept again, and the notified waiter was never woken (defect 3). Its waiters also read the
 * word after they had been notified, which a destroying notifier forbids (defect 6). Here a
 * waiter takes a notification (a token) only if it was waiting when the notify was issued
 * (seq_ moved since its `base`) or if every waiter inside is notified (unnotified == 0); a
 * waiter that a wake reached but that may not take passes the wake on (pass_bit, once per
 * notify, a wake of all); the token step is a change of counts_, the word waiters sleep on, so
 * none sleeps through it; the leaving CAS is a waiter's last access, and the destructor waits
 * for the notified waiters to leave.
 *
 * RESULT: the code as written (192bc26) verifies in every scenario (see models/README.md for
 * state counts); the planted bugs below are rejected. The acbdd53 order (BASE_BEFORE_REGISTER)
 * loses A's wakeup in LATE_WAITER, the deterministic scheduler's trace: A registers and
 * sleeps; the notifier sets a, unlocks; C locks and reads base (old sequence); the notify's
 * sequence step and token step (A's token); C registers, sees seq_ != base, takes A's token,
 * finds c unset and waits again; A finds no token and sleeps forever (property 2 fails first,
 * at C's take; with -DWEAK_NOTIFY_CHECK, property 1).
 *
 * Left out: wait_until's clock conversion (attempt_until), the predicate overloads (the loop
 * above), memory orders (every access is an RMW or load of one word; the one two-word question,
 * reading counts_ then seq_, is ordered in the code by the notify's release token step and the
 * waiter's acquire load of counts_, and in the model by sequential consistency). Widths: seq_ is
 * a byte (the model makes at most 3 notifies); counts_ is a byte: inside bits 0-1, unnotified
 * bits 2-3, epoch bits 4-5, pass_bit 64, destroy_bit 128 (the C++: 12, 12 and 6 bits).
 *
 * Variants:
 *   -DNOTIFY_UNDER_LOCK -DNOTIFY_ONE -DTIMED_WAITERS -DONE_NOTIFY   scenarios (above)
 *   -DSTARVATION              include the mutex's starvation mode
 *   -DFIFO_WAKE               futex_wake wakes the oldest sleeper
 *   -DNWAITERS=n -DSPURIOUS=s -DSPURIOUS_WAITER=i -DSPURIOUS_ANY   sizes
 *   planted bugs (SPIN must reject):
 *   -DNO_PASS        a waiter that a wake reached but that may not take a token does not pass
 *                    the wake on: with any wake order, the notify's wake can be spent on a
 *                    waiter that registered after the notify, and the notified waiter sleeps on
 *   -DSTICKY_PASS    (with MIXED_NOTIFY) notify_one leaves pass_bit as it found it: after the
 *                    notify_all set it, the notify_one's wake spent on a late waiter is not
 *                    passed on
 *   -DNO_ZERO_RULE   eligibility without the `unnotified == 0` clause. With the epoch (192bc26)
 *                    it is harmless here: a waiter counted by a token step sees the epoch move.
 *                    With -DEPOCH_WRAPPED (eligibility by sequence only, as if exactly 64 token
 *                    steps had brought the epoch back) a waiter that registered between a
 *                    notify's sequence step and its token step is counted by it yet never
 *                    eligible; timing out, it leaves "uncounted" with unnotified already 0.
 *   -DBASE_BEFORE_REGISTER   acbdd53's order: base = seq_ before the registering fetch_add,
 *                    eligibility by sequence only (LATE_WAITER: a lost wakeup, above);
 *                    -DWEAK_NOTIFY_CHECK counts property 2 from the base read, as the acbdd53
 *                    model did, so that the lost wakeup itself is what SPIN reports.
 *   Not a bug, noted: -DEPOCH_WRAPPED alone (TIMED_WAITERS SPURIOUS=0) fails property 2, not
 *   property 1: the waiter above times out and leaves uncounted, so a waiter that registered
 *   after the token step takes the token under the `unnotified == 0` rule. In the C++ that
 *   needs the header's wrap case (64 notifies between their two steps at the registration).
 */

#ifndef NWAITERS
#define NWAITERS 2
#endif
#if NWAITERS > 3
#error "condvar.pml: counts_ has 2 bits of inside and of unnotified: at most 3 waiters"
#endif
#define NOTIFIER (NWAITERS + 1)
#define NT (NWAITERS + 1)

#if defined(TIMED_WAITERS) && !defined(NOTIFY_ONE) && !defined(ONE_NOTIFY)
#define NOTIFY_ONE
#endif
#if defined(MIXED_NOTIFY)
#if NWAITERS != 2
#error "condvar.pml: MIXED_NOTIFY has two waiters"
#endif
#define NOTIFY_ONE
#endif
#if defined(LATE_WAITER)
#define NNOTIFY 2         /* a: notify; once waiter A has returned, c: notify */
#elif defined(MIXED_NOTIFY)
#define GATED             /* notify_all, notify_one, notify_one, each after one more registration */
#define NNOTIFY 3
#elif defined(NOTIFY_ONE) && !defined(ONE_NOTIFY)
#define GATED             /* notify_one, once per waiter, each after one more registration */
#define NNOTIFY NWAITERS
#else
#define NNOTIFY 1         /* lock(); pred = 1; unlock(); one notify */
#endif
#if defined(LATE_WAITER) && NWAITERS != 2
#error "condvar.pml: LATE_WAITER has two waiters, A (1) and C (2)"
#endif
#if defined(LATE_WAITER) && defined(NOTIFY_ONE)
#define LATE_GATE
#endif
#ifdef NOTIFY_ONE
#define NOTIFY_ALL false
#else
#define NOTIFY_ALL true
#endif

#ifndef STARVATION
/* The mutex's starvation mode is left out by default (mutex.pml checks it; it multiplies the
   state space here); -DSTARVATION puts it back. */
#define NO_STARVATION
#endif

#ifndef SPURIOUS_ANY
/* Spurious returns only for waiter SPURIOUS_WAITER (default 1) on counts_ (they exercise the
   pass); mutex.pml covers them on the mutex. -DSPURIOUS_ANY: any thread, any word. */
#ifndef SPURIOUS_WAITER
#define SPURIOUS_WAITER 1
#endif
#define SPURIOUS_ON(t, w) ((t) == SPURIOUS_WAITER && (w) == CW)
#endif

/* futex words: the mutex's and counts_ (seq_ is never waited on) */
#define CW 2
#define NWORDS 2
#define WORD(w) ((w) == MW -> mw : counts)

/* NO ACCESS AFTER THE RELEASING STEP / AFTER DESTRUCTION, for the condition variable's words */
#define CV_ACCESS(t) assert(!cv_gone[t] && !cvdestroyed)
#define FUTEX_ACCESS(t, w) \
  if \
  :: (w) == MW -> MW_ACCESS(t) \
  :: else -> CV_ACCESS(t) \
  fi
/* and for the mutex's unlocks (mutex_protocol.pml); the mutex itself is not destroyed here */
#define MUTEX_LIFETIME

#include "mutex_protocol.pml"

/* counts_ */
#define ONE_IN    1    /* one_inside */
#define IN_MASK   3
#define ONE_UN    4    /* one_unnotified */
#define UN_MASK   12
#define ONE_EP    16   /* one_epoch */
#define EP_MASK   48
#define PASS_BIT  64
#define DESTROY_BIT 128
#define INSIDE(c) ((c) & IN_MASK)
#define UNNOTIFIED(c) (((c) & UN_MASK) / ONE_UN)
#define TOKENS(c) (INSIDE(c) - UNNOTIFIED(c))
/* token_step(c, all): waiters counted, epoch advanced, pass_bit set by notify_all (its wake
   reaches every sleeper) and cleared by notify_one */
#ifdef STICKY_PASS
#define CLEARED_BY_ONE 0         /* BUG: notify_one keeps pass_bit as it was */
#else
#define CLEARED_BY_ONE PASS_BIT
#endif
#define TOKEN_STEP(c, all) \
  ((((all) -> ((c) & ~UN_MASK) : ((c) - ONE_UN)) & ~(EP_MASK | CLEARED_BY_ONE)) | (((c) + ONE_EP) & EP_MASK) | ((all) -> PASS_BIT : 0))

byte seq;           /* seq_ */
byte counts;        /* counts_ */
bool cv_gone[NT + 1];  /* ghost: thread t made its leaving step (waiter) or token step (notifier)
                          and has not returned yet */
bool cvdestroyed;   /* ghost: the destructor has returned */

byte pred;          /* the predicate's state, under the mutex */
byte nreg;          /* ghost: registrations so far */
byte nbegun;        /* ghost: notifies that have advanced seq_ (begun) */
byte nended;        /* ghost: notifies that have ended (token step made, or nobody left) */
byte ntok;          /* ghost: token steps made */
byte given;         /* ghost: notifications handed out (token steps' counted waiters) */
byte taken;         /* ghost: notified returns */
byte done;
#ifdef LATE_WAITER
byte predc;         /* LATE_WAITER: waiter C's flag, under the mutex (`pred` is A's) */
bool a_done;        /* ghost: waiter A has returned (the notifier waits for it) */
byte nreturned;     /* ghost: notifies returned */
#endif

#define CV_LOCALS byte base, began, reg, cc, cnext, nwake; bool eligible, tmo, woken; byte result

#define WAITING 0
#define NOTIFIED 1
#define TIMED_OUT 2

/* wait(lock) (timed = false) or wait_for(lock, timeout) (timed = true; `dl`: the deadline has
   passed); result = NOTIFIED or TIMED_OUT; the mutex is held again on return */
inline cv_wait(t, timed, dl) {
#ifdef BASE_BEFORE_REGISTER
  d_step {  /* BUG (acbdd53's order): the sequence before registering */
    CV_ACCESS(t);
    base = seq;          /* seq_.load(relaxed) */
#ifdef WEAK_NOTIFY_CHECK
    began = nended;      /* ghost: property 2 counted from here, as the acbdd53 model did */
#endif
    skip
  };
#endif
#ifdef LATE_GATE
  /* LATE_WAITER with notify_one: C registers only after the first notify's token step (or
     after that notify returned): registered before it, C could rightly be the one notified,
     and A's wakeup would be lost by the program, not by the condition variable */
  if :: t == 2 -> (ntok >= 1 || nreturned >= 1) :: else -> skip fi;
#endif
  d_step {
    CV_ACCESS(t);
    assert(INSIDE(counts) < IN_MASK);  /* at most max_waiters (the C++ precondition) */
    reg = counts;                       /* registered = */
    counts = counts + ONE_IN + ONE_UN;  /* fetch_add(one_inside | one_unnotified, acquire) */
#if !(defined(BASE_BEFORE_REGISTER) && defined(WEAK_NOTIFY_CHECK))
    began = nended;      /* ghost: the notifies over when this wait registered */
#endif
    nreg++
  };
#ifndef BASE_BEFORE_REGISTER
  d_step { CV_ACCESS(t); base = seq };  /* seq_.load(relaxed), after registering */
#endif
  printf("thread %d: registers (epoch %d) at sequence %d: counts %d; unlocks the mutex\n", t, (reg & EP_MASK) / ONE_EP, base, counts);
  mutex_unlock(t);
  eligible = false;
  tmo = false;
  woken = false;
  result = WAITING;
  do
  :: result != WAITING -> break
  :: else ->
       d_step { CV_ACCESS(t); cc = counts };                          /* acquire */
#ifdef BASE_BEFORE_REGISTER
       d_step { CV_ACCESS(t); eligible = eligible || (seq != base) };  /* BUG: sequence only */
#else
       /* a token step after our registration: a new epoch or a new sequence */
#ifdef EPOCH_WRAPPED
       /* as if exactly 64 token steps had brought the epoch back: the sequence alone */
       d_step { CV_ACCESS(t); eligible = eligible || (seq != base) };
#else
       d_step { CV_ACCESS(t); eligible = eligible || ((cc & EP_MASK) != (reg & EP_MASK)) || (seq != base) };
#endif
#endif
       if
#ifndef NO_ZERO_RULE
       :: (eligible || UNNOTIFIED(cc) == 0) && TOKENS(cc) > 0 ->
#else
       :: eligible && TOKENS(cc) > 0 ->  /* BUG: no `unnotified == 0` clause */
#endif
            /* take a token: the leaving step (release) */
            d_step {
              CV_ACCESS(t);
              if
              :: counts == cc ->
                   counts = cc - ONE_IN;
                   cv_gone[t] = true;
                   result = NOTIFIED;
                   taken++;
                   /* NO RETURN WITHOUT A NOTIFY: one that was not over when the wait
                      registered (its token step still to come) has begun since */
                   assert(nbegun > began)
              :: else -> skip
              fi
            };
            if
            :: result == NOTIFIED -> printf("thread %d: takes a notification: counts %d -> %d\n", t, cc, cc - ONE_IN)
            :: else -> skip
            fi
       :: else ->
            if
            :: tmo ->
                 /* timed out, not counted by any notify: leave uncounted (release) */
                 d_step {
                   CV_ACCESS(t);
                   if
                   :: counts == cc ->
                        assert(UNNOTIFIED(cc) > 0 && INSIDE(cc) > 0);
                        counts = cc - ONE_IN - ONE_UN;
                        cv_gone[t] = true;
                        result = TIMED_OUT
                   :: else -> skip
                   fi
                 };
                 if
                 :: result == TIMED_OUT -> printf("thread %d: times out: counts %d -> %d\n", t, cc, cc - ONE_IN - ONE_UN)
                 :: else -> skip
                 fi
#ifndef NO_PASS
            :: !tmo && woken && TOKENS(cc) > 0 && !(cc & PASS_BIT) ->
                 /* a wake meant for an eligible waiter may have reached us: pass it on */
                 cnext = cc | PASS_BIT;
                 d_step {
                   CV_ACCESS(t);
                   if
                   :: counts == cc -> counts = cnext; ok = true
                   :: else -> ok = false
                   fi
                 };
                 if
                 :: ok ->
                      printf("thread %d: may not take: passes the wake on: counts %d\n", t, cnext);
                      futex_wake(CW, NT, n)
                 :: else -> skip
                 fi
            :: else ->
#else
            :: else ->  /* BUG: no pass */
#endif
                 printf("thread %d: futex_wait(counts, %d)\n", t, cc);
                 futex_wait(t, CW, cc, timed, dl, ok);
                 if :: timed && !ok -> tmo = true :: else -> skip fi;
                 woken = true
            fi
       fi
  od;
  /* After the leaving step, by address only: wake the destructor if it waits for us. */
  if
  :: (cc & DESTROY_BIT) && INSIDE(cc) == 1 ->
       printf("thread %d: the last to leave: wakes the destructor\n", t);
       futex_wake(CW, NT, n)
  :: else -> skip
  fi;
  atomic {
    cv_gone[t] = false;
    base = 0; began = 0; reg = 0; cc = 0; cnext = 0; eligible = false; tmo = false; woken = false
  };
  mutex_lock(t)
}

/* notify_one (all = false) / notify_all (all = true) */
inline cv_notify(t, all) {
  d_step { CV_ACCESS(t); cc = counts };  /* relaxed */
  if
  :: UNNOTIFIED(cc) == 0 -> printf("thread %d: notify: nobody un-notified: nothing to do\n", t)
  :: else ->
       d_step { CV_ACCESS(t); seq++; nbegun++ };  /* seq_.fetch_add(1) */
       printf("thread %d: notify: sequence %d\n", t, seq);
       do
       :: UNNOTIFIED(cc) == 0 ->
            printf("thread %d: notify: they left meanwhile\n", t);
            nended++;
            break
       :: else ->
            cnext = TOKEN_STEP(cc, all);
            d_step {  /* the token step (release): the notify's last access */
              CV_ACCESS(t);
              if
              :: counts == cc ->
                   counts = cnext;
                   ok = true;
                   cv_gone[t] = true;
                   nended++;
                   ntok++;
                   given = given + (all -> UNNOTIFIED(cc) : 1)
              :: else -> cc = counts; ok = false
              fi
            };
            if
            :: ok ->
                 printf("thread %d: notify: token step: counts %d -> %d\n", t, cc, cnext);
                 nwake = (all -> NT : 1);
                 futex_wake(CW, nwake, n);  /* by address */
                 break
            :: else -> skip
            fi
       od
  fi;
  atomic {
    cv_gone[t] = false; cc = 0; cnext = 0; n = 0; nwake = 0;
#ifdef LATE_WAITER
    nreturned++
#endif
  }
}

/* ~basic_condition_variable(), then the object is gone */
inline cv_destroy(t) {
  d_step { CV_ACCESS(t); cc = counts };  /* acquire */
  do
  :: INSIDE(cc) == 0 -> break
  :: else ->
       assert(UNNOTIFIED(cc) == 0);  /* the caller's precondition: every waiter is notified */
       cnext = cc | DESTROY_BIT;
       if
       :: cnext == cc -> ok = true
       :: else ->
            d_step {
              CV_ACCESS(t);
              if
              :: counts == cc -> counts = cnext; ok = true
              :: else -> cc = counts; ok = false
              fi
            }
       fi;
       if
       :: ok ->
            printf("thread %d: destructor: %d notified waiters inside: sleeps on counts %d\n", t, INSIDE(cc), cnext);
            futex_wait(t, CW, cnext, false, nodl, ok);
            d_step { CV_ACCESS(t); cc = counts }
       :: else -> skip
       fi
  od;
  atomic {
    cvdestroyed = true;
    printf("thread %d: the condition variable is destroyed: counts %d\n", t, counts);
    cc = 0;
    cnext = 0
  }
}

proctype waiter(byte t) {
  MUTEX_LOCALS;
  CV_LOCALS;
  bool dl;
#ifdef LATE_WAITER
  if
  :: t == 1 ->  /* A: lock(); while (!a) wait(lock); unlock(); */
       mutex_lock(t);
       do
       :: pred >= 1 -> break
       :: else -> cv_wait(t, false, nodl)
       od;
       printf("thread %d (A): a holds: leaves\n", t);
       mutex_unlock(t);
       a_done = true
  :: else ->    /* C: lock(); while (!c) wait(lock); unlock(); */
#ifdef LATE_GATE
       pred >= 1;  /* notify_one: C begins once a is set (see cv_wait's gate) */
#endif
       mutex_lock(t);
       do
       :: predc >= 1 -> break
       :: else -> cv_wait(t, false, nodl)
       od;
       printf("thread %d (C): c holds: leaves\n", t);
       mutex_unlock(t)
  fi;
  done++
#else
  mutex_lock(t);
#if defined(TIMED_WAITERS) && defined(ONE_NOTIFY)
  if
  :: pred < 1 ->  /* one wait_for(lock, timeout) unless the notifier has been */
       cv_wait(t, true, dl);
       printf("thread %d: wait_for returned %d (1: notified, 2: timed out)\n", t, result)
  :: else -> skip
  fi;
#elif defined(TIMED_WAITERS)
  cv_wait(t, true, dl);  /* one wait_for(lock, timeout), no predicate */
  printf("thread %d: wait_for returned %d (1: notified, 2: timed out)\n", t, result);
#elif defined(GATED)
  cv_wait(t, false, nodl);  /* one wait(lock), no predicate */
  printf("thread %d: wait returned\n", t);
#ifdef MIXED_NOTIFY
  if
  :: t == 1 ->
       cv_wait(t, false, nodl);  /* and a second one */
       printf("thread %d: second wait returned\n", t)
  :: else -> skip
  fi;
#endif
#else
  do
  :: pred >= 1 -> break
  :: else -> cv_wait(t, false, nodl)
  od;
  printf("thread %d: predicate holds: leaves\n", t);
#endif
  mutex_unlock(t);
  done++
#endif
}

proctype notifier(byte t) {
  MUTEX_LOCALS;
  CV_LOCALS;
  byte r;
#ifdef LATE_WAITER
  /* a = 1 under the mutex, notify outside it (C may begin its wait at any point of it); once A
     has returned, c = 1, notify again (no second notify can mask a lost wakeup of A), destroy */
  mutex_lock(t);
  pred = 1;
  printf("thread %d (notifier): a := 1\n", t);
  mutex_unlock(t);
  cv_notify(t, NOTIFY_ALL);
  a_done;
  mutex_lock(t);
  predc = 1;
  printf("thread %d (notifier): A has returned; c := 1\n", t);
  mutex_unlock(t);
  cv_notify(t, NOTIFY_ALL);
  cv_destroy(t);
#else
  do
  :: r < NNOTIFY ->
#ifdef GATED
       nreg > r;  /* r + 1 waiters have registered */
#ifdef NOTIFY_UNDER_LOCK
       mutex_lock(t);
       cv_notify(t, false);
       r++;
       if :: r == NNOTIFY -> cv_destroy(t) :: else -> skip fi;
       mutex_unlock(t)
#elif defined(MIXED_NOTIFY)
       cv_notify(t, (r == 0));  /* notify_all, then notify_one */
       r++;
       if :: r == NNOTIFY -> cv_destroy(t) :: else -> skip fi
#else
       cv_notify(t, false);
       r++;
       if :: r == NNOTIFY -> cv_destroy(t) :: else -> skip fi
#endif
#else
       mutex_lock(t);
       pred++;
       printf("thread %d (notifier): pred := %d\n", t, pred);
#ifdef NOTIFY_UNDER_LOCK
       cv_notify(t, NOTIFY_ALL);
       r++;
       cv_destroy(t);
       mutex_unlock(t)
#else
       mutex_unlock(t);
       cv_notify(t, NOTIFY_ALL);
       r++;
       cv_destroy(t)
#endif
#endif
  :: else -> break
  od;
#endif
  done++
}

proctype checker() {
  timeout ->
  printf("checker: nothing can move: %d of %d threads done; mutex word %d (%d asleep), counts %d (%d asleep); %d notifications given, %d taken\n",
         done, NT, mw, nq[MW], counts, nq[CW], given, taken);
  assert(done == NT);                         /* NO LOST WAKEUP / NO DEADLOCK */
  assert(nq[MW] == 0 && nq[CW] == 0);
  assert(cvdestroyed);
  assert(INSIDE(counts) == 0 && UNNOTIFIED(counts) == 0);  /* EXACT COUNTS */
  assert(given == taken);
  assert(in_cs == 0);
  assert(mw == 0)                             /* the idle mutex: nobody counted, no bit */
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
