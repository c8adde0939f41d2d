/*
 * robust_mutex.pml -- futon::interprocess::robust_mutex in kernel mode: the robust-futex word,
 * state_, the owner thread's robust list and pending slot, and the kernel's handling of a
 * thread's death, with threads that may die at any step.
 *
 * Code followed: src/robust_mutex.cpp and include/futon/robust_mutex.hpp as of f1e4c6a, kernel
 * mode only (`self.head != nullptr`), step by step:
 *
 *   acquire: state_ == not_recoverable: return it. pending := entry. keep := 0; seen := word.
 *     loop: owner 0: died := OWNER_DIED in seen; CAS word seen -> tid | keep | (seen & WAITERS)
 *             (failure: seen := word, again); link the node (head->list := entry is the step
 *             the kernel can see); state_ == not_recoverable: pending := 0, unlock() (which
 *             wakes all: state_ makes it "abandoned"), not_recoverable;
 *             else died: state_ := inconsistent, pending := 0, owner_dead;
 *             else pending := 0, locked.
 *           held: WAITERS clear in seen: CAS seen -> seen | WAITERS (failure: again);
 *             keep := WAITERS; futex_wait_until(word, seen, now + 100 ms) (a wake, a timeout
 *             and a spurious return all go on alike); state_ == not_recoverable: wake(all),
 *             pending := 0, not_recoverable; seen := word; again.
 *   make_consistent: state_ := consistent.
 *   unlock: abandoned := state_ is inconsistent or not_recoverable; inconsistent: state_ :=
 *     not_recoverable. pending := entry; unlink (prev->next := next is the step the kernel can
 *     see); before := exchange(word, 0); abandoned: wake(all); else WAITERS in before: wake(1);
 *     pending := 0.
 *
 * f1e4c6a fixed the three problems this model found in 89290e0 (FOUND AND FIXED below): the
 * not_recoverable look after the taking CAS comes before `died`; a waiter that learns
 * not_recoverable after its sleep wakes all before it returns; and every sleep is bounded
 * (kernel_recheck_interval, 100 ms), which bounds the one wake-up the kernel's protocol itself
 * can lose.
 *
 * The kernel at a thread's death (Linux exit_robust_list / handle_futex_death, non-PI), run in
 * the one step in which the thread dies: the thread leaves any futex queue it sleeps in; then for
 * the mutex, if its node is linked or is the pending entry: the pending entry and the word's
 * owner 0: wake one (a dead unlocker that released but had not woken yet, or a woken waiter that
 * had not taken yet, passes its wake on); the owner is the dead thread: word := (word &
 * WAITERS) | OWNER_DIED and, if WAITERS was set, wake one. Anything else: nothing.
 *
 * Word: owner thread id 1..NT in bits 0-2 (0: free), OWNER_DIED 8, WAITERS 16 (the C++ has the
 * kernel's 0x3fffffff, 1<<30, 1<<31). Every access of the word, of state_ and of the list is one
 * step; a death can fall between any two. The compiler barriers of the code keep each list
 * step's stores in program order for the kernel, which reads them in the thread's own context:
 * program order is what the model has. Memory orders between threads are not modelled: every
 * cross-thread access is to the one word or to state_, whose stores are made only by the
 * holder (ordered by the word's acquire and release). Spurious CAS failures are not modelled:
 * a failed CAS retries from a fresh read, which the interleavings cover.
 *
 * Time: the 100 ms bound is a timeout exit of the futex wait that a sleeper may take at ANY
 * moment, as often as it likes (each is one step: it leaves the queue, then goes on to the
 * not_recoverable look and the look at the word, exactly as after a wake). That covers every
 * interleaving of a timeout with the other threads' steps; 100 ms being long is not assumed.
 * A spurious return of the futex has the same effect as a timeout (the code cannot tell them
 * apart), so SPURIOUS defaults to 0 here: the timeouts cover it (with NO_RECHECK, 1).
 *
 * Threads: NT (default 3, at most 4) threads; threads 1..NLONG (default 0) do ITERS+1 rounds
 * (default ITERS 1), the others ITERS, of lock(); critical section; unlock(). After owner_dead
 * a thread repairs (make_consistent) except thread ABANDONER (default NT), which may also
 * unlock without repairing. A thread whose lock returns not_recoverable stops. futex_wake(w, 1)
 * wakes ANY sleeper (futex.pml). Deaths: a killer makes up to DEATHS (default 1) threads die,
 * any thread still running, at any step (the thread's body is `unless { !alive[t] }`):
 * unlike the 89290e0 model, no death window is left out.
 *
 * Not modelled: probe mode (no robust list: a waiter sleeps at most 10 ms and asks the kernel
 * whether the owner's id exists; it marks a dead owner itself with a CAS); try_lock and the
 * caller's deadline of the timed calls (the busy return; the sleep is then bounded by the
 * earlier of the two, which is still "a timeout at any moment"); thread ids reused after a
 * death; other mutexes in the list (the kernel treats each entry alone, so one mutex shows the
 * protocol); the list's pointers other than the one store per link and unlink that the kernel's
 * walk depends on.
 *
 * Properties:
 *   1. MUTUAL EXCLUSION among live threads: a taking CAS succeeds only when no live thread
 *      holds the word (ghost `holder`, cleared at the release and at the holder's death).
 *   2. OWNER_DEAD IS TRUE AND IS TOLD: lock() returns owner_dead only if a thread died while the
 *      word was its own (holding, or mid-lock after its CAS, or mid-unlock before its exchange:
 *      ghost `died_holding`), and after such a death no lock() returns `locked` before one has
 *      returned owner_dead.
 *   3. NOT_RECOVERABLE IS FINAL: once an owner_dead holder has unlocked without make_consistent
 *      (ghost `nr_made`), no lock() returns locked or owner_dead; not_recoverable is returned
 *      only then.
 *   4. NO LOST WAKE-UP BUT THE KERNEL'S ONE, AND THAT ONE BOUNDED. With timeouts at any moment
 *      a sleeper can always move, so "nothing can move any more" (Promela's `timeout`) never
 *      holds while one sleeps and cannot show a lost wake-up by itself. Nor can "when only
 *      timeouts can move, nobody sleeps behind a free word": that state is reachable in the
 *      fixed code, on purpose. The kernel's protocol can lose a wake (FOUND AND FIXED, 3: the
 *      carrier of a wake of one dies while another thread holds the word without WAITERS); the
 *      sleeper then stays asleep behind a free word until its 100 ms pass, and that is the
 *      fix. So the property is stated in three parts, checked in every state where only
 *      timeouts (and the killer) can move, i.e. every live thread that has not finished sleeps
 *      (QUIET; the `monitor` process):
 *      4a. the word has no owner, live or dead: the first sleeper to time out finds it free (or
 *          finds not_recoverable) and takes it, so the sleep-timeout-look loop always makes
 *          progress and cannot spin forever (a dead owner the kernel did not mark would make
 *          the timeouts a livelock that no deadlock check sees);
 *      4b. every sleeper there was already asleep when a wake of one was lost in the kernel's
 *          window (its carrier died while another thread held the word without WAITERS;
 *          handle_death says which carriers count) and has not left the futex queue since
 *          (ghost `excused`): wake-ups are lost only to the kernel's limit, never to this
 *          code. The timeout is a safety net for that window, not a cover for any other lost
 *          wake (NO_PASS_ON, below, is one that the timeouts alone would hide). Without the
 *          excuse the fixed code fails 4b with exactly the trail of FOUND AND FIXED, 3;
 *      4c. when nothing at all can move (`checker`): every live thread has finished, none
 *          sleeps, the word has no owner (with NO_RECHECK's untimed sleeps this is the check
 *          that sees a sleeper stranded for good).
 *      Together, under the weak fairness the real clock gives (a sleeper's timeout does fire):
 *      every live thread finishes, and a wake-up is late by at most one interval, and only
 *      after a death in the kernel's window. The argument: every step of a thread but the
 *      sleep is always executable, so outside QUIET some live thread moves; a thread's lock
 *      loop repeats only after a failed CAS (another thread changed the word) or after a sleep
 *      that ended to find the word held by another thread; a live holder moves on, and a dead
 *      one the kernel did not mark keeps the word forever, so every other thread ends up
 *      asleep behind it: a QUIET state, which 4a rejects. (This is not checked as an LTL
 *      formula under SPIN's weak fairness: that is an acceptance-cycle search without
 *      -DSAFETY, whose fairness construction multiplies the states, on a space that already
 *      takes 20-30 s as a safety search; 4a and 4b are the safety facts the argument needs.)
 *
 * RESULT: the code of f1e4c6a verifies, with deaths at every step (see models/README.md for
 * states and times: default, and -DSTART_DEAD). Each planted bug is rejected:
 * CLEAR_PENDING_BEFORE_WAKE (T2 dies between its exchange 18 -> 0 and its wake, pending already
 * clear: the kernel sees nothing, T1 sleeps on a free word: 4b), TAKE_DROPS_WAITERS (two
 * sleepers; the woken one takes 0 -> 1 and unlocks without a wake: 4b),
 * CLEAR_PENDING_BEFORE_LINK (T3 dies after its CAS 0 -> 3, neither pending nor linked: the word
 * stays 3|WAITERS, the others sleep and time out on it forever: 4a), and the 89290e0 code
 * restored, one fix at a time: NO_PASS_ON (4b), DIED_BEFORE_NR (3), NO_RECHECK (4c); their
 * trails are under FOUND AND FIXED.
 *
 * FOUND AND FIXED (SPIN on the 89290e0 code; fixed in f1e4c6a; each old behaviour is now a
 * planted bug):
 *   1. NO_PASS_ON (with -DSTART_DEAD): an abandoned unlock (no make_consistent) that dies
 *      after its store of not_recoverable gets ONE sleeper woken by the kernel: before its
 *      exchange, the kernel marks the word and wakes one for WAITERS; after it, before its
 *      wake(all), it wakes one for the pending entry of a word without owner. That one reads
 *      not_recoverable and returned without waking anyone, so the other sleepers slept on
 *      (now: until their interval passes, which 4b rejects). SPIN's trail today: T3 takes the
 *      dead outsider's word 8 -> 3 (owner_dead), leaves it inconsistent; T2 and T1 sleep on
 *      19; T3's unlock stores not_recoverable and T3 dies: the kernel 19 -> 24 and wakes T1;
 *      T1 returns not_recoverable; T2 sleeps with nothing to wake it. Fix: it wakes all before
 *      it returns. (glibc's woken waiter takes the word and unlocks it, passing the wake on.)
 *   2. DIED_BEFORE_NR (with -DSTART_DEAD): a thread that dies owning the word once state_ is
 *      not_recoverable (the abandoning unlocker between its store of not_recoverable and its
 *      exchange, or a locker that took the word and is giving it back) has the kernel set
 *      OWNER_DIED; the next locker looked at `died` before state_, stored inconsistent and
 *      returned owner_dead: not_recoverable undone (make_consistent would revive it). Trail:
 *      T3 takes 8 -> 3 (owner_dead), unlocks without repair (not_recoverable), dies before
 *      its exchange; the kernel 3 -> 8; T2 takes 8 -> 2 and returns owner_dead (property 3).
 *      Fix: state_ is looked at first.
 *   3. NO_RECHECK (the kernel protocol's limit; glibc's robust lock has the same steps): a wake
 *      owed to a sleeper is lost when its carrier dies after another thread has taken the word
 *      without WAITERS. The carrier is an unlocker between its exchange(0) (which clears
 *      WAITERS) and its wake(1), or a thread that a wake of one reached, before its next CAS.
 *      The kernel passes the wake on only when the word has no owner; the taker's unlock finds
 *      no WAITERS and wakes nobody. Trail: T3 holds, T2 sets WAITERS and sleeps; T3's exchange
 *      19 -> 0; T1 takes 0 -> 1; T3 dies (pending, word 1: the kernel does nothing); T1 unlocks
 *      (exchange 1 -> 0, no wake); T2 slept forever on a free word. The code cannot prevent
 *      the loss; the fix bounds it: every sleep ends after 100 ms at most and looks again.
 *
 * Variants:
 *   -DNT=n -DITERS=k -DNLONG=l -DSPURIOUS=s -DDEATHS=d -DABANDONER=t   sizes and roles
 *   -DONLY_DIES=t        only thread t may die
 *   -DSTART_DEAD         the mutex starts as a previous owner (not one of the threads) left it
 *                        at its death: word OWNER_DIED, died_holding; so a run needs no death
 *                        of its own to reach owner_dead and not_recoverable
 *   planted bugs (SPIN must reject):
 *   -DCLEAR_PENDING_BEFORE_WAKE   unlock clears the pending slot between its exchange and its
 *                        wake: a death there loses the wake the sleeper was owed
 *   -DTAKE_DROPS_WAITERS a thread back from a sleep takes the word with its id only (no
 *                        keep_waiters): the other sleeper's wake is lost at the next unlock
 *   -DCLEAR_PENDING_BEFORE_LINK   lock clears the pending slot after its taking CAS and before
 *                        the link: a death in between leaves the word to a dead owner
 *   -DNO_PASS_ON         89290e0: a waiter that finds not_recoverable after its sleep returns
 *                        without waking the others
 *   -DDIED_BEFORE_NR     89290e0: after the taking CAS, `died` is looked at before state_
 *   -DNO_RECHECK         89290e0: untimed sleeps (no timeout exit; SPURIOUS 1)
 */

