/*
 * shared_mutex.pml -- futon::basic_shared_mutex: readers and writers on one word, the writer's
 * drain (waiting for the readers inside to leave), timed lock and lock_shared, and the lifetime
 * rule: no access to the object after an unlock's releasing step.
 *
 * Code followed (include/futon/shared_mutex.hpp as of commit acbdd53, with the wake of one
 *   writer added in 03da421):
 *
 *   state_: writer_bit (1<<31), readers_parked_bit (1<<30), writer_sleeps_bit (1<<29),
 *   writers_parked_bit (1<<28), readers (bits 0-27). Here a byte: writer 128, readers parked
 *   64 (PB), writer_sleeps 32, writers parked 16 (WPB), readers bits 0-3.
 *   wait_and_update(update, my bit): loop: writer_bit clear: CAS state -> update(state, slept)
 *     (acquire): done; timed and the deadline passed: a writer that slept passes the wake on
 *     (fetch_or(writers_parked); if writer_bit was clear: futex_wake(state_, 1)), give up;
 *     (yield); my bit clear: CAS sets it (retry on failure); slept = true;
 *     futex_wait(state_, state | my bit) (timed: wait_until, result ignored); reload
 *   lock_shared: wait_and_update(state + 1, readers_parked)   (try_add_reader's CAS loop first)
 *   lock: wait_and_update(state | writer_bit | (slept ? writers_parked : 0), writers_parked);
 *     then the drain: s = load; loop: no readers: locked; (spin: re-reads only); CAS sets
 *     writer_sleeps_bit and writers_parked_bit if either is clear (retry on failure);
 *     futex_wait(state_, s | both); timed and it timed out: s = load; no readers: locked; else
 *     release_writer() and give up; else reload
 *   unlock_shared: before = fetch_sub(1) (release); if readers(before) == 1 and before has
 *     writer_sleeps_bit: futex_wake(state_, all): by address only, nothing after the fetch_sub
 *   unlock = release_writer: before = fetch_and(~(writer | both parked | writer_sleeps))
 *     (release); if before had readers_parked: futex_wake(state_, all); else if it had
 *     writers_parked: futex_wake(state_, 1)
 *   destructor precondition (debug): no writer_bit, no readers (the parked bits may linger
 *     after a waiter that timed out)
 *
 * Threads: NREADERS (default 2) readers, ids 1..NREADERS, each doing ITERS (default 1) times
 * lock_shared(); read; unlock_shared(), and NWRITERS (default 1) writers doing lock(); write;
 * unlock(). -DTIMED_WRITER: the last writer uses try_lock_for (it may give up while waiting for
 * writer_bit, or in the drain, which then releases its claim); -DTIMED_READER: reader 1 uses
 * try_lock_shared_for. Spurious futex returns: SPURIOUS (default 1) in a run, any thread.
 * A release's wake of one reaches any sleeper (futex.pml's any-order choice): a parked writer,
 * or, since it is by address and may land after another writer's claim, a thread parked behind
 * that writer or that writer asleep in its drain. The futex model is the same as elsewhere.
 *
 * Properties checked:
 *   1. MUTUAL EXCLUSION: a writer is alone in its critical section; readers share theirs only
 *      with readers (ghost counters asserted on entry).
 *   2. NO ACCESS AFTER THE RELEASING STEP: from unlock_shared's fetch_sub, and from the
 *      fetch_and of unlock (or of a timed writer giving up in the drain), to the return of that
 *      call, the thread does not touch the object (neither word, nor a futex wait on it): a
 *      ghost flag per thread, asserted at every access; futex_wake by address is allowed.
 *   3. NO ACCESS AFTER DESTRUCTION: the object is destroyed (ghost) in the step where the last
 *      thread makes the releasing step of its last unlock (or the last timed locker gives up
 *      its last attempt): the earliest moment a program may destroy it. Every later access by
 *      anyone fails; the destructor's precondition (no writer, no readers) must hold then.
 *   4. NO LOST WAKEUP, NO DEADLOCK: when nothing can move any more (`timeout`), every thread
 *      has finished and nobody sleeps on a word.
 *   5. CLEAN WORD WHEN IDLE: no writer_bit, writer_sleeps_bit or readers left (the parked bits
 *      may remain after a timed-out waiter).
 * Property 4 is what the wake of one writer puts at stake: whoever a wake of one reaches must
 * pass it on, or a writer sleeps for good with the lock free (the three planted bugs below).
 *
 * Why it matters: the 7add648 version (-DOLD_DRAIN_WORD) kept a second word, drain_, on which
 * the claiming writer slept; the last reader out did drain_.fetch_add(1) and futex_wake(drain_,
 * 1) AFTER its releasing fetch_sub (defect 2 of issue 10): the reader sees a writer pending and
 * is preempted; the writer takes the lock, unlocks and deletes the object; the reader writes
 * freed memory. The new design has the writer sleep on state_ itself with writer_sleeps_bit, so
 * the fetch_sub is the reader's last access and its wake (of all: the futex cannot pick the
 * writer) is by address.
 *
 * RESULT: the code as written (acbdd53) verifies (see models/README.md for state counts);
 * -DOLD_DRAIN_WORD is rejected at once: the replay shows the last reader's drain_.fetch_add
 * after its releasing fetch_sub.
 *
 * Left out: spinning and yielding (only re-reads), try_lock / try_lock_shared (one CAS, no sleep), the
 * reader-count overflow check (a precondition), memory orders (every access is an RMW or load of
 * the one word, or, for OLD_DRAIN_WORD, of drain_ with the order the code gives it; sequential
 * consistency per word is what the RMWs give).
 *
 * Variants:
 *   -DNREADERS=r -DNWRITERS=w -DITERS=k -DSPURIOUS=s   sizes
 *   -DTIMED_WRITER -DTIMED_READER                      timed lockers (see above)
 *   planted bugs (SPIN must reject):
 *   -DOLD_DRAIN_WORD   7add648: the writer drains on a second word, drain_; the last reader
 *                      writes it after its releasing fetch_sub (defect 2)
 *   -DPLANT_WOKEN_NO_REMARK   a writer that slept takes the lock without writers_parked_bit:
 *                      the writers still asleep are never woken (NREADERS=0 NWRITERS=3)
 *   -DPLANT_NO_PASS_ON a timed writer that slept gives up without marking and waking: the wake
 *                      it took is lost (NREADERS=0 NWRITERS=3 ITERS=2 TIMED_WRITER)
 *   -DPLANT_DRAIN_NO_MARK   the draining writer sleeps without writers_parked_bit: a late wake
 *                      of one reaches it, it times out in the drain and gives the claim back
 *                      without a wake (NREADERS=1 NWRITERS=3 TIMED_WRITER; found while
 *                      building 03da421: the first design had this hole)
 */

