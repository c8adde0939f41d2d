// SPDX-License-Identifier: BSL-1.0
// futon::process_shared where the OS has no shared futex is a compile-time error that says why,
// not a private wait that would sleep through other processes' wakes. The case compiles the
// headers as they are on such an OS (Windows, DragonFly: config.hpp defines
// FUTON_NO_KERNEL_FUTEX and FUTON_HAS_SHARED_FUTEX 0), on any host.
#if defined(FUTON_CASE_shared_wake_without_shared_futex) || \
    defined(FUTON_CASE_shared_wait_without_shared_futex)
#include <futon/config.hpp>
#define FUTON_NO_KERNEL_FUTEX 1
#undef FUTON_HAS_SHARED_FUTEX
#define FUTON_HAS_SHARED_FUTEX 0
#endif
#include <futon/futex.hpp>

int main() {
  futon::futex_word word{0};
  static_cast<void>(futon::futex_wake(word, 1, futon::process_private));
#if defined(FUTON_CASE_shared_wake_without_shared_futex)
  static_cast<void>(futon::futex_wake(word, 1, futon::process_shared));
#endif
#if defined(FUTON_CASE_shared_wait_without_shared_futex)
  futon::futex_wait(word, 1, futon::process_shared);
#endif
}
