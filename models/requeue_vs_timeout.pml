/*
 * requeue_vs_timeout.pml -- unpark_requeue moving waiters between two buckets, in both
 * directions at once, racing the waiters' timeouts.
 *
 * Code modelled (src/parking_lot/basic_parking_lot.hpp: park, unpark_requeue, take_waiters;
 * src/parking_lot/bucket.hpp: lock_pair, unlock_pair, lock_bucket_of):
 *
 *   waiter i (timed park on key k0):
 *     lock bucket(k0); pending += 1; validate (true); state = 1; enqueue; unlock
 *     park_until: returns unparked once state == 0, or times out (at any time)
 *     timed out:  lock_bucket_of(self):
 *                   loop { k = key (relaxed, no lock); lock bucket(k);
 *                          if key == k: break  (re-check under the lock)
 *                          unlock bucket(k) }
 *                 if queued: remove self from THIS bucket's queue; this bucket's pending -= 1;
 *                            unlock; return timed_out
 *                 else:      unlock; wait for state == 0; return unparked
 *
 *   requeuer (unpark_requeue(from, to), futex requeue(from, to, nwake, all)):
 *     lock_pair: lock the lower bucket index first, then the other (once if they are equal)
 *     take up to nwake waiters of `from` (queued = false), from.pending -= n
 *     move every other waiter of `from`: pop, key := to (under both locks), push to `to`
 *     if the buckets differ: from.pending -= moved, to.pending += moved
 *     unlock both; then unpark the taken waiters (state := 0)
 *
 * Two requeuers run at once in opposite directions, a -> b (requeue only) and b -> a (wake
 * one, requeue the rest), while NWAITERS (default 2) waiters, one parked on each key, time out.
 *
 * Properties checked:
 *   1. RIGHT QUEUE: a timed-out waiter removes itself from the queue of the bucket it is really
 *      in, while holding that bucket's lock. Queues are bit-sets per bucket; the removal asserts
 *      the waiter's bit is set in the queue of the bucket it has locked (with a stale key it
 *      would unlink itself from another bucket's list under the wrong lock and decrement the
 *      wrong `pending`: list corruption and a lost wakeup for that bucket's lock-free check).
 *   2. COUNTS: whenever a bucket lock is released, that bucket's `pending` equals the number of
 *      waiters in its queue (park counts and enqueues under one lock hold); at the end the
 *      queues are empty, pending is 0 everywhere, and the number of waiters the requeuers
 *      counted as woken equals the number that return `unparked`.
 *   3. NO DEADLOCK: two requeues in opposite directions (and the waiters' one-lock-at-a-time
 *      timeouts) always finish (SPIN's invalid-end-state check).
 *   4. NO USE AFTER RETURN: a requeuer touches a waiter's entry only while its frame is alive.
 *
 * Memory model: sequentially consistent (everything is under bucket locks, except the waiter's
 * unlocked read of its key, which is an atomic load it re-checks under the lock, and the
 * parker's release/acquire). The queue is a set, so pop_front takes any waiter of the key, a
 * superset of the FIFO behaviours.
 *
 * Planted-bug variants (SPIN must reject):
 *   -DNO_KEY_RECHECK   lock_bucket_of does not re-check the key under the lock: a requeue
 *                      between the read and the lock makes the waiter remove itself from the
 *                      wrong bucket (property 1 fails).
 *   -DUNORDERED_LOCKS  lock_pair locks `from` then `to` instead of the lower index first: the two
 *                      opposite requeues deadlock (property 3 fails).
 * Other variants:
 *   -DSHARED_BUCKET    the two keys hash to the same bucket: lock_pair takes one lock, the key
 *                      changes without a bucket change, the re-check still compares keys.
 *   -DNWAITERS=n       1..3 waiters (default 2).
 */

#ifndef NWAITERS
#define NWAITERS 2
#endif

#define KEY_A 0
#define KEY_B 1
#ifdef SHARED_BUCKET
#define BUCKET_OF(k) 0
#else
#define BUCKET_OF(k) (k)
#endif
#define NBUCKETS 2

#define UNPARKED  2
#define TIMED_OUT 3

#define BIT(i) (1 << (i))
#define COUNT(s) ((((s) >> 0) & 1) + (((s) >> 1) & 1) + (((s) >> 2) & 1))

bit  locked[NBUCKETS];
byte q[NBUCKETS];          /* queue of bucket b: bit i set iff waiter i is in it */
byte pending[NBUCKETS];    /* bucket::pending */

byte key[NWAITERS];        /* waiter::key */
bool queued[NWAITERS];     /* waiter::queued */
byte parker[NWAITERS];     /* parker state: 1 parked, 0 unparked */
bool alive[NWAITERS];      /* waiter i's `self` exists (set when it starts parking) */
byte result[NWAITERS];

byte woken_total;          /* sum of the requeuers' unpark counts */
byte done;                 /* processes finished */

inline lock(b) { d_step { locked[b] == 0 -> locked[b] = 1 } }
/* Releasing bucket b: its pending count must match its queue (property 2). */
inline unlock(b) { d_step { assert(pending[b] == COUNT(q[b])); locked[b] = 0 } }