#ifndef NREADERS
#define NREADERS 2
#endif
#ifndef NWRITERS
#define NWRITERS 1
#endif
#ifndef ITERS
#define ITERS 1
#endif
#define NT (NREADERS + NWRITERS)
#ifdef PLANT_WOKEN_NO_REMARK
#define WOKEN_NO_REMARK true
#else
#define WOKEN_NO_REMARK false
#endif
#ifdef PLANT_DRAIN_NO_MARK
#define DRAIN_NO_MARK true
#else
#define DRAIN_NO_MARK false
#endif
#ifdef PLANT_NO_PASS_ON
#define NO_PASS_ON true
#else
#define NO_PASS_ON false
#endif
#define IS_READER(t) ((t) <= NREADERS)

/* state_ bits, scaled to a byte */
#define WB 128    /* writer_bit */
#define PB 64     /* parked_bit */
#define WSB 32    /* writer_sleeps_bit (not in 7add648) */
#define WPB 16    /* writers_parked_bit */
#define RMASK 15  /* the reader count */
#define READERS(s) ((s) & RMASK)

/* futex words */
#define SW 1      /* state_ */
#ifdef OLD_DRAIN_WORD
#define DW 2      /* drain_ (7add648) */
#define NWORDS 2
#define WORD(w) ((w) == SW -> sw : dw)
#else
#define NWORDS 1
#define WORD(w) sw
#endif

