// SPDX-License-Identifier: BSL-1.0
// The wait/wake implementations every futex benchmark runs, side by side in one binary.
//
// A benchmark is written once against the static interface below (wait, wake_one, wake_all on a
// 32-bit atomic word) and registered for every type in `all_impls`: futon's futex over each
// backend, and the standard's std::atomic<std::uint32_t>::wait / notify_one, the peer that every
// ratio is taken against. Adding a backend is one line in `all_impls`.
#pragma once

#include <atomic>
#include <cstdint>
#include <futon/backend/kernel_futex.hpp>
#include <futon/backend/parking_lot.hpp>
#include <futon/futex.hpp>
#include <string>
#include <vector>

namespace futon::bench {

// The word every benchmark waits on: futon::futex_word is this same type, so both peers work on
// identical memory.
using word = std::atomic<std::uint32_t>;

// futon::basic_futex over one backend. Its wait may return spuriously and does no memory
// ordering of its own; the benchmarks loop on their own acquire loads, as a futon user would.
template <class Backend>
struct futon_impl {
  using futex = basic_futex<Backend>;

  static std::string name() { return std::string("futon:") + Backend::name; }

  static void wait(word& w, std::uint32_t old) noexcept { futex::wait(w, old); }
  static void wake_one(word& w) noexcept { futex::wake_one(w); }
  static void wake_all(word& w) noexcept { futex::wake_all(w); }
};

// The name of the implementation every ratio is taken against (see ratio_reporter.hpp).
inline constexpr const char* peer_name = "std";

// The peer: std::atomic::wait / notify_one / notify_all (non-const, hence `word&` throughout).
struct std_impl {
  static std::string name() { return peer_name; }

  // Relaxed: like futon's wait, the wait only decides whether to sleep; the benchmarks order
  // their data with their own acquire loads after it returns, so both peers do the same loads.
  static void wait(word& w, std::uint32_t old) noexcept { w.wait(old, std::memory_order_relaxed); }
  static void wake_one(word& w) noexcept { w.notify_one(); }
  static void wake_all(word& w) noexcept { w.notify_all(); }
};

template <class... Impls>
struct impl_list {};

// The names of a list's implementations, in its order, leaving out `except` (the peer), for
// the ratio tables (ratio_reporter.hpp).
template <class... Impls>
std::vector<std::string> impl_names(impl_list<Impls...>, const std::string& except = "") {
  std::vector<std::string> names;
  ((Impls::name() != except ? names.push_back(Impls::name()) : void()), ...);
  return names;
}

// Every implementation each benchmark runs against, the same backends as
// tests/support/backends.hpp. To benchmark another futex backend, add
// `futon_impl<backend::its_type>` here (and include its header above).
#if defined(FUTON_NO_KERNEL_FUTEX)
// No kernel_futex backend on this OS (see kernel_futex.hpp): the parking lot is the only one.
using all_impls = impl_list<futon_impl<backend::parking_lot_futex>, std_impl>;
#else
using all_impls =
    impl_list<futon_impl<backend::kernel_futex>, futon_impl<backend::parking_lot_futex>, std_impl>;
#endif

}  // namespace futon::bench
