/*
 * mutex_protocol_7add648.pml -- futon::basic_mutex as it was at commit 7add648 (woken_bit,
 * wake_one), as Promela inlines: the planted bug -DOLD_WAKE_ONE of mutex.pml, and the mutex of
 * condvar_7add648.pml. Not a model by itself. The current protocol is mutex_protocol.pml, whose
 * comment explains the abstractions (the same here) and the lifetime checks (the same ghosts
 * and macros: mload, mcas, mcas_release, released[], mdestroyed, MW_ACCESS, MUTEX_RELEASED).
 *
 * Code followed: include/futon/mutex.hpp at 7add648 (`git show 7add648:include/futon/mutex.hpp`;
 * the protocol is 61fc4d2's), line by line: lock (fast CAS 0 -> locked), lock_contended (with
 * may_be_woken, parked_bit before sleeping, the starvation mode with its yields, its sleep and
 * the handoff, the timed give_up), give_up, unlock (fast CAS locked -> 0), unlock_contended,
 * wake_one (when the wake found nobody: retiring woken_bit, or waking again),
 * wake_one_if_unlocked, and the condition variable's hooks note_requeued_sleepers,
 * pass_wake_on, lock_after_wake.
 *
 * Word bits: locked 1, parked 2, woken 4, starving 8, handoff 16, starving_sleeps 32.
 *
 * Defect 1 of issue 10 is in wake_one: unlock_contended's releasing CAS clears parked_bit and
 * sets woken_bit ("a woken thread is on its way", which keeps later unlocks from waking); when
 * the futex_wake then finds nobody (the sleeper left: it timed out, returned spuriously, or was
 * woken by an earlier unlock and already took the lock), wake_one loads and CASes the word to
 * retire woken_bit or wake again, after the releasing CAS. With -DMUTEX_LIFETIME (mutex.pml)
 * that load fails the assertion. The variants of the woken_bit protocol that earlier models
 * had (RETIRE_ONLY, NO_WOKEN_RETIRE, STARVING_NO_PARKED, UNLOCK_KEEPS_NO_PARKED,
 * STARVING_YIELDS_ONLY) are gone with it (models/README.md tells their story).
 */

#ifndef NT
#define NT 3  /* threads, ids 1..NT */
#endif

/* basic_mutex::word_ bits (7add648) */
#define L_BIT 1   /* locked_bit */
#define P_BIT 2   /* parked_bit */
#define W_BIT 4   /* woken_bit */
#define S_BIT 8   /* starving_bit */
#define H_BIT 16  /* handoff_bit */
#define SS_BIT 32 /* starving_sleeps_bit */
#define S_BITS (S_BIT | SS_BIT)  /* starving_bits */

/* futex words: MW is the mutex word; condvar_7add648.pml adds its own and defines WORD(w) */
#define MW 1
#ifndef NWORDS
#define NWORDS 1
#endif
#ifndef WORD
#define WORD(w) mw
#endif

/* the lifetime rule, asserted at every access of the word (mutex_protocol.pml) */
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

#define MUTEX_LOCALS byte state, next, n; bool ok, wk, mbw, starving, slept, longw, yl, nodl, again; byte got

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

/* Each load, CAS and fetch_or of the word is one step; the thread-local statements between them
   are separate steps that SPIN's partial-order reduction does not interleave. */

/* wake_one(): wake one. While the wake finds nobody: if woken_bit is gone, someone returning
   from a wait took the duty over: done. If the lock is free and parked_bit is set, a thread went
   to sleep while woken_bit kept the unlocks from waking it: clear parked_bit, keep woken_bit,
   wake again. Otherwise retire woken_bit: done.
   THE DEFECT (issue 10, defect 1): the loads and CASes after a wake that found nobody come after
   the unlock's releasing CAS, when the mutex may already have been destroyed. */
