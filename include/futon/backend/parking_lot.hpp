// parking_lot: the futex backend on futon's user-space parking lot (<futon/parking_lot.hpp>).
//
// Portable (it needs only a thread parker from the OS) and exact: wait registers in the word's
// bucket after checking the value under the bucket lock; wake takes no lock when nobody waits in
// the bucket; requeue moves waiters between buckets under both locks. Process-private only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <futon/detail/deadline.hpp>
#include <futon/futex_word.hpp>
#include <optional>

namespace futon::backend {

struct parking_lot {
  static constexpr const char* name = "parking_lot";

  static void wait(const futex_word& word, std::uint32_t expected) noexcept;
  static bool wait_until(const futex_word& word, std::uint32_t expected,
                         const detail::deadline& limit) noexcept;
  static std::size_t wake(const futex_word& word, std::size_t count) noexcept;
  static std::optional<requeue_result> requeue(const futex_word& from, std::uint32_t expected,
                                               const futex_word& to, std::size_t wake_count,
                                               std::size_t requeue_count) noexcept;
};

}  // namespace futon::backend
