// SPDX-License-Identifier: BSL-1.0
// FUTON_COLD marks a slow path (a lock's contended half): kept out of line, so that the fast
// path that calls it stays a few instructions, small enough to inline into every caller, and
// placed away from hot code. On compilers without the attributes it is empty.
#pragma once

#if defined(__GNUC__) || defined(__clang__)
#define FUTON_COLD [[gnu::cold, gnu::noinline]]
#elif defined(_MSC_VER)
#define FUTON_COLD __declspec(noinline)
#else
#define FUTON_COLD
#endif