/* NO ACCESS AFTER THE RELEASING STEP, NO ACCESS AFTER DESTRUCTION: asserted at every access of
   either word, including a futex wait's read of it */
#define SM_ACCESS(t) assert(!released[t] && !destroyed)
#define FUTEX_ACCESS(t, w) SM_ACCESS(t)

#include "futex.pml"

byte sw;                  /* state_ */
#ifdef OLD_DRAIN_WORD
byte dw;                  /* drain_ */
#endif
bool released[NT + 1];    /* ghost: thread t made an unlock's releasing step, not yet returned */
bool destroyed;           /* ghost: the object has been destroyed */
bool last_round[NT + 1];  /* ghost: thread t is in its last round */
byte finished;            /* ghost: threads done with the object for good */
byte rd_in, wr_in;        /* ghost: readers and writers in their critical sections */
byte done;

/* The destructor, at the earliest moment: every thread has left for good. */
#define DESTROY \
  assert((sw & (WB | RMASK)) == 0); \
  destroyed = true; \
  printf("the shared_mutex is destroyed (every thread has released it for good): state %d\n", sw)

/* thread t is done with the object for good, if this is its last round */
#define FINISH(t) \
  if \
  :: last_round[t] -> \
       finished++; \
       if \
       :: finished == NT -> DESTROY \
       :: else -> skip \
       fi \
  :: else -> skip \
  fi

#define SM_LOCALS byte state, next, before, n; bool ok, nodl, slept; byte got, pbit

inline sload(t, var) {
  d_step { SM_ACCESS(t); var = sw }
}

inline scas(t, expected, desired, success) {
  d_step {
    SM_ACCESS(t);
    if
    :: sw == expected -> sw = desired; success = true
    :: else -> expected = sw; success = false
    fi
  }
}

/* wait_and_update(limit, update): got = 1 done (update applied), 0 timed out. `writer`: the
   update is state | writer_bit, plus writers_parked_bit once the writer has slept; else state +
   one_reader. */
inline wait_and_update(t, writer, timed, dl) {
  got = 2;
  slept = false;
  sload(t, state);
  do
  :: got != 2 -> break
  :: else ->
       if
       :: !(state & WB) ->
            if
            :: writer && slept && !WOKEN_NO_REMARK -> next = state | WB | WPB
            :: writer && !(slept && !WOKEN_NO_REMARK) -> next = state | WB
            :: else -> assert(READERS(state) < RMASK); next = state + 1
            fi;
            scas(t, state, next, ok);  /* acquire */
            if
            :: ok -> printf("thread %d: takes it (writer %d): state %d\n", t, writer, next); got = 1
            :: else -> skip
            fi
       :: else ->
            /* limit->has_passed(): the deadline passes at any moment, then stays passed */
            if :: timed && !dl -> dl = true :: true -> skip fi;
            if
            :: timed && dl ->
                 printf("thread %d: deadline passed: gives up\n", t);
                 got = 0;
                 /* a writer that slept may have taken the wake of one meant for the next: pass
                    it on (mark the writers parked; if the lock is free, wake one) */
                 if
                 :: writer && slept && !NO_PASS_ON ->
                      d_step { SM_ACCESS(t); before = sw; sw = sw | WPB };
                      if
                      :: !(before & WB) -> futex_wake(SW, 1, n)
                      :: else -> skip
                      fi
                 :: else -> skip
                 fi
            :: else ->
                 /* (spinning and yielding left out: they only re-read the word) */
                 if
                 :: writer -> pbit = WPB
                 :: else -> pbit = PB
                 fi;
                 /* as the code: counted as slept from the attempt to announce on (a failed
                    announcement only adds a mark, and a futile wake) */
                 slept = true;
                 if
                 :: !(state & pbit) -> next = state | pbit; scas(t, state, next, ok)
                 :: else -> ok = true
                 fi;
                 if
                 :: ok ->
                      printf("thread %d: sleeps on the state %d\n", t, state | pbit);
                      futex_wait(t, SW, state | pbit, timed, dl, ok);
                      sload(t, state)
                 :: else -> skip
                 fi
            fi
       fi
  od
}

