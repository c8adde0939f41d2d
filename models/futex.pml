/*
 * futex.pml -- the futex, as Promela inlines, shared by the models of the primitives
 * (mutex_protocol.pml, shared_mutex.pml, condvar.pml and the 7add648 models). Not a model by
 * itself: it has no processes.
 *
 * The includer defines, before #include "futex.pml":
 *   NT          threads, ids 1..NT
 *   NWORDS      futex words, ids 1..NWORDS
 *   WORD(w)     the variable holding word w's value
 *   FUTEX_ACCESS(t, w)   optional: a statement (an assertion) run in the step where thread t's
 *               futex_wait or futex_requeue reads word w; the kernel reads the word there, so it is
 *               an access to the object (the lifetime rule). A futex_wake only hashes the address
 *               and never reads the word: it is not an access.
 *   SPURIOUS, SPURIOUS_ON(t, w)   optional: the spurious-return budget and who may use it
 *   FIFO_WAKE   optional: wake in queue order (as Linux does for threads of equal priority)
 *   FUTEX_WOKEN(t, nmax)   optional: a statement run in the step where a futex_wake(w, nmax)
 *               dequeues thread t (robust_mutex.pml marks a thread that a wake of one reached)
 *
 * The futex contract (<futon/futex.hpp>):
 *   futex_wait(w, expected): atomically, if the word still equals `expected`, sleep on w (else
 *     return at once); then return once a wake dequeues it, or spuriously (a global budget of
 *     SPURIOUS returns, default 1, for the threads and words SPURIOUS_ON allows), or, for a timed
 *     wait, at any moment while still asleep (the deadline passes: res = false, and `dl`, the
 *     waiter's "deadline has passed" flag, is set). A wait that a wake counted returns true even
 *     if the deadline passed meanwhile.
 *   futex_wake(w, n): wakes up to n sleepers of w and says how many. WHICH ones is not promised
 *     (Linux wakes real-time threads first): by default the model lets a wake of fewer than all
 *     the sleepers take ANY of them, each choice a separate branch of the search (the "any wake
 *     order" rule of issue 10). -DFIFO_WAKE wakes the oldest first, as the kernel does for
 *     threads of equal priority (the 7add648 condition variable relied on it).
 *   futex_requeue(from, expected, to, 0, all): atomically compares `from` with `expected`; if
 *     equal moves every sleeper of `from` to `to`.
 *
 * Sleepers: queued_on[t] = the word thread t sleeps on (0: none), nq[w] = how many sleep on w.
 * Without FIFO_WAKE that is the whole queue: the order of arrival does not matter, so it is not
 * stored (fewer states). With FIFO_WAKE, fq[w].id[0 .. nq[w]-1] holds the arrival order.
 */

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
#ifndef FUTEX_ACCESS
#define FUTEX_ACCESS(t, w) skip
#endif
#ifndef FUTEX_WOKEN
#define FUTEX_WOKEN(t, nmax) skip
#endif

#if NT > 5
#error "futex.pml: futex_wake chooses among at most 5 sleepers"
#endif
byte queued_on[NT + 1];  /* the word thread t sleeps on, 0 if none */
byte nq[NWORDS + 1];     /* sleepers per word (index 0 unused) */
#ifdef FIFO_WAKE
typedef fqueue {
  byte id[NT]
};
fqueue fq[NWORDS + 1];   /* arrival order, front first */
#endif
byte spurious = SPURIOUS;
byte qi, qk;             /* scratch for the steps below, always reset to 0 */

/* inside a d_step: thread t leaves the queue it sleeps in (a spurious return, a timeout) */
inline fq_remove_self(t) {
#ifdef FIFO_WAKE
  qk = queued_on[t];
  qi = 0;
  do
  :: fq[qk].id[qi] == t -> break
  :: else -> qi++
  od;
  do
  :: qi + 1 < nq[qk] -> fq[qk].id[qi] = fq[qk].id[qi + 1]; qi++
  :: else -> break
  od;
  fq[qk].id[nq[qk] - 1] = 0;
  qi = 0;
  qk = 0;
#endif
  nq[queued_on[t]]--;
  queued_on[t] = 0
}

/* futex wait(w, expected), or with `timed` wait_until(w, expected, deadline): res = false iff it
   timed out */
inline futex_wait(t, w, expected, timed, dl, res) {
  d_step {
    FUTEX_ACCESS(t, w);
    res = true;
    if
    :: WORD(w) == (expected) ->
#ifdef FIFO_WAKE
         fq[w].id[nq[w]] = t;
#endif
         nq[w]++;
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

/* futex wake(w, nmax): count = the number woken. By address only: it does not read the word. */
inline futex_wake(w, nmax, count) {
#ifdef FIFO_WAKE
  d_step {
    count = 0;
    do
    :: count < nmax && nq[w] > 0 ->
         qk = fq[w].id[0];
         queued_on[qk] = 0;
         FUTEX_WOKEN(qk, nmax);
         printf("futex_wake(word %d): wakes thread %d\n", w, qk);
         qi = 0;
         do
         :: qi + 1 < nq[w] -> fq[w].id[qi] = fq[w].id[qi + 1]; qi++
         :: else -> break
         od;
         nq[w]--;
         fq[w].id[nq[w]] = 0;
         count++
    :: else -> break
    od;
    qi = 0;
    qk = 0
  }
#else
  atomic {
    count = 0;
    do
    :: count < nmax && nq[w] > 0 ->
         /* which sleeper: any of them, when the wake does not take them all (NT <= 5) */
         if
         :: qk = 0
         :: count + nq[w] > nmax && nq[w] > 1 -> qk = 1
         :: count + nq[w] > nmax && nq[w] > 2 -> qk = 2
         :: count + nq[w] > nmax && nq[w] > 3 -> qk = 3
         :: count + nq[w] > nmax && nq[w] > 4 -> qk = 4
         fi;
         d_step {
           /* the qk-th sleeper of w, counting by thread id */
           qi = 1;
           do
           :: queued_on[qi] == w && qk == 0 -> break
           :: queued_on[qi] == w && qk > 0 -> qk--; qi++
           :: queued_on[qi] != w -> qi++
           od;
           queued_on[qi] = 0;
           FUTEX_WOKEN(qi, nmax);
           nq[w]--;
           printf("futex_wake(word %d): wakes thread %d\n", w, qi);
           qi = 0;
           count++
         }
    :: else -> break
    od
  }
#endif
}

/* futex requeue(from, expected, to, 0, all): success = the word matched; moves every sleeper */
inline futex_requeue(t, from, expected, to, success) {
  d_step {
    FUTEX_ACCESS(t, from);
    if
    :: WORD(from) == (expected) ->
         success = true;
#ifdef FIFO_WAKE
         qi = 0;
         do
         :: qi < nq[from] ->
              qk = fq[from].id[qi];
              printf("futex_requeue: thread %d moves from word %d to word %d\n", qk, from, to);
              fq[to].id[nq[to]] = qk;
              nq[to]++;
              queued_on[qk] = to;
              fq[from].id[qi] = 0;
              qi++
         :: else -> break
         od;
         nq[from] = 0;
#else
         qi = 1;
         do
         :: qi <= NT ->
              if
              :: queued_on[qi] == from ->
                   printf("futex_requeue: thread %d moves from word %d to word %d\n", qi, from, to);
                   queued_on[qi] = to;
                   nq[from]--;
                   nq[to]++
              :: else -> skip
              fi;
              qi++
         :: else -> break
         od;
#endif
         qi = 0;
         qk = 0
    :: else -> success = false
    fi
  }
}
