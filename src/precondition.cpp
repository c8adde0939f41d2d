// SPDX-License-Identifier: BSL-1.0
#include <cstdio>
#include <cstdlib>
#include <futon/detail/assert.hpp>

namespace futon {
inline namespace v0 {
namespace detail {

void precondition_failed(const char* message, const char* file, int line) noexcept {
  std::fprintf(stderr, "futon: precondition failed: %s (%s:%d)\n", message, file, line);
  std::fflush(stderr);
  std::abort();
}

}  // namespace detail
}  // namespace v0
}  // namespace futon
