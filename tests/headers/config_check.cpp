// SPDX-License-Identifier: BSL-1.0
// <futon/config.hpp> says what CMake chose: the version of project(VERSION) and whether the OS
// has a kernel futex and a shared one, for consumers that read no CMake (pkg-config, a plain -I).
// The expected values come from CMake (tests/headers/CMakeLists.txt).
#include <futon/config.hpp>

static_assert(FUTON_VERSION_MAJOR == FUTON_EXPECTED_VERSION_MAJOR);
static_assert(FUTON_VERSION_MINOR == FUTON_EXPECTED_VERSION_MINOR);
static_assert(FUTON_VERSION_PATCH == FUTON_EXPECTED_VERSION_PATCH);

#if defined(FUTON_NO_KERNEL_FUTEX) != FUTON_EXPECTED_NO_KERNEL_FUTEX
#error "<futon/config.hpp>: FUTON_NO_KERNEL_FUTEX does not match the build's OS"
#endif

#if FUTON_HAS_SHARED_FUTEX != FUTON_EXPECTED_SHARED_FUTEX
#error "<futon/config.hpp>: FUTON_HAS_SHARED_FUTEX does not match the build's OS"
#endif
