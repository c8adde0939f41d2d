// SPDX-License-Identifier: BSL-1.0
// The parking lot on the real system: the engine (basic_parking_lot.hpp) instantiated once over
// os::platform, the functions <futon/parking_lot.hpp> declares, and the fork hook.
#include <futon/parking_lot.hpp>

#include "os/fork.hpp"
#include "parking_lot/os_parking_lot.hpp"

namespace futon {
inline namespace v0 {
namespace detail {

template class basic_parking_lot<os::platform>;

namespace {
// Registered while the library's static objects are initialized, before main().
[[maybe_unused]] const bool fork_hook_registered =
    (os::on_fork_child([] { os_parking_lot::reset_after_fork(); }), true);
}  // namespace

parking_lot::park_result parking_lot_park(const void* key, function_ref<bool()> validate,
                                          function_ref<void()> before_sleep,
                                          function_ref<void(const void*, bool)> timed_out,
                                          const deadline& limit,
                                          parking_lot::token park_token) noexcept {
  return os_parking_lot::park(key, validate, before_sleep, timed_out, limit, park_token);
}

parking_lot::park_any_result parking_lot_park_any(std::span<const void* const> keys,
                                                  function_ref<bool(std::size_t)> validate,
                                                  const deadline& limit,
                                                  parking_lot::token park_token) noexcept {
  if (keys.empty())
    return {parking_lot::park_status::invalid, 0, parking_lot::default_unpark_token};
  const auto result = os_parking_lot::park_any(
      keys.size(), [&](std::size_t i) { return keys[i]; }, validate, limit, park_token);
  return {result.status, result.index, result.unpark_token};
}

parking_lot::unpark_result parking_lot_unpark_one(
    const void* key,
    function_ref<parking_lot::token(const parking_lot::unpark_result&)> callback) noexcept {
  return os_parking_lot::unpark_one(key, callback);
}

std::size_t parking_lot_unpark_some(const void* key, std::size_t count,
                                    parking_lot::token unpark_token) noexcept {
  return os_parking_lot::unpark_some(key, count, unpark_token);
}

parking_lot::unpark_result parking_lot_unpark_requeue(
    const void* from, const void* to, function_ref<requeue_plan()> validate,
    function_ref<parking_lot::token(const parking_lot::unpark_result&)> callback) noexcept {
  return os_parking_lot::unpark_requeue(from, to, validate, callback);
}

parking_lot::unpark_result parking_lot_unpark_filter(
    const void* key, function_ref<parking_lot::filter_op(parking_lot::token)> filter,
    function_ref<parking_lot::token(const parking_lot::unpark_result&)> callback) noexcept {
  return os_parking_lot::unpark_filter(key, filter, callback);
}

}  // namespace detail
}  // namespace v0
}  // namespace futon
