// SPDX-License-Identifier: BSL-1.0
// Locks and unlocks done in other_file.cpp, a translation unit compiled with NDEBUG (see
// CMakeLists.txt), while odr_test.cpp is compiled without it.
#pragma once

#include <futon/mutex.hpp>
#include <futon/recursive_mutex.hpp>
#include <futon/shared_mutex.hpp>

namespace other_file {

// FUTON_DEBUG_CHECKS as other_file.cpp saw it.
int debug_checks() noexcept;

void lock(futon::mutex& m) noexcept;
void unlock(futon::mutex& m) noexcept;
void lock(futon::shared_mutex& m) noexcept;
void unlock(futon::shared_mutex& m) noexcept;
void lock_shared(futon::shared_mutex& m) noexcept;
void unlock_shared(futon::shared_mutex& m) noexcept;
void lock(futon::recursive_mutex& m);
void unlock(futon::recursive_mutex& m) noexcept;

}  // namespace other_file
