/*
 * wait_any_claim.pml -- one thread parked on two addresses at once (futex_wait_any on the
 * parking lot: park_any), two unparkers racing to claim it with one compare-and-swap, a plain
 * waiter queued behind it on the second address, and its own timeout racing them all.
 *
 * Code modelled (src/parking_lot/basic_parking_lot.hpp: park_any, register_frame, sleep,
 * settle, leave, take_waiters, claim, unpark_list; src/parking_lot/any_group.hpp):
 *
 *   multi-waiter M on A and B (one node per address, one group: claim, parker):
 *     claim = open; parker = 1 (prepare_park)
 *     lock A; enqueue node A; unlock A;  lock B; enqueue node B; unlock B
 *     park_until: loop { parker == 0: woken (index from claim) | deadline passed: break }
 *     timed out: CAS(claim, open, owner) ? timed_out : park() untimed, then woken
 *     leave: for each node: lock its bucket; if queued: remove; unlock   (locked even when not
 *            queued: see property 1)
 *     -- return: the nodes and the group die with the frame
 *
 *   unparker of X (futex_wake(X, 1) = unpark_some -> take_waiters):
 *     lock X; loop { pop the oldest node of X (none: stop);
 *                    plain waiter: take it, stop;
 *                    M's node: CAS(claim, open, X) ? take it, stop : drop it, go on }
 *     unlock X; unpark what was taken: parker := 0
 *
 *   plain waiter P on B: lock B; validate (the word unchanged); enqueue; unlock B; park until
 *   its parker is 0. Afterwards the body changes B's word and releases everyone left with one
 *   wake_all of A and of B. (M's registration has no failing validate here: the dsched test
 *   covers that path on the C++.)
 *
 * Properties checked:
 *   1. NO USE AFTER RETURN: no unparker reads or writes M's group or nodes (claim, parker,
 *      queued) after M has returned. An unparker that popped M's node and lost the claim still
 *      reads the group under the bucket lock; M's leave locks that bucket even for a node that is
 *      no longer queued, so it cannot return before that unparker has unlocked.
 *   2. ONE CLAIM, EXACT COUNTS: exactly one party claims M; per address, the wakes counted equal
 *      the waiters that returned woken through it (M through the address that claimed it, P
 *      through B), so a wake that lost the claim went on to P instead of being swallowed.
 *   3. NO TIMEOUT BEFORE THE DEADLINE, NO HANG: M returns timed_out only after the deadline,
 *      and every process ends (SPIN's invalid-end-state check).
 *
 * Memory model: sequentially consistent. The claim is one atomic CAS (d_step); everything else
 * is ordered by the bucket locks and the parker's release/acquire. The lock-free `pending`
 * check in front of each wake is checked under TSO by pending_check.pml (the same protocol,
 * per bucket).
 *
 * Planted bugs (SPIN must reject):
 *   -DLEAVE_WITHOUT_LOCK    leave skips the bucket lock for a node already taken out: M can
 *                           return while a losing unparker still reads its claim (property 1)
 *   -DLOSER_COUNTS          an unparker that loses the claim counts M anyway (property 2: the
 *                           plain waiter's wake is swallowed)
 *   -DTIMEOUT_WITHOUT_CLAIM M returns timed_out without claiming itself (property 2 and 1)
 */

#define OPEN   0
#define BY_A   1
#define BY_B   2
#define OWNER  3

#define M_NODE 1
#define P_NODE 2

#define WOKEN     1
#define TIMED_OUT 2

bit  lock_a, lock_b;
bool a_queued;            /* M's node in bucket A */
byte b_queue[2];          /* bucket B's queue of address B, oldest first: M_NODE / P_NODE / 0 */
byte b_len;

byte claim = OPEN;        /* any_group::claim */
byte m_parker;            /* any_group::parker: 1 parked, 0 unparked */
byte p_parker;            /* the plain waiter's parker */
bool deadline_passed;
bool m_alive = true;      /* M's frame (nodes, group) exists */

byte m_result, p_result;
byte woken_by_a, woken_by_b;     /* wakes counted per address */
bool m_done, p_done, wakers_done;
byte wakers_finished;

inline lock(l)   { d_step { l == 0 -> l = 1 } }
inline unlock(l) { l = 0 }
inline touch_m() { assert(m_alive) }

inline b_push(x) { d_step { b_queue[b_len] = x; b_len++ } }
inline b_pop(x) {
  d_step {
    x = b_queue[0]; b_queue[0] = b_queue[1]; b_queue[1] = 0;
    if :: b_len > 0 -> b_len-- :: else -> skip fi
  }
}
inline b_remove_m() {
  d_step {
    if
    :: b_queue[0] == M_NODE -> b_queue[0] = b_queue[1]; b_queue[1] = 0; b_len--
    :: b_queue[1] == M_NODE -> b_queue[1] = 0; b_len--
    :: else -> skip
    fi
  }
}
inline b_has_m() { (b_queue[0] == M_NODE || b_queue[1] == M_NODE) }