#ifndef NT
#define NT 3
#endif
#if NT > 4
#error "robust_mutex.pml: at most 4 threads (the word keeps ids in 3 bits, the killer names 4)"
#endif
#ifndef ITERS
#define ITERS 1
#endif
#ifndef NLONG
#define NLONG 0
#endif
#define ITERS_OF(t) ((t) <= NLONG -> ITERS + 1 : ITERS)
#ifndef DEATHS
#define DEATHS 1
#endif
#ifndef ABANDONER
#define ABANDONER NT
#endif
#ifdef ONLY_DIES
#define MAY_DIE(t) ((t) == ONLY_DIES)
#else
#define MAY_DIE(t) true
#endif

/* The sleep: bounded (kernel_recheck_interval) unless NO_RECHECK. A timeout and a spurious
   return are the same to the code, so with timeouts the spurious budget would only repeat
   states the timeouts reach already. */
#ifdef NO_RECHECK
#define SLEEP_TIMED false
#else
#define SLEEP_TIMED true
#ifndef SPURIOUS
#define SPURIOUS 0
#endif
#endif

/* owes[t]: thread t carries a wake that a sleeper is owed (ghost) */
#define OW_UNLOCK 1    /* unlock: after the exchange that found WAITERS, until its wake(1) */
#define OW_ABANDON 2   /* abandoned unlock: after its exchange, until its wake(all) */
#define OW_WOKEN 3     /* a wake of one dequeued it; until its next CAS, its sleep or return */

