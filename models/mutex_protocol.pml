/*
 * mutex_protocol.pml -- the futex (as the kernel implements it) and futon::basic_mutex's protocol,
 * as Promela inlines, shared by mutex.pml and condvar.pml (#include "mutex_protocol.pml").
 * Not a model by itself: it has no processes.
 *
 * Code followed: include/futon/mutex.hpp, line by line: lock (fast CAS 0 -> locked),
 * lock_contended (with may_be_woken, parked_bit before sleeping, the starvation mode with its
 * yields, its sleep and the handoff, the timed give_up), give_up, unlock (fast CAS
 * locked -> 0), unlock_contended, wake_one (when the wake found nobody: retiring woken_bit,
 * or waking again), wake_one_if_unlocked, note_requeued_sleepers, pass_wake_on, lock_after_wake.
 *
 * The futex, as the kernel does it: one FIFO queue of thread ids per word.
 *   futex_wait(w, expected): atomically, if the word still equals `expected`, join w's queue
 *     (else return at once); then return once dequeued by a wake, or spuriously (a global budget
 *     of SPURIOUS returns, default 1, shared by all threads), or, for a timed wait, at any
 *     moment while still queued (the deadline passes: returns false). A wait that a wake counted
 *     returns true even if the deadline passed meanwhile (the futon contract).
 *   futex_wake(w, n): dequeues up to n from the front; returns how many.
 *   futex_requeue(from, expected, to, 0, all): atomically compares `from` with `expected`; if
 *     equal moves every waiter of `from`, in order, to the back of `to`'s queue.
 *
 * Each C++ atomic RMW (CAS, fetch_or) is one atomic step; a failed compare_exchange stores the
 * current value into `expected` as in C++. Loads are separate steps. Memory orders are not
 * modelled: every access to the mutex and condition-variable words is an RMW or a load of that
 * one word, and no fence is involved, so sequential consistency on each word is what C++ gives
 * (the acquire/release orders publish the critical sections, which are ghost counters here).
 * Spurious compare_exchange_weak failures are not modelled: the failing path retries from a
 * fresh read, which the interleavings already cover.
 *
 * Left out or abstracted:
 *   - spinning (spin_limit relax steps while parked_bit is clear): it only re-reads the word,
 *     which a thread that is not scheduled does anyway;
 *   - time: "waited more than 1 ms" (starvation) is a sticky nondeterministic choice, made at
 *     any loop pass after the thread has slept at least once (waiting_since != 0); likewise
 *     "starving_yield_limit yields done"; a deadline (timed lock) passes at any moment, is
 *     sticky, and is checked where the code checks it;
 *   - FUTON_NOTE_LOCKED / FUTON_CHECK_UNLOCK (debug ownership tracking): replaced by ghost checks.
 *
 * A process using these inlines declares the locals in MUTEX_LOCALS and calls them with its own
 * thread id t (1..NT). The inlines use no labels, so any of them may be expanded several times
 * in one process. Step messages (printf) make `spin -t` replays read as a story.
 *
 * The code followed is mutex.hpp as of commit 61fc4d2. Earlier versions, as variants:
 * 48a978c's wake_one only retired woken_bit when its wake found nobody (-DRETIRE_ONLY: loses a
 * wakeup, see mutex.pml); d7371ef's starvation mode did not re-mark parked_bit
 * (-DSTARVING_NO_PARKED: loses a wakeup) and a starving waiter only yielded
 * (-DSTARVING_YIELDS_ONLY).
 *
 * Variants (see mutex.pml):
 *   -DRETIRE_ONLY             48a978c's wake_one (planted bug now)
 *   -DSTARVING_NO_PARKED      d7371ef: becoming starving does not re-mark parked_bit (planted
 *                             bug now)
 *   -DSTARVING_YIELDS_ONLY    d7371ef: a starving waiter only yields, never sleeps
 *   -DNO_STARVATION           leave the starvation mode (and handoff) out of lock_contended
 *   -DUNLOCK_KEEPS_NO_PARKED  planted bug: the woken thread takes the lock without re-setting
 *                             parked_bit
 *   -DNO_WOKEN_RETIRE         planted bug: wake_one does not retire woken_bit when its wake
 *                             found nobody
 */