inline wake_one(t) {
  do
  :: futex_wake(MW, 1, n);  /* Backend::wake(word_, 1) */
     printf("thread %d: wake_one: futex_wake(mutex, 1) = %d\n", t, n);
     if :: n != 0 -> break :: else -> skip fi;
     again = false;
     mload(t, state);
     do
     :: !(state & W_BIT) -> break  /* retired by a thread returning from a wait */
     :: else ->
          if
          :: !(state & L_BIT) && (state & P_BIT) ->  /* a sleeper behind a free lock */
               next = state & ~P_BIT;
               mcas(t, state, next, ok);
               if
               :: ok -> printf("thread %d: wake_one: word %d, wakes again\n", t, next); again = true; break
               :: else -> skip
               fi
          :: else ->
               next = state & ~W_BIT;
               mcas(t, state, next, ok);
               if :: ok -> printf("thread %d: wake_one: retires woken_bit: word %d\n", t, next); break :: else -> skip fi
          fi
     od;
     if :: again -> again = false :: else -> break fi
  od
}

/* wake_one_if_unlocked(): sleepers may exist, nobody holds the lock, nobody is on its way: wake. */
inline wake_one_if_unlocked(t) {
  mload(t, state);
  do
  :: (state & (L_BIT | W_BIT)) || !(state & P_BIT) -> break
  :: else ->
       next = (state & ~P_BIT) | W_BIT;
       mcas(t, state, next, ok);
       if
       :: ok ->
            printf("thread %d: wake_one_if_unlocked: word %d, wakes one\n", t, next);
            wake_one(t);
            break
       :: else -> skip
       fi
  od
}

/* give_up(gmbw, gstarving): got = 1 if the lock was handed over after all, else 0. */
inline give_up(t, gmbw, gstarving) {
  if
  :: !gmbw && !gstarving -> got = 0
  :: else ->
       got = 2;
       mload(t, state);
       do
       :: gstarving && (state & H_BIT) ->
            next = state & ~(H_BIT | S_BITS);
            mcas(t, state, next, ok);
            if
            :: ok -> printf("thread %d: give_up: the lock was handed over: takes it\n", t); got = 1; break
            :: else -> skip
            fi
       :: else ->
            next = state;
            if :: gstarving -> next = next & ~S_BITS :: else -> skip fi;
            if :: gmbw -> next = (next & ~W_BIT) | P_BIT :: else -> skip fi;
            mcas(t, state, next, ok);
            if :: ok -> printf("thread %d: give_up: word %d\n", t, next); break :: else -> skip fi
       od;
       if
       :: got != 1 -> wake_one_if_unlocked(t); got = 0
       :: else -> skip
       fi
  fi
}

/* lock_contended(limit, after_wake): got = 1 locked, 0 gave up (timed only). `dl`: the deadline
   has passed (sticky; a timed thread's own flag). */