/* the robust word */
#define TID 7          /* FUTEX_TID_MASK */
#define OD 8           /* FUTEX_OWNER_DIED */
#define WB 16          /* FUTEX_WAITERS */
#define OWNER(v) ((v) & TID)

/* state_ */
#define S_CONSISTENT 0
#define S_INCONSISTENT 1
#define S_NOT_RECOVERABLE 2

/* robust_lock_result (R_NONE: not decided yet) */
#define R_NONE 0
#define R_LOCKED 1
#define R_OWNER_DEAD 2
#define R_NOT_RECOVERABLE 3

/* futex.pml: one word */
#define NWORDS 1
#define MW 1
#define WORD(w) word

byte word;               /* robust_mutex::word_ */
byte state;              /* robust_mutex::state_ */
byte owes[NT + 1];       /* ghost: OW_* or 0 */
byte excused;            /* ghost: bit t: thread t sleeps since a wake was lost in the kernel's
                            window (4b); cleared when it leaves the futex queue */

/* futex.pml's hook: a wake of one hands the woken thread the duty to pass it on */
#define FUTEX_WOKEN(t, nmax) if :: (nmax) == 1 -> owes[t] = OW_WOKEN :: else -> skip fi

#include "futex.pml"

bool alive[NT + 1];      /* the thread has not died */
bool finished[NT + 1];   /* the thread has done all its rounds (or got not_recoverable) */
bool linked[NT + 1];     /* its node is in its robust list (as the kernel's walk sees it) */
bool pending[NT + 1];    /* its robust_head.list_op_pending is this mutex's entry */
byte deaths;

