/*
 * mutex_protocol.pml -- futon::basic_mutex's protocol as Promela inlines, shared by mutex.pml
 * and condvar.pml (#include "mutex_protocol.pml"; the futex is futex.pml). Not a model by
 * itself: it has no processes.
 *
 * Code followed: include/futon/mutex.hpp with the sleepers count (issue 10's last item: the
 * wake after the releasing CAS again, by address, now that an unlock knows exactly whether
 * anyone sleeps), line by line: lock (fast CAS 0 -> locked), lock_contended (registration at
 * the first sleep, woken_bit cleared by every sleeping and leaving CAS and by a thread back from
 * a wait, the starvation mode with its yields, its sleep and the handoff, the timed give_up),
 * give_up, wake_one_if_unlocked, unlock (fast CAS locked -> 0), unlock_contended (releasing CAS
 * that sets woken_bit when it will wake, then the wake by address). The version before it
 * (parked_bit, the wake issued while the lock was still held) is in git history (1d2627b)
 * parent); the 7add648 one (woken_bit retired after the release) is mutex_protocol_7add648.pml.
 *
 * Word: locked 1, woken 2, starving 4, handoff 8, starving_sleeps 16, sleepers 32 each (the
 * C++ keeps them in bits 8..31; a byte holds up to 7 here, and NT <= 5).
 *
 * Each load and CAS of the word is one step (mload, mcas, mcas_release below); a failed
 * compare_exchange stores the current value into `expected` as in C++. Memory orders are not
 * modelled: every access is an RMW or a load of the one word, and no fence is involved, so
 * sequential consistency on the word is what C++ gives (the acquire/release orders publish the
 * critical sections, which are ghost counters here). Spurious compare_exchange_weak failures
 * are not modelled: the failing path retries from a fresh read, which the interleavings cover.
 *
 * THE LIFETIME RULE (issue 10), with -DMUTEX_LIFETIME (mutex.pml): every access of the word
 * (load, CAS, and the futex wait's read of it) asserts
 *   !released[t]   thread t is not between its unlock's releasing CAS (the one that clears
 *                  locked_bit, or sets handoff_bit for a starving waiter) and the return of that
 *                  unlock: once the releasing CAS has landed, another thread may lock, unlock
 *                  and destroy the mutex, so the unlocker may touch it only by address (its
 *                  futex_wake), never read or write the word;
 *   !mdestroyed    the mutex has not been destroyed (mutex.pml destroys it at the earliest
 *                  moment: when every thread has made the releasing step of its last unlock).
 * The hook MUTEX_RELEASED(t) runs in the step of every releasing CAS (mutex.pml counts the
 * final ones there and destroys the mutex).
 *
 * Left out or abstracted:
 *   - spinning (spin_limit relax steps while nobody else sleeps, or after a wake): it only
 *     re-reads the word, which a thread that is not scheduled does anyway;
 *   - time: "waited more than 1 ms" (starvation) is a sticky nondeterministic choice, made at
 *     any loop pass after the thread has slept at least once; likewise "starving_yield_limit
 *     yields done"; a deadline (timed lock) passes at any moment, is sticky, and is checked
 *     where the code checks it; a sleeper's self-check timer is a return without a wake, as a
 *     spurious one (SPURIOUS);
 *   - FUTON_NOTE_LOCKED / FUTON_CHECK_UNLOCK (debug ownership tracking): ghost checks instead.
 *
 * A process using these inlines declares the locals in MUTEX_LOCALS and calls them with its own
 * thread id t (1..NT). The inlines use no labels, so any of them may be expanded several times
 * in one process. Step messages (printf) make `spin -t` replays read as a story.
 *
 * Variants (planted bugs, see mutex.pml):
 *   -DSLEEP_KEEPS_WOKEN   a thread that registers or sleeps again keeps woken_bit unless it may
 *                         be the woken one (breaks I2: the ABA lost wakeup)
 *   -DGIVE_UP_NO_WAKE     a timed locker gives up without waking a sleeper behind a free lock
 *   -DNO_STARVATION       leave the starvation mode (and handoff) out of lock_contended
 */

#ifndef NT
#define NT 3  /* threads, ids 1..NT */
#endif

