// SPDX-License-Identifier: BSL-1.0
// Which sanitizers this translation unit is compiled with, for the few places that must know:
// FUTON_SANITIZE_THREAD and FUTON_SANITIZE_ADDRESS are 1 or 0. GCC defines __SANITIZE_THREAD__
// and __SANITIZE_ADDRESS__; clang answers __has_feature(thread_sanitizer / address_sanitizer).
#pragma once

#if defined(__SANITIZE_THREAD__)
#define FUTON_SANITIZE_THREAD 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define FUTON_SANITIZE_THREAD 1
#endif
#endif
#ifndef FUTON_SANITIZE_THREAD
#define FUTON_SANITIZE_THREAD 0
#endif

#if defined(__SANITIZE_ADDRESS__)
#define FUTON_SANITIZE_ADDRESS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FUTON_SANITIZE_ADDRESS 1
#endif
#endif
#ifndef FUTON_SANITIZE_ADDRESS
#define FUTON_SANITIZE_ADDRESS 0
#endif