/* ghosts */
byte holder;             /* the live thread whose id the word holds, 0 if none */
bool died_holding;       /* an owner died owning the word, and no owner_dead was told since */
bool nr_made;            /* an owner_dead holder unlocked without make_consistent */

/* ---- the code ------------------------------------------------------------------------------ */

/* unlock(): also the give-back of a lock that found not_recoverable after its taking CAS */
inline robust_unlock(t) {
  /* state_ load (and the store when inconsistent): only the holder stores to state_, so the two
     steps are one here (a death between them is a death before the load) */
  d_step {
    assert(holder == t && OWNER(word) == t);   /* precondition: the caller holds it */
    abandoned = (state == S_INCONSISTENT || state == S_NOT_RECOVERABLE);
    if
    :: state == S_INCONSISTENT -> state = S_NOT_RECOVERABLE; nr_made = true;
         printf("thread %d: unlock without make_consistent: not_recoverable\n", t)
    :: else -> skip
    fi
  };
  pending[t] = true;     /* list_op_pending = entry */
  linked[t] = false;     /* prev->next = node_.next: the kernel's walk no longer finds it */
  d_step {
    before = word;       /* word_.exchange(0) */
    word = 0;
    holder = 0;
    if
    :: abandoned -> owes[t] = OW_ABANDON
    :: !abandoned && (before & WB) -> owes[t] = OW_UNLOCK
    :: else -> skip
    fi;
    printf("thread %d: unlock: exchange %d -> 0\n", t, before)
  };
#ifdef CLEAR_PENDING_BEFORE_WAKE
  pending[t] = false;    /* BUG: a death before the wake below goes unseen */
#endif
  if
  :: abandoned -> atomic { printf("thread %d: unlock: wake all\n", t); futex_wake(MW, NT, n); owes[t] = 0 }
  :: !abandoned && (before & WB) ->
       atomic { printf("thread %d: unlock: wake one\n", t); futex_wake(MW, 1, n); owes[t] = 0 }
  :: else -> skip
  fi;
#ifndef CLEAR_PENDING_BEFORE_WAKE
  pending[t] = false;    /* list_op_pending = nullptr */
#endif
  d_step { before = 0; abandoned = false; n = 0 }
}

