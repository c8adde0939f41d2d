/*
 * pending_check.pml -- the parking lot's lock-free "nobody waits here" check (bucket::pending)
 * against a waiter, on a machine with store buffers (TSO, as x86).
 *
 * Code modelled (src/parking_lot/basic_parking_lot.hpp, bucket.hpp, futex_on_parking_lot.hpp,
 * os/futex_parker.hpp):
 *
 *   waiter (park via futex wait):           waker (caller's change + unpark_some / futex wake):
 *     lock bucket                             word = 1                     (the caller's change)
 *     pending += 1                            store_load_fence()
 *     store_load_fence()                      if pending == 0: return 0    (no lock taken)
 *     if word != expected:                    lock bucket
 *        pending -= 1; unlock; return         take the queued waiters: queued = false,
 *     parker.state = 1 (prepare_park)           pending -= n
 *     enqueue (queued = true); unlock         unlock
 *     park: while state != 0: futex_wait      for each taken: state = 0; futex_wake(&state)
 *
 * Property checked (NO LOST WAKEUP): every waiter that parks is woken. Concretely, when the
 * whole system can make no more steps (SPIN's `timeout`), every waiter has returned; a waiter
 * asleep at that point has slept through the waker's change of the word, which is the lost
 * wakeup the barriers exist to prevent. Also checked there: the waker's count is exact (it
 * counts exactly the waiters that return `unparked`) and `pending` is back to 0.
 *
 * Why it matters: unpark_some (futex_wake on the parking-lot backend) takes no lock when
 * `pending` reads 0. The two loads (waiter reads the word, waker reads `pending`) each follow
 * a store by the same thread to the OTHER location: the store-buffering (Dekker) shape. On TSO
 * each store may still sit in its thread's store buffer when the load runs, so without a
 * store-load barrier on BOTH sides both loads can read the old values: the waiter sees the old
 * word and sleeps, the waker sees pending == 0 and skips. The model shows exactly this.
 *
 * Memory model: `word` and `pending` (the two locations of the Dekker pattern) go through an
 * explicit per-thread FIFO store buffer: a store is appended to the thread's buffer, a flusher
 * process drains the oldest entry to memory at any time, a load reads the thread's own newest
 * buffered store to that location if there is one, else memory. store_load_fence() (a
 * seq_cst fence, mfence on x86) waits until the thread's buffer is empty. Bucket-lock lock()
 * and unlock() are locked RMWs on x86 (lock cmpxchg, xchg), so they too drain the buffer first.
 * The `pending` increment is modelled as a buffered load + store under the bucket lock (every
 * writer of `pending` holds it), i.e. WEAKER than x86's `lock xadd`, which would drain the
 * buffer by itself: C++ only promises a relaxed RMW, which on ARM or POWER is no barrier, so the
 * protocol must not rely on it. The parker's state, the queue and the kernel futex are
 * sequentially consistent here; they are ordered by the bucket lock and the parker's
 * release/acquire, and are not part of the pattern under test.
 *
 * Variants (planted bugs; SPIN must find a lost wakeup):
 *   -DNO_BARRIER          both barriers removed
 *   -DNO_WAITER_BARRIER   only the waiter's barrier (after pending += 1) removed
 *   -DNO_WAKER_BARRIER    only the waker's barrier (before reading pending) removed
 * Size: -DNWAITERS=n (default 1; 2 also checks that another waiter's count changes cannot
 * hide one waiter).
 */

#ifndef NWAITERS
#define NWAITERS 1
#endif
#define NTHREADS (NWAITERS + 1)  /* thread 0 is the waker, 1..NWAITERS the waiters */
#define WAKER 0

#ifdef NO_BARRIER
#define NO_WAITER_BARRIER
#define NO_WAKER_BARRIER
#endif

/* The two locations of the Dekker pattern, in buffered memory. */
#define WORD     0
#define PENDING  1
#define NADDR    2
#define EXPECTED 0
#define BUFSIZE  2  /* enough: at most two stores of a thread are ever unflushed */

byte mem[NADDR];  /* word = 0 (== EXPECTED), pending = 0 */

typedef store_buffer {
  byte addr[BUFSIZE];
  byte val[BUFSIZE];
  byte n;
};
store_buffer buf[NTHREADS];

/* Sequentially consistent state: lock, queue, parkers, kernel futex. */
bit  bucket_lock;
bool queued[NTHREADS];    /* waiter t is in the bucket's queue */
byte parker[NTHREADS];    /* futex_parker::state_: 1 parked, 0 unparked */
bool sleeping[NTHREADS];  /* waiter t is blocked in the kernel on &parker[t] */

#define INVALID  1
#define UNPARKED 2
byte result[NTHREADS];    /* a waiter's park result, 0 until it returns */
byte woken;               /* the waker's count (unpark_some's return value) */
bool waker_done;

/* ---- TSO memory ---------------------------------------------------------------------------- */

inline store(t, a, v) {
  d_step {
    assert(buf[t].n < BUFSIZE);
    buf[t].addr[buf[t].n] = a;
    buf[t].val[buf[t].n] = v;
    buf[t].n++
  }
}

/* r = value of location a as thread t sees it: its newest buffered store to a, else memory. */
inline load(t, a, r) {
  d_step {
    r = mem[a];
    i = 0;
    do
    :: i < buf[t].n -> if :: buf[t].addr[i] == a -> r = buf[t].val[i] :: else -> skip fi; i++
    :: else -> break
    od;
    i = 0
  }
}

/* store_load_fence(): a full fence waits until the thread's stores have reached memory. */
inline barrier(t) { buf[t].n == 0 }

