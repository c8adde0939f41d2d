// SPDX-License-Identifier: BSL-1.0
// <futon/interprocess.hpp>: futon's primitives for memory shared between processes.
//
//   // Both processes map one memfd (or shm_open object, or a MAP_SHARED|MAP_ANONYMOUS region
//   // made before fork), each at its own address, and the first constructs the objects in it:
//   struct channel { futon::interprocess::mutex m; futon::interprocess::condition_variable cv;
//                    int items = 0; };
//   auto* c = new (mapping) channel;                    // creator
//   auto* c = static_cast<channel*>(other_mapping);     // every other process
//   { std::unique_lock lock(c->m); c->cv.wait(lock, [&] { return c->items > 0; }); }
//
// Each type is the private primitive of the same name over the process-shared futex
// (backend::kernel_shared_futex): the same code, so the same behaviour, the same rules (object
// lifetime, any wake order, no counter wrap-around; each header states them) and the same
// checkers (the deterministic scheduler and the SPIN models check the algorithm, which does not
// depend on the scope of its futex). Each object's whole state is 32- or 64-bit words: no
// pointer, no per-process table, no allocation, standard layout, so it works at a different
// address in each process. Sizes: mutex 4 bytes, condition_variable 8, counting_semaphore 4
// (8 above 2^31 - 1), event 4, latch 4, barrier 8 plus its completion function.
//
// Rules that come with shared memory:
//   - Construct each object once, in one process, before another process uses it; destroy it
//     once, when no process uses it any more (as for std objects in shared memory).
//   - Use it only through the process-shared types: a private futon::mutex placed in shared
//     memory would wait privately and miss the other processes' wakes.
//   - A barrier's completion function runs in the process of the thread that completes the
//     phase; it must itself be position-independent (no pointers into one process's memory).
//   - A process that dies while it waits affects nobody: the kernel forgets its waiters. A
//     process that dies holding a mutex leaves it locked; where that matters, use
//     futon::interprocess::robust_mutex (<futon/robust_mutex.hpp>), whose next locker learns of
//     the death.
//   - A process that mapped an object read-only may read it; writing it (any lock, set, arrive)
//     faults, and in builds with debug checks stops first with a message that says why.
//   - The objects also work in memory that is not shared (each shared wait then costs the page
//     lookup the kernel makes for a shared futex).
//
// Where: Linux, macOS, FreeBSD and OpenBSD (config.hpp's FUTON_HAS_SHARED_FUTEX). The shared
// futex's wake counts and requeue are exact only on some of them
// (<futon/backend/kernel_shared_futex.hpp>), but these types use neither, so each keeps its
// whole contract on all four. Elsewhere this header declares none of them:
// FUTON_HAS_INTERPROCESS is 1 where it does, 0 where it does not, for portable code to test.
#pragma once

#include <cstddef>
#include <futon/backend/kernel_shared_futex.hpp>
#include <futon/barrier.hpp>
#include <futon/condition_variable.hpp>
#include <futon/config.hpp>
#include <futon/counting_semaphore.hpp>
#include <futon/event.hpp>
#include <futon/latch.hpp>
#include <futon/mutex.hpp>
#include <type_traits>

#if FUTON_HAS_SHARED_FUTEX
#define FUTON_HAS_INTERPROCESS 1

namespace futon {
inline namespace v0 {
namespace interprocess {

using mutex = basic_mutex<backend::kernel_shared_futex>;
using timed_mutex = mutex;  // std::timed_mutex's name: futon's mutex has the timed members
using condition_variable = basic_condition_variable<backend::kernel_shared_futex>;
template <std::ptrdiff_t LeastMaxValue = detail::semaphore_count_max>
using counting_semaphore = basic_counting_semaphore<backend::kernel_shared_futex, LeastMaxValue>;
using binary_semaphore = counting_semaphore<1>;
using event = basic_event<backend::kernel_shared_futex>;
using latch = basic_latch<backend::kernel_shared_futex>;
template <class CompletionFunction = empty_completion>
using barrier = basic_barrier<backend::kernel_shared_futex, CompletionFunction>;

static_assert(sizeof(mutex) == 4 && sizeof(condition_variable) == 8 && sizeof(event) == 4 &&
              sizeof(latch) == 4 && sizeof(counting_semaphore<>) == 4);
static_assert(std::is_standard_layout_v<mutex> && std::is_standard_layout_v<condition_variable> &&
              std::is_standard_layout_v<counting_semaphore<>> && std::is_standard_layout_v<event> &&
              std::is_standard_layout_v<latch> && std::is_standard_layout_v<barrier<>>);

}  // namespace interprocess
}  // namespace v0
}  // namespace futon

#else
#define FUTON_HAS_INTERPROCESS 0
#endif