/* lock(): res := R_LOCKED, R_OWNER_DEAD or R_NOT_RECOVERABLE */
inline robust_lock(t) {
  res = R_NONE;
  if
  :: state == S_NOT_RECOVERABLE ->
       res = R_NOT_RECOVERABLE;
       printf("thread %d: lock: not_recoverable at once\n", t)
  :: else -> skip
  fi;
  if
  :: res == R_NONE ->
       pending[t] = true;  /* list_op_pending = entry, before the word can be ours */
       d_step { keep = 0; seen = word };
       do
       :: res != R_NONE -> break
       :: res == R_NONE && OWNER(seen) == 0 ->
            /* the taking CAS: keeps WAITERS after a sleep (keep) and WAITERS seen on the word */
            d_step {
              died = ((seen & OD) != 0);
#ifdef TAKE_DROPS_WAITERS
              desired = t | (seen & WB);  /* BUG: keep_waiters left out */
#else
              desired = t | keep | (seen & WB);
#endif
              if
              :: word == seen ->
                   word = desired;
                   ok = true;
                   assert(holder == 0);  /* MUTUAL EXCLUSION among live threads */
                   holder = t;
                   owes[t] = 0;          /* a later unlock wakes (keep: WAITERS kept) */
                   printf("thread %d: lock: takes the word %d -> %d\n", t, seen, desired)
              :: else -> seen = word; ok = false
              fi
            };
            if
            :: ok ->
#ifdef CLEAR_PENDING_BEFORE_LINK
                 pending[t] = false;  /* BUG: a death before the link below goes unseen */
#endif
                 linked[t] = true;    /* head->list = entry: the kernel's walk finds it */
#ifdef DIED_BEFORE_NR
                 /* BUG (89290e0): a death owning the word after not_recoverable was made sets
                    OWNER_DIED, and this takes it for a new owner_dead */
                 if
                 :: died ->
                      state = S_INCONSISTENT;
                      res = R_OWNER_DEAD
                 :: else ->
                      if
                      :: state == S_NOT_RECOVERABLE -> res = R_NOT_RECOVERABLE
                      :: else -> res = R_LOCKED
                      fi
                 fi;
#else
                 /* state_ first: not_recoverable is final whatever OWNER_DIED says (the load
                    is the guard; the store of inconsistent the next step) */
                 if
                 :: state == S_NOT_RECOVERABLE -> res = R_NOT_RECOVERABLE
                 :: else ->
                      if
                      :: died ->
                           state = S_INCONSISTENT;
                           res = R_OWNER_DEAD
                      :: else -> res = R_LOCKED
                      fi
                 fi;
#endif
                 pending[t] = false;  /* done(): list_op_pending = nullptr */
                 if
                 :: res == R_NOT_RECOVERABLE ->
                      printf("thread %d: lock: took it, but not_recoverable: gives it back\n", t);
                      robust_unlock(t)
                 :: else -> skip
                 fi
            :: else -> skip
            fi
       :: res == R_NONE && OWNER(seen) != 0 ->
            if
            :: (seen & WB) == 0 ->
                 d_step {
                   if
                   :: word == seen -> seen = seen | WB; word = seen; ok = true; owes[t] = 0;
                        printf("thread %d: lock: sets WAITERS: %d\n", t, seen)
                   :: else -> seen = word; ok = false
                   fi
                 }
            :: else -> ok = true
            fi;
            if
            :: ok ->
                 d_step {
                   keep = WB;
                   owes[t] = 0;  /* the owner's word has WAITERS: its unlock will wake */
                   printf("thread %d: lock: futex_wait(word, %d)\n", t, seen)
                 };
                 /* wait_until(word, seen, now + interval): with SLEEP_TIMED a timeout exit is
                    enabled at every moment of the sleep (futex.pml's timed wait) */
                 futex_wait(t, MW, seen, SLEEP_TIMED, timedout, ok);
                 /* the state_ look; the step also forgets what the wait returned (the code
                    ignores it) and the thread's excuse (4b): it has left the queue */
                 if
                 :: d_step {
                      state == S_NOT_RECOVERABLE ->
                      res = R_NOT_RECOVERABLE;
                      timedout = false; ok = false; excused = excused & ~(1 << t);
                      printf("thread %d: lock: back from the wait: not_recoverable\n", t)
                    };
#ifndef NO_PASS_ON
                      /* it may hold the one wake the kernel gave at an abandoning unlocker's
                         death: everyone must learn not_recoverable */
                      atomic {
                        printf("thread %d: lock: wakes all to tell it\n", t);
                        futex_wake(MW, NT, n);
                        owes[t] = 0;
                        n = 0
                      };
#endif
                      pending[t] = false
                 :: d_step {
                      state != S_NOT_RECOVERABLE ->
                      timedout = false; ok = false; excused = excused & ~(1 << t)
                    };
                    seen = word
                 fi
            :: else -> skip
            fi
       od
  :: else -> skip
  fi;
  /* what lock() returned (ghost checks; the locals are dead from here) */
  atomic {
    if
    :: res == R_LOCKED ->
         assert(!died_holding);   /* a death while owning is told to the next locker */
         assert(!nr_made)         /* not_recoverable is final */
    :: res == R_OWNER_DEAD ->
         assert(died_holding);    /* owner_dead only after a real death while owning */
         assert(!nr_made);        /* not_recoverable is final */
         died_holding = false
    :: res == R_NOT_RECOVERABLE ->
         assert(nr_made)          /* not_recoverable only after an unlock without repair */
    fi;
    owes[t] = 0;
    printf("thread %d: lock returns %d (1 locked, 2 owner_dead, 3 not_recoverable)\n", t, res);
    seen = 0; desired = 0; keep = 0; died = false; ok = false
  }
}

