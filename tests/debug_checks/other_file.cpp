// SPDX-License-Identifier: BSL-1.0
// The NDEBUG half of odr_test: NDEBUG must change nothing in futon's inline code.
#ifndef NDEBUG
#error "other_file.cpp must be compiled with NDEBUG (tests/debug_checks/CMakeLists.txt)"
#endif

#include "other_file.hpp"

// The build's setting, passed by CMake: NDEBUG in this file must not change it.
static_assert(FUTON_DEBUG_CHECKS == FUTON_TEST_EXPECTED_DEBUG_CHECKS);

// Each function here gets futon's inline code inlined, compiled as this file sees it (with -O2,
// see CMakeLists.txt): otherwise the linker keeps one copy of each inline function for the whole
// program, which hides any difference between the two files.
#if defined(__GNUC__)
#define OTHER_FILE_INLINED __attribute__((flatten))
#else
#define OTHER_FILE_INLINED
#endif

namespace other_file {

int debug_checks() noexcept {
  return FUTON_DEBUG_CHECKS;
}

OTHER_FILE_INLINED void lock(futon::mutex& m) noexcept {
  m.lock();
}
OTHER_FILE_INLINED void unlock(futon::mutex& m) noexcept {
  m.unlock();
}
OTHER_FILE_INLINED void lock(futon::shared_mutex& m) noexcept {
  m.lock();
}
OTHER_FILE_INLINED void unlock(futon::shared_mutex& m) noexcept {
  m.unlock();
}
OTHER_FILE_INLINED void lock_shared(futon::shared_mutex& m) noexcept {
  m.lock_shared();
}
OTHER_FILE_INLINED void unlock_shared(futon::shared_mutex& m) noexcept {
  m.unlock_shared();
}
OTHER_FILE_INLINED void lock(futon::recursive_mutex& m) {
  m.lock();
}
OTHER_FILE_INLINED void unlock(futon::recursive_mutex& m) noexcept {
  m.unlock();
}

}  // namespace other_file
