// SPDX-License-Identifier: BSL-1.0
// ThreadSanitizer annotations: how a TSan build learns that futon::mutex and futon::shared_mutex
// are locks and futon::condition_variable's notify is a signal, so that it reports the user's
// races in terms of those locks (and lock-order inversions, unlocks by a thread that does not
// hold the lock, destroying a held lock), instead of deriving happens-before from the lock's
// own atomics.
//
// What TSan does with them (the contract is compiler-rt's <sanitizer/tsan_interface.h>):
//   - pre_lock ... post_lock, pre_unlock ... post_unlock and pre_signal ... post_signal bracket
//     a lock's own code. Inside, TSan ignores memory accesses *and* synchronization: the word's
//     acquire and release operations order nothing. The order comes from the annotations alone:
//     a lock acquires what the last exclusive unlock released; a shared lock acquires only from
//     exclusive unlocks, and a shared unlock releases only to exclusive locks - what a
//     reader-writer lock promises, and no more. A notify (and the mutex's own wake bookkeeping
//     that a waiting condition variable does outside lock and unlock) is a signal: hidden, and
//     ordering nothing, as std::condition_variable promises nothing for notify.
//   - pre_divert ... post_divert step back out of such a bracket. futon diverts around every
//     futex call made inside one: on the parking-lot backend the call takes bucket locks, edits
//     wait queues and hands a wake to the woken thread, and TSan must see all of it in every
//     thread to check it. Ignored in some threads and seen in others, the chain that orders a
//     queue node's last edit before its owner reuses that stack memory would break, and TSan
//     would report a race on it that is not there. (The kernel futex is a system call that TSan
//     does not see at all; diverting around it changes nothing.)
//   - A lock that nobody annotated as created is created by its first lock annotation. futon's
//     constructors are constexpr, so a constant-initialized (static) lock is created that way,
//     lazily, and its destructor's annotation is ignored (other static destructors may still
//     use it, as they may a std::mutex). A lock constructed at run time is created as
//     not_static, and its destructor retires it: TSan then reports destroying it while held,
//     and forgets its lock-order history, which a new lock at the same address must not inherit.
//
// How futon uses them: each bracket is one object over the member's body, made at its start and
// ended by its destructor, so that no way out of the body (an early return, a timed lock that
// gives up) can forget the post half:
//   - lock_scope(lock, flags): pre_lock ... post_lock. flags: no_flags for lock(), read_lock for
//     lock_shared(), try_lock (| read_lock) for the members that may fail (try_lock and the
//     timed locks). A try is reported failed unless the body hands its outcome to result(held)
//     (`return annotate.result(held);`): a success path that forgot would show as TSan's
//     "unlock of an unlocked mutex" at the matching unlock, where the opposite default would
//     have TSan silently believe that a failed try holds the lock.
//   - unlock_scope(lock, flags): pre_unlock ... post_unlock. flags: no_flags, or read_lock for
//     unlock_shared().
//   - signal_scope(object): pre_signal ... post_signal.
// A member's debug bookkeeping (FUTON_NOTE_LOCKED) may run inside a bracket: it touches only the
// calling thread's own record, which no other thread reads.
//
// Enabled when the translation unit is compiled with -fsanitize=thread (FUTON_SANITIZE_THREAD,
// <futon/detail/sanitizers.hpp>), unless FUTON_TSAN_ANNOTATIONS
// is defined to 0. Define it the same way in every translation unit of a program: it changes
// inline functions. Without TSan, every function here is an empty inline function, every scope an
// empty class whose members are empty always-inline functions (result(held) returns held), and
// diverted_backend<B> is B itself: nothing is left in the code.
#pragma once

#include <cstddef>
#include <cstdint>
#include <futon/detail/deadline.hpp>
#include <futon/detail/sanitizers.hpp>

#if FUTON_SANITIZE_THREAD && (!defined(FUTON_TSAN_ANNOTATIONS) || FUTON_TSAN_ANNOTATIONS)
#define FUTON_TSAN_ENABLED 1
#else
#define FUTON_TSAN_ENABLED 0
#endif