/* release_writer(): fetch_and(~(writer | parked | writers_parked | writer_sleeps)) (release),
   then the wake by address: of all if a reader sleeps, else of one if a writer does. The
   fetch_and is the releasing step. */
inline release_writer(t) {
  d_step {
    SM_ACCESS(t);
    before = sw;
#ifdef OLD_DRAIN_WORD
    sw = sw & ~(WB | PB);
#else
    sw = sw & ~(WB | PB | WPB | WSB);
#endif
    released[t] = true;
    FINISH(t)
  };
  printf("thread %d: releases writer_bit: state %d -> %d\n", t, before, sw);
  if
  :: before & PB -> futex_wake(SW, NT, n)
  :: !(before & PB) && (before & WPB) -> futex_wake(SW, 1, n)
  :: else -> skip
  fi
}

inline enter_write(t) {
  d_step { assert(wr_in == 0 && rd_in == 0 && (sw & WB)); wr_in++ }  /* MUTUAL EXCLUSION */
}
inline enter_read(t) {
  d_step { assert(wr_in == 0); rd_in++; assert(READERS(sw) >= rd_in) }  /* MUTUAL EXCLUSION */
}

/* lock() (untimed) / try_lock_for() (timed): got = 1 locked, 0 gave up */
inline sm_lock(t, timed, dl) {
  wait_and_update(t, true, timed, dl);
  if
  :: got == 1 ->
       got = 2;
#ifndef OLD_DRAIN_WORD
       sload(t, state);  /* acquire */
       do
       :: got != 2 -> break
       :: else ->
            if
            :: READERS(state) == 0 -> got = 1
            :: else ->
                 /* sleep only on a word with writer_sleeps_bit: the last reader wakes it; and
                    with writers_parked_bit: the wake may be a release's wake of one, meant for
                    a parked writer, so this writer's release passes it on */
                 if
                 :: DRAIN_NO_MARK -> next = state | WSB
                 :: else -> next = state | WSB | WPB
                 fi;
                 if
                 :: next != state -> scas(t, state, next, ok)
                 :: else -> ok = true
                 fi;
                 if
                 :: ok ->
                      printf("thread %d: drains: sleeps on the state %d\n", t, next);
                      futex_wait(t, SW, next, timed, dl, ok);
                      sload(t, state);
                      if
                      :: !ok ->  /* timed out */
                           if
                           :: READERS(state) == 0 -> got = 1
                           :: else ->
                                printf("thread %d: drain timed out: gives the claim back\n", t);
                                release_writer(t);
                                got = 0
                           fi
                      :: else -> skip
                      fi
                 :: else -> skip
                 fi
            fi
       od
#else
       /* 7add648: the writer sleeps on drain_ */
       do
       :: got != 2 -> break
       :: else ->
            d_step { SM_ACCESS(t); before = dw };  /* generation = drain_.load(acquire) */
            sload(t, state);
            if
            :: READERS(state) == 0 -> got = 1
            :: else ->
                 printf("thread %d: drains: sleeps on drain_ %d\n", t, before);
                 futex_wait(t, DW, before, timed, dl, ok);
                 if
                 :: !ok ->
                      sload(t, state);
                      if
                      :: READERS(state) == 0 -> got = 1
                      :: else ->
                           printf("thread %d: drain timed out: gives the claim back\n", t);
                           release_writer(t);
                           got = 0
                      fi
                 :: else -> skip
                 fi
            fi
       od
#endif
  :: else -> d_step { FINISH(t) }  /* gave up before claiming: done with it */
  fi;
  if
  :: got == 1 -> enter_write(t); state = 0; next = 0; before = 0
  :: else -> atomic { released[t] = false; state = 0; next = 0; before = 0 }  /* returns */
  fi
}