#ifndef NT
#define NT 3  /* threads, ids 1..NT */
#endif
#ifndef SPURIOUS
#define SPURIOUS 1  /* spurious futex returns allowed in a whole run */
#endif
#ifndef SPURIOUS_ON  /* whose waits, on which words, may return spuriously */
#ifdef SPURIOUS_THREAD
#define SPURIOUS_ON(t, w) ((t) == SPURIOUS_THREAD)
#else
#define SPURIOUS_ON(t, w) true
#endif
#endif


/* basic_mutex::word_ bits */
#define L_BIT 1   /* locked_bit */
#define P_BIT 2   /* parked_bit */
#define W_BIT 4   /* woken_bit */
#define S_BIT 8   /* starving_bit */
#define H_BIT 16  /* handoff_bit */
#define SS_BIT 32 /* starving_sleeps_bit */
#define S_BITS (S_BIT | SS_BIT)  /* starving_bits */

/* futex words: index into the queues */
#define MW 1  /* the mutex word */
#define CW 2  /* the condition variable's word (condvar.pml) */
#ifndef NWORDS
#define NWORDS 1
#endif

byte mw;  /* basic_mutex::word_ */
#if NWORDS > 1
byte cw;  /* basic_condition_variable::word_ */
#define WORD(w) ((w) == MW -> mw : cw)
#else
#define WORD(w) mw
#endif

/* The kernel's futex queues: fq[w].id[0 .. n-1], front first; queued_on[t] = the word thread t
   sleeps on, 0 if none. */
typedef fqueue {
  byte id[NT];
  byte n
};
fqueue fq[NWORDS + 1];  /* index 0 unused */
byte queued_on[NT + 1];
byte spurious = SPURIOUS;
byte qi, qj;            /* scratch for the d_steps below, always reset to 0 */

byte in_cs;             /* ghost: threads holding the mutex (mutual exclusion: at most 1) */

#define MUTEX_LOCALS byte state, next, n; bool ok, wk, mbw, starving, slept, longw, yl, nodl, again; byte got

/* compare_exchange(expected, desired): one atomic step; on failure `expected` := the word */
inline cas(var, expected, desired, success) {
  d_step {
    if
    :: var == expected -> var = desired; success = true
    :: else -> expected = var; success = false
    fi
  }
}

/* ---- the futex --------------------------------------------------------------------------- */

inline fq_remove_self(t) {  /* inside a d_step: t leaves the queue it is in */
  qj = queued_on[t];
  qi = 0;
  do
  :: fq[qj].id[qi] == t -> break
  :: else -> qi++
  od;
  do
  :: qi + 1 < fq[qj].n -> fq[qj].id[qi] = fq[qj].id[qi + 1]; qi++
  :: else -> break
  od;
  fq[qj].n--;
  fq[qj].id[fq[qj].n] = 0;
  queued_on[t] = 0;
  qi = 0;
  qj = 0
}

/* futex wait(w, expected) / wait_until(w, expected, deadline) when `timed`: res = false iff it
   timed out. `dl` is the waiter's "deadline has passed" flag (sticky). */
inline futex_wait(t, w, expected, timed, dl, res) {
  d_step {
    res = true;
    if
    :: WORD(w) == expected ->
         fq[w].id[fq[w].n] = t;
         fq[w].n++;
         queued_on[t] = w
    :: else -> printf("thread %d: futex_wait on word %d: value %d != expected %d: returns at once\n", t, w, WORD(w), expected)
    fi
  };
  if
  :: queued_on[t] == 0 -> skip  /* woken (or never slept) */
  :: d_step {
       queued_on[t] != 0 && spurious > 0 && SPURIOUS_ON(t, queued_on[t]) ->
       spurious--;
       printf("thread %d: futex_wait on word %d returns spuriously\n", t, queued_on[t]);
       fq_remove_self(t)
     }
  :: d_step {
       timed && queued_on[t] != 0 ->
       printf("thread %d: futex_wait on word %d times out\n", t, queued_on[t]);
       fq_remove_self(t);
       dl = true;
       res = false
     }
  fi
}