inline lock_contended(t, timed, dl, after_wake) {
  mbw = after_wake;  /* may_be_woken */
  starving = false;
  slept = false;     /* waiting_since != 0 */
  longw = false;     /* now - waiting_since > starvation_ns */
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
            mcas(t, state, next, ok);
            if
            :: ok -> printf("thread %d: takes the lock handed to it: word %d\n", t, next); got = 1
            :: else -> skip
            fi
       :: !(starving && (state & H_BIT)) && !(state & L_BIT) && (starving || !(state & S_BIT)) ->
            next = state | L_BIT;
            if :: starving -> next = next & ~S_BITS :: else -> skip fi;
            /* we may be the woken thread: retire woken_bit, re-mark parked_bit */
            if :: mbw -> next = (next & ~W_BIT) | P_BIT :: else -> skip fi;
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
                           if
                           :: next != state -> mcas(t, state, next, ok)
                           :: else -> ok = true
                           fi;
                           if
                           :: ok ->
                                printf("thread %d: starving, sleeps on the mutex word %d\n", t, next);
                                futex_wait(t, MW, next, timed, dl, ok);
                                if
                                :: ok -> printf("thread %d: starving, back from futex_wait\n", t)
                                :: else ->
                                     printf("thread %d: starving, timed out: give_up(false, true)\n", t);
                                     give_up(t, false, true)
                                fi
                           :: else -> skip
                           fi
                      fi
                 :: else ->
                      /* (spinning left out: it only re-reads the word) */
#ifndef NO_STARVATION
                      /* more than 1 ms since our first sleep? (from some moment on, for good) */
                      if :: slept && !longw -> longw = true :: true -> skip fi;
#endif
                      if
                      :: slept && longw && mbw && !(state & S_BIT) ->
                           /* retiring woken_bit re-marks parked_bit */
                           next = ((state | S_BIT) & ~W_BIT) | P_BIT;
                           mcas(t, state, next, ok);
                           if
                           :: ok ->
                                printf("thread %d: starving: word %d\n", t, next);
                                starving = true;
                                mbw = false
                           :: else -> skip
                           fi
                      :: else ->
                           /* sleep on a word with parked_bit; retire woken_bit if it may be ours */
                           next = state | P_BIT;
                           if :: mbw -> next = next & ~W_BIT :: else -> skip fi;
                           if
                           :: next != state -> mcas(t, state, next, ok)
                           :: else -> ok = true
                           fi;
                           if
                           :: ok ->
                                mbw = false;
                                slept = true;
                                printf("thread %d: sleeps on the mutex word %d\n", t, next);
                                futex_wait(t, MW, next, timed, dl, ok);
                                if
                                :: ok -> mbw = true; printf("thread %d: back from futex_wait on the mutex\n", t)
                                :: else -> got = 0  /* timed out: give_up(false, false) */
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
#define CLEAR_LOCALS state = 0; next = 0; n = 0; ok = false; wk = false; mbw = false; \
  starving = false; slept = false; longw = false; yl = false; again = false

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

/* lock(): fast CAS 0 -> locked, else lock_contended(nullptr, false) */
inline mutex_lock(t) {
  state = 0;
  mcas(t, state, L_BIT, ok);
  if
  :: ok -> printf("thread %d: lock: fast path\n", t)
  :: else -> lock_contended(t, false, nodl, false)  /* untimed: `dl` is never used */
  fi;
  enter_cs(t)
}

/* try_lock_before(limit): got = 1 locked, 0 timed out */
inline mutex_try_lock_before(t, dl) {
  state = 0;
  mcas(t, state, L_BIT, ok);
  if
  :: ok -> printf("thread %d: timed lock: fast path\n", t); got = 1
  :: else -> lock_contended(t, true, dl, false)
  fi;
  if
  :: got == 1 -> enter_cs(t)
  :: else -> printf("thread %d: timed lock gives up\n", t)
  fi
}

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
  :: else ->
       wk = (state & P_BIT) && !(state & W_BIT);
       next = state & ~L_BIT;
       if :: wk -> next = (next & ~P_BIT) | W_BIT :: else -> skip fi;
       mcas_release(t, state, next, ok);
       if
       :: ok ->
            printf("thread %d: unlock_contended: word %d, wake %d\n", t, next, wk);
            if :: wk -> wake_one(t) :: else -> skip fi;
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

/* condition_variable moved sleepers onto the word: fetch_or(parked_bit); if it was unlocked,
   wake_one_if_unlocked() */
inline note_requeued_sleepers(t) {
  d_step { MW_ACCESS(t); state = mw; mw = mw | P_BIT };
  printf("thread %d: note_requeued_sleepers: word %d -> %d\n", t, state, mw);
  if
  :: !(state & L_BIT) -> wake_one_if_unlocked(t)
  :: else -> skip
  fi
}

inline pass_wake_on(t) {
  printf("thread %d: pass_wake_on\n", t);
  give_up(t, true, false)
}

inline lock_after_wake(t) {
  lock_contended(t, false, nodl, true);
  enter_cs(t)
}
