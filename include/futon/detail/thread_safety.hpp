// SPDX-License-Identifier: BSL-1.0
// Clang's thread-safety analysis (-Wthread-safety) for futon's locks, so that code which swaps
// std::mutex for futon::mutex keeps the checks libc++ gives std::mutex
// (_LIBCPP_ENABLE_THREAD_SAFETY_ANNOTATIONS): variables GUARDED_BY a futon::mutex or
// futon::shared_mutex, functions that REQUIRE one, and the std guards over them
// (std::lock_guard, std::scoped_lock, which libc++ annotates as scoped capabilities).
// https://clang.llvm.org/docs/ThreadSafetyAnalysis.html
//
// The lock functions say what they do to the capability (acquire, release, try), and their own
// bodies are not analysed (the lock word is not a capability the analysis could follow). The
// recursive mutexes stay unannotated, as libc++'s: the analysis has no notion of re-entry in
// clang 14. Nothing here changes code: on other compilers the macros are empty.
#pragma once

#if defined(__clang__)
#define FUTON_THREAD_SAFETY(attribute) __attribute__((attribute))
#else
#define FUTON_THREAD_SAFETY(attribute)
#endif

#define FUTON_CAPABILITY(name) FUTON_THREAD_SAFETY(capability(name))
#define FUTON_ACQUIRE FUTON_THREAD_SAFETY(acquire_capability())
#define FUTON_ACQUIRE_SHARED FUTON_THREAD_SAFETY(acquire_shared_capability())
#define FUTON_RELEASE FUTON_THREAD_SAFETY(release_capability())
#define FUTON_RELEASE_SHARED FUTON_THREAD_SAFETY(release_shared_capability())
#define FUTON_TRY_ACQUIRE FUTON_THREAD_SAFETY(try_acquire_capability(true))
#define FUTON_TRY_ACQUIRE_SHARED FUTON_THREAD_SAFETY(try_acquire_shared_capability(true))
// For futon's own functions that lock and unlock in ways the analysis cannot follow.
#define FUTON_NO_THREAD_SAFETY_ANALYSIS FUTON_THREAD_SAFETY(no_thread_safety_analysis)
