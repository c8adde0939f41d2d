// SPDX-License-Identifier: BSL-1.0
// Windows has no fork(): nothing to register (see os/fork.hpp).
#include "os/fork.hpp"

namespace futon {
inline namespace v0 {
namespace os {

void on_fork_child(void (*)()) noexcept {}

}  // namespace os
}  // namespace v0
}  // namespace futon
