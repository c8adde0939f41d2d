// SPDX-License-Identifier: BSL-1.0
// checked_shared_word: the word of a process-shared primitive in builds with debug checks
// (FUTON_DEBUG_CHECKS): before each write it makes sure the calling process can write the word,
// and otherwise stops the program with a message that says why (memory mapped PROT_READ),
// rather than let the write fault with a bare SIGSEGV inside the primitive.
//
// backend::kernel_shared_futex names it as its word_type (detail/backend_traits.hpp), so every
// interprocess primitive keeps its state in one without a change of its own; it is a futex_word
// with nothing added (the same size and layout). Each write first asks
// require_writable_shared_word, which remembers the last page it found writable per thread, so a
// primitive used again costs a compare; a new page costs one system call (Linux: a FUTEX_WAKE_OP
// that adds 0 to the word, which the kernel refuses with EFAULT for memory it cannot write).
// Where the OS has no such probe the check passes and a write to read-only memory faults as
// before. A read-only process may still read (an event's is_set, a latch's try_wait): only
// writes are checked.
#pragma once

#include <atomic>
#include <cstdint>
#include <futon/futex_word.hpp>

namespace futon {
inline namespace v0 {
namespace detail {

// Stops the program (detail::precondition_failed) when the calling process cannot write `word`.
void require_writable_shared_word(const futex_word& word) noexcept;

class checked_shared_word : public futex_word {
 public:
  using futex_word::futex_word;
  checked_shared_word(const checked_shared_word&) = delete;
  checked_shared_word& operator=(const checked_shared_word&) = delete;

  void store(std::uint32_t value, std::memory_order order = std::memory_order_seq_cst) noexcept {
    require_writable_shared_word(*this);
    futex_word::store(value, order);
  }
  std::uint32_t exchange(std::uint32_t value,
                         std::memory_order order = std::memory_order_seq_cst) noexcept {
    require_writable_shared_word(*this);
    return futex_word::exchange(value, order);
  }
  // Both of std::atomic's overloads of each (one order, or success and failure orders).
  template <class... Orders>
  bool compare_exchange_weak(std::uint32_t& expected, std::uint32_t desired,
                             Orders... orders) noexcept {
    require_writable_shared_word(*this);
    return futex_word::compare_exchange_weak(expected, desired, orders...);
  }
  template <class... Orders>
  bool compare_exchange_strong(std::uint32_t& expected, std::uint32_t desired,
                               Orders... orders) noexcept {
    require_writable_shared_word(*this);
    return futex_word::compare_exchange_strong(expected, desired, orders...);
  }
  std::uint32_t fetch_add(std::uint32_t value,
                          std::memory_order order = std::memory_order_seq_cst) noexcept {
    require_writable_shared_word(*this);
    return futex_word::fetch_add(value, order);
  }
  std::uint32_t fetch_sub(std::uint32_t value,
                          std::memory_order order = std::memory_order_seq_cst) noexcept {
    require_writable_shared_word(*this);
    return futex_word::fetch_sub(value, order);
  }
  std::uint32_t fetch_and(std::uint32_t value,
                          std::memory_order order = std::memory_order_seq_cst) noexcept {
    require_writable_shared_word(*this);
    return futex_word::fetch_and(value, order);
  }
  std::uint32_t fetch_or(std::uint32_t value,
                         std::memory_order order = std::memory_order_seq_cst) noexcept {
    require_writable_shared_word(*this);
    return futex_word::fetch_or(value, order);
  }
};

static_assert(sizeof(checked_shared_word) == sizeof(futex_word));

}  // namespace detail
}  // namespace v0
}  // namespace futon