/* ---- the kernel at a thread's death -------------------------------------------------------- */

inline handle_death(k) {
  alive[k] = false;
  deaths++;
  printf("thread %d dies (linked %d, pending %d, word %d)\n", k, linked[k], pending[k], word);
  /* The kernel's window (FOUND AND FIXED, 3): k carries a wake of one while another thread
     holds the word without WAITERS. The kernel does nothing (a live owner), and that owner's
     unlock wakes nobody: the wake is lost, and every sleeper of this moment may sleep until
     its timeout (4b excuses them). Not excused: an abandoning unlocker's wake(all), nor a
     woken thread's wake once state_ is not_recoverable: the owner then took the word after
     not_recoverable was stored, so it finds it and gives the word back with a wake of all. */
  if
  :: (owes[k] == OW_UNLOCK || (owes[k] == OW_WOKEN && state != S_NOT_RECOVERABLE)) &&
     OWNER(word) != 0 && OWNER(word) != k && (word & WB) == 0 ->
       kn = 1;
       do
       :: kn <= NT ->
            if
            :: queued_on[kn] != 0 && kn != k -> excused = excused | (1 << kn)
            :: else -> skip
            fi;
            kn++
       :: else -> break
       od;
       kn = 0;
       printf("kernel: thread %d's wake of one is lost (word %d): sleepers (bits) %d wait for a timeout\n",
              k, word, excused)
  :: else -> skip
  fi;
  if
  :: queued_on[k] != 0 -> fq_remove_self(k)  /* the kernel forgets a dead sleeper */
  :: else -> skip
  fi;
  if
  :: holder == k -> holder = 0
  :: else -> skip
  fi;
  if
  :: linked[k] || pending[k] ->
       if
       :: pending[k] && OWNER(word) == 0 ->
            printf("kernel: pending entry, word has no owner: wakes one\n");
            futex_wake(MW, 1, kn)
       :: OWNER(word) == k ->
            died_holding = true;
            kb = word;
            word = (word & WB) | OD;
            printf("kernel: the dead thread owned the word: %d -> %d\n", kb, word);
            if
            :: kb & WB -> futex_wake(MW, 1, kn)
            :: else -> skip
            fi
       :: else -> skip
       fi
  :: else -> skip
  fi;
  linked[k] = false;
  pending[k] = false;
  owes[k] = 0;
  excused = excused & ~(1 << k);
  kb = 0;
  kn = 0
}