/* basic_mutex::word_ fields */
#define L_BIT 1   /* locked_bit */
#define W_BIT 2   /* woken_bit */
#define S_BIT 4   /* starving_bit */
#define H_BIT 8   /* handoff_bit */
#define SS_BIT 16 /* starving_sleeps_bit */
#define S_BITS (S_BIT | SS_BIT)  /* starving_bits */
#define ONE_SL 32 /* one_sleeper */
#define SLEEPERS(s) ((s) / ONE_SL)
#if NT > 7
#error "mutex_protocol.pml: the sleepers count holds up to 7 threads"
#endif

/* futex words: MW is the mutex word; condvar.pml adds its own and defines WORD(w) */
#define MW 1
#ifndef NWORDS
#define NWORDS 1
#endif
#ifndef WORD
#define WORD(w) mw
#endif

/* THE LIFETIME RULE, asserted at every access of the word (see above) */
#ifdef MUTEX_LIFETIME
#define MW_ACCESS(t) assert(!released[t] && !mdestroyed)
#else
#define MW_ACCESS(t) skip
#endif
#ifndef MUTEX_RELEASED
#define MUTEX_RELEASED(t) skip
#endif
#ifndef FUTEX_ACCESS
#define FUTEX_ACCESS(t, w) MW_ACCESS(t)
#endif

#include "futex.pml"

byte mw;                 /* basic_mutex::word_ */
bool released[NT + 1];   /* ghost: thread t's unlock has released and not yet returned */
bool mdestroyed;         /* ghost: the mutex has been destroyed (mutex.pml) */
byte in_cs;              /* ghost: threads holding the mutex (mutual exclusion: at most 1) */

#define MUTEX_LOCALS byte state, next, n; bool ok, starving, slept, mbw, rw, longw, yl, nodl; byte got

/* word_.load() */
inline mload(t, var) {
  d_step { MW_ACCESS(t); var = mw }
}

/* word_.compare_exchange(expected, desired): one atomic step; on failure `expected` := word */
inline mcas(t, expected, desired, success) {
  d_step {
    MW_ACCESS(t);
    if
    :: mw == expected -> mw = desired; success = true
    :: else -> expected = mw; success = false
    fi
  }
}

/* an unlock's releasing compare_exchange: from its success on, the thread is `released` */
inline mcas_release(t, expected, desired, success) {
  d_step {
    MW_ACCESS(t);
    if
    :: mw == expected -> mw = desired; success = true; released[t] = true; MUTEX_RELEASED(t)
    :: else -> expected = mw; success = false
    fi
  }
}

/* ---- basic_mutex ------------------------------------------------------------------------- */

/* leave(v, registered): a registered thread's leaving CAS counts one sleeper fewer and clears
   woken_bit (I2, I4). */
#define LEAVE(v, reg) if :: reg -> v = (v - ONE_SL) & ~W_BIT :: else -> skip fi

/* The value a thread sleeps on never carries woken_bit (I2). */
#ifndef SLEEP_KEEPS_WOKEN
#define SLEEP_CLEARS_WOKEN(v) v = v & ~W_BIT
#else
#define SLEEP_CLEARS_WOKEN(v) if :: mbw -> v = v & ~W_BIT :: else -> skip fi  /* BUG */
#endif

/* wake_one_if_unlocked(): others sleep, nobody holds the lock, no woken thread is on its way
   and nobody starves: set woken_bit, wake one (nobody else would: there is no holder). */
inline wake_one_if_unlocked(t) {
  mload(t, state);
  do
  :: (state & (L_BIT | W_BIT | S_BIT)) || SLEEPERS(state) == 0 -> break
  :: else ->
       next = state | W_BIT;
       mcas(t, state, next, ok);
       if
       :: ok ->
            printf("thread %d: wake_one_if_unlocked: word %d, wakes one\n", t, next);
            futex_wake(MW, 1, n);
            break
       :: else -> skip
       fi
  od
}

/* give_up(greg, gstarving): a timed lock gives up; got = 1 if the lock was handed over after
   all (late success), else 0. Leaves (one sleeper fewer, woken_bit cleared), hands back the
   starving bits, then wakes a sleeper behind a free lock. */
