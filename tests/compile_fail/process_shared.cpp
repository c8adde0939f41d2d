// SPDX-License-Identifier: BSL-1.0
// futon::process_shared where the OS has no exact shared futex is a compile-time error that
// says why, not a private wait that would sleep through other processes' wakes. The case
// compiles the headers as they are on such an OS (FUTON_NO_KERNEL_FUTEX, as config.hpp defines it
// on Windows, macOS and the BSDs), on any host.
#if defined(FUTON_CASE_shared_wake_without_shared_futex) || \
    defined(FUTON_CASE_shared_wait_without_shared_futex)
#define FUTON_NO_KERNEL_FUTEX 1
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
