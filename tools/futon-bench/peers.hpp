// SPDX-License-Identifier: BSL-1.0
// The peers futon is compared with: the locks a user would pick instead. The standard library's
// are always there; abseil, oneTBB and glibc's adaptive mutex are compiled in when present
// (CMakeLists.txt, peer_adapters.hpp), and the report says which were and why the others were
// not, so that a missing column is never mistaken for a lost one. "The best peer" of a figure is
// the best value any peer measured at that point, in the metric's own direction.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "results.hpp"

namespace futon_bench {

struct peer_library {
  std::string name;     // "oneTBB"
  std::string columns;  // the implementation names it adds: "tbb, tbb-queuing"
  std::string types;    // "oneapi::tbb::mutex, queuing_mutex, spin_rw_mutex (shared)"
  bool compiled = false;
  std::string detail;  // compiled: its version; else why not ("not found (install libtbb-dev)")
};

// The peer libraries of this build, compiled in or not.
std::vector<peer_library> peer_libraries();

// One sentence for the report and the console: "Peers compiled in: ...; not compiled in: ...".
std::string peer_summary(const std::vector<peer_library>& peers);

// Whether `impl` is a peer (not futon, not a reference such as the CAS lock).
bool is_peer(const std::string& impl);

struct best_value {
  std::string impl;
  double value = 0;
};

// The best median (or worst repetition, with `worst`) any peer measured for `metric` at `p`:
// the highest or lowest as the metric says. nullopt if no peer measured it.
std::optional<best_value> best_peer(const point& p, const std::string& metric, bool worst = false);

}  // namespace futon_bench