inline give_up(t, greg, gstarving) {
  if
  :: !greg -> got = 0
  :: else ->
       got = 2;
       mload(t, state);
       do
       :: gstarving && (state & H_BIT) ->
            next = state & ~(H_BIT | S_BITS);
            LEAVE(next, true);
            mcas(t, state, next, ok);
            if
            :: ok -> printf("thread %d: give_up: the lock was handed over: takes it\n", t); got = 1; break
            :: else -> skip
            fi
       :: else ->
            next = state;
            if :: gstarving -> next = next & ~S_BITS :: else -> skip fi;
            LEAVE(next, true);
            mcas(t, state, next, ok);
            if :: ok -> printf("thread %d: give_up: word %d\n", t, next); break :: else -> skip fi
       od;
       if
       :: got != 1 ->
#ifndef GIVE_UP_NO_WAKE
            wake_one_if_unlocked(t);
#endif
            got = 0
       :: else -> skip
       fi
  fi
}

/* lock_contended(limit): got = 1 locked, 0 gave up (timed only). `dl`: the deadline has passed
   (sticky; a timed thread's own flag). `slept` is the C++ `registered` (counted in sleepers; a
   thread registers at its first sleep, and starvation can be due only after it). */
inline lock_contended(t, timed, dl) {
  starving = false;
  slept = false;
  mbw = false;       /* may_be_woken: returned from a futex wait, not yet changed the word */
  longw = false;     /* now - waiting_since >= starvation_ns */
  yl = false;        /* starving_yields == starving_yield_limit */
  got = 2;
  do
  :: got != 2 -> break
  :: else ->
       mload(t, state);  /* word_.load(relaxed) */
       if
       :: starving && (state & H_BIT) ->
            /* the unlocker left locked_bit set for us */
            next = state & ~(H_BIT | S_BITS);
            LEAVE(next, true);
            mcas(t, state, next, ok);
            if
            :: ok -> printf("thread %d: takes the lock handed to it: word %d\n", t, next); got = 1
            :: else -> skip
            fi
       :: !(starving && (state & H_BIT)) && !(state & L_BIT) && (starving || !(state & S_BIT)) ->
            next = state | L_BIT;
            LEAVE(next, slept);
            if :: starving -> next = next & ~S_BITS :: else -> skip fi;
            mcas(t, state, next, ok);
            if
            :: ok -> printf("thread %d: lock_contended takes the lock: word %d\n", t, next); got = 1
            :: else -> skip
            fi
       :: else ->
            /* limit->has_passed(): the deadline passes at any moment, then stays passed */
            if :: timed && !dl -> dl = true :: true -> skip fi;
            if
            :: timed && dl ->
                 printf("thread %d: deadline passed: give_up(registered %d, starving %d)\n", t, slept, starving);
                 give_up(t, slept, starving)
            :: else ->
                 if
                 :: starving ->
                      /* yield (starving_yield_limit times: from some pass on, for good), then
                         sleep with starving_sleeps_bit until the handoff's wake-all */
                      if
                      :: !yl -> skip  /* yield */
                      :: true ->
                           yl = true;
                           next = state | SS_BIT;
                           SLEEP_CLEARS_WOKEN(next);
                           if
                           :: next != state -> mcas(t, state, next, ok)
                           :: else -> ok = true
                           fi;
                           if
                           :: ok ->
                                printf("thread %d: starving, sleeps on the mutex word %d\n", t, next);
                                futex_wait(t, MW, next, timed, dl, ok);
                                mbw = true;
                                if
                                :: ok -> printf("thread %d: starving, back from futex_wait\n", t)
                                :: else ->
                                     printf("thread %d: starving, timed out: give_up(true, true)\n", t);
                                     give_up(t, true, true)
                                fi
                           :: else -> skip
                           fi
                      fi
                 :: else ->
                      /* (spinning left out: it only re-reads the word) */
#ifndef NO_STARVATION
                      /* starvation_ns since our first sleep? (from some moment on, for good) */
                      if :: slept && !longw -> longw = true :: true -> skip fi;
#endif
                      if
                      :: slept && longw && !(state & S_BIT) ->
                           /* starvation mode: still registered; ends a suppression that may be
                              ours */
                           next = state | S_BIT;
                           if :: mbw -> next = next & ~W_BIT :: else -> skip fi;
                           mcas(t, state, next, ok);
                           if
                           :: ok -> printf("thread %d: starving: word %d\n", t, next); starving = true; mbw = false
                           :: else -> skip
                           fi
                      :: else ->
                           /* sleep: register at the first sleep, clear woken_bit (I2) */
                           next = state;
                           SLEEP_CLEARS_WOKEN(next);
                           if :: !slept -> next = next + ONE_SL :: else -> skip fi;
                           if
                           :: next != state -> mcas(t, state, next, ok)
                           :: else -> ok = true
                           fi;
                           if
                           :: ok ->
                                printf("thread %d: sleeps on the mutex word %d\n", t, next);
                                slept = true;
                                futex_wait(t, MW, next, timed, dl, ok);
                                mbw = true;
                                if
                                :: ok -> printf("thread %d: back from futex_wait on the mutex\n", t)
                                :: else ->
                                     printf("thread %d: timed out: give_up(true, false)\n", t);
                                     give_up(t, true, false)
                                fi
                           :: else -> skip
                           fi
                      fi
                 fi
            fi
       fi
  od
}

