/*
 * mutex_protocol.pml -- futon::basic_mutex's protocol as Promela inlines, shared by mutex.pml
 * and condvar.pml (#include "mutex_protocol.pml"; the futex is futex.pml). Not a model by
 * itself: it has no processes.
 *
 * Code followed: include/futon/mutex.hpp as changed for issue 10's last item (woken_bit back,
 * the wake issued while the unlocker still holds the lock), line by line: lock (fast CAS 0 ->
 * locked), lock_contended (`may_be_woken` retired at a thread's next change of the word with
 * parked_bit re-marked, the starvation mode with its yields, its sleep and the handoff, the
 * timed give_up), give_up, wake_one_if_unlocked, unlock (fast CAS locked -> 0),
 * unlock_contended (wake first, releasing CAS last). acbdd53's protocol (no woken_bit, release
 * then wake) is in git history; the 7add648 one (woken_bit retired after the release) is
 * mutex_protocol_7add648.pml.
 *
 * Word bits: locked 1, parked 2, starving 4, handoff 8, starving_sleeps 16, woken 32.
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
 *   - spinning (spin_limit relax steps while parked_bit is clear): it only re-reads the word,
 *     which a thread that is not scheduled does anyway;
 *   - time: "waited more than 1 ms" (starvation) is a sticky nondeterministic choice, made at
 *     any loop pass after the thread has slept at least once; likewise "starving_yield_limit
 *     yields done"; a deadline (timed lock) passes at any moment, is sticky, and is checked
 *     where the code checks it;
 *   - FUTON_NOTE_LOCKED / FUTON_CHECK_UNLOCK (debug ownership tracking): ghost checks instead.
 *
 * A process using these inlines declares the locals in MUTEX_LOCALS and calls them with its own
 * thread id t (1..NT). The inlines use no labels, so any of them may be expanded several times
 * in one process. Step messages (printf) make `spin -t` replays read as a story.
 *
 * Variants (planted bugs, see mutex.pml):
 *   -DUNLOCK_KEEPS_NO_PARKED  a thread back from a wait retires woken_bit without re-setting
 *                             parked_bit
 *   -DSTARVING_NO_PARKED      becoming starving does not re-mark parked_bit
 *   -DGIVE_UP_NO_PARKED       a timed locker that slept gives up without re-marking parked_bit
 *   -DNO_REWAKE               an unlock whose wake found nobody releases without a second look
 *   -DSLEEP_KEEPS_WOKEN       a thread back from a wait sleeps again without clearing woken_bit
 *   -DNO_STARVATION           leave the starvation mode (and handoff) out of lock_contended
 */

#ifndef NT
#define NT 3  /* threads, ids 1..NT */
#endif

/* basic_mutex::word_ bits */
#define L_BIT 1   /* locked_bit */
#define P_BIT 2   /* parked_bit */
#define S_BIT 4   /* starving_bit */
#define H_BIT 8   /* handoff_bit */
#define SS_BIT 16 /* starving_sleeps_bit */
#define W_BIT 32  /* woken_bit */
#define S_BITS (S_BIT | SS_BIT)  /* starving_bits */

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

/* The word a thread that may be the woken one writes: it ends the wake suppression (clears
   woken_bit) and re-marks parked_bit (the unlock that woke it cleared it; others may sleep). */
#ifndef UNLOCK_KEEPS_NO_PARKED
#define RETIRE_WOKEN(v) v = (v & ~W_BIT) | P_BIT
#else
#define RETIRE_WOKEN(v) v = v & ~W_BIT  /* BUG: parked_bit not re-marked */
#endif

/* wake_one_if_unlocked(): sleepers may exist, nobody holds the lock and no woken thread is on
   its way: clear parked_bit, wake one (nobody else would: there is no holder to unlock). Sets no
   woken_bit. */
