// SPDX-License-Identifier: BSL-1.0
#include "peers.hpp"

#include <algorithm>
#include <cmath>

#include "implementations.hpp"

#if !defined(FUTON_BENCH_ABSL_STATUS)
#define FUTON_BENCH_ABSL_STATUS "not configured"
#endif
#if !defined(FUTON_BENCH_TBB_STATUS)
#define FUTON_BENCH_TBB_STATUS "not configured"
#endif

namespace futon_bench {

std::vector<peer_library> peer_libraries() {
  std::vector<peer_library> peers;
#if defined(_LIBCPP_VERSION)
  peers.push_back({"the standard library", "std",
                   "std::mutex, condition_variable, shared_mutex, ...", true, "libc++"});
#else
  peers.push_back({"the standard library", "std",
                   "std::mutex, condition_variable, shared_mutex, ...", true, "libstdc++"});
#endif
#if defined(FUTON_BENCH_HAVE_ABSL)
  constexpr bool absl = true;
#else
  constexpr bool absl = false;
#endif
  peers.push_back({"abseil", "absl", "absl::Mutex (also shared), absl::CondVar", absl,
                   FUTON_BENCH_ABSL_STATUS});
#if defined(FUTON_BENCH_HAVE_TBB)
  constexpr bool tbb = true;
#else
  constexpr bool tbb = false;
#endif
  peers.push_back({"oneTBB", "tbb, tbb-queuing",
                   "oneapi::tbb::mutex, queuing_mutex, spin_rw_mutex (shared)", tbb,
                   FUTON_BENCH_TBB_STATUS});
#if defined(FUTON_BENCH_HAVE_GLIBC_ADAPTIVE)
  peers.push_back({"glibc's adaptive mutex", "glibc-adaptive",
                   "pthread_mutex_t, PTHREAD_MUTEX_ADAPTIVE_NP", true,
                   "glibc " + std::to_string(__GLIBC__) + "." + std::to_string(__GLIBC_MINOR__)});
#else
  peers.push_back({"glibc's adaptive mutex", "glibc-adaptive",
                   "pthread_mutex_t, PTHREAD_MUTEX_ADAPTIVE_NP", false,
                   "not a glibc system (the type is glibc's own)"});
#endif
  const char* pshared_types =
      "pthread_mutex_t + pthread_cond_t, PTHREAD_PROCESS_SHARED, plain and PTHREAD_MUTEX_ROBUST "
      "(interprocess scenarios)";
#if defined(FUTON_BENCH_HAVE_INTERPROCESS) && defined(__GLIBC__)
  peers.push_back({"process-shared pthread", "pthread-pshared, pthread-robust", pshared_types, true,
                   "glibc " + std::to_string(__GLIBC__) + "." + std::to_string(__GLIBC_MINOR__)});
#elif defined(FUTON_BENCH_HAVE_INTERPROCESS)
  peers.push_back({"process-shared pthread", "pthread-pshared, pthread-robust", pshared_types, true,
                   "the C library's"});
#else
  peers.push_back({"process-shared pthread", "pthread-pshared, pthread-robust", pshared_types,
                   false, "no futon::interprocess here (Linux only)"});
#endif
  return peers;
}

std::string peer_summary(const std::vector<peer_library>& peers) {
  std::string in;
  std::string out;
  for (const auto& p : peers) {
    std::string& list = p.compiled ? in : out;
    if (!list.empty()) list += "; ";
    list += p.compiled ? p.name + " " + p.detail + " (" + p.types + ": `" + p.columns + "`)"
                       : p.name + ": " + p.detail;
  }
  std::string text = "Peers compiled in: " + (in.empty() ? std::string("none") : in) + ".";
  text += out.empty() ? " None left out." : " Not compiled in: " + out + ".";
  return text;
}

bool is_peer(const std::string& impl) {
  const auto& impls = compared_implementations();
  return impl != "futon" && std::find(impls.begin(), impls.end(), impl) != impls.end();
}

std::optional<best_value> best_peer(const point& p, const std::string& metric, bool worst) {
  const int m = p.metric_index(metric);
  if (m < 0) return std::nullopt;
  const bool higher = p.metrics[static_cast<std::size_t>(m)].direction == better::higher;
  std::optional<best_value> best;
  for (const auto& v : p.impls) {
    if (!is_peer(v.impl)) continue;
    const auto value = worst ? p.worst(v.impl, metric) : p.median(v.impl, metric);
    if (!value || std::isnan(*value)) continue;
    if (!best || (higher ? *value > best->value : *value < best->value)) {
      best = best_value{v.impl, *value};
    }
  }
  return best;
}

}  // namespace futon_bench