/* ---- processes ----------------------------------------------------------------------------- */

proctype thread(byte t) {
  byte seen, desired, keep, res, before, i, n;
  bool ok, died, abandoned, timedout;
  {
    do
    :: i < ITERS_OF(t) ->
         robust_lock(t);
         if
         :: res == R_NOT_RECOVERABLE -> break
         :: res == R_OWNER_DEAD && t == ABANDONER ->
              printf("thread %d: owner_dead: leaves it inconsistent\n", t)
         :: res == R_OWNER_DEAD ->
              d_step {
                assert(state == S_INCONSISTENT && holder == t);  /* make_consistent's precondition */
                state = S_CONSISTENT;
                printf("thread %d: owner_dead: make_consistent\n", t)
              }
         :: res == R_LOCKED -> skip
         fi;
         printf("thread %d: in the critical section\n", t);
         robust_unlock(t);
         d_step { i++; res = R_NONE }
    :: else -> break
    od;
    atomic { finished[t] = true; i = 0; res = R_NONE }
  } unless {
    !alive[t] ->
    d_step {
      seen = 0; desired = 0; keep = 0; res = 0; before = 0; i = 0; n = 0;
      ok = false; died = false; abandoned = false; timedout = false
    }
  }
}

/* One death: the killer ends in the same step once its budget is spent (so no state has a
   twin that differs only in where an idle killer stands). */