inline sm_unlock(t) {
  d_step { wr_in-- };
  release_writer(t);
  atomic { released[t] = false; state = 0; next = 0; before = 0; n = 0 }  /* unlock returns */
}

inline sm_unlock_shared(t) {
  d_step { rd_in-- };
  d_step {
    SM_ACCESS(t);
    before = sw;
    sw = sw - 1;  /* fetch_sub(one_reader) (release): the releasing step */
    released[t] = true;
    assert(READERS(before) != 0);
    FINISH(t)
  };
  printf("thread %d: unlock_shared: state %d -> %d\n", t, before, before - 1);
#ifndef OLD_DRAIN_WORD
  if
  :: READERS(before) == 1 && (before & WSB) -> futex_wake(SW, NT, n)  /* by address */
  :: else -> skip
  fi;
#else
  if
  :: READERS(before) == 1 && (before & WB) ->
       /* 7add648: drain_.fetch_add(1) after the releasing step (defect 2), then the wake */
       d_step { SM_ACCESS(t); dw++ };
       futex_wake(DW, 1, n)
  :: else -> skip
  fi;
#endif
  atomic { released[t] = false; state = 0; next = 0; before = 0; n = 0 }  /* unlock returns */
}

proctype reader(byte t) {
  SM_LOCALS;
  byte i;
  bool dl;
  do
  :: i < ITERS ->
       last_round[t] = (i + 1 == ITERS);
#ifdef TIMED_READER
       dl = false;
       wait_and_update(t, false, t == 1, dl);
#else
       wait_and_update(t, false, false, nodl);
#endif
       if
       :: got == 1 ->
            enter_read(t);
            state = 0; next = 0;
            printf("thread %d: reads\n", t);
            sm_unlock_shared(t)
       :: else -> d_step { state = 0; next = 0; FINISH(t) }  /* gave up: done with it */
       fi;
       i++
  :: else -> break
  od;
  done++
}

proctype writer(byte t) {
  SM_LOCALS;
  byte i;
  bool dl;
  do
  :: i < ITERS ->
       last_round[t] = (i + 1 == ITERS);
#ifdef TIMED_WRITER
       dl = false;
       sm_lock(t, t == NT, dl);
#else
       sm_lock(t, false, nodl);
#endif
       if
       :: got == 1 ->
            printf("thread %d: writes\n", t);
            sm_unlock(t)
       :: else -> skip  /* gave up (sm_lock counted it as finished) */
       fi;
       i++
  :: else -> break
  od;
  done++
}

proctype checker() {
  timeout ->
  printf("checker: nothing can move: %d of %d threads done, state %d, %d asleep on it\n",
         done, NT, sw, nq[SW]);
  assert(done == NT);               /* NO LOST WAKEUP / NO DEADLOCK */
  assert(nq[SW] == 0);
#ifdef OLD_DRAIN_WORD
  assert(nq[DW] == 0);
#endif
  assert(rd_in == 0 && wr_in == 0);
  assert(destroyed);
  assert((sw & (WB | WSB | RMASK)) == 0)  /* idle: only parked_bit may remain */
}

init {
  byte t;
  atomic {
    t = 1;
    do
    :: t <= NREADERS -> run reader(t); t++
    :: t > NREADERS && t <= NT -> run writer(t); t++
    :: t > NT -> break
    od;
    run checker()
  }
}
