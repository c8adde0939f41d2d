// SPDX-License-Identifier: BSL-1.0
// Planted case for tests/lint/check_fork_label.cmake: read, never compiled. It forks, and its
// registration (CMakeLists.txt beside it) lacks LABEL fork.
#include <unistd.h>

int main() {
  return fork() == 0 ? 0 : 1;
}