#if FUTON_TSAN_ENABLED
#if __has_include(<sanitizer/tsan_interface.h>)
#include <sanitizer/tsan_interface.h>
#else
// The TSan runtime's ABI, for a toolchain that ships the runtime without the header.
extern "C" {
void __tsan_mutex_create(void* addr, unsigned flags);
void __tsan_mutex_destroy(void* addr, unsigned flags);
void __tsan_mutex_pre_lock(void* addr, unsigned flags);
void __tsan_mutex_post_lock(void* addr, unsigned flags, int recursion);
int __tsan_mutex_pre_unlock(void* addr, unsigned flags);
void __tsan_mutex_post_unlock(void* addr, unsigned flags);
void __tsan_mutex_pre_signal(void* addr, unsigned flags);
void __tsan_mutex_post_signal(void* addr, unsigned flags);
void __tsan_mutex_pre_divert(void* addr, unsigned flags);
void __tsan_mutex_post_divert(void* addr, unsigned flags);
}
#endif
#endif

#if defined(__GNUC__) || defined(__clang__)
// Inlined even at -O0, so that a build without TSan keeps no call to an empty function.
#define FUTON_TSAN_INLINE [[gnu::always_inline]] inline
#else
#define FUTON_TSAN_INLINE inline
#endif

namespace futon {
inline namespace v0 {
namespace detail::tsan {

// Flags, with the values of the runtime's ABI (checked against its header below).
inline constexpr unsigned no_flags = 0;
// Creation: the lock was constructed at run time and is retired by its destructor (above).
inline constexpr unsigned not_static = 1u << 8;
// Operation: a shared (reader) lock or unlock.
inline constexpr unsigned read_lock = 1u << 3;
// Operation: a lock that may fail (try_lock and the timed locks). It adds no lock-order edge
// before it succeeds, as it cannot deadlock; TSan treats pthread_mutex_timedlock the same way.
inline constexpr unsigned try_lock = 1u << 4;
// Operation, at post_lock only: the try failed, so the lock is not held.
inline constexpr unsigned try_lock_failed = 1u << 5;

#if FUTON_TSAN_ENABLED && __has_include(<sanitizer/tsan_interface.h>)
static_assert(not_static == __tsan_mutex_not_static && read_lock == __tsan_mutex_read_lock &&
                  try_lock == __tsan_mutex_try_lock &&
                  try_lock_failed == __tsan_mutex_try_lock_failed,
              "futon's TSan flags must match the runtime's");
#endif

// What each *_scope below is: one bracket over one member's body. Not copyable: a copy would run
// the post half twice.
class scope {
 public:
  scope(const scope&) = delete;
  scope& operator=(const scope&) = delete;

 protected:
  scope() = default;
  ~scope() = default;
};

#if FUTON_TSAN_ENABLED

// The runtime takes void*; it never writes through the pointer (it keys its own tables on it).
inline void* key(const void* lock) noexcept {
  return const_cast<void*>(lock);
}

inline void mutex_create(const void* lock, unsigned flags) noexcept {
  __tsan_mutex_create(key(lock), flags);
}
inline void mutex_destroy(const void* lock, unsigned flags) noexcept {
  __tsan_mutex_destroy(key(lock), flags);
}
inline void mutex_pre_lock(const void* lock, unsigned flags) noexcept {
  __tsan_mutex_pre_lock(key(lock), flags);
}
inline void mutex_post_lock(const void* lock, unsigned flags) noexcept {
  __tsan_mutex_post_lock(key(lock), flags, 0);
}
inline void mutex_pre_unlock(const void* lock, unsigned flags) noexcept {
  static_cast<void>(__tsan_mutex_pre_unlock(key(lock), flags));
}
inline void mutex_post_unlock(const void* lock, unsigned flags) noexcept {
  __tsan_mutex_post_unlock(key(lock), flags);
}
inline void mutex_pre_signal(const void* object, unsigned flags) noexcept {
  __tsan_mutex_pre_signal(key(object), flags);
}
inline void mutex_post_signal(const void* object, unsigned flags) noexcept {
  __tsan_mutex_post_signal(key(object), flags);
}
inline void mutex_pre_divert(const void* object, unsigned flags) noexcept {
  __tsan_mutex_pre_divert(key(object), flags);
}
inline void mutex_post_divert(const void* object, unsigned flags) noexcept {
  __tsan_mutex_post_divert(key(object), flags);
}

// Backend's calls, each diverted out of the annotated region it is made from (see above). Only
// for calls made between a pre_* and its post_*: outside one, a divert would end an ignore that
// never began. The word keeps its own type (a test backend's word derives from futex_word).
template <class Backend>
struct diverted_backend {
  template <class Word>
  static void wait(const Word& word, std::uint32_t expected) noexcept {
    mutex_pre_divert(&word, no_flags);
    Backend::wait(word, expected);
    mutex_post_divert(&word, no_flags);
  }
  template <class Word>
  static bool wait_until(const Word& word, std::uint32_t expected, const deadline& limit) noexcept {
    mutex_pre_divert(&word, no_flags);
    const bool woken = Backend::wait_until(word, expected, limit);
    mutex_post_divert(&word, no_flags);
    return woken;
  }
  template <class Word>
  static std::size_t wake(const Word& word, std::size_t count) noexcept {
    mutex_pre_divert(&word, no_flags);
    const std::size_t woken = Backend::wake(word, count);
    mutex_post_divert(&word, no_flags);
    return woken;
  }
};

// pre_lock ... post_lock over a scope: a lock member's body, whatever way it leaves (see above).
class lock_scope : scope {
 public:
  lock_scope(const void* lock, unsigned flags) noexcept
      : lock_(lock), flags_((flags & try_lock) != 0 ? flags | try_lock_failed : flags) {
    mutex_pre_lock(lock_, flags);
  }
  ~lock_scope() { mutex_post_lock(lock_, flags_); }

  bool result(bool held) noexcept {
    if (held) flags_ &= ~try_lock_failed;
    return held;
  }

 private:
  const void* lock_;
  unsigned flags_;  // what post_lock will report
};

// pre_unlock ... post_unlock over a scope: an unlock member's body.
class unlock_scope : scope {
 public:
  unlock_scope(const void* lock, unsigned flags) noexcept : lock_(lock), flags_(flags) {
    mutex_pre_unlock(lock_, flags_);
  }
  ~unlock_scope() { mutex_post_unlock(lock_, flags_); }

 private:
  const void* lock_;
  unsigned flags_;
};

// pre_signal ... post_signal over a scope, for code with several ways out.
class signal_scope : scope {
 public:
  explicit signal_scope(const void* object) noexcept : object_(object) {
    mutex_pre_signal(object_, no_flags);
  }
  ~signal_scope() { mutex_post_signal(object_, no_flags); }

 private:
  const void* object_;
};

#else

FUTON_TSAN_INLINE void mutex_create(const void*, unsigned) noexcept {}
FUTON_TSAN_INLINE void mutex_destroy(const void*, unsigned) noexcept {}
FUTON_TSAN_INLINE void mutex_pre_lock(const void*, unsigned) noexcept {}
FUTON_TSAN_INLINE void mutex_post_lock(const void*, unsigned) noexcept {}
FUTON_TSAN_INLINE void mutex_pre_unlock(const void*, unsigned) noexcept {}
FUTON_TSAN_INLINE void mutex_post_unlock(const void*, unsigned) noexcept {}
FUTON_TSAN_INLINE void mutex_pre_signal(const void*, unsigned) noexcept {}
FUTON_TSAN_INLINE void mutex_post_signal(const void*, unsigned) noexcept {}
FUTON_TSAN_INLINE void mutex_pre_divert(const void*, unsigned) noexcept {}
FUTON_TSAN_INLINE void mutex_post_divert(const void*, unsigned) noexcept {}

template <class Backend>
using diverted_backend = Backend;

class lock_scope : scope {
 public:
  FUTON_TSAN_INLINE lock_scope(const void*, unsigned) noexcept {}
  FUTON_TSAN_INLINE bool result(bool held) noexcept { return held; }
};

class unlock_scope : scope {
 public:
  FUTON_TSAN_INLINE unlock_scope(const void*, unsigned) noexcept {}
};

class signal_scope : scope {
 public:
  FUTON_TSAN_INLINE explicit signal_scope(const void*) noexcept {}
};

#endif

}  // namespace detail::tsan
}  // namespace v0
}  // namespace futon