proctype waiter(byte i; byte k0) {
  byte k, b;

  d_step { alive[i] = true; key[i] = k0 }
  b = BUCKET_OF(k0);
  lock(b);
  pending[b]++;
  /* store_load_fence(); validate() -> true */
  parker[i] = 1;
  d_step { queued[i] = true; q[b] = q[b] | BIT(i) }
  unlock(b);
  printf("waiter %d: parked on key %d (bucket %d)\n", i, k0, b);

  /* park_until: unparked, or the deadline passes (whenever: SPIN tries every moment, including
     right after an unparker's state store that park_until did not see) */
  if
  :: parker[i] == 0 -> goto unparked
  :: true -> skip
  fi;

  /* lock_bucket_of(self) */
retry:
  k = key[i];  /* key.load(relaxed), no lock held */
  b = BUCKET_OF(k);
  printf("waiter %d: timed out; reads key %d, locking bucket %d\n", i, k, b);
  lock(b);
#ifndef NO_KEY_RECHECK
  if
  :: key[i] != k ->  /* requeued meanwhile: follow it */
       printf("waiter %d: key is now %d: unlocks, retries\n", i, key[i]);
       unlock(b);
       goto retry
  :: else -> skip
  fi;
#endif
  if
  :: queued[i] ->
       printf("waiter %d: removes itself from bucket %d's queue (queue bits %d)\n", i, b, q[b]);
       d_step {
         /* RIGHT QUEUE: we are in the queue of the bucket whose lock we hold */
         assert(q[b] & BIT(i));
         q[b] = q[b] & ~BIT(i);
         queued[i] = false;
         pending[b]--
       };
       unlock(b);
       result[i] = TIMED_OUT;
       goto returned
  :: else ->
       unlock(b);  /* an unparker owns us: wait for its unpark */
       printf("waiter %d: already dequeued: waits for the unpark\n", i)
  fi;
unparked:
  parker[i] == 0;
  result[i] = UNPARKED;
returned:
  skip;
  d_step { alive[i] = false; done++ }
}

/* Picks into j any waiter of `fromkey` queued in bucket fb (any of them: a superset of the FIFO
   order), or j = NWAITERS if there is none. `s` is scratch. */
inline pick(fb, fromkey, j, s) {
  d_step {
    s = 0;
    j = 0;
    do
    :: j < NWAITERS ->
         if :: (q[fb] & BIT(j)) && key[j] == fromkey -> s = s | BIT(j) :: else -> skip fi;
         j++
    :: else -> break
    od;
    j = 0
  };
  do
  :: (s >> j) & 1 -> break                             /* take this one */
  :: ((s >> j) & 1) && (s >> (j + 1)) != 0 -> j++      /* or a later one */
  :: j < NWAITERS && !((s >> j) & 1) -> j++
  :: j >= NWAITERS -> break                            /* none */
  od
}

proctype requeuer(byte from; byte to; byte nwake) {
  byte fb, tb, first, second, j, s, woken, moved, taken;

  fb = BUCKET_OF(from);
  tb = BUCKET_OF(to);
  /* lock_pair(from, to) */
#ifdef UNORDERED_LOCKS
  first = fb; second = tb;
#else
  if :: fb < tb -> first = fb; second = tb :: else -> first = tb; second = fb fi;
#endif
  printf("requeue %d -> %d: locking bucket %d\n", from, to, first);
  lock(first);
  if
  :: second != first ->
       printf("requeue %d -> %d: locking bucket %d\n", from, to, second);
       lock(second)
  :: else -> skip
  fi;

  /* validate(): from == expected -> plan {unpark nwake, requeue all} */

  /* take_waiters(from bucket, from, nwake) */
  do
  :: woken < nwake ->
       pick(fb, from, j, s);
       if
       :: j < NWAITERS ->
            d_step {
              assert(alive[j]);
              printf("requeue %d -> %d: takes waiter %d to wake it\n", from, to, j);
              q[fb] = q[fb] & ~BIT(j);
              queued[j] = false;
              taken = taken | BIT(j);
              woken++
            }
       :: else -> break
       fi
  :: else -> break
  od;
  pending[fb] = pending[fb] - woken;

  /* requeue the rest: pop_front(from), key := to, to.queue.push_back */
  do
  :: pick(fb, from, j, s);
     if
     :: j < NWAITERS ->
          d_step {
            assert(alive[j]);
            printf("requeue %d -> %d: moves waiter %d (key := %d)\n", from, to, j, to);
            q[fb] = q[fb] & ~BIT(j);
            key[j] = to;  /* under both locks */
            q[tb] = q[tb] | BIT(j);
            moved++
          }
     :: else -> break
     fi
  od;
  if
  :: fb != tb -> pending[fb] = pending[fb] - moved; pending[tb] = pending[tb] + moved
  :: else -> skip
  fi;

  /* unlock_pair */
  unlock(fb);
  if :: tb != fb -> unlock(tb) :: else -> skip fi;

  /* taken.unpark_all() */
  j = 0;
  do
  :: j < NWAITERS ->
       if
       :: taken & BIT(j) -> d_step { assert(alive[j]); parker[j] = 0 }
       :: else -> skip
       fi;
       j++
  :: else -> break
  od;
  skip;
  d_step { woken_total = woken_total + woken; done++ }
}

proctype checker() {
  byte i, unparked;
  done == NWAITERS + 2 ->
  d_step {
    i = 0;
    unparked = 0;
    do
    :: i < NWAITERS ->
         assert(!queued[i] && result[i] != 0);
         if :: result[i] == UNPARKED -> unparked++ :: else -> skip fi;
         i++
    :: else -> break
    od;
    assert(woken_total == unparked);
    assert(q[0] == 0 && q[1] == 0 && pending[0] == 0 && pending[1] == 0)
  }
}

init {
  byte i;
  atomic {
    i = 0;
    do
    :: i < NWAITERS -> run waiter(i, i % 2); i++  /* waiter 0 on a, waiter 1 on b, ... */
    :: else -> break
    od;
    run requeuer(KEY_A, KEY_B, 0);  /* futex requeue(a, b, 0 woken, all moved) */
    run requeuer(KEY_B, KEY_A, 1);  /* futex requeue(b, a, 1 woken, all moved) */
    run checker()
  }
}
