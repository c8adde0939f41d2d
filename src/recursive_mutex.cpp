// SPDX-License-Identifier: BSL-1.0
// The parts of <futon/recursive_mutex.hpp> that must exist once per program: the thread-id
// counter (ids must differ across every module that locks the same mutex) and the exception.
#include <atomic>
#include <cstdint>
#include <futon/recursive_mutex.hpp>
#include <system_error>

namespace futon {
inline namespace v0 {
namespace detail {

namespace {

// The next thread id. Starts at 1: 0 is the owner word's "nobody". 64 bits never wrap (see the
// header's Counters).
constinit std::atomic<std::uint64_t> next_owner_id{1};

}  // namespace

std::uint64_t recursive_owner_id() noexcept {
  // The library's own per-thread copy, so that every module's cache (the header's thread-local,
  // of which a program built of several shared libraries may have several) gets the same id.
  thread_local std::uint64_t id = 0;
  if (id == 0) {
    // Relaxed: the id only has to differ from every other thread's, which the read-modify-write
    // on one variable gives by itself (each fetch_add reads the latest value in its modification
    // order); nothing else is published with it.
    id = next_owner_id.fetch_add(1, std::memory_order_relaxed);
  }
  return id;
}

void throw_recursion_limit() {
  throw std::system_error(std::make_error_code(std::errc::resource_unavailable_try_again),
                          "futon::recursive_mutex: the calling thread holds it 2^32 - 1 times");
}

}  // namespace detail
}  // namespace v0
}  // namespace futon