#define KILL(k) \
  :: atomic { deaths < DEATHS && alive[k] && !finished[k] && MAY_DIE(k) -> \
              handle_death(k); \
              if \
              :: deaths == DEATHS -> break \
              :: else -> skip \
              fi }

proctype killer() {
  byte kb, kn;
  do
  KILL(1)
  KILL(2)
#if NT >= 3
  KILL(3)
#endif
#if NT >= 4
  KILL(4)
#endif
  :: break
  od
}

/* QUIET: every live thread that has not finished sleeps on the word, so only timeouts (and the
   killer) can move. Without timeouts (NO_RECHECK) the monitor stays off: it would always be
   able to move itself and so hide the checker's `timeout`, which then sees the stranded
   sleeper. */
#define OUT_OR_ASLEEP(t) (!alive[t] || finished[t] || queued_on[t] != 0)
#define STRANDED_OK(t) (queued_on[t] == 0 || (excused & (1 << (t))))
#if NT >= 3
#define OUT_OR_ASLEEP_3 OUT_OR_ASLEEP(3)
#define STRANDED_OK_3 STRANDED_OK(3)
#else
#define OUT_OR_ASLEEP_3 true
#define STRANDED_OK_3 true
#endif
#if NT >= 4
#define OUT_OR_ASLEEP_4 OUT_OR_ASLEEP(4)
#define STRANDED_OK_4 STRANDED_OK(4)
#else
#define OUT_OR_ASLEEP_4 true
#define STRANDED_OK_4 true
#endif
#ifdef NO_RECHECK
#define QUIET false
#else
#define QUIET (nq[MW] > 0 && OUT_OR_ASLEEP(1) && OUT_OR_ASLEEP(2) && OUT_OR_ASLEEP_3 && \
               OUT_OR_ASLEEP_4)
#endif

/* Property 4a and 4b, in every QUIET state (a step of this process returns to the same state,
   so it adds no states). */
proctype monitor() {
end:
  do
  :: atomic {
       QUIET ->
       assert(OWNER(word) == 0);  /* 4a: the first timeout finds the word free */
       /* 4b: nobody sleeps on but those a wake lost in the kernel's window left asleep */
       assert(STRANDED_OK(1) && STRANDED_OK(2) && STRANDED_OK_3 && STRANDED_OK_4)
     }
  od
}

/* When nothing can move any more: every live thread has finished, nobody sleeps (4c). */
proctype checker() {
  byte t;
  timeout ->
  printf("checker: nothing can move: word %d, state %d, %d asleep\n", word, state, nq[MW]);
  t = 1;
  do
  :: t <= NT ->
       assert(!alive[t] || finished[t]);  /* NO LOST WAKE-UP, NO DEADLOCK */
       t++
  :: else -> break
  od;
  assert(nq[MW] == 0);
  assert(OWNER(word) == 0)                /* no owner left, alive or dead */
}

init {
  byte t;
  atomic {
#ifdef START_DEAD
    word = OD;
    died_holding = true;
#endif
    t = 1;
    do
    :: t <= NT -> alive[t] = true; run thread(t); t++
    :: else -> break
    od;
    run killer();
    run monitor();
    run checker()
  }
}
