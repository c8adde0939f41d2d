// SPDX-License-Identifier: BSL-1.0
// <futon/futex_scope.hpp>: who may wait on a futex word - the threads of one process
// (futon::process_private, the default) or those of every process that maps the word's memory
// (futon::process_shared). Passed as the last argument of the futex_* functions in
// <futon/futex.hpp>; the process-shared primitives are in <futon/interprocess.hpp>.
#pragma once

#include <concepts>

namespace futon {
inline namespace v0 {

struct process_private_t {
  explicit process_private_t() = default;
};
struct process_shared_t {
  explicit process_shared_t() = default;
};

inline constexpr process_private_t process_private{};
inline constexpr process_shared_t process_shared{};

template <class Scope>
concept futex_scope =
    std::same_as<Scope, process_private_t> || std::same_as<Scope, process_shared_t>;

}  // namespace v0
}  // namespace futon
