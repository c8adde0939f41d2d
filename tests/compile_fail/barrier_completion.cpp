// SPDX-License-Identifier: BSL-1.0
// compile_fail.barrier_completion.<case>: a barrier whose completion function cannot be called
// as an lvalue with no arguments must stop the build with futon's static_assert. The control: a
// completion that may throw (not noexcept) compiles, as with std::barrier.
#include <futon/barrier.hpp>

namespace {

struct may_throw {
  int* phases;
  void operator()() { ++*phases; }  // not noexcept: accepted; a throw would terminate
};

struct wants_an_argument {
  void operator()(int) const noexcept {}
};

#if defined(FUTON_CASE_takes_an_argument)
using completion = wants_an_argument;
#elif defined(FUTON_CASE_not_callable)
using completion = int;
#endif

}  // namespace

int main() {
  int phases = 0;
#if defined(FUTON_CASE_ANY)
  futon::barrier<completion> b(1, completion{});
#else
  futon::barrier<may_throw> b(1, may_throw{&phases});
#endif
  b.arrive_and_wait();
  return phases;
}
