// SPDX-License-Identifier: BSL-1.0
#include "results.hpp"

#include <algorithm>

namespace futon_bench {

double median_of(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

double worst_of(const std::vector<double>& values, better direction) {
  if (values.empty()) return 0;
  return direction == better::higher ? *std::min_element(values.begin(), values.end())
                                     : *std::max_element(values.begin(), values.end());
}

int point::metric_index(const std::string& key) const {
  for (std::size_t i = 0; i < metrics.size(); ++i) {
    if (metrics[i].key == key) return static_cast<int>(i);
  }
  return -1;
}

const impl_values* point::find(const std::string& impl) const {
  for (const auto& v : impls) {
    if (v.impl == impl) return &v;
  }
  return nullptr;
}

std::optional<double> point::median(const std::string& impl, const std::string& key) const {
  const impl_values* v = find(impl);
  const int m = metric_index(key);
  if (v == nullptr || m < 0 || v->values[static_cast<std::size_t>(m)].empty()) return std::nullopt;
  return median_of(v->values[static_cast<std::size_t>(m)]);
}

std::optional<double> point::worst(const std::string& impl, const std::string& key) const {
  const impl_values* v = find(impl);
  const int m = metric_index(key);
  if (v == nullptr || m < 0 || v->values[static_cast<std::size_t>(m)].empty()) return std::nullopt;
  return worst_of(v->values[static_cast<std::size_t>(m)],
                  metrics[static_cast<std::size_t>(m)].direction);
}

std::optional<repetition_tally> point::paired(const std::string& impl, const std::string& other,
                                              const std::string& key) const {
  const impl_values* mine = find(impl);
  const impl_values* theirs = find(other);
  const int m = metric_index(key);
  if (mine == nullptr || theirs == nullptr || m < 0) return std::nullopt;
  const auto index = static_cast<std::size_t>(m);
  const std::vector<double>& a = mine->values[index];
  const std::vector<double>& b = theirs->values[index];
  if (a.empty() || a.size() != b.size()) return std::nullopt;
  const bool higher = metrics[index].direction == better::higher;
  repetition_tally tally;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (higher ? a[i] >= b[i] : a[i] <= b[i]) ++tally.as_good;
    ++tally.repetitions;
  }
  return tally;
}

void point::add(const std::string& impl, const std::string& key, double value) {
  const int m = metric_index(key);
  if (m < 0) return;
  auto it = std::find_if(impls.begin(), impls.end(), [&](const auto& v) { return v.impl == impl; });
  if (it == impls.end()) {
    impls.push_back({impl, std::vector<std::vector<double>>(metrics.size())});
    it = impls.end() - 1;
  }
  it->values[static_cast<std::size_t>(m)].push_back(value);
}

void point::note(const std::string& text) {
  if (std::find(notes.begin(), notes.end(), text) == notes.end()) notes.push_back(text);
}

void point::fail(const std::string& text) {
  failed = true;
  note("FAILED CHECK: " + text);
}

const point* results::find(const std::string& scenario, int param) const {
  for (const auto& p : points) {
    if (p.scenario == scenario && p.param == param) return &p;
  }
  return nullptr;
}

std::vector<const point*> results::of(const std::string& scenario) const {
  std::vector<const point*> found;
  for (const auto& p : points) {
    if (p.scenario == scenario) found.push_back(&p);
  }
  return found;
}

bool in_family(const std::string& scenario, const std::string& family) {
  return scenario == family || (scenario.size() > family.size() + 1 &&
                                scenario.starts_with(family) && scenario[family.size()] == '_');
}

std::vector<const point*> results::of_family(const std::string& family) const {
  std::vector<const point*> found;
  for (const auto& p : points) {
    if (in_family(p.scenario, family)) found.push_back(&p);
  }
  return found;
}

}  // namespace futon_bench