/* futex wake(w, nmax): count = number dequeued */
inline futex_wake(w, nmax, count) {
  d_step {
    count = 0;
    do
    :: count < nmax && fq[w].n > 0 ->
         qj = fq[w].id[0];
         queued_on[qj] = 0;
         printf("futex_wake(word %d): wakes thread %d\n", w, qj);
         qi = 0;
         do
         :: qi + 1 < fq[w].n -> fq[w].id[qi] = fq[w].id[qi + 1]; qi++
         :: else -> break
         od;
         fq[w].n--;
         fq[w].id[fq[w].n] = 0;
         count++
    :: else -> break
    od;
    qi = 0;
    qj = 0
  }
}

/* futex requeue(from, expected, to, 0, all): success = word matched; moves every waiter */
inline futex_requeue(from, expected, to, success) {
  d_step {
    if
    :: WORD(from) == expected ->
         success = true;
         qi = 0;
         do
         :: qi < fq[from].n ->
              qj = fq[from].id[qi];
              printf("futex_requeue: thread %d moves from word %d to word %d\n", qj, from, to);
              fq[to].id[fq[to].n] = qj;
              fq[to].n++;
              queued_on[qj] = to;
              fq[from].id[qi] = 0;
              qi++
         :: else -> break
         od;
         fq[from].n = 0;
         qi = 0;
         qj = 0
    :: else -> success = false
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
   -DRETIRE_ONLY: 48a978c's wake_one, which only retired woken_bit (loses a wakeup, mutex.pml).
   -DNO_WOKEN_RETIRE: a planted bug, woken_bit is never retired. */
inline wake_one(t) {
  do
  :: futex_wake(MW, 1, n);  /* Backend::wake(word_, 1) */
     printf("thread %d: wake_one: futex_wake(mutex, 1) = %d\n", t, n);
     if :: n != 0 -> break :: else -> skip fi;
#if defined(NO_WOKEN_RETIRE)
     break
#elif defined(RETIRE_ONLY)
     state = mw;
     do  /* while ((state & woken_bit) != 0 && !CAS(state, state & ~woken_bit)) {} */
     :: !(state & W_BIT) -> break
     :: else ->
          next = state & ~W_BIT;
          cas(mw, state, next, ok);
          if :: ok -> printf("thread %d: wake_one: retires woken_bit: word %d\n", t, next); break :: else -> skip fi
     od;
     break
#else
     again = false;
     state = mw;
     do
     :: !(state & W_BIT) -> break  /* retired by a thread returning from a wait */
     :: else ->
          if
          :: !(state & L_BIT) && (state & P_BIT) ->  /* a sleeper behind a free lock */
               next = state & ~P_BIT;
               cas(mw, state, next, ok);
               if
               :: ok -> printf("thread %d: wake_one: word %d, wakes again\n", t, next); again = true; break
               :: else -> skip
               fi
          :: else ->
               next = state & ~W_BIT;
               cas(mw, state, next, ok);
               if :: ok -> printf("thread %d: wake_one: retires woken_bit: word %d\n", t, next); break :: else -> skip fi
          fi
     od;
     if :: again -> again = false :: else -> break fi
#endif
  od
}

/* wake_one_if_unlocked(): sleepers may exist, nobody holds the lock, nobody is on its way: wake. */
inline wake_one_if_unlocked(t) {
  state = mw;
  do
  :: (state & (L_BIT | W_BIT)) || !(state & P_BIT) -> break
  :: else ->
       next = (state & ~P_BIT) | W_BIT;
       cas(mw, state, next, ok);
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
       state = mw;
       do
       :: gstarving && (state & H_BIT) ->
            next = state & ~(H_BIT | S_BITS);
            cas(mw, state, next, ok);
            if
            :: ok -> printf("thread %d: give_up: the lock was handed over: takes it\n", t); got = 1; break
            :: else -> skip
            fi
       :: else ->
            next = state;
            if :: gstarving -> next = next & ~S_BITS :: else -> skip fi;
            if :: gmbw -> next = (next & ~W_BIT) | P_BIT :: else -> skip fi;
            cas(mw, state, next, ok);
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
       state = mw;  /* word_.load(relaxed) */
       if
       :: starving && (state & H_BIT) ->
            /* the unlocker left locked_bit set for us */
            next = state & ~(H_BIT | S_BITS);
            cas(mw, state, next, ok);
            if
            :: ok -> printf("thread %d: takes the lock handed to it: word %d\n", t, next); got = 1
            :: else -> skip
            fi
       :: !(starving && (state & H_BIT)) && !(state & L_BIT) && (starving || !(state & S_BIT)) ->
            next = state | L_BIT;
            if :: starving -> next = next & ~S_BITS :: else -> skip fi;
#ifndef UNLOCK_KEEPS_NO_PARKED
            /* we may be the woken thread: retire woken_bit, re-mark parked_bit */
            if :: mbw -> next = (next & ~W_BIT) | P_BIT :: else -> skip fi;
#else
            if :: mbw -> next = next & ~W_BIT :: else -> skip fi;  /* BUG: parked_bit not re-set */
#endif
            cas(mw, state, next, ok);
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
#ifdef STARVING_YIELDS_ONLY
                      skip  /* d7371ef: yield until the holder hands the lock over */
#else
                      /* yield (starving_yield_limit times: from some pass on, for good), then
                         sleep with starving_sleeps_bit until the handoff's wake-all */
                      if
                      :: !yl -> skip  /* yield */
                      :: true ->
                           yl = true;
                           next = state | SS_BIT;
                           if
                           :: next != state -> cas(mw, state, next, ok)
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
#endif
                 :: else ->
                      /* (spinning left out: it only re-reads the word) */
#ifndef NO_STARVATION
                      /* more than 1 ms since our first sleep? (from some moment on, for good) */
                      if :: slept && !longw -> longw = true :: true -> skip fi;
#endif
                      if
                      :: slept && longw && mbw && !(state & S_BIT) ->
#ifndef STARVING_NO_PARKED
                           /* retiring woken_bit re-marks parked_bit */
                           next = ((state | S_BIT) & ~W_BIT) | P_BIT;
#else
                           next = (state | S_BIT) & ~W_BIT;  /* d7371ef: loses a wakeup */
#endif
                           cas(mw, state, next, ok);
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
                           :: next != state -> cas(mw, state, next, ok)
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
  cas(mw, state, L_BIT, ok);
  if
  :: ok -> printf("thread %d: lock: fast path\n", t)
  :: else -> lock_contended(t, false, nodl, false)  /* untimed: `dl` is never used */
  fi;
  enter_cs(t)
}

/* try_lock_before(limit): got = 1 locked, 0 timed out */
inline mutex_try_lock_before(t, dl) {
  state = 0;
  cas(mw, state, L_BIT, ok);
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
  state = mw;
  do
  :: state & S_BIT ->
       /* hand over: locked_bit stays, for the starving waiter */
       next = state | H_BIT;
       cas(mw, state, next, ok);
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
       cas(mw, state, next, ok);
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
  cas(mw, state, 0, ok);
  if
  :: ok -> printf("thread %d: unlock: fast path\n", t)
  :: else -> unlock_contended(t)
  fi;
  atomic { CLEAR_LOCALS }
}

/* condition_variable moved sleepers onto the word: fetch_or(parked_bit); if it was unlocked,
   wake_one_if_unlocked() */
inline note_requeued_sleepers(t) {
  d_step { state = mw; mw = mw | P_BIT };
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