inline wake_one_if_unlocked(t) {
  mload(t, state);
  do
  :: (state & (L_BIT | W_BIT)) || !(state & P_BIT) -> break
  :: else ->
       next = state & ~P_BIT;
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

/* take_handoff(state, may_be_woken) */
inline take_handoff(gmbw) {
  next = state & ~(H_BIT | S_BITS);
  if :: gmbw -> RETIRE_WOKEN(next) :: else -> skip fi
}

/* give_up(gmbw, gstarving): a timed lock gives up; got = 1 if the lock was handed over after
   all (late success), else 0. Hands back the wake suppression and parked_bit (if it may be the
   woken thread) and the starving bits. */
inline give_up(t, gmbw, gstarving) {
  if
  :: !gmbw && !gstarving -> got = 0
  :: else ->
       got = 2;
       mload(t, state);
       do
       :: gstarving && (state & H_BIT) ->
            take_handoff(gmbw);
            mcas(t, state, next, ok);
            if
            :: ok -> printf("thread %d: give_up: the lock was handed over: takes it\n", t); got = 1; break
            :: else -> skip
            fi
       :: else ->
            next = state;
            if :: gstarving -> next = next & ~S_BITS :: else -> skip fi;
#ifndef GIVE_UP_NO_PARKED
            if :: gmbw -> RETIRE_WOKEN(next) :: else -> skip fi;
#endif
            mcas(t, state, next, ok);
            if :: ok -> printf("thread %d: give_up: word %d\n", t, next); break :: else -> skip fi
       od;
       if
       :: got != 1 -> wake_one_if_unlocked(t); got = 0
       :: else -> skip
       fi
  fi
}

/* lock_contended(limit): got = 1 locked, 0 gave up (timed only). `dl`: the deadline has passed
   (sticky; a timed thread's own flag). The sleeper's starvation timer (a sleep that ends by
   itself after starvation_ns) is a futex return without a wake: SPURIOUS returns cover it. */
inline lock_contended(t, timed, dl) {
  starving = false;
  slept = false;     /* waiting_since != 0: it has gone to sleep (starvation may be due) */
  mbw = false;       /* may_be_woken: returned from a futex wait, not yet retired */
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
            take_handoff(mbw);
            mcas(t, state, next, ok);
            if
            :: ok -> printf("thread %d: takes the lock handed to it: word %d\n", t, next); got = 1
            :: else -> skip
            fi
       :: !(starving && (state & H_BIT)) && !(state & L_BIT) && (starving || !(state & S_BIT)) ->
            next = state | L_BIT;
            if :: starving -> next = next & ~S_BITS :: else -> skip fi;
            if :: mbw -> RETIRE_WOKEN(next) :: else -> skip fi;
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
                 printf("thread %d: deadline passed: give_up(may_be_woken %d, starving %d)\n", t, mbw, starving);
                 give_up(t, mbw, starving)
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
                           if :: mbw -> RETIRE_WOKEN(next) :: else -> skip fi;
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
#ifndef STARVING_NO_PARKED
                           /* becoming starving re-marks parked_bit, retires a suppression that
                              may be ours */
                           next = state | S_BIT | P_BIT;
                           if :: mbw -> next = next & ~W_BIT :: else -> skip fi;
#else
                           next = state | S_BIT;  /* BUG: loses a wakeup */
                           if :: mbw -> next = next & ~W_BIT :: else -> skip fi;
#endif
                           mcas(t, state, next, ok);
                           if
                           :: ok -> printf("thread %d: starving: word %d\n", t, next); starving = true; mbw = false
                           :: else -> skip
                           fi
                      :: else ->
                           /* sleep on a word that carries parked_bit, ending a suppression that
                              may be ours in the same step */
                           next = state | P_BIT;
#ifndef SLEEP_KEEPS_WOKEN
                           if :: mbw -> next = next & ~W_BIT :: else -> skip fi;
#endif
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

/* unlock_contended(): the wake comes first, while the lock is still held; the releasing CAS is
   the last access of the word. `rw` (retire_woken): we set woken_bit and our wake found nobody. */
#ifndef NO_REWAKE
#define MAY_WAKE(s) ((s & P_BIT) && (!(s & W_BIT) || rw))
#else
#define MAY_WAKE(s) ((s & P_BIT) && !(s & W_BIT))  /* BUG: no second wake after a futile one */
#endif
inline unlock_contended(t) {
  rw = false;
  mload(t, state);
  do
  :: state & S_BIT ->
       /* hand over: locked_bit stays, for the starving waiter */
       next = state | H_BIT;
       if :: rw -> next = next & ~W_BIT :: else -> skip fi;
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
  :: !(state & S_BIT) && MAY_WAKE(state) ->
       /* wake one, still holding the lock */
       next = (state & ~P_BIT) | W_BIT;
       mcas(t, state, next, ok);
       if
       :: ok ->
            printf("thread %d: unlock wakes one, holding the lock: word %d\n", t, next);
            futex_wake(MW, 1, n);
            rw = (n == 0);
            mload(t, state)
       :: else -> skip
       fi
  :: !(state & S_BIT) && !MAY_WAKE(state) ->
       next = state & ~L_BIT;
       if :: rw -> next = next & ~W_BIT :: else -> skip fi;
       mcas_release(t, state, next, ok);
       if
       :: ok -> printf("thread %d: unlock_contended releases: word %d -> %d\n", t, state, next); break
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
