// SPDX-License-Identifier: BSL-1.0
// function_ref<R(Args...)>: a non-owning reference to a callable, two pointers wide.
//
// The parking lot's callbacks are templates in the public header, but its engine is compiled
// once: a function_ref carries each callback across without allocating or copying it. The
// referenced callable must outlive the call it is passed to (it always does: it is an argument).
#pragma once

#include <functional>
#include <memory>
#include <type_traits>
#include <utility>

namespace futon {
inline namespace v0 {
namespace detail {

template <class Signature>
class function_ref;

template <class R, class... Args>
class function_ref<R(Args...)> {
 public:
  template <class F>
  requires(!std::is_same_v<std::remove_cvref_t<F>, function_ref> &&
           std::is_invocable_r_v<R, F&, Args...>) function_ref(F&& f)
  noexcept  // NOLINT(google-explicit-constructor): used like a function type
      : object_(erase(std::addressof(f))), call_([](void* object, Args... args) -> R {
          return std::invoke(*restore<std::remove_reference_t<F>>(object),
                             std::forward<Args>(args)...);
        }) {}

  R operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }

 private:
  // A plain function's address is not an object pointer: it round-trips through
  // reinterpret_cast (conditionally supported, and supported by every compiler we build with).
  template <class T>
  static void* erase(T* target) noexcept {
    if constexpr (std::is_function_v<T>) {
      return reinterpret_cast<void*>(target);
    } else {
      return const_cast<void*>(static_cast<const void*>(target));
    }
  }
  template <class T>
  static T* restore(void* object) noexcept {
    if constexpr (std::is_function_v<T>) {
      return reinterpret_cast<T*>(object);
    } else {
      return static_cast<T*>(object);
    }
  }

  void* object_;
  R (*call_)(void*, Args...);
};

}  // namespace detail
}  // namespace v0
}  // namespace futon