proctype multi() {
  m_parker = 1;
  lock(lock_a); a_queued = true; unlock(lock_a);
  lock(lock_b); b_push(M_NODE); unlock(lock_b);
  printf("M: queued on A and B, parks\n");
  do
  :: m_parker == 0 -> m_result = WOKEN; break
  :: deadline_passed ->
#ifdef TIMEOUT_WITHOUT_CLAIM
       m_result = TIMED_OUT; break
#else
       if
       :: d_step { claim == OPEN -> claim = OWNER } -> m_result = TIMED_OUT;
            printf("M: timed out, claimed itself\n"); break
       :: d_step { claim != OPEN -> skip } ->
            printf("M: timed out, but an unparker claimed it: waits for the unpark\n");
            m_parker == 0 -> m_result = WOKEN; break
       fi
#endif
  od;
  /* leave A */
  lock(lock_a);
  if :: a_queued -> a_queued = false :: else -> skip fi;
  unlock(lock_a);
  /* leave B */
#ifdef LEAVE_WITHOUT_LOCK
  if
  :: b_has_m() -> lock(lock_b); b_remove_m(); unlock(lock_b)
  :: else -> skip
  fi;
#else
  lock(lock_b); b_remove_m(); unlock(lock_b);
#endif
  if :: m_result == TIMED_OUT -> assert(deadline_passed) :: else -> skip fi;
  printf("M: returns %d (claim %d); its frame is dead\n", m_result, claim);
  m_alive = false;
  m_done = true
}

#define CHANGED 3
bool released;            /* the body has changed B's word (validate then fails) */

proctype plain() {
  p_parker = 1;
  lock(lock_b);
  if
  :: released -> unlock(lock_b); p_result = CHANGED  /* validate() fails under the lock */
  :: else -> b_push(P_NODE); unlock(lock_b); p_parker == 0 -> p_result = WOKEN
  fi;
  p_done = true
}

/* futex_wake(A, n): A's queue holds at most M's node. */
inline wake_a(n) {
  taken = false;
  lock(lock_a);
  if
  :: a_queued ->
       a_queued = false;
       d_step { touch_m(); if :: claim == OPEN -> claim = BY_A; taken = true :: else -> skip fi };
#ifdef LOSER_COUNTS
       taken = true;
#endif
       skip
  :: else -> skip
  fi;
  unlock(lock_a);
  if
  :: taken -> woken_by_a++; d_step { touch_m(); m_parker = 0 }
  :: else -> skip
  fi
}

/* futex_wake(B, n): pops nodes until it has taken n waiters or the queue is empty. */
inline wake_b(n) {
  took_m = false; took_p = false; count = 0;
  lock(lock_b);
  do
  :: count >= n || b_len == 0 -> break
  :: else ->
       b_pop(node);
       if
       :: node == P_NODE -> took_p = true; count++
       :: node == M_NODE ->
            d_step { touch_m(); if :: claim == OPEN -> claim = BY_B; took_m = true :: else -> skip fi };
#ifdef LOSER_COUNTS
            took_m = true;
#endif
            if :: took_m -> count++ :: else -> skip fi
       fi
  od;
  unlock(lock_b);
  woken_by_b = woken_by_b + count;
  if :: took_m -> d_step { touch_m(); m_parker = 0 } :: else -> skip fi;
  if :: took_p -> p_parker = 0 :: else -> skip fi
}

proctype waker_a() {
  bool taken;
  wake_a(1);
  d_step { wakers_finished++ }
}

proctype waker_b() {
  bool took_m, took_p;
  byte node, count;
  wake_b(1);
  d_step { wakers_finished++ }
}

proctype clock() {
  deadline_passed = true
}

/* After both wakers: wake_all of A and of B, then check (the body of the C++ tests). */
proctype body() {
  bool taken, took_m, took_p;
  byte node, count;
  wakers_finished == 2;
  released = true;  /* changes B's word, then wakes: a plain waiter that comes later sees it */
  wake_a(2);
  wake_b(2);
  (m_done && p_done) ->
  d_step {
    assert(m_result == WOKEN || m_result == TIMED_OUT);
    assert(p_result == WOKEN || p_result == CHANGED);
    assert(woken_by_a == ((m_result == WOKEN && claim == BY_A) -> 1 : 0));
    assert(woken_by_b == ((m_result == WOKEN && claim == BY_B) -> 1 : 0) +
                         ((p_result == WOKEN) -> 1 : 0));
    assert(m_result != TIMED_OUT || claim == OWNER);
    assert(!a_queued && b_len == 0)
  }
}

init {
  atomic {
    run multi();
    run plain();
    run waker_a();
    run waker_b();
    run clock();
    run body()
  }
}