/* Dead locals back to 0 (not part of the protocol: it lets SPIN merge states that differ only in
   values no one will read again). */
#define CLEAR_LOCALS state = 0; next = 0; n = 0; ok = false; starving = false; slept = false; \
  mbw = false; rw = false; longw = false; yl = false

/* Ghost: entering and leaving the critical section. */
inline enter_cs(t) {
  d_step {
    CLEAR_LOCALS;
    in_cs++;
    assert(in_cs == 1);   /* MUTUAL EXCLUSION */
    assert(mw & L_BIT)    /* the holder's lock is marked */
  }
}
inline leave_cs(t) {
  d_step { assert(in_cs == 1 && (mw & L_BIT)); in_cs-- }
}

/* lock(): fast CAS 0 -> locked, else lock_contended(nullptr) */
inline mutex_lock(t) {
  state = 0;
  mcas(t, state, L_BIT, ok);
  if
  :: ok -> printf("thread %d: lock: fast path\n", t)
  :: else -> lock_contended(t, false, nodl)  /* untimed: `dl` is never used */
  fi;
  enter_cs(t)
}

/* try_lock_before(limit): got = 1 locked, 0 timed out */
inline mutex_try_lock_before(t, dl) {
  state = 0;
  mcas(t, state, L_BIT, ok);
  if
  :: ok -> printf("thread %d: timed lock: fast path\n", t); got = 1
  :: else -> lock_contended(t, true, dl)
  fi;
  if
  :: got == 1 -> enter_cs(t)
  :: else -> printf("thread %d: timed lock gives up\n", t)
  fi
}

/* unlock_contended(): the releasing CAS (which sets woken_bit if it will wake: sleepers and no
   woken thread on its way) is the last access of the word; the wake after it is by address.
   `rw`: this unlock wakes. */
inline unlock_contended(t) {
  mload(t, state);
  do
  :: state & S_BIT ->
       /* hand over: locked_bit stays, for the starving waiter */
       next = state | H_BIT;
       mcas_release(t, state, next, ok);
       if
       :: ok ->
            printf("thread %d: unlock hands the lock over: word %d\n", t, next);
            if
            :: state & SS_BIT -> futex_wake(MW, NT, n)  /* the starving one sleeps: wake all */
            :: else -> skip
            fi;
            break
       :: else -> skip
       fi
  :: !(state & S_BIT) ->
       rw = (SLEEPERS(state) != 0 && !(state & W_BIT));
       next = state & ~L_BIT;
       if :: rw -> next = next | W_BIT :: else -> skip fi;
       mcas_release(t, state, next, ok);
       if
       :: ok ->
            printf("thread %d: unlock_contended releases: word %d -> %d, wakes %d\n", t, state, next, rw);
            if :: rw -> futex_wake(MW, 1, n) :: else -> skip fi;
            break
       :: else -> skip
       fi
  od
}

/* unlock(): fast CAS locked -> 0, else unlock_contended() */
inline mutex_unlock(t) {
  leave_cs(t);
  state = L_BIT;
  mcas_release(t, state, 0, ok);
  if
  :: ok -> printf("thread %d: unlock: fast path\n", t)
  :: else -> unlock_contended(t)
  fi;
  atomic { released[t] = false; CLEAR_LOCALS }  /* unlock returns */
}