/* Locked RMWs on x86: drain the buffer, then act on memory directly. */
inline lock(t)   { d_step { buf[t].n == 0 && bucket_lock == 0 -> bucket_lock = 1 } }
inline unlock(t) { d_step { buf[t].n == 0 -> bucket_lock = 0 } }

/* The store buffer of thread t drains to memory, oldest first, whenever it likes. */
proctype flusher(byte t) {
  byte i;
end:
  do
  :: d_step {
       buf[t].n > 0 ->
       mem[buf[t].addr[0]] = buf[t].val[0];
       if
       :: buf[t].addr[0] == WORD -> printf("thread %d: store buffer -> memory: word = %d\n", t, buf[t].val[0])
       :: else -> printf("thread %d: store buffer -> memory: pending = %d\n", t, buf[t].val[0])
       fi;
       i = 1;
       do
       :: i < buf[t].n -> buf[t].addr[i - 1] = buf[t].addr[i]; buf[t].val[i - 1] = buf[t].val[i]; i++
       :: else -> break
       od;
       buf[t].n--;
       buf[t].addr[buf[t].n] = 0;
       buf[t].val[buf[t].n] = 0;
       i = 0
     }
  od
}

/* ---- threads --------------------------------------------------------------------------------- */

proctype waiter(byte t) {
  byte i, r;

  /* park(): bucket& b = table().lock(key); */
  lock(t);
  /* b.pending.fetch_add(1, relaxed) -- under the lock, so load + store is atomic enough */
  load(t, PENDING, r);
  store(t, PENDING, r + 1);
  printf("waiter %d: locked the bucket; pending := %d (into its store buffer)\n", t, r + 1);
#ifndef NO_WAITER_BARRIER
  barrier(t);  /* store_load_fence() */
  printf("waiter %d: store_load_fence (its store buffer is empty)\n", t);
#endif
  /* validate(): still_expected(word, expected), a relaxed load */
  load(t, WORD, r);
  printf("waiter %d: validate reads word = %d\n", t, r);
  if
  :: r != EXPECTED ->
       printf("waiter %d: word changed: returns invalid\n", t);
       load(t, PENDING, r);
       store(t, PENDING, r - 1);
       unlock(t);
       result[t] = INVALID;
       goto done
  :: else -> skip
  fi;
  parker[t] = 1;     /* self.parker.prepare_park() */
  queued[t] = true;  /* b.queue.push_back(&self) */
  unlock(t);
  printf("waiter %d: enqueued, unlocks, parks\n", t);

  /* self.parker.park(): while (state != 0) futex_wait(&state, 1) */
  do
  :: parker[t] == 0 -> break
  :: else ->
       /* futex_wait: the kernel checks state == 1 and queues us atomically */
       d_step { if :: parker[t] == 1 -> sleeping[t] = true :: else -> skip fi };
       !sleeping[t]  /* until futex_wake */
  od;
  result[t] = UNPARKED;
  printf("waiter %d: unparked\n", t);
done:
  skip
}

proctype waker() {
  byte i, r, t;
  bool taken[NTHREADS];

  store(WAKER, WORD, 1);  /* the caller changes the word, then calls futex_wake */
  printf("waker: word := 1 (into its store buffer), futex_wake\n");
#ifndef NO_WAKER_BARRIER
  barrier(WAKER);  /* store_load_fence() in unpark_some */
  printf("waker: store_load_fence (its store buffer is empty)\n");
#endif
  load(WAKER, PENDING, r);
  printf("waker: reads pending = %d\n", r);
  if
  :: r == 0 -> printf("waker: nobody waits here: returns 0 without locking\n"); goto done
  :: else -> skip
  fi;
  lock(WAKER);
  /* take_waiters(b, key, all): every queued waiter leaves the queue; pending -= n */
  t = 1;
  do
  :: t <= NWAITERS ->
       if :: queued[t] -> queued[t] = false; taken[t] = true; woken++ :: else -> skip fi;
       t++
  :: else -> break
  od;
  load(WAKER, PENDING, r);
  store(WAKER, PENDING, r - woken);
  unlock(WAKER);
  /* taken.unpark_all(), after the unlock: parker.unpark() = state := 0, then futex_wake */
  t = 1;
  do
  :: t <= NWAITERS ->
       if
       :: taken[t] ->
            printf("waker: unparks waiter %d\n", t);
            parker[t] = 0;
            sleeping[t] = false;  /* futex_wake(&state, 1) */
            taken[t] = false
       :: else -> skip
       fi;
       t++
  :: else -> break
  od;
done:
  waker_done = true
}

/* At quiescence (no process can move; all store buffers have drained), every waiter must have
   returned: one still asleep missed the wakeup. Counts must be exact and pending back to 0. */
proctype checker() {
  byte t, unparked;
  timeout ->
  printf("checker: nothing can move any more: word = %d, waker done = %d\n", mem[WORD], waker_done);
  d_step {
    assert(waker_done);
    t = 1;
    unparked = 0;
    do
    :: t <= NWAITERS ->
         assert(result[t] != 0);  /* NO LOST WAKEUP: waiter t is not asleep forever */
         if :: result[t] == UNPARKED -> unparked++ :: else -> skip fi;
         t++
    :: else -> break
    od;
    assert(woken == unparked);  /* the waker counted exactly the waiters it woke */
    assert(mem[PENDING] == 0)
  }
}

init {
  byte t;
  atomic {
    t = 0;
    do
    :: t < NTHREADS -> run flusher(t); t++
    :: else -> break
    od;
    run waker();
    run checker();
    t = 1;
    do
    :: t <= NWAITERS -> run waiter(t); t++
    :: else -> break
    od
  }
}
